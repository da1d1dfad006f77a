package cli

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/callscope/callscope/internal/report"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/simulate"
)

type simulateCmd struct {
	seed        uint64
	calls       int
	from, to    string
	out         string
	layout      string
	post        string
	key         string
	register    bool
	workspace   string
	live        bool
	rate        float64
	finals      bool
	finalsDelay time.Duration
	format      string
}

func (c *simulateCmd) flags(fs *flag.FlagSet) {
	fs.Uint64Var(&c.seed, "seed", 1, "random seed: the same seed and window give the same records")
	fs.IntVar(&c.calls, "calls", 1000, "calls to generate (batch mode)")
	fs.StringVar(&c.from, "from", "", "start of the window of call start times: RFC 3339 time or offset from now such as -24h (default: 24h before --to)")
	fs.StringVar(&c.to, "to", "", "end of the window: RFC 3339 time or offset from now (default: the start of the current hour)")
	fs.StringVar(&c.out, "out", "", "write records to this `file` (.gz to compress, - for stdout) or, with --layout azure, under this folder")
	fs.StringVar(&c.layout, "layout", "ndjson", "output layout: ndjson (one file) or azure (storage-export folders and PT1H.json blobs)")
	fs.StringVar(&c.post, "post", "", "post records to this ingest `URL` (e.g. http://127.0.0.1:8080)")
	fs.StringVar(&c.key, "key", "", "API key sent as a Bearer token with --post (an admin key with --register)")
	fs.BoolVar(&c.register, "register", false, "with --post: first register the simulator's resources and send all their logs to --workspace")
	fs.StringVar(&c.workspace, "workspace", "default", "workspace --register sends the logs to")
	fs.BoolVar(&c.live, "live", false, "run calls in progress now, sending records as they happen, until interrupted")
	fs.Float64Var(&c.rate, "rate", 10, "calls started per minute (live mode)")
	fs.BoolVar(&c.finals, "finals", true, "also emit the final CallSummary and CallDiagnostics rows")
	fs.DurationVar(&c.finalsDelay, "finals-delay", 3*time.Minute, "live mode: how long after a call its finals and late updates come")
	fs.StringVar(&c.format, "format", "table", "report format: table or json")
}

func (c *simulateCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected arguments: %v", args)
	}
	if (c.out == "") == (c.post == "") {
		return usagef("give exactly one of --out or --post")
	}
	if c.layout != "ndjson" && c.layout != "azure" {
		return usagef("--layout %q: use ndjson or azure", c.layout)
	}
	if c.layout == "azure" && (c.out == "" || c.out == "-") {
		return usagef("--layout azure needs --out FOLDER")
	}

	if c.register {
		if c.post == "" {
			return usagef("--register needs --post")
		}
		base, err := baseURL(c.post)
		if err != nil {
			return err
		}
		if err := simulate.Register(ctx, base, c.key, nil, c.workspace); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "registered the simulator's %d resources, all their logs going to workspace %s\n", len(simulate.DefaultResources()), c.workspace)
	}
	sink, err := c.openSink()
	if err != nil {
		return err
	}
	var counts simulate.Counts
	start := time.Now()
	if c.live {
		counts, err = c.runLive(ctx, sink)
	} else {
		counts, err = c.runBatch(sink)
	}
	closeErr := sink.close()
	if err == nil {
		err = closeErr
	}
	if counts != nil {
		c.report(counts, time.Since(start), sink.postResult())
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func (c *simulateCmd) runBatch(sink *recordSink) (simulate.Counts, error) {
	from, to, err := window(c.from, c.to, time.Now())
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "simulating %s calls starting between %s and %s (seed %d)\n",
		report.Thousands(int64(c.calls)), from.Format(time.RFC3339), to.Format(time.RFC3339), c.seed)
	return simulate.Generate(simulate.Options{Seed: c.seed, Calls: c.calls, From: from, To: to, Finals: c.finals}, sink.write)
}

func (c *simulateCmd) runLive(ctx context.Context, sink *recordSink) (simulate.Counts, error) {
	fmt.Fprintf(os.Stderr, "simulating %.1f calls a minute, live, until interrupted\n", c.rate)
	return simulate.RunLive(ctx, simulate.LiveOptions{
		Seed: c.seed, Rate: c.rate, Finals: c.finals, FinalsDelay: c.finalsDelay,
	}, func(recs []simulate.Record) error {
		for _, r := range recs {
			if err := sink.write(r); err != nil {
				return err
			}
		}
		return sink.flush()
	})
}

// window resolves --from and --to. Without them the window is the day
// before the start of the current hour: recent, and the same all hour long,
// so that a seed reproduces its records.
func window(fromFlag, toFlag string, now time.Time) (time.Time, time.Time, error) {
	to := now.UTC().Truncate(time.Hour)
	if toFlag != "" {
		t, err := parseWhen(toFlag, now)
		if err != nil {
			return time.Time{}, time.Time{}, usagef("--to: %v", err)
		}
		to = t
	}
	from := to.Add(-24 * time.Hour)
	if fromFlag != "" {
		t, err := parseWhen(fromFlag, now)
		if err != nil {
			return time.Time{}, time.Time{}, usagef("--from: %v", err)
		}
		from = t
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, usagef("--from %s is not before --to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return from, to, nil
}

// parseWhen reads an RFC 3339 time or a signed offset from now ("-24h").
func parseWhen(s string, now time.Time) (time.Time, error) {
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		d, err := time.ParseDuration(s)
		if err != nil {
			return time.Time{}, err
		}
		return now.UTC().Add(d), nil
	}
	return time.Parse(time.RFC3339, s)
}

func (c *simulateCmd) openSink() (*recordSink, error) {
	switch {
	case c.post != "":
		u, err := ingestURL(c.post)
		if err != nil {
			return nil, err
		}
		p := simulate.NewPoster(u, c.key)
		return &recordSink{write: p.Write, flush: p.Flush, close: p.Flush, result: func() *simulate.PostResult { r := p.Result(); return &r }}, nil
	case c.layout == "azure":
		l := simulate.AzureLayout(c.out)
		return &recordSink{write: l.Write, flush: func() error { return nil }, close: l.Close}, nil
	default:
		var w io.Writer = os.Stdout
		var closers []func() error
		if c.out != "-" {
			f, err := os.Create(c.out)
			if err != nil {
				return nil, err
			}
			w, closers = f, append(closers, f.Close)
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		w = bw
		closers = append([]func() error{bw.Flush}, closers...)
		if strings.HasSuffix(c.out, ".gz") {
			zw := gzip.NewWriter(bw)
			w = zw
			closers = append([]func() error{zw.Close}, closers...)
		}
		return &recordSink{
			write: simulate.WriteNDJSON(w),
			flush: func() error { return nil },
			close: func() error {
				var errs []error
				for _, cl := range closers {
					errs = append(errs, cl())
				}
				return errors.Join(errs...)
			},
		}, nil
	}
}

// recordSink is where simulated records go: a file, a folder tree or a
// server.
type recordSink struct {
	write  func(simulate.Record) error
	flush  func() error
	close  func() error
	result func() *simulate.PostResult
}

func (s *recordSink) postResult() *simulate.PostResult {
	if s.result == nil {
		return nil
	}
	return s.result()
}

// baseURL is the server part of a URL (scheme and host).
func baseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", usagef("%q is not an http URL", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// ingestURL accepts a server's base URL or its ingest endpoint.
func ingestURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", usagef("%q is not an http URL", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/ingest"
	}
	return u.String(), nil
}

func (c *simulateCmd) report(counts simulate.Counts, took time.Duration, posted *simulate.PostResult) {
	if c.format == "json" {
		out := map[string]any{"records": counts, "total": counts.Total(), "seconds": took.Seconds()}
		if posted != nil {
			out["posted"] = posted
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
		return
	}
	printCounts(os.Stdout, counts)
	fmt.Printf("\n%s records in %s\n", report.Thousands(int64(counts.Total())), took.Round(time.Millisecond))
	if posted != nil {
		fmt.Printf("posted in %s requests: %s accepted, %s rejected\n", report.Thousands(int64(posted.Requests)), report.Thousands(int64(posted.Accepted)), report.Thousands(int64(posted.Rejected)))
		for _, e := range posted.Errors {
			fmt.Println("  " + e)
		}
	}
}

func printCounts(w io.Writer, counts simulate.Counts) {
	t := &report.Table{Header: []string{"Category", "Table", "Records"}}
	cats := make([]string, 0, len(counts))
	for k := range counts {
		cats = append(cats, k)
	}
	sort.Strings(cats)
	for _, cat := range cats {
		name := ""
		if tb := schema.ByCategory(cat); tb != nil {
			name = tb.Name
		}
		t.Add(cat, name, counts[cat])
	}
	t.Add("Total", "", counts.Total())
	t.Write(w)
}
