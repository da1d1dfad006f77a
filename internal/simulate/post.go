package simulate

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Poster sends records to an HTTP ingest endpoint (callscope's
// POST /v1/ingest): NDJSON bodies, gzip-compressed, in batches. Connection
// errors, 429 and 5xx answers are retried with exponential backoff; any
// other 4xx answer stops it with an error that quotes the server's reply.
//
// Use Write (or WriteBatch) as the emit function, then Flush, then read
// Result. A Poster is not safe for concurrent use.
type Poster struct {
	URL        string
	Key        string          // sent as "Authorization: Bearer <Key>" when not empty
	Client     *http.Client    // nil: a client with a one-minute timeout
	MaxRecords int             // records per request; 0 means 5000
	MaxBytes   int             // uncompressed bytes per request; 0 means 2 MiB
	Retries    int             // retries of a failed request; 0 means 6, negative means none
	Backoff    time.Duration   // delay before the first retry, doubled each time; 0 means 250 ms
	Context    context.Context // cancels waiting and requests; nil means context.Background()

	body []byte
	n    int
	gz   *gzip.Writer
	zbuf bytes.Buffer
	res  PostResult
}

// PostResult sums up what the server answered.
type PostResult struct {
	Requests int            // successful requests
	Sent     int            // records sent in them
	Accepted int            // records the server stored
	Dropped  map[string]int // records the server dropped on purpose, by reason
	Rejected int            // records the server refused
	Errors   []string       // the first rejections, "record <n>: <reason>" (n counts from 0 over all records sent)
}

const maxKeptErrors = 20

// NewPoster returns a Poster for an ingest URL.
func NewPoster(url, key string) *Poster { return &Poster{URL: url, Key: key} }

// Write adds a record to the current batch, sending the batch when it is full.
func (p *Poster) Write(r Record) error {
	if p.n > 0 && len(p.body)+len(r.JSON)+1 > p.maxBytes() {
		if err := p.Flush(); err != nil {
			return err
		}
	}
	p.body = append(append(p.body, r.JSON...), '\n')
	p.n++
	if p.n >= p.maxRecords() {
		return p.Flush()
	}
	return nil
}

// WriteBatch adds records and sends what it has; it suits RunLive's emit,
// which should not leave records waiting for the next tick.
func (p *Poster) WriteBatch(recs []Record) error {
	for _, r := range recs {
		if err := p.Write(r); err != nil {
			return err
		}
	}
	return p.Flush()
}

// Flush sends the records not sent yet.
func (p *Poster) Flush() error {
	if p.n == 0 {
		return nil
	}
	if err := p.send(); err != nil {
		return err
	}
	p.body, p.n = p.body[:0], 0
	return nil
}

// Result returns the totals so far.
func (p *Poster) Result() PostResult { return p.res }

func (p *Poster) maxRecords() int {
	if p.MaxRecords > 0 {
		return p.MaxRecords
	}
	return 5000
}

func (p *Poster) maxBytes() int {
	if p.MaxBytes > 0 {
		return p.MaxBytes
	}
	return 2 << 20
}

func (p *Poster) ctx() context.Context {
	if p.Context != nil {
		return p.Context
	}
	return context.Background()
}

func (p *Poster) compress() ([]byte, error) {
	p.zbuf.Reset()
	if p.gz == nil {
		p.gz, _ = gzip.NewWriterLevel(&p.zbuf, gzip.BestSpeed)
	} else {
		p.gz.Reset(&p.zbuf)
	}
	if _, err := p.gz.Write(p.body); err != nil {
		return nil, err
	}
	if err := p.gz.Close(); err != nil {
		return nil, err
	}
	return p.zbuf.Bytes(), nil
}

// ingestReply is the body of a 200 answer.
type ingestReply struct {
	Accepted int            `json:"accepted"`
	Dropped  map[string]int `json:"dropped"`
	Rejected []struct {
		Index int    `json:"index"`
		Error string `json:"error"`
	} `json:"rejected"`
}

func (p *Poster) send() error {
	body, err := p.compress()
	if err != nil {
		return err
	}
	client := p.Client
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	retries := p.Retries
	switch {
	case retries == 0:
		retries = 6
	case retries < 0:
		retries = 0
	}
	wait := p.Backoff
	if wait <= 0 {
		wait = 250 * time.Millisecond
	}
	ctx := p.ctx()
	for attempt := 0; ; attempt++ {
		status, reply, err := p.post(ctx, client, body)
		switch {
		case err == nil && status >= 200 && status < 300:
			return p.record(reply)
		case err != nil && ctx.Err() != nil:
			return err
		case err == nil && status != http.StatusTooManyRequests && status < 500:
			return fmt.Errorf("simulate: %s refused %d records: %d %s: %s",
				p.URL, p.n, status, http.StatusText(status), bytes.TrimSpace(reply))
		}
		if attempt >= retries {
			if err != nil {
				return fmt.Errorf("simulate: posting %d records to %s failed after %d attempts: %w", p.n, p.URL, attempt+1, err)
			}
			return fmt.Errorf("simulate: posting %d records to %s failed after %d attempts: %d %s: %s",
				p.n, p.URL, attempt+1, status, http.StatusText(status), bytes.TrimSpace(reply))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// post makes one request and returns the status and (the start of) the body.
func (p *Poster) post(ctx context.Context, client *http.Client, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Content-Encoding", "gzip")
	if p.Key != "" {
		req.Header.Set("Authorization", "Bearer "+p.Key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, reply, nil
}

func (p *Poster) record(reply []byte) error {
	var r ingestReply
	if err := json.Unmarshal(reply, &r); err != nil {
		return fmt.Errorf("simulate: %s answered with a body that is not an ingest reply (%v): %q", p.URL, err, truncate(reply, 200))
	}
	base := p.res.Sent
	p.res.Requests++
	p.res.Sent += p.n
	p.res.Accepted += r.Accepted
	p.res.Rejected += len(r.Rejected)
	for k, v := range r.Dropped {
		if p.res.Dropped == nil {
			p.res.Dropped = map[string]int{}
		}
		p.res.Dropped[k] += v
	}
	for _, e := range r.Rejected {
		if len(p.res.Errors) < maxKeptErrors {
			p.res.Errors = append(p.res.Errors, fmt.Sprintf("record %d: %s", base+e.Index, e.Error))
		}
	}
	return nil
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
