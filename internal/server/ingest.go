package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/ingest"
	"github.com/callscope/callscope/internal/workspace"
)

// ingestTarget says where the records of a request go: where the
// diagnostic settings of their resources send them, if the key covers the
// resource; records that cannot be stored are kept in the default
// workspace's errors table.
func (s *Server) ingestTarget(r *http.Request, key *workspace.Key) (ingest.Target, error) {
	def, err := s.registry.Workspace(workspace.DefaultName)
	if err != nil {
		return ingest.Target{}, err
	}
	errorsWS, err := s.storeWorkspace(r.Context(), def)
	if err != nil {
		return ingest.Target{}, err
	}
	t := ingest.Target{Source: "http " + r.RemoteAddr, Route: s.route(r.Context()), Errors: errorsWS}
	if key != nil && key.Kind == workspace.IngestKey {
		t.Allow = func(resourceID string) error {
			if resourceID == "" {
				return errors.New("the record names no resourceId, so the key cannot cover it")
			}
			if !key.Covers(resourceID) {
				return fmt.Errorf("the key does not cover resource %s", resourceID)
			}
			return nil
		}
	}
	return t, nil
}

// ingestResponse is the answer to POST /v1/ingest, sent only after the
// accepted records are durably committed.
type ingestResponse struct {
	Accepted      int            `json:"accepted"`
	Dropped       map[string]int `json:"dropped"`
	Rejected      []rejected     `json:"rejected"`
	RejectedCount int            `json:"rejectedCount"`
}

type rejected struct {
	Index int    `json:"index"`
	Line  int    `json:"line,omitempty"`
	Error string `json:"error"`
}

func (s *Server) handleIngest(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	status := s.ingest(w, r)
	s.metrics.requests.WithLabelValues(strconv.Itoa(status)).Inc()
	s.metrics.requestTime.Observe(time.Since(start).Seconds())
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request) int {
	fail := func(status int, code, msg string) int {
		writeError(w, status, code, msg, nil)
		return status
	}
	lim := s.cfg.Limits
	if r.ContentLength > lim.MaxBodyBytes {
		return fail(http.StatusRequestEntityTooLarge, "PayloadTooLarge",
			fmt.Sprintf("body of %d bytes is larger than the limit of %d bytes", r.ContentLength, lim.MaxBodyBytes))
	}
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	if enc != "" && enc != "identity" && enc != "gzip" {
		return fail(http.StatusUnsupportedMediaType, "UnsupportedEncoding",
			fmt.Sprintf("Content-Encoding %q is not supported; send gzip or an uncompressed body", enc))
	}

	key, ok := s.authenticate(w, r)
	if !ok {
		return http.StatusUnauthorized
	}
	if key != nil && key.Kind == workspace.ReadKey {
		return fail(http.StatusForbidden, "Forbidden", "a read key cannot send records; use an ingest key")
	}
	target, err := s.ingestTarget(r, key)
	if err != nil {
		return fail(http.StatusServiceUnavailable, "StoreUnavailable", err.Error())
	}

	// A slot bounds the requests being decoded at once, and so the memory
	// their rows take until they are committed.
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-r.Context().Done():
		return fail(http.StatusServiceUnavailable, "Cancelled", "the request was cancelled while waiting for an ingest slot")
	}

	received := &decode.CountingReader{R: http.MaxBytesReader(w, r.Body, lim.MaxBodyBytes)}
	defer func() { s.metrics.bytesIn.WithLabelValues("received").Add(float64(received.N)) }()
	var body io.Reader = received
	if enc == "gzip" {
		br := bufio.NewReader(received)
		if head, _ := br.Peek(2); len(head) > 0 && (len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b) {
			return fail(http.StatusBadRequest, "BadRequest", "Content-Encoding is gzip but the body is not gzip-compressed")
		}
		body = br
	}

	sum, err := s.ingester.Body(r.Context(), body, target)
	var bodyErr *decode.BodyError
	var maxBytes *http.MaxBytesError
	switch {
	case errors.As(err, &maxBytes):
		return fail(http.StatusRequestEntityTooLarge, "PayloadTooLarge",
			fmt.Sprintf("body is larger than the limit of %d bytes; nothing was stored", lim.MaxBodyBytes))
	case errors.As(err, &bodyErr):
		status, code := http.StatusBadRequest, "BadRequest"
		if bodyErr.TooLarge {
			status, code = http.StatusRequestEntityTooLarge, "PayloadTooLarge"
		}
		return fail(status, code, bodyErr.Error()+"; nothing was stored")
	case err != nil:
		s.log.Error("ingest failed", "err", err, "remote", r.RemoteAddr)
		return fail(http.StatusServiceUnavailable, "StoreUnavailable", "records could not be stored: "+err.Error())
	}

	s.metrics.ingested(sum)
	resp := ingestResponse{
		Accepted:      sum.AcceptedTotal(),
		Dropped:       sum.Dropped,
		Rejected:      make([]rejected, 0, len(sum.Rejected)),
		RejectedCount: sum.RejectedCount,
	}
	for _, rj := range sum.Rejected {
		line := 0
		if sum.Shape == decode.NDJSON {
			line = rj.Pos.Line
		}
		resp.Rejected = append(resp.Rejected, rejected{Index: rj.Pos.Index, Line: line, Error: rj.Error})
	}
	writeJSON(w, http.StatusOK, resp)
	return http.StatusOK
}
