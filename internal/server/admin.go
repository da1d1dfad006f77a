package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/workspace"
)

// The administration API: workspaces and their tables' retention, ACS
// resources and their diagnostic settings (in Azure's request shape), and
// API keys. Everything here needs an admin key. Lists answer
// {"value":[…]}, as Azure's do.

func (s *Server) adminRoutes() {
	s.mux.HandleFunc("GET /v1/workspaces", s.admin(s.listWorkspaces))
	s.mux.HandleFunc("POST /v1/workspaces", s.admin(s.postWorkspace))
	s.mux.HandleFunc("PUT /v1/workspaces/{workspace}", s.admin(s.putWorkspace))
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}", s.admin(s.getWorkspace))
	s.mux.HandleFunc("DELETE /v1/workspaces/{workspace}", s.admin(s.deleteWorkspace))
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/tables", s.admin(s.listTables))
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/tables/{table}", s.admin(s.getTable))
	s.mux.HandleFunc("PUT /v1/workspaces/{workspace}/tables/{table}", s.admin(s.putTable))
	s.mux.HandleFunc("GET /v1/keys", s.admin(s.listKeys))
	s.mux.HandleFunc("POST /v1/keys", s.admin(s.postKey))
	s.mux.HandleFunc("DELETE /v1/keys/{id}", s.admin(s.revokeKey))
}

// admin wraps a handler that needs an admin key and may fail with a
// registry error.
func (s *Server) admin(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.requireAdmin(w, r) {
			return
		}
		if err := h(w, r); err != nil {
			s.adminError(w, err)
		}
	}
}

func (s *Server) adminError(w http.ResponseWriter, err error) {
	status, code := http.StatusInternalServerError, "InternalServerError"
	switch {
	case errors.Is(err, workspace.ErrNotFound):
		status, code = http.StatusNotFound, "NotFound"
	case errors.Is(err, workspace.ErrExists):
		status, code = http.StatusConflict, "AlreadyExists"
	case errors.Is(err, workspace.ErrConflict):
		status, code = http.StatusConflict, "Conflict"
	case errors.Is(err, workspace.ErrInvalid), errors.As(err, new(*badRequest)):
		status, code = http.StatusBadRequest, "BadRequest"
	default:
		s.log.Error("administration failed", "err", err)
	}
	writeError(w, status, code, err.Error(), nil)
}

type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

// readBody decodes a small JSON request body. Azure wraps resource bodies
// in "properties"; both forms are accepted: a body's own fields are
// filled first, then those under properties.
func readBody(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return &badRequest{"reading the request: " + err.Error()}
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	if err := gojson.Unmarshal(b, v); err != nil {
		return &badRequest{"the request body is not valid JSON: " + err.Error()}
	}
	var wrapped struct {
		Properties gojson.RawMessage `json:"properties"`
	}
	if gojson.Unmarshal(b, &wrapped) == nil && len(wrapped.Properties) > 0 {
		if err := gojson.Unmarshal(wrapped.Properties, v); err != nil {
			return &badRequest{"properties: " + err.Error()}
		}
	}
	return nil
}

// Workspaces.

type workspaceJSON struct {
	ID      string           `json:"id"`
	Name    string           `json:"name"`
	Created time.Time        `json:"created"`
	Tables  []tableRetention `json:"tables,omitempty"`
}

type tableRetention struct {
	Name            string `json:"name"`
	RetentionInDays int    `json:"retentionInDays"`
}

func workspaceOut(w workspace.Workspace, withTables bool) workspaceJSON {
	out := workspaceJSON{ID: w.ID, Name: w.Name, Created: w.Created}
	if withTables {
		out.Tables = tablesOf(w)
	}
	return out
}

func tablesOf(w workspace.Workspace) []tableRetention {
	var out []tableRetention
	for _, t := range schema.Tables() {
		out = append(out, tableRetention{Name: t.Name, RetentionInDays: w.Retention(t.Name)})
	}
	return out
}

func (s *Server) listWorkspaces(w http.ResponseWriter, r *http.Request) error {
	var out []workspaceJSON
	for _, ws := range s.registry.Workspaces() {
		out = append(out, workspaceOut(ws, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
	return nil
}

func (s *Server) postWorkspace(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := readBody(r, &req); err != nil {
		return err
	}
	ws, err := s.registry.CreateWorkspace(req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, workspaceOut(ws, true))
	return nil
}

// putWorkspace creates a workspace, or answers it unchanged if it exists,
// as a PUT of Azure does.
func (s *Server) putWorkspace(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("workspace")
	if ws, err := s.registry.Workspace(name); err == nil {
		writeJSON(w, http.StatusOK, workspaceOut(ws, true))
		return nil
	}
	ws, err := s.registry.CreateWorkspace(name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, workspaceOut(ws, true))
	return nil
}

func (s *Server) getWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.registry.Workspace(r.PathValue("workspace"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, workspaceOut(ws, true))
	return nil
}

// deleteWorkspace removes a workspace and deletes its data.
func (s *Server) deleteWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.registry.DeleteWorkspace(r.PathValue("workspace"))
	if err != nil {
		return err
	}
	s.forget(ws.ID)
	if err := s.store.DropWorkspace(r.Context(), ws.Name); err != nil {
		return fmt.Errorf("workspace %s is deleted, but its data could not be removed: %w", ws.Name, err)
	}
	writeJSON(w, http.StatusOK, workspaceOut(ws, false))
	return nil
}

func (s *Server) listTables(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.registry.Workspace(r.PathValue("workspace"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": tablesOf(ws)})
	return nil
}

func (s *Server) getTable(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.registry.Workspace(r.PathValue("workspace"))
	if err != nil {
		return err
	}
	name := r.PathValue("table")
	if schema.ByName(name) == nil {
		return fmt.Errorf("%w: table %q does not exist", workspace.ErrNotFound, name)
	}
	writeJSON(w, http.StatusOK, tableRetention{Name: name, RetentionInDays: ws.Retention(name)})
	return nil
}

func (s *Server) putTable(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		RetentionInDays *int `json:"retentionInDays"`
	}
	if err := readBody(r, &req); err != nil {
		return err
	}
	if req.RetentionInDays == nil {
		return &badRequest{`send {"retentionInDays": N}`}
	}
	name := r.PathValue("table")
	ws, err := s.registry.SetRetention(r.PathValue("workspace"), name, *req.RetentionInDays)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tableRetention{Name: name, RetentionInDays: ws.Retention(name)})
	return nil
}

// Keys.

type keyJSON struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Name      string     `json:"name,omitempty"`
	Resources []string   `json:"resources,omitempty"`
	Workspace string     `json:"workspaceId,omitempty"`
	Created   time.Time  `json:"created"`
	Revoked   *time.Time `json:"revoked,omitempty"`
	Key       string     `json:"key,omitempty"` // only in the answer that creates it
}

func keyOut(k workspace.Key) keyJSON {
	return keyJSON{ID: k.ID, Kind: string(k.Kind), Name: k.Name, Resources: k.Resources, Workspace: k.Workspace, Created: k.Created, Revoked: k.Revoked}
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) error {
	out := []keyJSON{}
	for _, k := range s.registry.Keys() {
		out = append(out, keyOut(k))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
	return nil
}

func (s *Server) postKey(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Kind      string   `json:"kind"`
		Name      string   `json:"name"`
		Resources []string `json:"resources"`
		Workspace string   `json:"workspace"`
	}
	if err := readBody(r, &req); err != nil {
		return err
	}
	k, secret, err := s.registry.CreateKey(workspace.NewKey{Kind: workspace.KeyKind(req.Kind), Name: req.Name, Resources: req.Resources, Workspace: req.Workspace})
	if err != nil {
		return err
	}
	out := keyOut(k)
	out.Key = secret
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) error {
	k, err := s.registry.RevokeKey(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keyOut(k))
	return nil
}

// Resources and diagnostic settings. Their paths hold resource ids, which
// contain slashes: /v1/resources/subscriptions/…/communicationServices/x,
// optionally URL-encoded, then /diagnosticSettings[/name], also in Azure's
// form /providers/Microsoft.Insights/diagnosticSettings[/name].

func (s *Server) handleResources(w http.ResponseWriter, r *http.Request) {
	if !s.requireAdmin(w, r) {
		return
	}
	if err := s.resources(w, r); err != nil {
		s.adminError(w, err)
	}
}

func (s *Server) resources(w http.ResponseWriter, r *http.Request) error {
	path := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/v1/resources"), "/")
	// An id sent URL-encoded may arrive with its slashes still escaped in
	// the raw path only; r.URL.Path has them decoded either way.
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	if strings.Trim(path, "/") == "" {
		if r.Method != http.MethodGet {
			return methodNotAllowed(r)
		}
		out := []any{}
		for _, res := range s.registry.Resources() {
			out = append(out, res)
		}
		writeJSON(w, http.StatusOK, map[string]any{"value": out})
		return nil
	}
	resourceID, setting, isSettings := splitSettingsPath(path)
	if !isSettings {
		return s.resource(w, r, resourceID)
	}
	if setting == "" {
		if r.Method != http.MethodGet {
			return methodNotAllowed(r)
		}
		out := []settingJSON{}
		for _, st := range s.registry.Settings(resourceID) {
			out = append(out, s.settingOut(st))
		}
		if _, err := s.registry.Resource(resourceID); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"value": out})
		return nil
	}
	return s.setting(w, r, resourceID, setting)
}

// splitSettingsPath cuts a path after /v1/resources/ into the resource id
// and, if present, the diagnostic-settings part.
func splitSettingsPath(path string) (resourceID, setting string, isSettings bool) {
	lower := strings.ToLower(path)
	i := strings.LastIndex(lower, "/diagnosticsettings")
	if i < 0 || (len(lower) > i+len("/diagnosticsettings") && lower[i+len("/diagnosticsettings")] != '/') {
		return path, "", false
	}
	rest := strings.Trim(path[i+len("/diagnosticsettings"):], "/")
	resourceID = path[:i]
	if j := strings.LastIndex(strings.ToLower(resourceID), "/providers/microsoft.insights"); j >= 0 && j+len("/providers/microsoft.insights") == len(resourceID) {
		resourceID = resourceID[:j]
	}
	return resourceID, rest, true
}

func methodNotAllowed(r *http.Request) error {
	return &badRequest{fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)}
}

func (s *Server) resource(w http.ResponseWriter, r *http.Request, id string) error {
	switch r.Method {
	case http.MethodGet:
		res, err := s.registry.Resource(id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, res)
	case http.MethodPut:
		var req struct {
			TenantID string `json:"tenantId"`
		}
		if err := readBody(r, &req); err != nil {
			return err
		}
		res, err := s.registry.RegisterResource(id, req.TenantID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, res)
	case http.MethodDelete:
		if err := s.registry.DeleteResource(id); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]string{"deleted": schema.NormalizeResourceID(id)})
	default:
		return methodNotAllowed(r)
	}
	return nil
}

// settingJSON is a diagnostic setting in Azure's shape, with the fields
// also at the top level.
type settingJSON struct {
	ID          string                 `json:"id"`
	Name        string                 `json:"name"`
	ResourceID  string                 `json:"resourceId"`
	WorkspaceID string                 `json:"workspaceId"`
	Workspace   string                 `json:"workspace"`
	Logs        []workspace.LogSetting `json:"logs"`
	Properties  map[string]any         `json:"properties"`
}

func (s *Server) settingOut(st workspace.Setting) settingJSON {
	name := ""
	if ws, err := s.registry.Workspace(st.Workspace); err == nil {
		name = ws.Name
	}
	return settingJSON{
		ID:          st.Resource + "/providers/microsoft.insights/diagnosticSettings/" + st.Name,
		Name:        st.Name,
		ResourceID:  st.Resource,
		WorkspaceID: st.Workspace,
		Workspace:   name,
		Logs:        st.Logs,
		Properties:  map[string]any{"workspaceId": st.Workspace, "logs": st.Logs},
	}
}

func (s *Server) setting(w http.ResponseWriter, r *http.Request, resourceID, name string) error {
	switch r.Method {
	case http.MethodGet:
		st, err := s.registry.Setting(resourceID, name)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, s.settingOut(st))
	case http.MethodPut:
		var req struct {
			WorkspaceID         string                 `json:"workspaceId"`
			Logs                []workspace.LogSetting `json:"logs"`
			StorageAccountID    string                 `json:"storageAccountId"`
			EventHubRuleID      string                 `json:"eventHubAuthorizationRuleId"`
			MarketplacePartner  string                 `json:"marketplacePartnerId"`
			LogAnalyticsDestTyp string                 `json:"logAnalyticsDestinationType"`
		}
		if err := readBody(r, &req); err != nil {
			return err
		}
		if req.StorageAccountID != "" || req.EventHubRuleID != "" || req.MarketplacePartner != "" {
			return &badRequest{"callscope stores logs in its workspaces: a setting sends them to a workspaceId, not to a storage account, event hub or partner"}
		}
		if req.WorkspaceID == "" {
			return &badRequest{"a diagnostic setting needs a workspaceId"}
		}
		st, err := s.registry.PutSetting(resourceID, name, req.WorkspaceID, req.Logs)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, s.settingOut(st))
	case http.MethodDelete:
		if err := s.registry.DeleteSetting(resourceID, name); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]string{"deleted": name})
	default:
		return methodNotAllowed(r)
	}
	return nil
}
