package simulate

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// ingestStub is a minimal ingest endpoint: it checks the request and
// answers like callscope's.
func ingestStub(t *testing.T, fail func(n int64) int) (*httptest.Server, *atomic.Int64, *atomic.Int64) {
	var requests, records atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		if code := fail(n); code != 0 {
			http.Error(w, `{"error":"nope"}`, code)
			return
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-ndjson" ||
			r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Authorization") != "Bearer k3y" {
			http.Error(w, "bad request headers", http.StatusBadRequest)
			return
		}
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(nil, 1<<20)
		lines := 0
		for sc.Scan() {
			lines++
		}
		records.Add(int64(lines))
		// Reject the first record of every batch, drop none.
		fmt.Fprintf(w, `{"accepted":%d,"dropped":{"noDiagnosticSetting":0},"rejected":[{"index":0,"error":"test says no"}]}`, lines-1)
	}))
	t.Cleanup(srv.Close)
	return srv, &requests, &records
}

func TestPosterBatchesAndSums(t *testing.T) {
	srv, requests, records := ingestStub(t, func(int64) int { return 0 })
	p := NewPoster(srv.URL, "k3y")
	p.MaxRecords = 500
	counts, err := Generate(Options{Seed: 61, Calls: 10}, p.Write)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	res := p.Result()
	n := counts.Total()
	batches := (n + 499) / 500
	if int(records.Load()) != n || res.Sent != n || res.Requests != batches || int(requests.Load()) != batches {
		t.Fatalf("sent %d records in %d requests (server saw %d in %d); generated %d", res.Sent, res.Requests, records.Load(), requests.Load(), n)
	}
	if res.Accepted != n-batches || res.Rejected != batches {
		t.Errorf("accepted %d rejected %d", res.Accepted, res.Rejected)
	}
	if len(res.Errors) == 0 || !strings.HasPrefix(res.Errors[1], "record 500: test says no") {
		t.Errorf("errors %v", res.Errors[:2])
	}
}

func TestPosterByteLimit(t *testing.T) {
	srv, requests, _ := ingestStub(t, func(int64) int { return 0 })
	p := NewPoster(srv.URL, "k3y")
	p.MaxBytes = 64 << 10
	recs, _ := generate(t, Options{Seed: 62, Calls: 3})
	size := 0
	for _, r := range recs {
		size += len(r.JSON) + 1
		if err := p.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if min := size / (64 << 10); int(requests.Load()) < min {
		t.Errorf("%d bytes in %d requests", size, requests.Load())
	}
}

func TestPosterRetriesServerErrors(t *testing.T) {
	srv, requests, _ := ingestStub(t, func(n int64) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	})
	p := NewPoster(srv.URL, "k3y")
	p.Backoff = time.Millisecond
	if err := p.WriteBatch(make([]Record, 0)); err != nil {
		t.Fatal(err)
	}
	recs, _ := generate(t, Options{Seed: 63, Calls: 1})
	if err := p.WriteBatch(recs[:10]); err != nil {
		t.Fatal(err)
	}
	if requests.Load() != 3 || p.Result().Sent != 10 {
		t.Errorf("%d requests, %d records sent", requests.Load(), p.Result().Sent)
	}
}

func TestPosterStopsOnClientError(t *testing.T) {
	srv, requests, _ := ingestStub(t, func(int64) int { return http.StatusUnauthorized })
	p := NewPoster(srv.URL, "k3y")
	p.Backoff = time.Millisecond
	recs, _ := generate(t, Options{Seed: 64, Calls: 1})
	err := p.WriteBatch(recs[:5])
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), `{"error":"nope"}`) {
		t.Fatalf("err = %v", err)
	}
	if requests.Load() != 1 {
		t.Errorf("a 401 was retried: %d requests", requests.Load())
	}
}

func TestPosterGivesUp(t *testing.T) {
	srv, requests, _ := ingestStub(t, func(int64) int { return http.StatusInternalServerError })
	p := NewPoster(srv.URL, "")
	p.Backoff, p.Retries = time.Millisecond, 2
	recs, _ := generate(t, Options{Seed: 65, Calls: 1})
	if err := p.WriteBatch(recs[:5]); err == nil || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if requests.Load() != 3 {
		t.Errorf("%d requests", requests.Load())
	}
	// An unreachable server is retried too, and cancellation stops the waiting.
	ctx, cancel := context.WithCancel(context.Background())
	p = NewPoster("http://127.0.0.1:1/v1/ingest", "")
	p.Backoff, p.Context = time.Hour, ctx
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if err := p.WriteBatch(recs[:1]); err == nil {
		t.Fatal("posting to a closed port succeeded")
	}
}
