package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/callscope/callscope/internal/store/duckdb"
	"github.com/callscope/callscope/internal/workspace"
)

// admin is what the management commands do, either on a data folder
// directly (no server may be running on it) or on a running server over
// its HTTP API.
type admin interface {
	Workspaces() ([]workspace.Workspace, error)
	Workspace(nameOrID string) (workspace.Workspace, error)
	CreateWorkspace(name string) (workspace.Workspace, error)
	DeleteWorkspace(name string) error
	SetRetention(ws, table string, days int) error
	Resources() ([]workspace.Resource, error)
	RegisterResource(id, tenant string) (workspace.Resource, error)
	DeleteResource(id string) error
	Settings(resource string) ([]workspace.Setting, error)
	PutSetting(resource, name, ws string, logs []workspace.LogSetting) (workspace.Setting, error)
	DeleteSetting(resource, name string) error
	Keys() ([]workspace.Key, error)
	CreateKey(nk workspace.NewKey) (workspace.Key, string, error)
	RevokeKey(id string) error
	Close() error
}

// targetFlags choose where the management commands act.
type targetFlags struct {
	data   string
	url    string
	key    string
	format string
}

func (f *targetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./callscope-data", "data `directory` to manage (no server may be running on it)")
	fs.StringVar(&f.url, "url", "", "manage a running server at this `URL` instead of --data")
	fs.StringVar(&f.key, "key", "", "admin key for --url")
	fs.StringVar(&f.format, "format", "table", "output format: table or json")
}

func (f *targetFlags) open() (admin, error) {
	if f.url != "" {
		return &httpAdmin{base: strings.TrimRight(f.url, "/"), key: f.key}, nil
	}
	reg, err := openRegistry(f.data)
	if err != nil {
		return nil, err
	}
	return &localAdmin{Registry: reg, data: f.data}, nil
}

// openRegistry opens the metadata of a data folder, locking it.
func openRegistry(dir string) (*workspace.Registry, error) {
	b, err := workspace.OpenFile(dir)
	if err != nil {
		return nil, err
	}
	reg, err := workspace.Open(b)
	if err != nil {
		b.Close()
		return nil, err
	}
	return reg, nil
}

// localAdmin acts on the registry of a data folder.
type localAdmin struct {
	*workspace.Registry
	data string
}

func (l *localAdmin) Workspaces() ([]workspace.Workspace, error) { return l.Registry.Workspaces(), nil }
func (l *localAdmin) Resources() ([]workspace.Resource, error)   { return l.Registry.Resources(), nil }
func (l *localAdmin) Settings(r string) ([]workspace.Setting, error) {
	return l.Registry.Settings(r), nil
}
func (l *localAdmin) Keys() ([]workspace.Key, error) { return l.Registry.Keys(), nil }
func (l *localAdmin) SetRetention(ws, table string, days int) error {
	_, err := l.Registry.SetRetention(ws, table, days)
	return err
}
func (l *localAdmin) RevokeKey(id string) error {
	_, err := l.Registry.RevokeKey(id)
	return err
}

// DeleteWorkspace removes the workspace and its data files.
func (l *localAdmin) DeleteWorkspace(name string) error {
	w, err := l.Registry.DeleteWorkspace(name)
	if err != nil {
		return err
	}
	st, err := duckdb.Open(duckdb.Options{Dir: l.data, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer st.Close()
	return st.DropWorkspace(context.Background(), w.Name)
}

// httpAdmin acts on a running server.
type httpAdmin struct {
	base, key string
}

func (h *httpAdmin) Close() error { return nil }

// do sends a request and decodes the answer into out, turning API errors
// into Go errors with the server's message.
func (h *httpAdmin) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if h.key != "" {
		req.Header.Set("Authorization", "Bearer "+h.key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error.Message != "" {
			return fmt.Errorf("%s: %s", resp.Status, e.Error.Message)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func resourcePath(id string) string {
	return "/v1/resources/" + url.PathEscape(strings.TrimPrefix(id, "/"))
}

func (h *httpAdmin) Workspaces() ([]workspace.Workspace, error) {
	var out struct{ Value []workspace.Workspace }
	return out.Value, h.do("GET", "/v1/workspaces", nil, &out)
}

func (h *httpAdmin) Workspace(name string) (workspace.Workspace, error) {
	var out struct {
		workspace.Workspace
		Tables []struct {
			Name            string `json:"name"`
			RetentionInDays int    `json:"retentionInDays"`
		} `json:"tables"`
	}
	if err := h.do("GET", "/v1/workspaces/"+url.PathEscape(name), nil, &out); err != nil {
		return workspace.Workspace{}, err
	}
	w := out.Workspace
	w.Tables = map[string]workspace.TableSettings{}
	for _, t := range out.Tables {
		w.Tables[t.Name] = workspace.TableSettings{RetentionInDays: t.RetentionInDays}
	}
	return w, nil
}

func (h *httpAdmin) CreateWorkspace(name string) (workspace.Workspace, error) {
	var out workspace.Workspace
	return out, h.do("POST", "/v1/workspaces", map[string]string{"name": name}, &out)
}

func (h *httpAdmin) DeleteWorkspace(name string) error {
	return h.do("DELETE", "/v1/workspaces/"+url.PathEscape(name), nil, nil)
}

func (h *httpAdmin) SetRetention(ws, table string, days int) error {
	return h.do("PUT", "/v1/workspaces/"+url.PathEscape(ws)+"/tables/"+url.PathEscape(table), map[string]int{"retentionInDays": days}, nil)
}

func (h *httpAdmin) Resources() ([]workspace.Resource, error) {
	var out struct{ Value []workspace.Resource }
	return out.Value, h.do("GET", "/v1/resources", nil, &out)
}

func (h *httpAdmin) RegisterResource(id, tenant string) (workspace.Resource, error) {
	var out workspace.Resource
	return out, h.do("PUT", resourcePath(id), map[string]string{"tenantId": tenant}, &out)
}

func (h *httpAdmin) DeleteResource(id string) error {
	return h.do("DELETE", resourcePath(id), nil, nil)
}

func (h *httpAdmin) Settings(resource string) ([]workspace.Setting, error) {
	if resource == "" {
		res, err := h.Resources()
		if err != nil {
			return nil, err
		}
		var all []workspace.Setting
		for _, r := range res {
			s, err := h.Settings(r.ID)
			if err != nil {
				return nil, err
			}
			all = append(all, s...)
		}
		return all, nil
	}
	var out struct{ Value []workspace.Setting }
	return out.Value, h.do("GET", resourcePath(resource)+"/diagnosticSettings", nil, &out)
}

func (h *httpAdmin) PutSetting(resource, name, ws string, logs []workspace.LogSetting) (workspace.Setting, error) {
	var out workspace.Setting
	err := h.do("PUT", resourcePath(resource)+"/diagnosticSettings/"+url.PathEscape(name), map[string]any{"workspaceId": ws, "logs": logs}, &out)
	return out, err
}

func (h *httpAdmin) DeleteSetting(resource, name string) error {
	return h.do("DELETE", resourcePath(resource)+"/diagnosticSettings/"+url.PathEscape(name), nil, nil)
}

func (h *httpAdmin) Keys() ([]workspace.Key, error) {
	var out struct{ Value []workspace.Key }
	return out.Value, h.do("GET", "/v1/keys", nil, &out)
}

func (h *httpAdmin) CreateKey(nk workspace.NewKey) (workspace.Key, string, error) {
	var out struct {
		workspace.Key
		Secret string `json:"key"`
	}
	err := h.do("POST", "/v1/keys", map[string]any{"kind": nk.Kind, "name": nk.Name, "resources": nk.Resources, "workspace": nk.Workspace}, &out)
	return out.Key, out.Secret, err
}

func (h *httpAdmin) RevokeKey(id string) error {
	return h.do("DELETE", "/v1/keys/"+url.PathEscape(id), nil, nil)
}

var errNeedsVerb = errors.New("needs a verb")
