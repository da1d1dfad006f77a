// Package ingest is the one path by which records enter a workspace, used
// alike by the HTTP API and by file imports: read a body, cut it into
// records, decode each onto its table, keep what cannot be stored in the
// ingestion-errors table, and commit.
//
// An HTTP request is handled whole: its valid records are committed together
// with the error rows of its invalid ones, or, when the body as a whole is
// unreadable, nothing is stored. A file may be far larger than a request, so
// it is committed in chunks as it is read; a file that breaks off keeps the
// records read before the break.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// Ingester feeds one workspace.
type Ingester struct {
	ws      store.Workspace
	lim     decode.Limits
	decoder sync.Pool
}

// New returns an Ingester for a workspace with the given limits (zero
// fields take the defaults).
func New(ws store.Workspace, lim decode.Limits) *Ingester {
	in := &Ingester{ws: ws, lim: lim.WithDefaults()}
	in.decoder.New = func() any { return decode.NewDecoder(in.lim) }
	return in
}

// Limits returns the limits in force.
func (in *Ingester) Limits() decode.Limits { return in.lim }

// Summary reports what became of the records of one body or file.
type Summary struct {
	Shape    decode.Shape
	Bytes    int64          // bytes read after decompression
	Records  int            // records found
	Accepted map[string]int // stored, by table
	// Rejected lists records that could not be stored (they are in the
	// ingestion-errors table), at most MaxListed of them; RejectedCount
	// counts them all, RejectedByTable by the table they were meant for
	// ("" when unknown).
	Rejected        []Rejection
	RejectedCount   int
	RejectedByTable map[string]int
	// Dropped counts records deliberately not stored (for instance because
	// no diagnostic setting asks for them), by reason and by table.
	Dropped        map[string]int
	DroppedByTable map[string]int
}

// DropNoDiagnosticSetting is the reason for records of a resource and
// category that no diagnostic setting routes to a workspace.
const DropNoDiagnosticSetting = "noDiagnosticSetting"

// Rejection is one record that could not be stored.
type Rejection struct {
	Pos   decode.Position
	Error string
}

// MaxListed bounds Summary.Rejected: a body of a hundred thousand bad
// records answers with the first thousand reasons and the total count.
const MaxListed = 1000

func newSummary() *Summary {
	return &Summary{
		Accepted:        map[string]int{},
		RejectedByTable: map[string]int{},
		Dropped:         map[string]int{DropNoDiagnosticSetting: 0},
		DroppedByTable:  map[string]int{},
	}
}

// AcceptedTotal sums Accepted over all tables.
func (s *Summary) AcceptedTotal() int {
	n := 0
	for _, c := range s.Accepted {
		n += c
	}
	return n
}

// Add folds another summary into s (for totals over several files).
func (s *Summary) Add(o *Summary) {
	s.Bytes += o.Bytes
	s.Records += o.Records
	for k, v := range o.Accepted {
		s.Accepted[k] += v
	}
	for k, v := range o.RejectedByTable {
		s.RejectedByTable[k] += v
	}
	for k, v := range o.Dropped {
		s.Dropped[k] += v
	}
	for k, v := range o.DroppedByTable {
		s.DroppedByTable[k] += v
	}
	s.RejectedCount += o.RejectedCount
	for _, r := range o.Rejected {
		if len(s.Rejected) < MaxListed {
			s.Rejected = append(s.Rejected, r)
		}
	}
}

// Body ingests one request body as a unit: it returns once every valid
// record and the error rows of the invalid ones are durably committed. A
// *decode.BodyError means the body could not be read as a whole and nothing
// was stored.
func (in *Ingester) Body(ctx context.Context, body io.Reader, source string) (*Summary, error) {
	b := in.newBatcher(source)
	defer b.release()
	if err := b.read(body, in.lim); err != nil {
		return b.sum, err
	}
	if err := in.ws.Append(ctx, &b.batch); err != nil {
		return b.sum, fmt.Errorf("storing records: %w", err)
	}
	b.committed(&b.batch)
	return b.sum, nil
}

// Progress is called from time to time while a stream is read, with the
// bytes and records read so far.
type Progress func(bytes int64, records int)

// Stream ingests a file, committing every chunk records while reading on
// (one commit runs while the next chunk is decoded). If the file breaks off
// or a limit is crossed, the records before that point are kept and the
// error is returned with the summary.
func (in *Ingester) Stream(ctx context.Context, r io.Reader, source string, chunk int, progress Progress) (*Summary, error) {
	if chunk <= 0 {
		chunk = 50_000
	}
	// The limits on a request body's size and record count do not apply to
	// a file; the limits on each record do.
	lim := in.lim
	lim.MaxRecords = -1
	lim.MaxDecompressedBytes = -1
	b := in.newBatcher(source)
	defer b.release()

	var (
		pending  chan error
		inFlight *store.Batch
	)
	wait := func() error {
		if pending == nil {
			return nil
		}
		err := <-pending
		if err == nil {
			b.committed(inFlight)
		}
		pending, inFlight = nil, nil
		return err
	}
	flush := func() error {
		if err := wait(); err != nil {
			return err
		}
		if b.batch.Len() == 0 {
			return nil
		}
		inFlight = &store.Batch{}
		*inFlight, b.batch = b.batch, store.Batch{}
		pending = make(chan error, 1)
		go func(batch *store.Batch, done chan<- error) { done <- in.ws.Append(ctx, batch) }(inFlight, pending)
		return nil
	}
	b.onRecord = func() error {
		if progress != nil && b.sum.Records%4096 == 0 {
			progress(b.bytes(), b.sum.Records)
		}
		if b.batch.Len() >= chunk {
			return flush()
		}
		return nil
	}

	readErr := b.read(r, lim)
	var bodyErr *decode.BodyError
	if readErr != nil && !errors.As(readErr, &bodyErr) {
		// A failed commit or a cancelled context: stop here.
		return b.sum, errors.Join(readErr, wait())
	}
	if err := flush(); err != nil {
		return b.sum, err
	}
	if err := wait(); err != nil {
		return b.sum, fmt.Errorf("storing records: %w", err)
	}
	if progress != nil {
		progress(b.bytes(), b.sum.Records)
	}
	return b.sum, readErr
}

// batcher decodes records into a batch and keeps the summary.
type batcher struct {
	in       *Ingester
	dec      *decode.Decoder
	source   string
	received time.Time
	batch    store.Batch
	sum      *Summary
	counter  *decode.CountingReader
	onRecord func() error
}

func (in *Ingester) newBatcher(source string) *batcher {
	return &batcher{
		in:       in,
		dec:      in.decoder.Get().(*decode.Decoder),
		source:   source,
		received: time.Now().UTC(),
		sum:      newSummary(),
	}
}

func (b *batcher) release() { b.in.decoder.Put(b.dec) }

func (b *batcher) bytes() int64 {
	if b.counter == nil {
		return 0
	}
	return b.counter.N
}

// read splits and decodes a whole body or file into the batch.
func (b *batcher) read(r io.Reader, lim decode.Limits) error {
	body, err := decode.Open(r, lim.MaxDecompressedBytes)
	if err != nil {
		return err
	}
	defer body.Close()
	b.counter = &decode.CountingReader{R: body}
	shape, err := decode.Split(b.counter, lim, b.record)
	b.sum.Shape = shape
	b.sum.Bytes = b.counter.N
	return err
}

// record decodes one raw record; a record that cannot be stored becomes a
// row of the ingestion-errors table.
func (b *batcher) record(raw decode.RawRecord) error {
	b.sum.Records++
	if raw.Oversize {
		b.reject(raw, "", nil, fmt.Sprintf("record is longer than the limit of %d bytes", b.in.lim.MaxRecordBytes))
	} else if t, row, err := b.dec.Decode(raw.Data, b.received); err != nil {
		var re *decode.RecordError
		if !errors.As(err, &re) {
			return err
		}
		b.reject(raw, re.Category, re.Table, re.Error())
	} else {
		b.batch.Add(t, row)
	}
	if b.onRecord != nil {
		return b.onRecord()
	}
	return nil
}

var errorsTable = schema.ByName(schema.ErrorsTable)

func (b *batcher) reject(raw decode.RawRecord, category string, t *schema.Table, reason string) {
	tableName := ""
	if t != nil {
		tableName = t.Name
	}
	row := make([]any, len(errorsTable.Columns))
	set := func(col string, v any) { row[errorsTable.ColumnIndex(col)] = v }
	set(schema.TimeGenerated, b.received)
	set(schema.ErrSource, b.source)
	set(schema.ErrPosition, raw.Pos.String())
	set(schema.ErrReason, reason)
	set(schema.ErrRawRecord, string(raw.Data))
	set(schema.TenantID, b.in.ws.ID())
	set(schema.TypeColumn, schema.ErrorsTable)
	if category != "" {
		set(schema.ErrCategory, category)
	}
	if tableName != "" {
		set(schema.ErrTable, tableName)
	}
	b.batch.Add(errorsTable, row)

	b.sum.RejectedCount++
	b.sum.RejectedByTable[tableName]++
	if len(b.sum.Rejected) < MaxListed {
		b.sum.Rejected = append(b.sum.Rejected, Rejection{Pos: raw.Pos, Error: reason})
	}
}

// committed counts the call-log rows of a committed batch as accepted.
func (b *batcher) committed(batch *store.Batch) {
	for _, tr := range batch.Tables {
		if tr.Table.IsCallLog() {
			b.sum.Accepted[tr.Table.Name] += len(tr.Rows)
		}
	}
}
