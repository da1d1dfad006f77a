// Package workspace keeps callscope's metadata: the workspaces, the ACS
// resources whose logs come in, the diagnostic settings that route each
// resource's categories to workspaces, the API keys, and per-table
// retention. It is what makes callscope behave like the Azure system it
// replaces: a record is stored only where a diagnostic setting sends it.
//
// The Registry holds the metadata in memory and persists every change
// through a Backend before it takes effect; FileBackend writes one JSON file
// atomically, so the metadata survives restarts and crashes.
package workspace

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/schema"
)

// DefaultName is the workspace that exists from the first start.
const DefaultName = "default"

// Limits from Azure's behaviour.
const (
	MaxSettingsPerResource = 5
	DefaultRetentionDays   = 30
	MinRetentionDays       = 1
	MaxRetentionDays       = 3650
)

// AllLogs is the category group that covers every category, including
// categories added later.
const AllLogs = "allLogs"

// Workspace is a set of tables that queries address together.
type Workspace struct {
	ID      string                   `json:"id"`
	Name    string                   `json:"name"`
	Created time.Time                `json:"created"`
	Tables  map[string]TableSettings `json:"tables,omitempty"` // by table name; absent means defaults
}

// TableSettings are the settings of one table of a workspace.
type TableSettings struct {
	RetentionInDays int `json:"retentionInDays"`
}

// Retention returns the retention of a table in days.
func (w *Workspace) Retention(table string) int {
	if s, ok := w.Tables[table]; ok && s.RetentionInDays > 0 {
		return s.RetentionInDays
	}
	return DefaultRetentionDays
}

// Resource is an ACS resource whose logs callscope may receive.
type Resource struct {
	ID       string    `json:"id"`       // normalised resource id (schema.NormalizeResourceID)
	TenantID string    `json:"tenantId"` // the Entra tenant that owns it; decides cross-tenant redaction
	Created  time.Time `json:"created"`
}

// Setting is a diagnostic setting: which categories of a resource's logs go
// to which workspace.
type Setting struct {
	Resource  string       `json:"resourceId"`
	Name      string       `json:"name"`
	Workspace string       `json:"workspaceId"` // a workspace id
	Logs      []LogSetting `json:"logs"`
	Created   time.Time    `json:"created"`
	Updated   time.Time    `json:"updated"`
}

// LogSetting enables or disables one category, or a category group.
type LogSetting struct {
	Category      string `json:"category,omitempty"`
	CategoryGroup string `json:"categoryGroup,omitempty"`
	Enabled       bool   `json:"enabled"`
}

// covers reports whether the setting sends a category.
func (s *Setting) covers(category string) bool {
	for _, l := range s.Logs {
		if !l.Enabled {
			continue
		}
		if l.CategoryGroup == AllLogs || strings.EqualFold(l.Category, category) {
			return true
		}
	}
	return false
}

// KeyKind is what a key may do.
type KeyKind string

// The kinds of keys.
const (
	IngestKey KeyKind = "ingest" // send records of the resources it covers
	ReadKey   KeyKind = "read"   // query one workspace
	AdminKey  KeyKind = "admin"  // everything, settings included
)

// Key is an API key as stored: its hash, never the key itself.
type Key struct {
	ID        string     `json:"id"`
	Kind      KeyKind    `json:"kind"`
	Name      string     `json:"name,omitempty"`
	Hash      string     `json:"hash"` // hex SHA-256 of the whole key
	Resources []string   `json:"resources,omitempty"`
	Workspace string     `json:"workspaceId,omitempty"`
	Created   time.Time  `json:"created"`
	Revoked   *time.Time `json:"revoked,omitempty"`
}

// Covers reports whether an ingest key may send records of a resource.
// Admin keys may send anything.
func (k *Key) Covers(resourceID string) bool {
	if k.Kind == AdminKey {
		return true
	}
	if k.Kind != IngestKey {
		return false
	}
	id := schema.NormalizeResourceID(resourceID)
	for _, r := range k.Resources {
		if r == id {
			return true
		}
	}
	return false
}

// CanRead reports whether a key may query a workspace.
func (k *Key) CanRead(workspaceID string) bool {
	return k.Kind == AdminKey || (k.Kind == ReadKey && k.Workspace == workspaceID)
}

// State is everything the registry keeps, as it is persisted.
type State struct {
	Version    int          `json:"version"`
	Workspaces []*Workspace `json:"workspaces"`
	Resources  []*Resource  `json:"resources"`
	Settings   []*Setting   `json:"diagnosticSettings"`
	Keys       []*Key       `json:"keys"`
}

// Errors the registry returns; the HTTP API maps them to status codes.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	ErrInvalid  = errors.New("invalid")
	ErrConflict = errors.New("conflict")
)

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func notFoundf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}

// validSettingName follows Azure: letters, digits, '-', '_', '.', ' ', at
// most 260 characters; callscope keeps to 64.
func validSettingName(name string) error {
	if name == "" || len(name) > 64 {
		return invalidf("diagnostic setting name %q must be 1 to 64 characters long", name)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_. ", c)) {
			return invalidf("diagnostic setting name %q may only hold letters, digits, '-', '_', '.' and spaces", name)
		}
	}
	return nil
}

// validLogs checks the logs of a setting as Azure would: each entry names a
// known category or the allLogs group, and a setting uses a group or
// categories, not both.
func validLogs(logs []LogSetting) ([]LogSetting, error) {
	if len(logs) == 0 {
		return nil, invalidf("a diagnostic setting needs logs: [{\"category\":\"CallSummary\",\"enabled\":true}] or [{\"categoryGroup\":\"allLogs\",\"enabled\":true}]")
	}
	var groups, categories int
	seen := map[string]bool{}
	out := make([]LogSetting, 0, len(logs))
	for _, l := range logs {
		switch {
		case l.Category != "" && l.CategoryGroup != "":
			return nil, invalidf("a log entry names a category or a categoryGroup, not both")
		case l.CategoryGroup != "":
			if !strings.EqualFold(l.CategoryGroup, AllLogs) {
				return nil, invalidf("category group %q is not supported; use %q", l.CategoryGroup, AllLogs)
			}
			l.CategoryGroup = AllLogs
			groups++
		case l.Category != "":
			t := schema.ByCategory(l.Category)
			if t == nil {
				return nil, invalidf("category %q is not one callscope stores; known categories: %s", l.Category, strings.Join(schema.Categories(), ", "))
			}
			l.Category = t.Category
			if seen[l.Category] {
				return nil, invalidf("category %s is listed twice", l.Category)
			}
			seen[l.Category] = true
			categories++
		default:
			return nil, invalidf("a log entry must name a category or a categoryGroup")
		}
		out = append(out, l)
	}
	if groups > 0 && categories > 0 {
		return nil, invalidf("a setting that uses the %s group cannot also list categories", AllLogs)
	}
	return out, nil
}
