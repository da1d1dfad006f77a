package server

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/query"
)

// queryRequest is the body of a Log Analytics query: the query and an
// optional ISO 8601 timespan. Parameters is callscope's addition: values
// for declare query_parameters.
type queryRequest struct {
	Query      string            `json:"query"`
	Timespan   string            `json:"timespan"`
	Parameters map[string]string `json:"parameters"`
}

// handleQuery answers a KQL query in the Log Analytics result shape.
func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	ws, ok := s.workspace(w, r)
	if !ok {
		return
	}
	req, err := readQueryRequest(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(), nil)
		return
	}
	now := time.Now().UTC()
	q := query.Request{Query: req.Query, Now: now, Parameters: req.Parameters,
		MaxRows: s.cfg.MaxResultRows, Timeout: s.cfg.QueryTimeout}
	if req.Timespan != "" {
		from, to, err := query.ParseTimespan(req.Timespan, now)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadArgumentError", "invalid timespan: "+err.Error(), nil)
			return
		}
		q.From, q.To = &from, &to
	}
	start := time.Now()
	res, err := query.Run(r.Context(), ws, s.store.Engine(), q)
	s.metrics.queryTime.WithLabelValues("kql").Observe(time.Since(start).Seconds())
	if err != nil {
		s.metrics.queries.WithLabelValues("kql", "error").Inc()
		s.kqlFailed(w, r, req.Query, err)
		return
	}
	s.metrics.queries.WithLabelValues("kql", "ok").Inc()
	var extra map[string]any
	if res.Render != nil {
		render := map[string]any{"visualization": res.Render.Visualization}
		for k, v := range res.Render.Props {
			render[k] = v
		}
		extra = map[string]any{"render": render}
	}
	writeResult(w, &res.Result, extra)
}

// kqlFailed answers a query that could not be compiled or run.
func (s *Server) kqlFailed(w http.ResponseWriter, r *http.Request, text string, err error) {
	var ke *kql.Error
	switch {
	case errors.As(err, &ke):
		inner := &innerError{Code: ke.Kind.String(), Message: ke.Msg, Line: ke.Position.Line, Pos: ke.Position.Column}
		msg := "the query is not valid KQL"
		if ke.Kind == kql.SemanticError {
			msg = "the query could not be resolved"
		}
		if ke.Position.Line > 0 {
			msg += fmt.Sprintf(" (line %d, column %d): %s", ke.Position.Line, ke.Position.Column, ke.Msg)
		} else {
			msg += ": " + ke.Msg
		}
		writeError(w, http.StatusBadRequest, "BadArgumentError", msg, inner)
	case errors.Is(err, query.ErrUnsupported):
		writeError(w, http.StatusBadRequest, "BadArgumentError", err.Error(),
			&innerError{Code: "SemanticError", Message: err.Error()})
	default:
		s.queryFailed(w, r, "", err)
	}
}

// readQueryRequest reads a query from a JSON body, a plain-text body, or
// the query and timespan parameters of a GET.
func readQueryRequest(r *http.Request) (queryRequest, error) {
	var req queryRequest
	if r.Method == http.MethodGet {
		req.Query = r.URL.Query().Get("query")
		req.Timespan = r.URL.Query().Get("timespan")
	} else {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxQueryBytes+1))
		if err != nil {
			return req, fmt.Errorf("reading the request: %w", err)
		}
		if len(body) > maxQueryBytes {
			return req, fmt.Errorf("the request is longer than %d bytes", maxQueryBytes)
		}
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		// No KQL starts with '{', so such a body is JSON whatever its
		// content type says (curl -d sends form encoding).
		if mt == "application/json" || strings.HasPrefix(strings.TrimSpace(string(body)), "{") {
			if err := gojson.Unmarshal(body, &req); err != nil {
				return req, fmt.Errorf("the request body is not valid JSON: %v", err)
			}
		} else {
			req.Query = string(body)
		}
		if ts := r.URL.Query().Get("timespan"); ts != "" && req.Timespan == "" {
			req.Timespan = ts
		}
	}
	if strings.TrimSpace(req.Query) == "" {
		return req, errors.New(`no query: send {"query":"…"}`)
	}
	return req, nil
}
