package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/callscope/callscope/internal/bench"
	"github.com/callscope/callscope/internal/report"
)

type benchCmd struct {
	// bench ingest
	records     int
	clients     int
	batchMB     float64
	seed        uint64
	dir         string
	keep        bool
	memoryLimit string
	profile     string
	format      string

	// bench query
	rows       int
	days       int
	runs       int
	threads    int
	mediaStats bool
	only       string

	// bench calls
	calls int
}

func (c *benchCmd) flags(fs *flag.FlagSet) {
	fs.IntVar(&c.records, "records", 2_000_000, "records to generate and ingest")
	fs.IntVar(&c.clients, "clients", 4, "concurrent HTTP clients")
	fs.Float64Var(&c.batchMB, "batch-mb", 2, "size of one request body in MB (1 to 4 is typical)")
	fs.Uint64Var(&c.seed, "seed", 1, "simulator seed")
	fs.StringVar(&c.dir, "dir", "", "work `folder` (default: a temporary one); a generated file found there is reused")
	fs.BoolVar(&c.keep, "keep", false, "keep the work folder")
	fs.StringVar(&c.memoryLimit, "memory-limit", "512MB", "DuckDB memory limit of the server and of the baseline")
	fs.StringVar(&c.profile, "profile", "", "write the server's CPU profile during the run to this `file` and print its top")
	fs.StringVar(&c.format, "format", "table", "report format: table or json")
	fs.IntVar(&c.rows, "rows", 10_000_000, "query: records in the dataset")
	fs.IntVar(&c.days, "days", 28, "query: days the dataset's calls spread over")
	fs.IntVar(&c.runs, "runs", 15, "query: timed runs of each panel query")
	fs.IntVar(&c.threads, "threads", 2, "query: DuckDB worker threads")
	fs.BoolVar(&c.mediaStats, "media-stats", false, "query: also generate the media-stats time series, which no panel reads")
	fs.StringVar(&c.only, "only", "", "query: time only the panels whose tab or name contains this text")
	fs.IntVar(&c.calls, "calls", 300, "calls: calls whose full detail is timed (the dataset flags are query's)")
}

func (c *benchCmd) run(ctx context.Context, args []string) error {
	if len(args) == 1 && args[0] == "query" {
		return c.runQuery(ctx)
	}
	if len(args) == 1 && args[0] == "calls" {
		return c.runCalls(ctx)
	}
	if len(args) != 1 || args[0] != "ingest" {
		return usagef("name the benchmark: callscope bench ingest | query | calls")
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	rep, err := bench.Ingest(ctx, bench.IngestOptions{
		Records: c.records, Clients: c.clients, BatchBytes: int(c.batchMB * (1 << 20)), Seed: c.seed,
		Dir: c.dir, Keep: c.keep || c.dir != "", Binary: exe, MemoryLimit: c.memoryLimit, Profile: c.profile, Log: os.Stderr,
	})
	if err != nil {
		return err
	}
	if c.format == "json" {
		return printJSON(rep)
	}
	printIngestReport(os.Stdout, rep)
	return nil
}

// printIngestReport shows each figure beside its baseline and target.
func printIngestReport(w io.Writer, r *bench.IngestReport) {
	fmt.Fprintf(w, "\ncallscope bench ingest: %s records of the simulator's mix (%s NDJSON), %d clients, %.1f MB bodies, %d requests\n\n",
		report.Thousands(int64(r.Records)), report.Bytes(r.NDJSONBytes), r.Clients, float64(r.BatchBytes)/(1<<20), r.Requests)
	t := &report.Table{Header: []string{"", "callscope (HTTP, durable)", "DuckDB read_json", "target", ""}}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	t.Add("records/s", report.Thousands(int64(r.RecordsPerSec)), report.Thousands(int64(r.DuckDBRowsPerS)), "≥ 250,000", verdict(r.RecordsPerSec >= 250_000))
	t.Add("ratio to DuckDB", fmt.Sprintf("%.2f×", r.Ratio), "1.00×", "≥ 0.60×", verdict(r.Ratio >= 0.6))
	t.Add("MB/s of NDJSON", fmt.Sprintf("%.1f", r.MBPerSec), fmt.Sprintf("%.1f", float64(r.NDJSONBytes)/1e6/r.DuckDBSeconds), "", "")
	t.Add("wall time", fmt.Sprintf("%.1f s", r.Seconds), fmt.Sprintf("%.1f s", r.DuckDBSeconds), "", "")
	t.Add("request latency p50", fmt.Sprintf("%.0f ms", r.LatencyP50Ms), "", "", "")
	t.Add("request latency p99", fmt.Sprintf("%.0f ms", r.LatencyP99Ms), "", "", "")
	t.Add("CPU per record (server)", fmt.Sprintf("%.1f µs", 1e6*r.ServerCPUSec/float64(r.Records)), "", "", "")
	t.Add("CPU per record (client)", fmt.Sprintf("%.1f µs", 1e6*r.ClientCPUSec/float64(r.Records)), "", "", "")
	t.Add("commits (group)", fmt.Sprintf("%s, %s rows each", report.Thousands(int64(r.Commits)), report.Thousands(int64(r.RowsPerCommit))), "", "", "")
	t.Add("commit latency mean", fmt.Sprintf("%.0f ms", r.CommitMs), "", "", "")
	t.Add("peak RSS (server)", report.Bytes(r.PeakRSSBytes), "", "≤ 1.0 GB", verdict(r.PeakRSSBytes <= 1<<30))
	t.Add("on disk", report.Bytes(r.DiskBytes), report.Bytes(r.DuckDBDiskBytes), "", "")
	t.Add("on disk / NDJSON", fmt.Sprintf("%.1f%%", 100*r.DiskRatio), fmt.Sprintf("%.1f%%", 100*float64(r.DuckDBDiskBytes)/float64(r.NDJSONBytes)), "≤ 5%", verdict(r.DiskRatio <= 0.05))
	t.Add("rows stored", report.Thousands(int64(r.Accepted)), report.Thousands(r.DuckDBRows), "", "")
	t.Write(w)
	if r.Rejected > 0 {
		fmt.Fprintf(w, "\n%s records were rejected (see the IngestionErrors table)\n", report.Thousands(int64(r.Rejected)))
	}
	if r.ProfileTop != "" {
		fmt.Fprintf(w, "\nTop of the server's CPU profile:\n%s", indent(r.ProfileTop))
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

// datasetOptions are the dataset settings bench query and bench calls share.
func (c *benchCmd) datasetOptions() bench.QueryOptions {
	dir := c.dir
	if dir == "" {
		dir = "callscope-bench"
	}
	return bench.QueryOptions{Rows: c.rows, Days: c.days, Dir: dir, Seed: c.seed, Runs: c.runs, MediaStats: c.mediaStats,
		MemoryLimit: c.memoryLimit, Threads: c.threads, Only: c.only, Log: os.Stderr}
}

// runCalls times Call Diagnostics: a call's full detail and searches.
func (c *benchCmd) runCalls(ctx context.Context) error {
	rep, err := bench.Calls(ctx, bench.CallsOptions{QueryOptions: c.datasetOptions(), Calls: c.calls})
	if err != nil {
		return err
	}
	if c.format == "json" {
		return printJSON(rep)
	}
	printCallsReport(os.Stdout, rep)
	return nil
}

// printTables lists the rows of each table.
func printTables(w io.Writer, tables map[string]int64) {
	var names []string
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-36s %12s rows\n", n, report.Thousands(tables[n]))
	}
}

// printCallsReport shows the detail and search timings beside the target.
func printCallsReport(w io.Writer, r *bench.CallsReport) {
	fmt.Fprintf(w, "\ncallscope bench calls: %s rows in the workspace\n", report.Thousands(r.Rows))
	printTables(w, r.Tables)
	fmt.Fprintln(w)
	verdict := "met"
	if r.Detail.P95 > bench.DetailTargetMs {
		verdict = "MISSED"
	}
	t := &report.Table{Header: []string{"what", "runs", "rows", "p50", "p95", "max", "target", "verdict"}}
	t.Add(fmt.Sprintf("call detail: overview + issues + timeline (participants %d–%d, median %d; timeline events %d–%d, median %d)",
		r.Participants.Min, r.Participants.Max, r.Participants.Median, r.Events.Min, r.Events.Max, r.Events.Median),
		r.Detail.N, "", fmt.Sprintf("%.1f ms", r.Detail.P50), fmt.Sprintf("%.1f ms", r.Detail.P95), fmt.Sprintf("%.1f ms", r.Detail.Max),
		fmt.Sprintf("p95 ≤ %d ms", bench.DetailTargetMs), verdict)
	for _, s := range r.Searches {
		t.Add("search: "+s.Name, s.Timing.N, s.Rows, fmt.Sprintf("%.1f ms", s.Timing.P50), fmt.Sprintf("%.1f ms", s.Timing.P95),
			fmt.Sprintf("%.1f ms", s.Timing.Max), "", "")
	}
	t.Write(w)
	if r.BuildSeconds > 0 {
		fmt.Fprintf(w, "(the dataset took %.0f s to build; later runs reuse it)\n", r.BuildSeconds)
	}
}

// runQuery times the Insights panel queries in KQL against hand-written SQL.
func (c *benchCmd) runQuery(ctx context.Context) error {
	rep, err := bench.Query(ctx, c.datasetOptions())
	if err != nil {
		return err
	}
	if c.format == "json" {
		return printJSON(rep)
	}
	printQueryReport(os.Stdout, rep)
	for _, p := range rep.Panels {
		if !p.SameAnswer {
			return fmt.Errorf("panel %s/%s: KQL and SQL answers differ: %s", p.Tab, p.Name, p.Difference)
		}
	}
	return nil
}

// printQueryReport shows each panel's KQL time beside the hand-written
// SQL's, and the targets.
func printQueryReport(w io.Writer, r *bench.QueryReport) {
	fmt.Fprintf(w, "\ncallscope bench query: %s rows in the workspace, panels over %s, %d runs each\n",
		report.Thousands(r.Rows), r.Timespan, r.Runs)
	printTables(w, r.Tables)
	fmt.Fprintln(w)
	t := &report.Table{Header: []string{"tab", "panel", "rows", "KQL p50", "SQL p50", "KQL/SQL", "KQL p95", "translate", "same answer", "verdict"}}
	met := 0
	worstRatio, worstP50 := 0.0, 0.0
	for _, p := range r.Panels {
		ok := p.KQLP50Ms <= 150 && p.Ratio <= 1.2 && p.TranslateUs < 1000 && p.SameAnswer
		if ok {
			met++
		}
		worstRatio, worstP50 = max(worstRatio, p.Ratio), max(worstP50, p.KQLP50Ms)
		verdict := "met"
		if !ok {
			verdict = "MISSED"
		}
		same := "yes"
		if !p.SameAnswer {
			same = "NO"
		}
		t.Add(p.Tab, p.Name, p.ResultRows, fmt.Sprintf("%.1f ms", p.KQLP50Ms), fmt.Sprintf("%.1f ms", p.SQLP50Ms),
			fmt.Sprintf("%.2f×", p.Ratio), fmt.Sprintf("%.1f ms", p.KQLP95Ms), fmt.Sprintf("%.0f µs", p.TranslateUs), same, verdict)
	}
	t.Write(w)
	fmt.Fprintf(w, "\ntargets: KQL p50 ≤ 150 ms, KQL ≤ 1.20× the hand-written SQL, translation < 1 ms\n")
	fmt.Fprintf(w, "%d of %d panels met all targets; slowest KQL p50 %.1f ms; largest KQL/SQL ratio %.2f×\n", met, len(r.Panels), worstP50, worstRatio)
	if r.BuildSeconds > 0 {
		fmt.Fprintf(w, "(the dataset took %.0f s to build; later runs reuse it)\n", r.BuildSeconds)
	}
}
