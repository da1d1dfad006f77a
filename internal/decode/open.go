package decode

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
)

// gzipMagic starts every gzip stream. Bodies and files are recognised by it
// rather than by a header or file name, so a .gz file renamed, or a
// compressed body sent without Content-Encoding, still reads.
var gzipMagic = []byte{0x1f, 0x8b}

// Open prepares a body or file for Split: it decompresses gzip when the
// stream starts with the gzip magic bytes and stops with a *BodyError once
// more than maxBytes have come out (maxBytes < 0: no limit).
func Open(r io.Reader, maxBytes int64) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(len(gzipMagic))
	var out io.Reader = br
	var closer io.Closer = nopCloser{}
	if bytes.Equal(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &BodyError{Msg: "gzip: " + err.Error()}
		}
		out, closer = &gzipReader{zr: zr}, zr
	}
	if maxBytes >= 0 {
		out = &limitedReader{r: out, left: maxBytes, max: maxBytes}
	}
	return readCloser{Reader: out, Closer: closer}, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

type readCloser struct {
	io.Reader
	io.Closer
}

// gzipReader names decompression failures so that a truncated or corrupt
// stream is reported as such rather than as malformed JSON.
type gzipReader struct{ zr *gzip.Reader }

func (g *gzipReader) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != nil && err != io.EOF {
		switch err {
		case io.ErrUnexpectedEOF:
			return n, &BodyError{Msg: "gzip: stream is truncated", Err: err}
		case gzip.ErrChecksum, gzip.ErrHeader:
			return n, &BodyError{Msg: "gzip: stream is corrupt: " + err.Error(), Err: err}
		}
		var be *BodyError
		if errors.As(err, &be) {
			return n, err
		}
		return n, &BodyError{Msg: "gzip: " + err.Error(), Err: err}
	}
	return n, err
}

// limitedReader fails, rather than stopping quietly, when a body grows past
// its limit: a silently shortened body would look like a truncated one.
type limitedReader struct {
	r    io.Reader
	left int64
	max  int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, l.tooLarge()
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n + int(l.left), l.tooLarge()
	}
	return n, err
}

func (l *limitedReader) tooLarge() error {
	return &BodyError{Msg: fmt.Sprintf("body is larger than %d bytes after decompression", l.max), TooLarge: true}
}

// CountingReader counts the bytes read through it.
type CountingReader struct {
	R io.Reader
	N int64
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += int64(n)
	return n, err
}
