package server

import (
	"net/http"

	"github.com/callscope/callscope/internal/calls"
	"github.com/callscope/callscope/internal/quality"
	"github.com/callscope/callscope/internal/workspace"
)

// The quality model and a workspace's inputs, as the web UI needs them:
// the UI's Insights panels judge streams and calls with the very KQL tests
// the call search uses, so a poor call is the same call on every page.

// endReasonJSON is one explained code (subCode -1) or subcode.
type endReasonJSON struct {
	Code           int    `json:"code"`
	SubCode        int    `json:"subCode"`
	Phrase         string `json:"phrase"`
	Class          string `json:"class"`
	ResultCategory string `json:"resultCategory,omitempty"`
	Explanation    string `json:"explanation"`
	NextStep       string `json:"nextStep"`
}

// handleQualityModel: GET /v1/quality. Reference data only, the same for
// every workspace, so it needs no key.
func (s *Server) handleQualityModel(w http.ResponseWriter, r *http.Request) {
	var reasons []endReasonJSON
	for _, e := range quality.EndReasons() {
		reasons = append(reasons, endReasonJSON{Code: e.Code, SubCode: e.SubCode, Phrase: e.Phrase, Class: e.Class,
			ResultCategory: e.ResultCategory, Explanation: e.Explanation, NextStep: e.NextStep})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		// KQL predicates over ACSCallDiagnostics and ACSCallSummary rows.
		"poorStream":         calls.PoorStreamKQL(),
		"dropped":            calls.DroppedKQL(),
		"successResultTypes": quality.SuccessResultTypes(),
		"rules":              quality.Rules(),
		"endReasons":         reasons,
		"ufds":               quality.UFDs(),
	})
}

// handleSources: GET /v1/workspaces/{ws}/sources lists the diagnostic
// settings that send logs to the workspace and their categories.
func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) {
	reg, ok := s.readableWorkspace(w, r)
	if !ok {
		return
	}
	in := s.registry.Inputs(reg.ID)
	if in == nil {
		in = []workspace.Input{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"workspaceId": reg.ID, "value": in})
}
