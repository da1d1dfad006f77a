package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/derive"
	"github.com/callscope/callscope/internal/ingest"
	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/query/querytest"
	"github.com/callscope/callscope/internal/report"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/simulate"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/duckdb"
	"github.com/callscope/callscope/internal/workspace"
)

// QueryOptions configure the query benchmark.
type QueryOptions struct {
	Rows int // records in the dataset
	Days int // days the calls spread over
	// Dir holds the dataset; a dataset built earlier with the same rows,
	// days, seed and media choice is reused.
	Dir        string
	Seed       uint64
	Runs       int  // timed runs of each query
	MediaStats bool // also generate the media-stats time series (which no panel reads)
	// MemoryLimit and Threads configure DuckDB as callscope serve does.
	MemoryLimit string
	Threads     int
	Only        string // run only the panels whose name contains this
	// ClickHouse, if set, also loads the dataset into ClickHouse and runs
	// every query there too, beside DuckDB. The copy is dropped at the end.
	ClickHouse *ClickHouseTarget
	Log        io.Writer
}

// QueryReport holds the figures of one run.
type QueryReport struct {
	// ClickHouse is the engine beside DuckDB, when there is one.
	ClickHouse   string           `json:"clickhouse,omitempty"`
	Rows         int64            `json:"rows"`
	Tables       map[string]int64 `json:"tables"`
	BuildSeconds float64          `json:"buildSeconds,omitempty"`
	Timespan     string           `json:"timespan"`
	Runs         int              `json:"runs"`
	Panels       []PanelReport    `json:"panels"`
}

// PanelReport is the timing of one panel: its KQL through the query layer
// against the hand-written SQL for the same answer.
type PanelReport struct {
	Tab         string  `json:"tab"`
	Name        string  `json:"name"`
	ResultRows  int     `json:"resultRows"`
	KQLP50Ms    float64 `json:"kqlP50Ms"`
	KQLP95Ms    float64 `json:"kqlP95Ms"`
	SQLP50Ms    float64 `json:"sqlP50Ms"`
	SQLP95Ms    float64 `json:"sqlP95Ms"`
	Ratio       float64 `json:"ratio"`
	TranslateUs float64 `json:"translateMicroseconds"`
	SameAnswer  bool    `json:"sameAnswer"`
	Difference  string  `json:"difference,omitempty"`
	// ClickHouse is the same KQL on the ClickHouse copy of the dataset.
	ClickHouse *EngineRun `json:"clickhouse,omitempty"`
}

// EngineRun is a panel's KQL on another engine, whose answer is checked
// against DuckDB's.
type EngineRun struct {
	KQLP50Ms   float64 `json:"kqlP50Ms"`
	KQLP95Ms   float64 `json:"kqlP95Ms"`
	SameAnswer bool    `json:"sameAnswer"` // as DuckDB's KQL answer
	Difference string  `json:"difference,omitempty"`
}

const benchWorkspace = "bench"

// Query runs the benchmark.
func Query(ctx context.Context, o QueryOptions) (*QueryReport, error) {
	ds, err := openDataset(ctx, &o)
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	ws, st, end := ds.ws, ds.st, ds.end
	rep := &QueryReport{Runs: o.Runs, Tables: ds.tables, Rows: ds.rows, BuildSeconds: ds.built.Seconds()}
	if ds.ch != nil {
		rep.ClickHouse = ds.ch.Engine()
	}

	// Every panel looks at the 30 days before the dataset's end, as the
	// Insights tabs do by default.
	to := end
	from := to.Add(-30 * 24 * time.Hour)
	rep.Timespan = from.Format(time.RFC3339) + "/" + to.Format(time.RFC3339)
	for _, p := range Panels {
		if o.Only != "" && !strings.Contains(strings.ToLower(p.Tab+" "+p.Name), strings.ToLower(o.Only)) {
			continue
		}
		fmt.Fprintf(o.Log, "timing %s: %s\n", p.Tab, p.Name)
		pr, answer, err := timePanel(ctx, ws, st.Engine(), p, from, to, o.Runs)
		if err != nil {
			return nil, fmt.Errorf("panel %s/%s: %w", p.Tab, p.Name, err)
		}
		if ds.ch != nil {
			if pr.ClickHouse, err = timeKQL(ctx, ds.chws, ds.ch.Engine(), p, from, to, o.Runs, answer); err != nil {
				return nil, fmt.Errorf("panel %s/%s on %s: %w", p.Tab, p.Name, ds.ch.Engine(), err)
			}
		}
		rep.Panels = append(rep.Panels, *pr)
	}
	return rep, nil
}

// timePanel runs a panel's KQL and SQL alternately, after a warm-up, and
// checks that they answer the same. It returns the KQL's answer too.
func timePanel(ctx context.Context, ws store.Workspace, engine string, p Panel, from, to time.Time, runs int) (*PanelReport, *store.Result, error) {
	req := panelRequest(p, from, to)
	sql := strings.NewReplacer("{from}", sqlTime(from), "{to}", sqlTime(to)).Replace(p.SQL)
	pr := &PanelReport{Tab: p.Tab, Name: p.Name}

	// Translation alone: parse, check and write SQL, many times.
	const translations = 200
	var tt []time.Duration
	for range translations {
		start := time.Now()
		if _, err := query.Translate(engine, req); err != nil {
			return nil, nil, err
		}
		tt = append(tt, time.Since(start))
	}
	pr.TranslateUs = float64(percentile(sortedCopy(tt), 0.5).Nanoseconds()) / 1e3

	runKQL := func() (*store.Result, time.Duration, error) {
		start := time.Now()
		r, err := query.Run(ctx, ws, engine, req)
		if err != nil {
			return nil, 0, err
		}
		return &r.Result, time.Since(start), nil
	}
	runSQL := func() (*store.Result, time.Duration, error) {
		start := time.Now()
		r, err := ws.Query(ctx, sql, store.QueryOptions{MaxRows: 100_000, Timeout: 5 * time.Minute})
		return r, time.Since(start), err
	}
	kr, _, err := runKQL()
	if err != nil {
		return nil, nil, fmt.Errorf("KQL: %w", err)
	}
	sr, _, err := runSQL()
	if err != nil {
		return nil, nil, fmt.Errorf("SQL: %w", err)
	}
	pr.ResultRows = len(kr.Rows)
	pr.SameAnswer, pr.Difference = sameAnswer(kr, sr, strings.Contains(p.KQL, "order by") || strings.Contains(p.KQL, "top "))

	var kt, st []time.Duration
	for range runs {
		_, d, err := runKQL()
		if err != nil {
			return nil, nil, err
		}
		kt = append(kt, d)
		_, d, err = runSQL()
		if err != nil {
			return nil, nil, err
		}
		st = append(st, d)
	}
	kt, st = sortedCopy(kt), sortedCopy(st)
	pr.KQLP50Ms, pr.KQLP95Ms = ms(percentile(kt, 0.5)), ms(percentile(kt, 0.95))
	pr.SQLP50Ms, pr.SQLP95Ms = ms(percentile(st, 0.5)), ms(percentile(st, 0.95))
	pr.Ratio = pr.KQLP50Ms / pr.SQLP50Ms
	return pr, kr, nil
}

// panelRequest is a panel's KQL over [from, to].
func panelRequest(p Panel, from, to time.Time) query.Request {
	return query.Request{Query: p.KQL, Now: to, From: &from, To: &to, MaxRows: 100_000, Timeout: 5 * time.Minute}
}

// timeKQL runs a panel's KQL on another engine, after a warm-up, and
// checks its answer against want.
func timeKQL(ctx context.Context, ws store.Workspace, engine string, p Panel, from, to time.Time, runs int, want *store.Result) (*EngineRun, error) {
	req := panelRequest(p, from, to)
	r, err := query.Run(ctx, ws, engine, req)
	if err != nil {
		return nil, err
	}
	run := &EngineRun{}
	run.SameAnswer, run.Difference = sameAnswer(&r.Result, want, strings.Contains(p.KQL, "order by") || strings.Contains(p.KQL, "top "))
	var took []time.Duration
	for range runs {
		start := time.Now()
		if _, err := query.Run(ctx, ws, engine, req); err != nil {
			return nil, err
		}
		took = append(took, time.Since(start))
	}
	took = sortedCopy(took)
	run.KQLP50Ms, run.KQLP95Ms = ms(percentile(took, 0.5)), ms(percentile(took, 0.95))
	return run, nil
}

// sameAnswer compares two results value by value (column names aside),
// in order when the query orders its rows.
func sameAnswer(a, b *store.Result, ordered bool) (bool, string) {
	rows := func(r *store.Result) []string {
		out := make([]string, len(r.Rows))
		for i, row := range r.Rows {
			cells := make([]string, len(row))
			for j, v := range row {
				cells[j] = querytest.Format(normalizeValue(v), r.Columns[j].Type)
			}
			out[i] = strings.Join(cells, " | ")
		}
		if !ordered {
			sort.Strings(out)
		}
		return out
	}
	ra, rb := rows(a), rows(b)
	if len(ra) != len(rb) {
		return false, fmt.Sprintf("%d rows against %d", len(ra), len(rb))
	}
	for i := range ra {
		if ra[i] != rb[i] {
			return false, fmt.Sprintf("row %d: %s against %s", i+1, ra[i], rb[i])
		}
	}
	return true, ""
}

// normalizeValue makes the engine's types of one value comparable: the
// SQL side returns some integers as reals and leaves null strings null.
func normalizeValue(v any) any {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		return float64(x)
	}
	return v
}

func sqlTime(t time.Time) string {
	return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05.999999") + "'"
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sortedCopy sorts timings for percentile.
func sortedCopy(d []time.Duration) []time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

func openRegistry(dir string) (*workspace.Registry, error) {
	b, err := workspace.OpenFile(dir)
	if err != nil {
		return nil, err
	}
	return workspace.Open(b)
}

// benchDataset is the benchmark's workspace, open.
type benchDataset struct {
	st     store.Store
	ws     store.Workspace
	end    time.Time        // the end of the dataset's window
	built  time.Duration    // how long building took (0 when reused)
	tables map[string]int64 // rows per table
	rows   int64
	close  []func() error

	// ch and chws are the copy of the dataset in ClickHouse, if asked for.
	ch   store.Store
	chws store.Workspace
}

func (d *benchDataset) Close() error {
	var first error
	for i := len(d.close) - 1; i >= 0; i-- {
		if err := d.close[i](); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// openDataset checks o (and gives it a log), builds or finds its dataset
// and opens its workspace.
func openDataset(ctx context.Context, o *QueryOptions) (*benchDataset, error) {
	if o.Rows <= 0 || o.Days <= 0 || o.Runs <= 0 {
		return nil, errors.New("bench: rows, days and runs must be positive")
	}
	if o.Dir == "" {
		return nil, errors.New("bench: name the dataset folder")
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	dir := filepath.Join(o.Dir, fmt.Sprintf("rows%d-days%d-seed%d-media%t", o.Rows, o.Days, o.Seed, o.MediaStats))
	end, built, err := dataset(ctx, *o, dir)
	if err != nil {
		return nil, err
	}
	ds := &benchDataset{end: end, built: built, tables: map[string]int64{}}
	st, err := duckdb.Open(duckdb.Options{Dir: dir, MemoryLimit: o.MemoryLimit, Threads: o.Threads, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	ds.st, ds.close = st, append(ds.close, st.Close)
	reg, err := openRegistry(dir)
	if err != nil {
		ds.Close()
		return nil, err
	}
	ds.close = append(ds.close, reg.Close)
	w, err := reg.Workspace(benchWorkspace)
	ref := store.WorkspaceRef{Name: w.Name, ID: w.ID}
	if err == nil {
		ds.ws, err = st.Workspace(ctx, ref)
	}
	if err != nil {
		ds.Close()
		return nil, err
	}
	if ds.tables, err = tableRows(ctx, ds.ws); err != nil {
		ds.Close()
		return nil, err
	}
	for _, n := range ds.tables {
		ds.rows += n
	}
	if o.ClickHouse != nil {
		if err := ds.copyToClickHouse(ctx, *o, reg, ref); err != nil {
			ds.Close()
			return nil, err
		}
	}
	return ds, nil
}

// tableRows counts the rows of each table of ws that has any.
func tableRows(ctx context.Context, ws store.Workspace) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range schema.Tables() {
		r, err := ws.Query(ctx, "SELECT count(*) FROM "+quoteIdent(t.Name), store.QueryOptions{})
		if err != nil {
			return nil, err
		}
		if n, _ := r.Rows[0][0].(int64); n > 0 {
			out[t.Name] = n
		}
	}
	return out, nil
}

// copyToClickHouse loads the same dataset into a workspace of the same
// name on ClickHouse, and checks that every table holds as many rows as
// on DuckDB.
func (d *benchDataset) copyToClickHouse(ctx context.Context, o QueryOptions, reg *workspace.Registry, ref store.WorkspaceRef) error {
	chb, err := openClickHouseBench(ctx, *o.ClickHouse, o.Dir, o.Log)
	if err != nil {
		return err
	}
	d.close = append(d.close, func() error { return chb.Close(context.Background(), false) })
	st, err := chb.open(ctx)
	if err != nil {
		return err
	}
	d.close = append(d.close, st.Close)
	ws, err := st.Workspace(ctx, ref)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := fill(ctx, o, st, reg, ws, d.end.Add(-time.Duration(o.Days)*24*time.Hour), d.end); err != nil {
		return err
	}
	fmt.Fprintf(o.Log, "loaded into %s in %s\n", st.Engine(), time.Since(start).Round(time.Second))
	counts, err := tableRows(ctx, ws)
	if err != nil {
		return err
	}
	for name, n := range d.tables {
		if counts[name] != n {
			return fmt.Errorf("the ClickHouse copy of %s holds %d rows, DuckDB %d", name, counts[name], n)
		}
	}
	d.ch, d.chws = st, ws
	return nil
}

// dataset builds the benchmark's workspace from the simulator, or finds
// the one an earlier run built. It returns the end of the dataset's window
// and how long building took (0 when reused).
func dataset(ctx context.Context, o QueryOptions, dir string) (time.Time, time.Duration, error) {
	marker := filepath.Join(dir, "dataset-end")
	if b, err := os.ReadFile(marker); err == nil {
		end, err := time.Parse(time.RFC3339, strings.TrimSpace(string(b)))
		if err == nil {
			fmt.Fprintf(o.Log, "reusing the dataset in %s\n", dir)
			return end, 0, nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return time.Time{}, 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return time.Time{}, 0, err
	}
	start := time.Now()
	// A fixed window keeps the dataset the same from run to run.
	end := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	begin := end.Add(-time.Duration(o.Days) * 24 * time.Hour)

	reg, err := openRegistry(dir)
	if err != nil {
		return time.Time{}, 0, err
	}
	defer reg.Close()
	w, err := reg.CreateWorkspace(benchWorkspace)
	if err != nil {
		return time.Time{}, 0, err
	}
	st, err := duckdb.Open(duckdb.Options{Dir: dir, MemoryLimit: o.MemoryLimit, Threads: o.Threads, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return time.Time{}, 0, err
	}
	defer st.Close()
	ws, err := st.Workspace(ctx, store.WorkspaceRef{Name: w.Name, ID: w.ID})
	if err != nil {
		return time.Time{}, 0, err
	}

	if err := fill(ctx, o, st, reg, ws, begin, end); err != nil {
		return time.Time{}, 0, err
	}
	if err := os.WriteFile(marker, []byte(end.Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return time.Time{}, 0, err
	}
	return end, time.Since(start), nil
}

// fill loads the dataset of o into ws of st: the simulator's records
// between begin and end, then the daily calling metrics that the derive
// job computes. The simulator is deterministic, so every store filled
// with the same options holds the same rows.
func fill(ctx context.Context, o QueryOptions, st store.Store, reg *workspace.Registry, ws store.Workspace, begin, end time.Time) error {
	calls, err := callsFor(o)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Log, "building the dataset on %s: %s calls over %d days, about %s records\n",
		st.Engine(), report.Thousands(int64(calls)), o.Days, report.Thousands(int64(o.Rows)))

	// The simulator writes NDJSON into a pipe that the ingester reads,
	// as callscope import would read a file.
	pr, pw := io.Pipe()
	genErr := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(pw, 1<<20)
		write := simulate.WriteNDJSON(bw)
		_, err := simulate.Generate(simulate.Options{Seed: o.Seed, Calls: calls, From: begin, To: end, Finals: true, Omit: omitted(o)}, write)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
		genErr <- err
	}()
	in := ingest.New(decode.Limits{}.WithDefaults(), func(string) (string, bool) { return "", false })
	everything := []store.Workspace{ws}
	target := ingest.Target{Source: "bench", Errors: ws, Route: func(*schema.Table, string) []store.Workspace { return everything }}
	prog := report.NewProgress(o.Log, "load", 0)
	sum, err := in.Stream(ctx, pr, target, 50_000, func(bytes int64, records int) { prog.Update(bytes, int64(records)) })
	pr.CloseWithError(err) // stop the simulator if the load failed
	if err != nil {
		return err
	}
	if err := <-genErr; err != nil {
		return err
	}
	prog.Done(sum.Bytes, int64(sum.Records))

	// The daily calling metrics, day by day, as the derive job computes
	// them at the end of each day.
	clock := &fixedClock{}
	jobs := derive.New(derive.Config{Store: st, Registry: reg, Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	for day := begin.Add(24 * time.Hour); !day.After(end.Add(24 * time.Hour)); day = day.Add(24 * time.Hour) {
		clock.t = day.Add(-time.Minute)
		if err := jobs.Run1(ctx, derive.JobRollup); err != nil {
			return fmt.Errorf("calling metrics for %s: %w", day.Format("2006-01-02"), err)
		}
	}
	return nil
}

// omitted lists the categories the dataset leaves out.
func omitted(o QueryOptions) []string {
	if o.MediaStats {
		return nil
	}
	return []string{"CallClientMediaStatsTimeSeries"}
}

// callsFor estimates how many calls make o.Rows records, from a small run.
func callsFor(o QueryOptions) (int, error) {
	const sample = 200
	counts, err := simulate.Generate(simulate.Options{Seed: o.Seed + 1000, Calls: sample, Finals: true, Omit: omitted(o)},
		func(simulate.Record) error { return nil })
	if err != nil {
		return 0, err
	}
	perCall := float64(counts.Total()) / sample
	return max(1, int(float64(o.Rows)/perCall)), nil
}

// fixedClock is the time the derive jobs think it is.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }
