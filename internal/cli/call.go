package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/callscope/callscope/internal/calls"
	"github.com/callscope/callscope/internal/store"
)

// callCmd prints one call's overview and issues.
type callCmd struct {
	store     storeFlags
	url       string
	key       string
	workspace string
	format    string
	timeout   time.Duration
}

func (c *callCmd) flags(fs *flag.FlagSet) {
	c.store.register(fs, "data `directory` (one DuckDB file per workspace)")
	fs.StringVar(&c.url, "url", "", "ask a running server at this `URL` instead of opening --data")
	fs.StringVar(&c.key, "key", "", "API key (a read key) sent as a Bearer token with --url")
	fs.StringVar(&c.workspace, "workspace", "default", "workspace the call is in")
	fs.StringVar(&c.format, "format", "text", "output format: text or json")
	fs.DurationVar(&c.timeout, "timeout", time.Minute, "longest each query may run")
}

// callReport is what the command prints.
type callReport struct {
	Overview *calls.Overview `json:"overview"`
	Issues   []calls.Issue   `json:"issues"`
}

func (c *callCmd) run(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return usagef("give one call id")
	}
	if c.format != "text" && c.format != "json" {
		return usagef("--format %q: use text or json", c.format)
	}
	id := args[0]
	var rep callReport
	var err error
	if c.url != "" {
		err = c.remote(ctx, id, &rep)
	} else {
		err = withLocalWorkspace(ctx, c.store, c.workspace, func(st store.Store, ws store.Workspace) error {
			svc := &calls.Service{WS: ws, Engine: st.Engine(), Timeout: c.timeout}
			d, err := svc.Detail(ctx, id)
			if err != nil {
				return err
			}
			rep.Overview, rep.Issues = d.Overview, d.Issues
			return nil
		})
	}
	if err != nil {
		return err
	}
	if c.format == "json" {
		return printJSON(rep)
	}
	printCall(os.Stdout, &rep)
	return nil
}

func (c *callCmd) remote(ctx context.Context, id string, rep *callReport) error {
	api := &httpAdmin{base: strings.TrimRight(c.url, "/"), key: c.key}
	path := "/v1/workspaces/" + url.PathEscape(c.workspace) + "/calls/" + url.PathEscape(id)
	if err := api.do(http.MethodGet, path, nil, &rep.Overview); err != nil {
		return err
	}
	var is struct{ Issues []calls.Issue }
	if err := api.do(http.MethodGet, path+"/issues", nil, &is); err != nil {
		return err
	}
	rep.Issues = is.Issues
	return nil
}

// printCall writes the overview and issues for people.
func printCall(w io.Writer, rep *callReport) {
	o := rep.Overview
	state := "ended, final"
	if !o.Final {
		state = "in progress or not final yet (from updates)"
	}
	fmt.Fprintf(w, "Call %s  (%s)\n", o.CallID, state)
	fmt.Fprintf(w, "  type %s   start %s   duration %s   quality %s   rating %s\n\n",
		orDash(o.CallType), timeText(o.Start), (time.Duration(o.DurationSeconds) * time.Second).String(), o.Quality, o.Rating)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTICIPANT\tCLIENT\tKIND\tSDK\tOS / BROWSER\tDURATION\tEND REASON\tDROPPED\tSTREAMS")
	for _, p := range o.Participants {
		id := p.ParticipantID
		if id == "" {
			id = "endpoint " + p.EndpointID
		}
		reason := orDash(strings.Trim(p.EndReasonCode+"/"+p.EndReasonSubCode, "/"))
		if p.EndReasonPhrase != "" {
			reason += " " + p.EndReasonPhrase
		}
		poor := 0
		for _, s := range p.Streams {
			if s.Quality == "poor" {
				poor++
			}
		}
		os := clip(strings.TrimSpace(p.OsVersion+" "+p.Browser), 40)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%v\t%d (%d poor)\n", id, orDash(p.EndpointType), orDash(p.ParticipantType),
			orDash(p.SdkVersion), orDash(os), (time.Duration(p.DurationSeconds) * time.Second).String(), reason, p.Dropped, len(p.Streams), poor)
	}
	tw.Flush()
	for _, sv := range o.Surveys {
		fmt.Fprintf(w, "\nSurvey %s by %s: overall %v of 5", sv.SurveyID, orDash(sv.ParticipantID), sv.Normalized["Overall"])
		if len(sv.Poor) > 0 {
			fmt.Fprintf(w, " (below the user's threshold: %s)", strings.Join(sv.Poor, ", "))
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintf(w, "\n%d issue(s)\n", len(rep.Issues))
	for i, is := range rep.Issues {
		who := is.ParticipantID
		if who == "" {
			who = is.EndpointID
		}
		when := ""
		if !is.Start.IsZero() {
			when = " at " + is.Start.UTC().Format("15:04:05")
		}
		if is.Recovered != nil {
			if *is.Recovered {
				when += ", recovered"
			} else {
				when += ", not recovered"
			}
		}
		fmt.Fprintf(w, "%2d. [%s] %s — %s%s\n", i+1, is.Kind, is.Title, orDash(who), when)
		if is.Explanation != "" {
			fmt.Fprintf(w, "    why:  %s\n", is.Explanation)
		}
		if is.NextStep != "" {
			fmt.Fprintf(w, "    next: %s\n", is.NextStep)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// clip shortens text for a table cell, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
