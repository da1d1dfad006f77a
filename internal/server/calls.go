package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/calls"
	"github.com/callscope/callscope/internal/query"
)

// The Call Diagnostics API: one call's overview and issues.

func (s *Server) callService(w http.ResponseWriter, r *http.Request) (*calls.Service, string, bool) {
	ws, ok := s.workspace(w, r)
	if !ok {
		return nil, "", false
	}
	id := r.PathValue("call")
	if id == "" || len(id) > 256 {
		writeError(w, http.StatusBadRequest, "BadArgumentError", "a call id is 1 to 256 characters", nil)
		return nil, "", false
	}
	return &calls.Service{WS: ws, Engine: s.store.Engine(), Timeout: s.cfg.QueryTimeout}, id, true
}

func (s *Server) callFailed(w http.ResponseWriter, r *http.Request, id string, err error) {
	if errors.Is(err, calls.ErrNotFound) {
		writeError(w, http.StatusNotFound, "CallNotFound",
			fmt.Sprintf("no call %q in this workspace: it may be older than the tables' retention, or not an ACS call id", id), nil)
		return
	}
	s.kqlFailed(w, r, "", err)
}

func (s *Server) handleCallOverview(w http.ResponseWriter, r *http.Request) {
	svc, id, ok := s.callService(w, r)
	if !ok {
		return
	}
	o, err := svc.Overview(r.Context(), id)
	if err != nil {
		s.callFailed(w, r, id, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) handleCallIssues(w http.ResponseWriter, r *http.Request) {
	svc, id, ok := s.callService(w, r)
	if !ok {
		return
	}
	issues, err := svc.Issues(r.Context(), id)
	if err != nil {
		s.callFailed(w, r, id, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"callId": id, "issues": issues})
}

func (s *Server) handleCallTimeline(w http.ResponseWriter, r *http.Request) {
	svc, id, ok := s.callService(w, r)
	if !ok {
		return
	}
	t, err := svc.Timeline(r.Context(), id)
	if err != nil {
		s.callFailed(w, r, id, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) handleCallSeries(w http.ResponseWriter, r *http.Request) {
	svc, id, ok := s.callService(w, r)
	if !ok {
		return
	}
	series, err := svc.Series(r.Context(), id)
	if err != nil {
		s.callFailed(w, r, id, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"callId": id, "series": series})
}

// handleCallSearch: GET /v1/workspaces/{ws}/calls?q=…&timespan=P7D (or
// from=…&to=…)&callType=&clientType=&quality=&rating=&hasIssues=&dropped=&failed=&participantType=&endReason=&pageSize=&after=
func (s *Server) handleCallSearch(w http.ResponseWriter, r *http.Request) {
	ws, ok := s.workspace(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	now := time.Now().UTC()
	req := calls.SearchRequest{Keyword: q.Get("q"), CallType: q.Get("callType"), ClientType: q.Get("clientType"),
		Quality: q.Get("quality"), Rating: q.Get("rating"), Failed: q.Get("failed"),
		ParticipantType: q.Get("participantType"), EndReason: q.Get("endReason"), After: q.Get("after")}
	bad := func(msg string) { writeError(w, http.StatusBadRequest, "BadArgumentError", msg, nil) }
	switch {
	case q.Get("from") != "" || q.Get("to") != "":
		from, err1 := time.Parse(time.RFC3339Nano, q.Get("from"))
		to, err2 := time.Parse(time.RFC3339Nano, q.Get("to"))
		if err1 != nil || err2 != nil {
			bad("from and to are RFC 3339 times, both given")
			return
		}
		req.From, req.To = from, to
	default:
		span := q.Get("timespan")
		if span == "" {
			span = "P7D" // Call Diagnostics lists the last week by default
		}
		from, to, err := query.ParseTimespan(span, now)
		if err != nil {
			bad("invalid timespan: " + err.Error())
			return
		}
		req.From, req.To = from, to
	}
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			bad("pageSize is a number")
			return
		}
		req.PageSize = n
	}
	for name, to := range map[string]**bool{"hasIssues": &req.HasIssues, "dropped": &req.Dropped} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				bad(name + " is true or false")
				return
			}
			*to = &b
		}
	}
	for name, v := range map[string]string{"quality": req.Quality, "rating": req.Rating} {
		allowed := map[string][]string{"quality": {"good", "poor", "unknown"}, "rating": {"good", "average", "poor", "unknown"}}[name]
		if v != "" && !slices.Contains(allowed, v) {
			bad(fmt.Sprintf("%s is one of %s", name, strings.Join(allowed, ", ")))
			return
		}
	}
	svc := &calls.Service{WS: ws, Engine: s.store.Engine(), Timeout: s.cfg.QueryTimeout}
	page, err := svc.Search(r.Context(), req)
	if err != nil {
		var usage *calls.UsageError
		if errors.As(err, &usage) {
			bad(usage.Error())
			return
		}
		s.kqlFailed(w, r, "", err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}
