package simulate

import (
	"bufio"
	"container/list"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// WriteNDJSON returns an emit function that writes each record as one line.
// It issues one Write per record; wrap w in a bufio.Writer (and flush it)
// when writing to a file or a network connection.
func WriteNDJSON(w io.Writer) func(Record) error {
	var line []byte
	return func(r Record) error {
		line = append(append(line[:0], r.JSON...), '\n')
		_, err := w.Write(line)
		return err
	}
}

// Layout writes records into the directory layout of an Azure diagnostic
// setting that archives to a storage account:
//
//	<dir>/insights-logs-<category>/resourceId=/SUBSCRIPTIONS/<SUB>/RESOURCEGROUPS/<RG>/
//	    PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/<NAME>/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json
//
// one newline-delimited JSON blob per category, resource and hour of the
// record's time. The path follows the record's own resource id, so the
// AppEvents records of the Application Insights resource land under
// insights-logs-appevents/…/PROVIDERS/MICROSOFT.INSIGHTS/COMPONENTS/<NAME>/…,
// as Azure writes them. Files are appended to, so a later run adds to an existing
// tree. At most MaxOpen files are open at a time; the least recently used is
// closed when another is needed.
type Layout struct {
	dir     string
	MaxOpen int

	files map[string]*list.Element // path → element of lru holding *openFile
	lru   *list.List               // front = most recently used
	err   error
}

type openFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
}

// AzureLayout returns a Layout writing under dir. Call Close when done.
func AzureLayout(dir string) *Layout {
	return &Layout{dir: dir, MaxOpen: 64, files: map[string]*list.Element{}, lru: list.New()}
}

// Write appends a record to its blob. It has the signature Generate expects
// of emit.
func (l *Layout) Write(r Record) error {
	if l.err != nil {
		return l.err
	}
	path, err := l.path(r)
	if err != nil {
		return err
	}
	of, err := l.open(path)
	if err != nil {
		l.err = err
		return err
	}
	if _, err := of.w.Write(r.JSON); err != nil {
		l.err = err
		return err
	}
	if err := of.w.WriteByte('\n'); err != nil {
		l.err = err
		return err
	}
	return nil
}

// WriteBatch writes several records; it suits RunLive's emit.
func (l *Layout) WriteBatch(recs []Record) error {
	for _, r := range recs {
		if err := l.Write(r); err != nil {
			return err
		}
	}
	return nil
}

// path is where a record goes. The resource id comes from the record, so it
// is checked to be a plain resource id before it becomes part of a path.
func (l *Layout) path(r Record) (string, error) {
	if r.Category == "" || strings.ContainsAny(r.Category, `/\.`) {
		return "", fmt.Errorf("simulate: category %q cannot name a directory", r.Category)
	}
	if _, _, _, err := resourceParts(r.Resource); err != nil {
		return "", err
	}
	for _, seg := range strings.Split(strings.Trim(r.Resource, "/"), "/") {
		if strings.ContainsAny(seg, `\:`) || seg == ".." {
			return "", fmt.Errorf("simulate: resource id %q cannot name a directory", r.Resource)
		}
	}
	t := r.Time.UTC()
	return filepath.Join(l.dir,
		"insights-logs-"+strings.ToLower(r.Category),
		"resourceId=",
		filepath.FromSlash(strings.ToUpper(strings.Trim(r.Resource, "/"))),
		fmt.Sprintf("y=%04d", t.Year()), fmt.Sprintf("m=%02d", int(t.Month())), fmt.Sprintf("d=%02d", t.Day()),
		fmt.Sprintf("h=%02d", t.Hour()), "m=00", "PT1H.json"), nil
}

func (l *Layout) open(path string) (*openFile, error) {
	if e, ok := l.files[path]; ok {
		l.lru.MoveToFront(e)
		return e.Value.(*openFile), nil
	}
	for l.lru.Len() >= max(l.MaxOpen, 1) {
		if err := l.closeFile(l.lru.Back()); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	of := &openFile{path: path, f: f, w: bufio.NewWriterSize(f, 64<<10)}
	l.files[path] = l.lru.PushFront(of)
	return of, nil
}

func (l *Layout) closeFile(e *list.Element) error {
	of := e.Value.(*openFile)
	l.lru.Remove(e)
	delete(l.files, of.path)
	err := of.w.Flush()
	if cerr := of.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close flushes and closes every open file.
func (l *Layout) Close() error {
	var errs []error
	for l.lru.Len() > 0 {
		if err := l.closeFile(l.lru.Back()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(append(errs, l.err)...)
}
