package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/report"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/workspace"
)

// The management commands: callscope workspace|resource|settings|key VERB …
// They act on a data folder directly, or on a running server with --url.

// listFlag collects a repeated flag (--category A --category B).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// verbs runs the verb named by the first argument.
func verbs(args []string, table map[string]func(rest []string) error) error {
	if len(args) == 0 {
		return usagef("name what to do: %s", strings.Join(keys(table), ", "))
	}
	fn, ok := table[args[0]]
	if !ok {
		return usagef("unknown verb %q: use %s", args[0], strings.Join(keys(table), ", "))
	}
	return fn(args[1:])
}

func keys(m map[string]func([]string) error) []string {
	var out []string
	for _, k := range []string{"create", "register", "put", "list", "show", "retention", "revoke", "delete"} {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// workspace

type workspaceCmd struct{ target targetFlags }

func (c *workspaceCmd) flags(fs *flag.FlagSet) { c.target.register(fs) }

func (c *workspaceCmd) run(ctx context.Context, args []string) error {
	a, err := c.target.open()
	if err != nil {
		return err
	}
	defer a.Close()
	show := func(w workspace.Workspace) error {
		if c.target.format == "json" {
			return printJSON(w)
		}
		fmt.Printf("%s  id %s  created %s\n\n", w.Name, w.ID, when(w.Created))
		t := &report.Table{Header: []string{"Table", "Retention (days)"}}
		for _, tr := range tablesWithRetention(w) {
			t.Add(tr[0], tr[1])
		}
		t.Write(os.Stdout)
		return nil
	}
	return verbs(args, map[string]func([]string) error{
		"create": func(rest []string) error {
			if len(rest) != 1 {
				return usagef("callscope workspace create NAME")
			}
			w, err := a.CreateWorkspace(rest[0])
			if err != nil {
				return err
			}
			return show(w)
		},
		"list": func([]string) error {
			ws, err := a.Workspaces()
			if err != nil || c.target.format == "json" {
				return orJSON(ws, err)
			}
			t := &report.Table{Header: []string{"Name", "Id", "Created"}}
			for _, w := range ws {
				t.Add(w.Name, w.ID, when(w.Created))
			}
			t.Write(os.Stdout)
			return nil
		},
		"show": func(rest []string) error {
			if len(rest) != 1 {
				return usagef("callscope workspace show NAME")
			}
			w, err := a.Workspace(rest[0])
			if err != nil {
				return err
			}
			return show(w)
		},
		"retention": func(rest []string) error {
			if len(rest) != 3 {
				return usagef("callscope workspace retention NAME TABLE DAYS")
			}
			days, err := strconv.Atoi(rest[2])
			if err != nil {
				return usagef("DAYS %q is not a number", rest[2])
			}
			if err := a.SetRetention(rest[0], rest[1], days); err != nil {
				return err
			}
			fmt.Printf("%s.%s keeps %d days\n", rest[0], rest[1], days)
			return nil
		},
		"delete": func(rest []string) error {
			if len(rest) != 1 {
				return usagef("callscope workspace delete NAME")
			}
			if err := a.DeleteWorkspace(rest[0]); err != nil {
				return err
			}
			fmt.Printf("workspace %s and its data are deleted\n", rest[0])
			return nil
		},
	})
}

func orJSON(v any, err error) error {
	if err != nil {
		return err
	}
	return printJSON(v)
}

// resource

type resourceCmd struct {
	target targetFlags
	tenant string
}

func (c *resourceCmd) flags(fs *flag.FlagSet) {
	c.target.register(fs)
	fs.StringVar(&c.tenant, "tenant", "", "id of the tenant that owns the resource (register)")
}

func (c *resourceCmd) run(ctx context.Context, args []string) error {
	a, err := c.target.open()
	if err != nil {
		return err
	}
	defer a.Close()
	return verbs(args, map[string]func([]string) error{
		"register": func(rest []string) error {
			if len(rest) != 1 || c.tenant == "" {
				return usagef("callscope resource register RESOURCE_ID --tenant TENANT_ID")
			}
			r, err := a.RegisterResource(rest[0], c.tenant)
			if err != nil {
				return err
			}
			fmt.Printf("registered %s (tenant %s)\n", r.ID, r.TenantID)
			return nil
		},
		"list": func([]string) error {
			rs, err := a.Resources()
			if err != nil || c.target.format == "json" {
				return orJSON(rs, err)
			}
			t := &report.Table{Header: []string{"Resource", "Tenant", "Registered"}}
			for _, r := range rs {
				t.Add(r.ID, r.TenantID, when(r.Created))
			}
			t.Write(os.Stdout)
			return nil
		},
		"delete": func(rest []string) error {
			if len(rest) != 1 {
				return usagef("callscope resource delete RESOURCE_ID")
			}
			if err := a.DeleteResource(rest[0]); err != nil {
				return err
			}
			fmt.Println("resource and its diagnostic settings deleted")
			return nil
		},
	})
}

// settings

type settingsCmd struct {
	target     targetFlags
	resource   string
	name       string
	ws         string
	categories listFlag
	allLogs    bool
}

func (c *settingsCmd) flags(fs *flag.FlagSet) {
	c.target.register(fs)
	fs.StringVar(&c.resource, "resource", "", "resource id")
	fs.StringVar(&c.name, "name", "", "diagnostic setting name")
	fs.StringVar(&c.ws, "workspace", "default", "workspace the setting sends logs to (put)")
	fs.Var(&c.categories, "category", "category to send (repeat, or comma-separated) (put)")
	fs.BoolVar(&c.allLogs, "all-logs", false, "send the allLogs group: every category, present and future (put)")
}

func (c *settingsCmd) run(ctx context.Context, args []string) error {
	a, err := c.target.open()
	if err != nil {
		return err
	}
	defer a.Close()
	need := func(what string) error {
		if c.resource == "" || c.name == "" {
			return usagef("callscope settings %s --resource RESOURCE_ID --name NAME", what)
		}
		return nil
	}
	return verbs(args, map[string]func([]string) error{
		"put": func([]string) error {
			if err := need("put"); err != nil {
				return err
			}
			var logs []workspace.LogSetting
			if c.allLogs {
				logs = append(logs, workspace.LogSetting{CategoryGroup: workspace.AllLogs, Enabled: true})
			}
			for _, cat := range c.categories {
				logs = append(logs, workspace.LogSetting{Category: cat, Enabled: true})
			}
			s, err := a.PutSetting(c.resource, c.name, c.ws, logs)
			if err != nil {
				return err
			}
			fmt.Printf("diagnostic setting %s of %s sends %s to workspace %s\n", s.Name, s.Resource, describeLogs(s.Logs), c.ws)
			return nil
		},
		"list": func([]string) error {
			ss, err := a.Settings(c.resource)
			if err != nil || c.target.format == "json" {
				return orJSON(ss, err)
			}
			names := map[string]string{}
			if ws, err := a.Workspaces(); err == nil {
				for _, w := range ws {
					names[w.ID] = w.Name
				}
			}
			t := &report.Table{Header: []string{"Resource", "Setting", "Workspace", "Logs"}}
			for _, s := range ss {
				t.Add(s.Resource, s.Name, names[s.Workspace], describeLogs(s.Logs))
			}
			t.Write(os.Stdout)
			return nil
		},
		"delete": func([]string) error {
			if err := need("delete"); err != nil {
				return err
			}
			if err := a.DeleteSetting(c.resource, c.name); err != nil {
				return err
			}
			fmt.Println("diagnostic setting deleted: its records are no longer stored")
			return nil
		},
	})
}

func describeLogs(logs []workspace.LogSetting) string {
	var parts []string
	for _, l := range logs {
		name := l.Category
		if l.CategoryGroup != "" {
			name = l.CategoryGroup
		}
		if !l.Enabled {
			name += " (disabled)"
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, ", ")
}

// key

type keyCmd struct {
	target    targetFlags
	kind      string
	name      string
	resources listFlag
	ws        string
}

func (c *keyCmd) flags(fs *flag.FlagSet) {
	c.target.register(fs)
	fs.StringVar(&c.kind, "kind", "", "key kind: ingest, read or admin (create)")
	fs.StringVar(&c.name, "name", "", "a name to remember the key by (create)")
	fs.Var(&c.resources, "resource", "resource an ingest key covers (repeat) (create)")
	fs.StringVar(&c.ws, "workspace", "", "workspace a read key may query (create)")
}

func (c *keyCmd) run(ctx context.Context, args []string) error {
	a, err := c.target.open()
	if err != nil {
		return err
	}
	defer a.Close()
	return verbs(args, map[string]func([]string) error{
		"create": func([]string) error {
			k, secret, err := a.CreateKey(workspace.NewKey{Kind: workspace.KeyKind(c.kind), Name: c.name, Resources: c.resources, Workspace: c.ws})
			if err != nil {
				return err
			}
			if c.target.format == "json" {
				return printJSON(map[string]any{"id": k.ID, "kind": k.Kind, "key": secret})
			}
			fmt.Printf("%s key %s created. Its secret is shown this once; keep it safe:\n\n  %s\n\n", k.Kind, k.ID, secret)
			return nil
		},
		"list": func([]string) error {
			ks, err := a.Keys()
			if err != nil || c.target.format == "json" {
				return orJSON(ks, err)
			}
			t := &report.Table{Header: []string{"Id", "Kind", "Name", "Covers", "Created", "Revoked"}}
			for _, k := range ks {
				covers := strings.Join(k.Resources, ", ")
				if k.Kind == workspace.ReadKey {
					covers = "workspace " + k.Workspace
				}
				revoked := ""
				if k.Revoked != nil {
					revoked = when(*k.Revoked)
				}
				t.Add(k.ID, string(k.Kind), k.Name, covers, when(k.Created), revoked)
			}
			t.Write(os.Stdout)
			return nil
		},
		"revoke": func(rest []string) error {
			if len(rest) != 1 {
				return usagef("callscope key revoke KEY_ID")
			}
			if err := a.RevokeKey(rest[0]); err != nil {
				return err
			}
			fmt.Printf("key %s revoked\n", rest[0])
			return nil
		},
	})
}

// tablesWithRetention lists every table of a workspace with its retention.
func tablesWithRetention(w workspace.Workspace) [][2]string {
	var out [][2]string
	for _, t := range schema.Tables() {
		out = append(out, [2]string{t.Name, strconv.Itoa(w.Retention(t.Name))})
	}
	return out
}
