package workspace

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// Backend persists the registry's state.
type Backend interface {
	// Load returns the stored state; an empty State if there is none yet.
	Load() (*State, error)
	// Save stores the state durably before returning.
	Save(*State) error
	Close() error
}

// Registry is the metadata of a deployment. Every change is saved through
// the Backend before it is visible; reads are served from memory.
type Registry struct {
	backend Backend
	now     func() time.Time

	mu     sync.RWMutex
	state  *State
	routes map[string]map[string][]*Workspace // resource → category ("" for allLogs) → workspaces
}

// Open loads the registry and makes sure the default workspace exists.
func Open(b Backend) (*Registry, error) {
	st, err := b.Load()
	if err != nil {
		return nil, err
	}
	r := &Registry{backend: b, now: time.Now, state: st}
	if r.find(DefaultName) == nil {
		err := r.update(func(s *State) error {
			s.Workspaces = append(s.Workspaces, &Workspace{ID: uuid.NewString(), Name: DefaultName, Created: r.now().UTC()})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	r.index()
	return r, nil
}

// Close releases the backend.
func (r *Registry) Close() error { return r.backend.Close() }

// SharedBackend is a Backend that other callscope processes write too (the
// nodes of a cluster): the registry reads it again before every change,
// and Refresh picks up the others' changes.
type SharedBackend interface {
	Backend
	// Shared marks the backend as shared.
	Shared()
}

// Refresh reads a shared backend and takes its state if it is newer than
// the registry's. It does nothing for a backend of this process alone.
func (r *Registry) Refresh() error {
	if _, ok := r.backend.(SharedBackend); !ok {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refreshLocked()
}

func (r *Registry) refreshLocked() error {
	st, err := r.backend.Load()
	if err != nil {
		return fmt.Errorf("reading metadata: %w", err)
	}
	if st.Version > r.state.Version {
		r.state = st
		r.indexLocked()
	}
	return nil
}

// update applies a change to a copy of the state, saves it, and only then
// makes it current, so a failed save changes nothing.
func (r *Registry) update(change func(*State) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.backend.(SharedBackend); ok {
		// Change the newest state, not this process's copy of an older one.
		if err := r.refreshLocked(); err != nil {
			return err
		}
	}
	next, err := clone(r.state)
	if err != nil {
		return err
	}
	if err := change(next); err != nil {
		return err
	}
	next.Version++
	if err := r.backend.Save(next); err != nil {
		return fmt.Errorf("saving metadata: %w", err)
	}
	r.state = next
	r.indexLocked()
	return nil
}

// clone deep-copies a state through JSON, the form it is stored in.
func clone(s *State) (*State, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var out State
	return &out, json.Unmarshal(b, &out)
}

func (r *Registry) index() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.indexLocked()
}

// indexLocked rebuilds the routing table: for each resource and category,
// the workspaces enabled settings send it to.
func (r *Registry) indexLocked() {
	byID := map[string]*Workspace{}
	for _, w := range r.state.Workspaces {
		byID[w.ID] = w
	}
	routes := map[string]map[string][]*Workspace{}
	for _, s := range r.state.Settings {
		w := byID[s.Workspace]
		if w == nil {
			continue
		}
		m := routes[s.Resource]
		if m == nil {
			m = map[string][]*Workspace{}
			routes[s.Resource] = m
		}
		for _, l := range s.Logs {
			if !l.Enabled {
				continue
			}
			cat := l.Category
			if l.CategoryGroup == AllLogs {
				cat = ""
			}
			if !slices.Contains(m[cat], w) {
				m[cat] = append(m[cat], w)
			}
		}
	}
	r.routes = routes
}

// Route returns the workspaces that a record of a resource and category is
// sent to, following the enabled diagnostic settings; none means the record
// is not stored. The resource id must be normalised.
func (r *Registry) Route(resourceID, category string) []*Workspace {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m := r.routes[resourceID]
	if m == nil {
		return nil
	}
	byCat, all := m[category], m[""]
	switch {
	case len(all) == 0:
		return byCat
	case len(byCat) == 0:
		return all
	}
	out := slices.Clone(byCat)
	for _, w := range all {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// Workspaces lists the workspaces by name.
func (r *Registry) Workspaces() []Workspace {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Workspace, 0, len(r.state.Workspaces))
	for _, w := range r.state.Workspaces {
		out = append(out, *w)
	}
	slices.SortFunc(out, func(a, b Workspace) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Workspace finds a workspace by name or id.
func (r *Registry) Workspace(nameOrID string) (Workspace, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if w := r.find(nameOrID); w != nil {
		return *w, nil
	}
	return Workspace{}, notFoundf("workspace %q does not exist", nameOrID)
}

func (r *Registry) find(nameOrID string) *Workspace {
	for _, w := range r.state.Workspaces {
		if w.Name == nameOrID || w.ID == nameOrID {
			return w
		}
	}
	return nil
}

// CreateWorkspace creates a workspace with a new id.
func (r *Registry) CreateWorkspace(name string) (Workspace, error) {
	if err := store.ValidWorkspaceName(name); err != nil {
		return Workspace{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var created Workspace
	err := r.update(func(s *State) error {
		for _, w := range s.Workspaces {
			if w.Name == name {
				return fmt.Errorf("%w: workspace %q", ErrExists, name)
			}
		}
		w := &Workspace{ID: uuid.NewString(), Name: name, Created: r.now().UTC()}
		s.Workspaces = append(s.Workspaces, w)
		created = *w
		return nil
	})
	return created, err
}

// DeleteWorkspace removes a workspace, the settings that route to it and
// the read keys for it. The default workspace stays. The caller removes the
// workspace's data from the store.
func (r *Registry) DeleteWorkspace(nameOrID string) (Workspace, error) {
	var deleted Workspace
	err := r.update(func(s *State) error {
		i := slices.IndexFunc(s.Workspaces, func(w *Workspace) bool { return w.Name == nameOrID || w.ID == nameOrID })
		if i < 0 {
			return notFoundf("workspace %q does not exist", nameOrID)
		}
		w := s.Workspaces[i]
		if w.Name == DefaultName {
			return fmt.Errorf("%w: the default workspace cannot be deleted", ErrConflict)
		}
		deleted = *w
		s.Workspaces = slices.Delete(s.Workspaces, i, i+1)
		s.Settings = slices.DeleteFunc(s.Settings, func(st *Setting) bool { return st.Workspace == w.ID })
		s.Keys = slices.DeleteFunc(s.Keys, func(k *Key) bool { return k.Kind == ReadKey && k.Workspace == w.ID })
		return nil
	})
	return deleted, err
}

// SetRetention sets how many days a table of a workspace keeps its rows.
func (r *Registry) SetRetention(nameOrID, table string, days int) (Workspace, error) {
	if schema.ByName(table) == nil {
		return Workspace{}, notFoundf("table %q does not exist", table)
	}
	if days < MinRetentionDays || days > MaxRetentionDays {
		return Workspace{}, invalidf("retentionInDays must be between %d and %d, not %d", MinRetentionDays, MaxRetentionDays, days)
	}
	var out Workspace
	err := r.update(func(s *State) error {
		i := slices.IndexFunc(s.Workspaces, func(w *Workspace) bool { return w.Name == nameOrID || w.ID == nameOrID })
		if i < 0 {
			return notFoundf("workspace %q does not exist", nameOrID)
		}
		w := s.Workspaces[i]
		if w.Tables == nil {
			w.Tables = map[string]TableSettings{}
		}
		w.Tables[table] = TableSettings{RetentionInDays: days}
		out = *w
		return nil
	})
	return out, err
}

// RegisterResource records a resource and the tenant that owns it; doing
// it again updates the tenant.
func (r *Registry) RegisterResource(id, tenantID string) (Resource, error) {
	if !strings.Contains(strings.Trim(id, "/"), "/") {
		return Resource{}, invalidf("%q is not a resource id (/subscriptions/…/providers/Microsoft.Communication/communicationServices/…)", id)
	}
	if strings.TrimSpace(tenantID) == "" {
		return Resource{}, invalidf("a resource needs the id of the tenant that owns it (tenantId)")
	}
	id = schema.NormalizeResourceID(id)
	tenantID = strings.ToLower(strings.TrimSpace(tenantID))
	var out Resource
	err := r.update(func(s *State) error {
		for _, res := range s.Resources {
			if res.ID == id {
				res.TenantID = tenantID
				out = *res
				return nil
			}
		}
		res := &Resource{ID: id, TenantID: tenantID, Created: r.now().UTC()}
		s.Resources = append(s.Resources, res)
		out = *res
		return nil
	})
	return out, err
}

// Resources lists the registered resources.
func (r *Registry) Resources() []Resource {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Resource, 0, len(r.state.Resources))
	for _, res := range r.state.Resources {
		out = append(out, *res)
	}
	slices.SortFunc(out, func(a, b Resource) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Resource finds a registered resource.
func (r *Registry) Resource(id string) (Resource, error) {
	id = schema.NormalizeResourceID(id)
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, res := range r.state.Resources {
		if res.ID == id {
			return *res, nil
		}
	}
	return Resource{}, notFoundf("resource %s is not registered", id)
}

// TenantOf returns the tenant that owns a resource, if it is registered.
func (r *Registry) TenantOf(resourceID string) (string, bool) {
	res, err := r.Resource(resourceID)
	return res.TenantID, err == nil
}

// DeleteResource removes a resource and its diagnostic settings, as Azure
// does when a resource is deleted.
func (r *Registry) DeleteResource(id string) error {
	id = schema.NormalizeResourceID(id)
	return r.update(func(s *State) error {
		i := slices.IndexFunc(s.Resources, func(res *Resource) bool { return res.ID == id })
		if i < 0 {
			return notFoundf("resource %s is not registered", id)
		}
		s.Resources = slices.Delete(s.Resources, i, i+1)
		s.Settings = slices.DeleteFunc(s.Settings, func(st *Setting) bool { return st.Resource == id })
		return nil
	})
}

// PutSetting creates or replaces a diagnostic setting. workspace is a
// workspace name or id, or an Azure workspace resource id ending in
// /workspaces/<name>.
func (r *Registry) PutSetting(resourceID, name, workspace string, logs []LogSetting) (Setting, error) {
	resourceID = schema.NormalizeResourceID(resourceID)
	if err := validSettingName(name); err != nil {
		return Setting{}, err
	}
	logs, err := validLogs(logs)
	if err != nil {
		return Setting{}, err
	}
	if i := strings.LastIndex(strings.ToLower(workspace), "/workspaces/"); i >= 0 {
		workspace = workspace[i+len("/workspaces/"):]
	}
	var out Setting
	err = r.update(func(s *State) error {
		if !slices.ContainsFunc(s.Resources, func(res *Resource) bool { return res.ID == resourceID }) {
			return notFoundf("resource %s is not registered; register it with its tenant first (PUT /v1/resources/<id> {\"tenantId\":…})", resourceID)
		}
		wi := slices.IndexFunc(s.Workspaces, func(w *Workspace) bool { return w.Name == workspace || w.ID == workspace })
		if wi < 0 {
			return notFoundf("workspace %q does not exist", workspace)
		}
		now := r.now().UTC()
		for _, st := range s.Settings {
			if st.Resource == resourceID && st.Name == name {
				st.Workspace, st.Logs, st.Updated = s.Workspaces[wi].ID, logs, now
				out = *st
				return nil
			}
		}
		n := 0
		for _, st := range s.Settings {
			if st.Resource == resourceID {
				n++
			}
		}
		if n >= MaxSettingsPerResource {
			return fmt.Errorf("%w: resource %s already has %d diagnostic settings, the most a resource may have", ErrConflict, resourceID, MaxSettingsPerResource)
		}
		st := &Setting{Resource: resourceID, Name: name, Workspace: s.Workspaces[wi].ID, Logs: logs, Created: now, Updated: now}
		s.Settings = append(s.Settings, st)
		out = *st
		return nil
	})
	return out, err
}

// Settings lists the diagnostic settings of a resource, or of all
// resources when resourceID is empty.
func (r *Registry) Settings(resourceID string) []Setting {
	if resourceID != "" {
		resourceID = schema.NormalizeResourceID(resourceID)
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Setting
	for _, st := range r.state.Settings {
		if resourceID == "" || st.Resource == resourceID {
			out = append(out, *st)
		}
	}
	slices.SortFunc(out, func(a, b Setting) int {
		if c := strings.Compare(a.Resource, b.Resource); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// Setting finds one diagnostic setting.
func (r *Registry) Setting(resourceID, name string) (Setting, error) {
	for _, st := range r.Settings(resourceID) {
		if st.Name == name {
			return st, nil
		}
	}
	return Setting{}, notFoundf("resource %s has no diagnostic setting %q", schema.NormalizeResourceID(resourceID), name)
}

// DeleteSetting removes a diagnostic setting; records it routed are no
// longer stored from then on.
func (r *Registry) DeleteSetting(resourceID, name string) error {
	resourceID = schema.NormalizeResourceID(resourceID)
	return r.update(func(s *State) error {
		i := slices.IndexFunc(s.Settings, func(st *Setting) bool { return st.Resource == resourceID && st.Name == name })
		if i < 0 {
			return notFoundf("resource %s has no diagnostic setting %q", resourceID, name)
		}
		s.Settings = slices.Delete(s.Settings, i, i+1)
		return nil
	})
}

// Input is what one enabled diagnostic setting sends to a workspace.
type Input struct {
	Resource   string   `json:"resourceId"`
	Setting    string   `json:"setting"`
	AllLogs    bool     `json:"allLogs"`              // the allLogs group: every category
	Categories []string `json:"categories,omitempty"` // else these categories
}

// Inputs lists the diagnostic settings that send logs to a workspace, and
// which categories each sends. A category no input names is never stored
// in the workspace; the web UI says so where a table stays empty.
func (r *Registry) Inputs(workspaceID string) []Input {
	var out []Input
	for _, st := range r.Settings("") {
		if st.Workspace != workspaceID {
			continue
		}
		in := Input{Resource: st.Resource, Setting: st.Name}
		for _, l := range st.Logs {
			switch {
			case !l.Enabled:
			case l.CategoryGroup == AllLogs:
				in.AllLogs = true
			case l.Category != "":
				in.Categories = append(in.Categories, l.Category)
			}
		}
		if in.AllLogs {
			in.Categories = nil
		}
		if in.AllLogs || len(in.Categories) > 0 {
			out = append(out, in)
		}
	}
	return out
}
