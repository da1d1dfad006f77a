package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/callscope/callscope/internal/store"
)

// maxQueryBytes bounds the text of one query.
const maxQueryBytes = 1 << 20

// handleSQL runs one read-only SQL statement in the store's dialect and
// answers in the Log Analytics result shape. The query comes as JSON
// {"query":"…"}, as a plain-text body, or as ?query= on a GET.
func (s *Server) handleSQL(w http.ResponseWriter, r *http.Request) {
	ws, ok := s.workspace(w, r)
	if !ok {
		return
	}
	query, err := readQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(), nil)
		return
	}
	start := time.Now()
	res, err := ws.Query(r.Context(), query, store.QueryOptions{MaxRows: s.cfg.MaxResultRows, Timeout: s.cfg.QueryTimeout})
	s.metrics.queryTime.WithLabelValues("sql").Observe(time.Since(start).Seconds())
	if err != nil {
		s.metrics.queries.WithLabelValues("sql", "error").Inc()
		s.queryFailed(w, r, query, err)
		return
	}
	s.metrics.queries.WithLabelValues("sql", "ok").Inc()
	writeResult(w, res, nil)
}

func readQuery(r *http.Request) (string, error) {
	if r.Method == http.MethodGet {
		q := r.URL.Query().Get("query")
		if q == "" {
			return "", errors.New("no query: pass ?query=")
		}
		return q, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxQueryBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading the request: %w", err)
	}
	if len(body) > maxQueryBytes {
		return "", fmt.Errorf("query is longer than %d bytes", maxQueryBytes)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		var req struct {
			Query string `json:"query"`
		}
		if err := gojson.Unmarshal(body, &req); err != nil {
			return "", fmt.Errorf("request body is not valid JSON: %v", err)
		}
		body = []byte(req.Query)
	}
	q := strings.TrimSpace(string(body))
	if q == "" {
		return "", errors.New(`no query: send {"query":"…"}`)
	}
	return q, nil
}

// queryFailed maps a query error onto the Log Analytics error shape.
func (s *Server) queryFailed(w http.ResponseWriter, r *http.Request, query string, err error) {
	var qe *store.QueryError
	switch {
	case errors.Is(err, store.ErrNotReadOnly):
		writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(),
			&innerError{Code: "NotReadOnly", Message: err.Error()})
	case errors.As(err, &qe):
		line, pos := errorPosition(qe.Msg, query)
		writeError(w, http.StatusBadRequest, "BadArgumentError", "the query could not be run",
			&innerError{Code: "QueryError", Message: qe.Msg, Line: line, Pos: pos})
	case errors.Is(err, store.ErrMemoryLimit):
		writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(),
			&innerError{Code: "MemoryLimitExceeded", Message: err.Error()})
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusGatewayTimeout, "GatewayTimeout",
			fmt.Sprintf("the query ran longer than the limit of %s", s.cfg.QueryTimeout), nil)
	case errors.Is(err, context.Canceled):
		writeError(w, 499, "Cancelled", "the request was cancelled", nil)
	case errors.Is(err, store.ErrUnavailable):
		s.log.Warn("query failed", "err", err)
		writeError(w, http.StatusServiceUnavailable, "StoreUnavailable", err.Error(), nil)
	default:
		s.log.Error("query failed", "err", err, "remote", r.RemoteAddr)
		writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error(), nil)
	}
}

var lineMarker = regexp.MustCompile(`(?m)^LINE (\d+): (.*)\n( *)\^`)

// errorPosition reads the line and column DuckDB points at in its error
// messages ("LINE 1: select …" with a caret underneath); 0, 0 if none.
// DuckDB shows only a window of a long line, so the window is looked up in
// the query to turn the caret into a column of the whole line.
func errorPosition(msg, query string) (line, pos int) {
	m := lineMarker.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0
	}
	line, _ = strconv.Atoi(m[1])
	prefix := len("LINE ") + len(m[1]) + len(": ")
	caret := len(m[3]) - prefix // 0-based within the shown window
	window := m[2]
	if strings.HasPrefix(window, "...") {
		window, caret = window[3:], caret-3
	}
	window = strings.TrimSuffix(window, "...")
	lines := strings.Split(query, "\n")
	if line >= 1 && line <= len(lines) {
		if at := strings.Index(lines[line-1], window); at >= 0 {
			caret += at
		}
	}
	return line, max(caret+1, 1)
}
