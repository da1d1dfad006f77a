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

	// bench ingest on ClickHouse as well
	store              string
	clickhouseUser     string
	clickhousePassword string
	clickhouseServer   bool

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
	fs.StringVar(&c.store, "store", "", "also run on this ClickHouse server, beside DuckDB: clickhouse://host:8123/prefix (databases prefix_* must not exist; they are dropped at the end, with ingest's --keep kept)")
	fs.StringVar(&c.clickhouseUser, "clickhouse-user", "", "ClickHouse user for --store")
	fs.StringVar(&c.clickhousePassword, "clickhouse-password", os.Getenv("CALLSCOPE_CLICKHOUSE_PASSWORD"), "ClickHouse password for --store (default $CALLSCOPE_CLICKHOUSE_PASSWORD)")
	fs.BoolVar(&c.clickhouseServer, "clickhouse-server", false, "also run on a ClickHouse server started for the run from Debian's clickhouse-server package, beside DuckDB")
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
	clickhouse, err := c.clickhouseTarget()
	if err != nil {
		return err
	}
	rep, err := bench.Ingest(ctx, bench.IngestOptions{
		Records: c.records, Clients: c.clients, BatchBytes: int(c.batchMB * (1 << 20)), Seed: c.seed,
		Dir: c.dir, Keep: c.keep || c.dir != "", Binary: exe, MemoryLimit: c.memoryLimit, Profile: c.profile,
		ClickHouse: clickhouse, Log: os.Stderr,
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

// clickhouseTarget is the ClickHouse server the flags name, nil for none.
func (c *benchCmd) clickhouseTarget() (*bench.ClickHouseTarget, error) {
	switch {
	case c.store != "" && c.clickhouseServer:
		return nil, usagef("give either --store or --clickhouse-server")
	case c.store != "":
		if err := checkStoreURL(c.store); err != nil {
			return nil, err
		}
		return &bench.ClickHouseTarget{URL: c.store, User: c.clickhouseUser, Password: c.clickhousePassword}, nil
	case c.clickhouseServer:
		return &bench.ClickHouseTarget{Start: true}, nil
	}
	return nil, nil
}

// printIngestReport shows each store's figures beside its engine's own
// load of the same file, and the targets.
func printIngestReport(w io.Writer, r *bench.IngestReport) {
	fmt.Fprintf(w, "\ncallscope bench ingest: %s records of the simulator's mix (%s NDJSON), %d clients, %.1f MB bodies\n\n",
		report.Thousands(int64(r.Records)), report.Bytes(r.NDJSONBytes), r.Clients, float64(r.BatchBytes)/(1<<20))
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	runs := []*bench.ServerRun{&r.DuckDB}
	bases := []*bench.Baseline{&r.DuckDBBaseline}
	if r.ClickHouse != nil {
		runs, bases = append(runs, r.ClickHouse), append(bases, r.ClickHouseBaseline)
	}
	header := []string{""}
	for i, run := range runs {
		header = append(header, "callscope on "+run.Store, bases[i].What)
	}
	t := &report.Table{Header: append(header, "target (callscope)")}
	// row adds one figure: for each store, callscope's and the baseline's,
	// then the target and whether every store met it.
	row := func(name string, fig func(*bench.ServerRun) string, base func(*bench.Baseline) string, target string, met func(*bench.ServerRun) bool) {
		cells := []any{name}
		all := true
		for i, run := range runs {
			cells = append(cells, fig(run), base(bases[i]))
			if met != nil && !met(run) {
				all = false
			}
		}
		if met != nil {
			target += ": " + verdict(all)
		}
		t.Add(append(cells, target)...)
	}
	none := func(*bench.Baseline) string { return "" }
	row("records/s", func(s *bench.ServerRun) string { return report.Thousands(int64(s.RecordsPerSec)) },
		func(b *bench.Baseline) string { return report.Thousands(int64(b.RowsPerSec)) },
		"≥ 250,000", func(s *bench.ServerRun) bool { return s.RecordsPerSec >= 250_000 })
	row("ratio to the baseline", func(s *bench.ServerRun) string { return fmt.Sprintf("%.2f×", s.Ratio) },
		func(*bench.Baseline) string { return "1.00×" }, "≥ 0.60×", func(s *bench.ServerRun) bool { return s.Ratio >= 0.6 })
	row("MB/s of NDJSON", func(s *bench.ServerRun) string { return fmt.Sprintf("%.1f", s.MBPerSec) },
		func(b *bench.Baseline) string { return fmt.Sprintf("%.1f", float64(r.NDJSONBytes)/1e6/b.Seconds) }, "", nil)
	row("wall time", func(s *bench.ServerRun) string { return fmt.Sprintf("%.1f s", s.Seconds) },
		func(b *bench.Baseline) string { return fmt.Sprintf("%.1f s", b.Seconds) }, "", nil)
	row("request latency p50", func(s *bench.ServerRun) string { return fmt.Sprintf("%.0f ms", s.LatencyP50Ms) }, none, "", nil)
	row("request latency p99", func(s *bench.ServerRun) string { return fmt.Sprintf("%.0f ms", s.LatencyP99Ms) }, none, "", nil)
	perRecord := func(cpuSec float64) string { return fmt.Sprintf("%.1f µs", 1e6*cpuSec/float64(r.Records)) }
	row("CPU per record (callscope)", func(s *bench.ServerRun) string { return perRecord(s.ServerCPUSec) }, none, "", nil)
	row("CPU per record (ClickHouse)", func(s *bench.ServerRun) string {
		if s.EngineCPUSec == 0 {
			return ""
		}
		return perRecord(s.EngineCPUSec)
	}, none, "", nil)
	row("CPU per record (client)", func(s *bench.ServerRun) string { return perRecord(s.ClientCPUSec) }, none, "", nil)
	row("commits (group)", func(s *bench.ServerRun) string {
		if s.Commits == 0 {
			return ""
		}
		return fmt.Sprintf("%s, %s rows each", report.Thousands(int64(s.Commits)), report.Thousands(int64(s.RowsPerCommit)))
	}, none, "", nil)
	row("commit latency mean", func(s *bench.ServerRun) string {
		if s.Commits == 0 {
			return ""
		}
		return fmt.Sprintf("%.0f ms", s.CommitMs)
	}, none, "", nil)
	row("peak RSS (callscope)", func(s *bench.ServerRun) string { return report.Bytes(s.PeakRSSBytes) }, none,
		"≤ 1.0 GB", func(s *bench.ServerRun) bool { return s.PeakRSSBytes <= 1<<30 })
	row("on disk", func(s *bench.ServerRun) string { return report.Bytes(s.DiskBytes) },
		func(b *bench.Baseline) string { return report.Bytes(b.DiskBytes) }, "", nil)
	row("on disk / NDJSON", func(s *bench.ServerRun) string { return fmt.Sprintf("%.1f%%", 100*s.DiskRatio) },
		func(b *bench.Baseline) string {
			return fmt.Sprintf("%.1f%%", 100*float64(b.DiskBytes)/float64(r.NDJSONBytes))
		},
		"≤ 5%", func(s *bench.ServerRun) bool { return s.DiskRatio <= 0.05 })
	row("rows stored", func(s *bench.ServerRun) string { return report.Thousands(int64(s.Accepted)) },
		func(b *bench.Baseline) string { return report.Thousands(b.Rows) }, "", nil)
	t.Write(w)
	for i, run := range runs {
		if bases[i].Note != "" {
			fmt.Fprintf(w, "%s: %s\n", bases[i].What, bases[i].Note)
		}
		if run.Rejected > 0 {
			fmt.Fprintf(w, "callscope on %s: %s records were rejected (see the IngestionErrors table)\n", run.Store, report.Thousands(int64(run.Rejected)))
		}
		if run.ProfileTop != "" {
			fmt.Fprintf(w, "\nTop of callscope's CPU profile on %s:\n%s", run.Store, indent(run.ProfileTop))
		}
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
	o := c.datasetOptions()
	var err error
	if o.ClickHouse, err = c.clickhouseTarget(); err != nil {
		return err
	}
	rep, err := bench.Calls(ctx, bench.CallsOptions{QueryOptions: o, Calls: c.calls})
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
	header := []string{"what", "runs", "rows", "p50", "p95", "max", "target", "verdict"}
	if r.ClickHouse != nil {
		header = append(header, r.ClickHouse.Engine+" p50", "p95", "max")
	}
	t := &report.Table{Header: header}
	msCell := func(v float64) string { return fmt.Sprintf("%.1f ms", v) }
	other := func(tm bench.Timing) []any {
		return []any{msCell(tm.P50), msCell(tm.P95), msCell(tm.Max)}
	}
	cells := []any{fmt.Sprintf("call detail: overview + issues + timeline (participants %d–%d, median %d; timeline events %d–%d, median %d)",
		r.Participants.Min, r.Participants.Max, r.Participants.Median, r.Events.Min, r.Events.Max, r.Events.Median),
		r.Detail.N, "", msCell(r.Detail.P50), msCell(r.Detail.P95), msCell(r.Detail.Max),
		fmt.Sprintf("p95 ≤ %d ms", bench.DetailTargetMs), verdict}
	if r.ClickHouse != nil {
		cells = append(cells, other(r.ClickHouse.Detail)...)
	}
	t.Add(cells...)
	for i, s := range r.Searches {
		cells := []any{"search: " + s.Name, s.Timing.N, s.Rows, msCell(s.Timing.P50), msCell(s.Timing.P95), msCell(s.Timing.Max), "", ""}
		if r.ClickHouse != nil && i < len(r.ClickHouse.Searches) {
			cells = append(cells, other(r.ClickHouse.Searches[i].Timing)...)
		}
		t.Add(cells...)
	}
	t.Write(w)
	if r.BuildSeconds > 0 {
		fmt.Fprintf(w, "(the dataset took %.0f s to build; later runs reuse it)\n", r.BuildSeconds)
	}
}

// runQuery times the Insights panel queries in KQL against hand-written SQL.
func (c *benchCmd) runQuery(ctx context.Context) error {
	o := c.datasetOptions()
	var err error
	if o.ClickHouse, err = c.clickhouseTarget(); err != nil {
		return err
	}
	rep, err := bench.Query(ctx, o)
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
		if p.ClickHouse != nil && !p.ClickHouse.SameAnswer {
			return fmt.Errorf("panel %s/%s: %s answers differently from DuckDB: %s", p.Tab, p.Name, rep.ClickHouse, p.ClickHouse.Difference)
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
	header := []string{"tab", "panel", "rows", "KQL p50", "SQL p50", "KQL/SQL", "KQL p95", "translate", "same answer", "verdict"}
	if r.ClickHouse != "" {
		header = append(header, r.ClickHouse+" KQL p50", "KQL p95", "same answer")
	}
	t := &report.Table{Header: header}
	met := 0
	worstRatio, worstP50 := 0.0, 0.0
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "NO"
	}
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
		cells := []any{p.Tab, p.Name, p.ResultRows, fmt.Sprintf("%.1f ms", p.KQLP50Ms), fmt.Sprintf("%.1f ms", p.SQLP50Ms),
			fmt.Sprintf("%.2f×", p.Ratio), fmt.Sprintf("%.1f ms", p.KQLP95Ms), fmt.Sprintf("%.0f µs", p.TranslateUs), yes(p.SameAnswer), verdict}
		if c := p.ClickHouse; c != nil {
			cells = append(cells, fmt.Sprintf("%.1f ms", c.KQLP50Ms), fmt.Sprintf("%.1f ms", c.KQLP95Ms), yes(c.SameAnswer))
		}
		t.Add(cells...)
	}
	t.Write(w)
	fmt.Fprintf(w, "\ntargets (DuckDB): KQL p50 ≤ 150 ms, KQL ≤ 1.20× the hand-written SQL, translation < 1 ms\n")
	if r.ClickHouse != "" {
		fmt.Fprintf(w, "%s runs the same KQL on a copy of the same dataset; its answers are compared with DuckDB's\n", r.ClickHouse)
	}
	fmt.Fprintf(w, "%d of %d panels met all targets; slowest KQL p50 %.1f ms; largest KQL/SQL ratio %.2f×\n", met, len(r.Panels), worstP50, worstRatio)
	if r.BuildSeconds > 0 {
		fmt.Fprintf(w, "(the dataset took %.0f s to build; later runs reuse it)\n", r.BuildSeconds)
	}
}
