package decode

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	gojson "github.com/goccy/go-json"
)

// Shape is the layout of a body.
type Shape int

// The body shapes exporters send.
const (
	// NDJSON is one record per line, as in the PT1H.json blobs of an Azure
	// storage export. A malformed line is one bad record; the lines around
	// it are still read.
	NDJSON Shape = iota
	// Envelope is the Event Hubs / diagnostic-setting form {"records":[…]}.
	Envelope
	// Array is a JSON array of records.
	Array
	// Values is JSON records one after another without one per line, such
	// as a pretty-printed record in a file.
	Values
)

func (s Shape) String() string {
	switch s {
	case NDJSON:
		return "ndjson"
	case Envelope:
		return "envelope"
	case Array:
		return "array"
	case Values:
		return "values"
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// RawRecord is the text of one record as cut from a body.
type RawRecord struct {
	// Data is the record's JSON text. It is only valid during the callback
	// that receives it. For an oversize record it holds the first
	// Limits.MaxRecordBytes bytes.
	Data     []byte
	Pos      Position
	Oversize bool
}

// peekSize is how much of a body Split looks at to tell its shape.
const peekSize = 4096

// Split reads a decompressed body as a stream and calls fn once per record,
// in order. It returns the body's shape. A *BodyError means the body as a
// whole is unusable from that point on: the structure is broken, a limit was
// crossed, or reading failed. An error returned by fn stops the split and is
// returned as is.
func Split(r io.Reader, lim Limits, fn func(RawRecord) error) (Shape, error) {
	lim = lim.WithDefaults()
	br := bufio.NewReaderSize(r, 64<<10)

	head, err := br.Peek(peekSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return NDJSON, readError(err, Position{})
	}
	skip := leadingSpace(head)
	s := &splitter{br: br, lim: lim, fn: fn, offset: int64(skip), line: 1 + bytes.Count(head[:skip], []byte{'\n'})}
	head = head[skip:]
	if len(head) == 0 {
		return NDJSON, nil // an empty body holds no records
	}

	// Tell the shape from the first bytes before consuming anything: the
	// peeked slice is only valid until the next read.
	var shape Shape
	switch {
	case head[0] == '[':
		shape = Array
	case head[0] == '{' && isEnvelope(head):
		shape = Envelope
	case head[0] == '{' && firstLineIsRecord(head):
		shape = NDJSON
	case head[0] == '{':
		shape = Values
	default:
		return NDJSON, &BodyError{Pos: Position{Line: s.line, Offset: s.offset}, Msg: fmt.Sprintf("body is not JSON: it starts with %q", printable(head[0]))}
	}
	if _, err := br.Discard(skip); err != nil {
		return shape, readError(err, Position{})
	}
	if shape == NDJSON {
		return shape, s.lines()
	}
	return shape, s.stream(shape)
}

type splitter struct {
	br     *bufio.Reader
	lim    Limits
	fn     func(RawRecord) error
	index  int
	line   int
	offset int64
}

// emit hands one record to the callback, enforcing the per-body and
// per-record limits.
func (s *splitter) emit(data []byte, pos Position, oversize bool) error {
	if s.lim.MaxRecords > 0 && s.index >= s.lim.MaxRecords {
		return &BodyError{Pos: pos, Msg: fmt.Sprintf("body holds more than %d records", s.lim.MaxRecords), TooLarge: true}
	}
	if s.lim.MaxRecordBytes > 0 && len(data) > s.lim.MaxRecordBytes {
		data, oversize = data[:s.lim.MaxRecordBytes], true
	}
	s.index++
	return s.fn(RawRecord{Data: data, Pos: pos, Oversize: oversize})
}

// lines splits newline-delimited JSON. Lines longer than the read buffer are
// gathered in a scratch buffer up to the record limit; the rest of an
// oversize line is read and thrown away so the next line is still found.
func (s *splitter) lines() error {
	var long []byte
	for {
		pos := Position{Index: s.index, Line: s.line, Offset: s.offset}
		chunk, err := s.br.ReadSlice('\n')
		n := int64(len(chunk))
		line := chunk
		oversize := false
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], chunk...)
			for errors.Is(err, bufio.ErrBufferFull) {
				chunk, err = s.br.ReadSlice('\n')
				n += int64(len(chunk))
				if s.lim.MaxRecordBytes > 0 && len(long)+len(chunk) > s.lim.MaxRecordBytes {
					oversize = true
					if room := s.lim.MaxRecordBytes + 1 - len(long); room > 0 {
						long = append(long, chunk[:min(room, len(chunk))]...)
					}
					continue
				}
				long = append(long, chunk...)
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return readError(err, pos)
		}
		s.offset += n
		if rec := bytes.TrimSpace(line); len(rec) > 0 {
			if e := s.emit(rec, pos, oversize); e != nil {
				return e
			}
		}
		s.line++
		if err == io.EOF {
			return nil
		}
	}
}

// stream splits the shapes that need a JSON tokenizer: an envelope, an
// array, or values one after another.
func (s *splitter) stream(shape Shape) error {
	dec := gojson.NewDecoder(s.br)
	base := s.offset
	at := func() Position {
		return Position{Index: s.index, Offset: base + dec.InputOffset()}
	}
	expect := func(want gojson.Delim) error {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(err, at())
		}
		if d, ok := tok.(gojson.Delim); !ok || d != want {
			return &BodyError{Pos: at(), Msg: fmt.Sprintf("malformed JSON body: expected %q, found %v", want, tok)}
		}
		return nil
	}

	switch shape {
	case Envelope:
		if err := expect('{'); err != nil {
			return err
		}
		if _, err := dec.Token(); err != nil { // the "records" key, already recognised
			return syntaxError(err, at())
		}
		fallthrough
	case Array:
		if err := expect('['); err != nil {
			return err
		}
	}

	for dec.More() {
		pos := at()
		var raw gojson.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntaxError(err, pos)
		}
		if shape == Values && (len(raw) == 0 || raw[0] != '{') {
			return &BodyError{Pos: pos, Msg: "malformed JSON body: expected a record object"}
		}
		if err := s.emit(raw, pos, false); err != nil {
			return err
		}
	}

	switch shape {
	case Envelope:
		if err := expect(']'); err != nil {
			return err
		}
		// Other members of the envelope carry nothing callscope stores.
		for dec.More() {
			if _, err := dec.Token(); err != nil {
				return syntaxError(err, at())
			}
			var skip gojson.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return syntaxError(err, at())
			}
		}
		if err := expect('}'); err != nil {
			return err
		}
	case Array:
		if err := expect(']'); err != nil {
			return err
		}
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return syntaxError(err, at())
		}
		return &BodyError{Pos: at(), Msg: fmt.Sprintf("malformed JSON body: unexpected %v after the end of the body", tok)}
	}
	return nil
}

// isEnvelope reports whether a body starting with '{' is the Event Hubs
// envelope, by looking for "records" as its first member.
func isEnvelope(head []byte) bool {
	rest := head[1:]
	rest = rest[leadingSpace(rest):]
	const key = `"records"`
	if len(rest) < len(key) || !bytes.EqualFold(rest[:len(key)], []byte(key)) {
		return false
	}
	rest = rest[len(key):]
	rest = rest[leadingSpace(rest):]
	if len(rest) == 0 || rest[0] != ':' {
		return false
	}
	rest = rest[1:]
	rest = rest[leadingSpace(rest):]
	return len(rest) > 0 && rest[0] == '['
}

// firstLineIsRecord tells newline-delimited JSON from pretty-printed JSON:
// in NDJSON the first line is a whole object. A first line longer than the
// peek window is taken to be one record.
func firstLineIsRecord(head []byte) bool {
	nl := bytes.IndexByte(head, '\n')
	if nl < 0 {
		return true
	}
	first := bytes.TrimSpace(head[:nl])
	return len(first) > 1 && first[len(first)-1] == '}'
}

// leadingSpace counts the whitespace and byte-order mark at the start of b.
func leadingSpace(b []byte) int {
	n := 0
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		n = 3
	}
	for n < len(b) {
		switch b[n] {
		case ' ', '\t', '\r', '\n':
			n++
		default:
			return n
		}
	}
	return n
}

func printable(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return string(c)
	}
	return fmt.Sprintf("\\x%02x", c)
}

// readError reports a failure of the underlying reader (a corrupt gzip
// stream, a body over its limit, a broken connection) at a position.
func readError(err error, pos Position) error {
	var be *BodyError
	if errors.As(err, &be) {
		cp := *be
		cp.Pos = pos
		return &cp
	}
	return &BodyError{Pos: pos, Msg: "reading body: " + err.Error(), Err: err}
}

// syntaxError turns a tokenizer error into a BodyError, keeping read
// failures of the underlying reader distinct from malformed JSON.
func syntaxError(err error, pos Position) error {
	var be *BodyError
	if errors.As(err, &be) {
		return readError(err, pos)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &BodyError{Pos: pos, Msg: "malformed JSON body: unexpected end of input"}
	}
	return &BodyError{Pos: pos, Msg: "malformed JSON body: " + err.Error()}
}
