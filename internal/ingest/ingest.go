// Package ingest is the one path by which records enter workspaces, used
// alike by the HTTP API and by file imports: read a body, cut it into
// records, decode each onto its table, decide where it goes, and commit.
//
// Where a record goes is the Target's business: the server follows the
// diagnostic settings of the record's resource and the coverage of the
// caller's key; an explicit import sends everything to one workspace.
// Records no setting asks for are dropped and counted; records that cannot
// be stored at all are kept, raw, in one workspace's IngestionErrors table.
//
// An HTTP request is handled whole: its records are committed together
// with the error rows of its invalid ones, or, when the body as a whole is
// unreadable, nothing is stored. A file may be far larger than a request,
// so it is committed in chunks as it is read; a file that breaks off keeps
// the records read before the break.
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

// Ingester decodes and stores records.
type Ingester struct {
	lim     decode.Limits
	tenants TenantOf
	decoder sync.Pool
}

// TenantOf tells which tenant owns a resource, for cross-tenant redaction.
type TenantOf func(resourceID string) (tenant string, known bool)

// New returns an Ingester with the given limits (zero fields take the
// defaults). tenants may be nil: then only bot and phone participants are
// redacted.
func New(lim decode.Limits, tenants TenantOf) *Ingester {
	in := &Ingester{lim: lim.WithDefaults(), tenants: tenants}
	in.decoder.New = func() any { return decode.NewDecoder(in.lim) }
	return in
}

// Limits returns the limits in force.
func (in *Ingester) Limits() decode.Limits { return in.lim }

// Target says where the records of one body or file go.
type Target struct {
	// Source names the origin in error rows: "http <address>", "file <path>".
	Source string
	// Route returns the workspaces a record of a table from a resource
	// (normalised, "" if the record names none) is stored in; none drops
	// it as no diagnostic setting asks for it.
	Route func(t *schema.Table, resourceID string) []store.Workspace
	// Allow, when set, refuses the records of resources the caller may not
	// send. Refused records are listed as rejected and not stored anywhere.
	Allow func(resourceID string) error
	// Errors keeps the rows of records that cannot be stored.
	Errors store.Workspace
}

// Summary reports what became of the records of one body or file.
type Summary struct {
	Shape    decode.Shape
	Bytes    int64          // bytes read after decompression
	Records  int            // records found
	Accepted map[string]int // stored (in at least one workspace), by table
	// Rejected lists records that were not stored, with the reason, at
	// most MaxListed of them; RejectedCount counts them all,
	// RejectedByTable by the table they were meant for ("" when unknown).
	Rejected        []Rejection
	RejectedCount   int
	RejectedByTable map[string]int
	// Dropped counts records deliberately not stored (no diagnostic
	// setting asks for them), by reason and by table.
	Dropped        map[string]int
	DroppedByTable map[string]int
}

// Rejection is one record that was not stored.
type Rejection struct {
	Pos   decode.Position
	Error string
}

// MaxListed bounds Summary.Rejected: a body of a hundred thousand bad
// records answers with the first thousand reasons and the total count.
const MaxListed = 1000

// DropNoDiagnosticSetting is the reason for records of a resource and
// category that no diagnostic setting routes to a workspace.
const DropNoDiagnosticSetting = "noDiagnosticSetting"

// NewSummary returns an empty summary.
func NewSummary() *Summary {
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

// Body ingests one request body as a unit: it returns once every stored
// record and the error rows of the invalid ones are durably committed. A
// *decode.BodyError means the body could not be read as a whole and nothing
// was stored.
func (in *Ingester) Body(ctx context.Context, body io.Reader, target Target) (*Summary, error) {
	b := in.newBatcher(target)
	defer b.release()
	if err := b.read(body, in.lim); err != nil {
		return b.sum, err
	}
	p := b.take()
	if err := p.commit(ctx); err != nil {
		return b.sum, fmt.Errorf("storing records: %w", err)
	}
	b.counted(p)
	return b.sum, nil
}

// Progress is called from time to time while a stream is read, with the
// bytes and records read so far.
type Progress func(bytes int64, records int)

// Stream ingests a file, committing every chunk records while reading on
// (one commit runs while the next chunk is decoded). If the file breaks off
// or a limit is crossed, the records before that point are kept and the
// error is returned with the summary.
func (in *Ingester) Stream(ctx context.Context, r io.Reader, target Target, chunk int, progress Progress) (*Summary, error) {
	if chunk <= 0 {
		chunk = 50_000
	}
	// The limits on a request body's size and record count do not apply to
	// a file; the limits on each record do.
	lim := in.lim
	lim.MaxRecords = -1
	lim.MaxDecompressedBytes = -1
	b := in.newBatcher(target)
	defer b.release()

	var (
		done     chan error
		inFlight *pending
	)
	wait := func() error {
		if done == nil {
			return nil
		}
		err := <-done
		if err == nil {
			b.counted(inFlight)
		}
		done, inFlight = nil, nil
		return err
	}
	flush := func() error {
		if err := wait(); err != nil {
			return err
		}
		if b.rows == 0 {
			return nil
		}
		inFlight = b.take()
		done = make(chan error, 1)
		go func(p *pending, done chan<- error) { done <- p.commit(ctx) }(inFlight, done)
		return nil
	}
	b.onRecord = func() error {
		if progress != nil && b.sum.Records%4096 == 0 {
			progress(b.bytes(), b.sum.Records)
		}
		if b.rows >= chunk {
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

// batcher decodes records into per-workspace batches and keeps the
// summary.
type batcher struct {
	in       *Ingester
	target   Target
	dec      *decode.Decoder
	received time.Time
	batches  map[store.Workspace]*store.Batch
	rows     int // rows in batches, for chunking
	sum      *Summary
	counter  *decode.CountingReader
	onRecord func() error
	routes   map[routeKey][]store.Workspace
	allowed  map[string]error
}

type routeKey struct {
	table    *schema.Table
	resource string
}

func (in *Ingester) newBatcher(target Target) *batcher {
	return &batcher{
		in:       in,
		target:   target,
		dec:      in.decoder.Get().(*decode.Decoder),
		received: time.Now().UTC(),
		batches:  map[store.Workspace]*store.Batch{},
		sum:      NewSummary(),
		routes:   map[routeKey][]store.Workspace{},
		allowed:  map[string]error{},
	}
}

func (b *batcher) release() { b.in.decoder.Put(b.dec) }

func (b *batcher) bytes() int64 {
	if b.counter == nil {
		return 0
	}
	return b.counter.N
}

// read splits and decodes a whole body or file into the batches.
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

// record decodes one raw record and files its row where it belongs.
func (b *batcher) record(raw decode.RawRecord) error {
	b.sum.Records++
	if raw.Oversize {
		b.keepError(raw, "", nil, fmt.Sprintf("record is longer than the limit of %d bytes", b.in.lim.MaxRecordBytes))
	} else if t, row, err := b.dec.Decode(raw.Data, b.received); err != nil {
		var re *decode.RecordError
		if !errors.As(err, &re) {
			return err
		}
		b.keepError(raw, re.Category, re.Table, re.Error())
	} else {
		b.file(raw, t, row)
	}
	if b.onRecord != nil {
		return b.onRecord()
	}
	return nil
}

// file checks a decoded row against the caller's rights, routes it and
// redacts it.
func (b *batcher) file(raw decode.RawRecord, t *schema.Table, row []any) {
	resource, _ := row[t.ColumnIndex(schema.ResourceID)].(string)
	if b.target.Allow != nil {
		err, seen := b.allowed[resource]
		if !seen {
			err = b.target.Allow(resource)
			b.allowed[resource] = err
		}
		if err != nil {
			b.reject(raw, t, err.Error())
			return
		}
	}
	key := routeKey{t, resource}
	targets, seen := b.routes[key]
	if !seen {
		targets = b.target.Route(t, resource)
		b.routes[key] = targets
	}
	if len(targets) == 0 {
		b.sum.Dropped[DropNoDiagnosticSetting]++
		b.sum.DroppedByTable[t.Name]++
		return
	}
	redact(t, row, resource, b.in.tenants)
	for _, ws := range targets {
		b.add(ws, t, row)
	}
}

func (b *batcher) add(ws store.Workspace, t *schema.Table, row []any) {
	batch := b.batches[ws]
	if batch == nil {
		batch = &store.Batch{}
		b.batches[ws] = batch
	}
	batch.Add(t, row)
	b.rows++
}

// reject lists a record that is not stored anywhere.
func (b *batcher) reject(raw decode.RawRecord, t *schema.Table, reason string) {
	name := ""
	if t != nil {
		name = t.Name
	}
	b.sum.RejectedCount++
	b.sum.RejectedByTable[name]++
	if len(b.sum.Rejected) < MaxListed {
		b.sum.Rejected = append(b.sum.Rejected, Rejection{Pos: raw.Pos, Error: reason})
	}
}

var errorsTable = schema.ByName(schema.ErrorsTable)

// keepError lists a record that cannot be stored and keeps it, raw, in the
// ingestion-errors table of the target's errors workspace.
func (b *batcher) keepError(raw decode.RawRecord, category string, t *schema.Table, reason string) {
	b.reject(raw, t, reason)
	if b.target.Errors == nil {
		return
	}
	row := make([]any, len(errorsTable.Columns))
	set := func(col string, v any) { row[errorsTable.ColumnIndex(col)] = v }
	set(schema.TimeGenerated, b.received)
	set(schema.ErrSource, b.target.Source)
	set(schema.ErrPosition, raw.Pos.String())
	set(schema.ErrReason, reason)
	set(schema.ErrRawRecord, string(raw.Data))
	if category != "" {
		set(schema.ErrCategory, category)
	}
	if t != nil {
		set(schema.ErrTable, t.Name)
	}
	b.add(b.target.Errors, errorsTable, row)
}

// pending is what one commit writes: a batch per workspace.
type pending struct {
	batches map[store.Workspace]*store.Batch
}

// take hands the batches gathered so far to a commit and starts new ones.
func (b *batcher) take() *pending {
	p := &pending{batches: b.batches}
	b.batches, b.rows = map[store.Workspace]*store.Batch{}, 0
	return p
}

// commit appends each workspace's batch, the workspaces in parallel. Each
// workspace commits atomically; if one fails after another succeeded the
// error is returned all the same, and a client that retries may store the
// records twice in the workspace that succeeded.
func (p *pending) commit(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, 0, len(p.batches))
	var mu sync.Mutex
	for ws, batch := range p.batches {
		wg.Go(func() {
			if err := ws.Append(ctx, batch); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("workspace %s: %w", ws.Name(), err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// counted counts the call-log rows of a committed set of batches as
// accepted, once per record however many workspaces it went to.
func (b *batcher) counted(p *pending) {
	seen := map[*any]bool{}
	for _, batch := range p.batches {
		for _, tr := range batch.Tables {
			if !tr.Table.IsCallLog() {
				continue
			}
			for _, row := range tr.Rows {
				if len(row) == 0 || seen[&row[0]] {
					continue
				}
				seen[&row[0]] = true
				b.sum.Accepted[tr.Table.Name]++
			}
		}
	}
}
