package server

import (
	"net/http"
	"strings"

	"github.com/callscope/callscope/internal/workspace"
)

// authenticate finds the key a request presents as "Authorization: Bearer
// <key>". In open mode every request may do everything and the key is nil.
// Otherwise a missing or invalid key is answered 401 here.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*workspace.Key, bool) {
	if s.cfg.Open {
		return nil, true
	}
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		token, ok = strings.CutPrefix(h, "bearer ")
	}
	if !ok || strings.TrimSpace(token) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="callscope"`)
		writeError(w, http.StatusUnauthorized, "AuthorizationRequired", "send an API key as \"Authorization: Bearer <key>\"", nil)
		return nil, false
	}
	key, err := s.registry.Authenticate(strings.TrimSpace(token))
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="callscope", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", err.Error(), nil)
		return nil, false
	}
	return &key, true
}

// requireAdmin lets through requests with an admin key (or in open mode).
func (s *Server) requireAdmin(w http.ResponseWriter, r *http.Request) bool {
	key, ok := s.authenticate(w, r)
	if !ok {
		return false
	}
	if key != nil && key.Kind != workspace.AdminKey {
		writeError(w, http.StatusForbidden, "Forbidden", "this needs an admin key", nil)
		return false
	}
	return true
}
