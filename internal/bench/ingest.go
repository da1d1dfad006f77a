// Package bench measures callscope against the targets of the design
// (DESIGN §8), each figure printed beside the baseline it is judged by.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/callscope/callscope/internal/loopback"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the baseline loads with DuckDB's own read_json

	"github.com/callscope/callscope/internal/report"
	"github.com/callscope/callscope/internal/simulate"
)

// IngestOptions configure the ingest benchmark.
type IngestOptions struct {
	Records     int    // records to generate and send
	Clients     int    // concurrent HTTP clients
	BatchBytes  int    // target size of one request body
	Seed        uint64 // simulator seed
	Dir         string // work folder; a temporary one if empty
	Keep        bool   // keep the work folder
	Binary      string // the callscope executable to run as the server
	MemoryLimit string // the server's DuckDB memory limit
	Profile     string // if set, write the server's CPU profile here
	// ClickHouse, if set, also runs the benchmark with callscope on
	// ClickHouse, against ClickHouse's own load of the same file.
	ClickHouse *ClickHouseTarget
	Log        io.Writer
}

// IngestReport holds the figures of one run: callscope on each store
// beside its engine's own load of the same file.
type IngestReport struct {
	Records     int   `json:"records"`
	NDJSONBytes int64 `json:"ndjsonBytes"`
	Clients     int   `json:"clients"`
	BatchBytes  int   `json:"batchBytes"`

	DuckDB             ServerRun  `json:"duckdb"`
	DuckDBBaseline     Baseline   `json:"duckdbBaseline"`
	ClickHouse         *ServerRun `json:"clickhouse,omitempty"`
	ClickHouseBaseline *Baseline  `json:"clickhouseBaseline,omitempty"`
}

// ServerRun is callscope serve on one store, fed the file over HTTP.
type ServerRun struct {
	Store         string  `json:"store"` // the engine and its version
	Requests      int     `json:"requests"`
	Seconds       float64 `json:"seconds"`
	RecordsPerSec float64 `json:"recordsPerSecond"`
	MBPerSec      float64 `json:"mbPerSecond"`
	LatencyP50Ms  float64 `json:"latencyP50Ms"`
	LatencyP99Ms  float64 `json:"latencyP99Ms"`
	PeakRSSBytes  int64   `json:"peakRssBytes"` // callscope's own
	DiskBytes     int64   `json:"diskBytes"`
	DiskRatio     float64 `json:"diskRatio"`
	Accepted      int     `json:"accepted"`
	Rejected      int     `json:"rejected"`
	// Ratio is RecordsPerSec over the baseline's rows per second.
	Ratio        float64 `json:"ratioToBaseline"`
	ServerCPUSec float64 `json:"serverCpuSeconds"`
	// EngineCPUSec is the CPU time of a ClickHouse server the benchmark
	// started itself (0 otherwise, and for DuckDB, which runs inside
	// callscope).
	EngineCPUSec  float64 `json:"engineCpuSeconds,omitempty"`
	ClientCPUSec  float64 `json:"clientCpuSeconds"`
	Commits       int     `json:"commits"`
	RowsPerCommit float64 `json:"rowsPerCommit"`
	CommitMs      float64 `json:"commitMeanMs"`
	ProfileTop    string  `json:"profileTop,omitempty"`
}

// Baseline is an engine's own load of the same file.
type Baseline struct {
	What       string  `json:"what"`
	Seconds    float64 `json:"seconds"`
	Rows       int64   `json:"rows"`
	RowsPerSec float64 `json:"rowsPerSecond"`
	DiskBytes  int64   `json:"diskBytes"`
	// Note says what the load leaves out, where it does less than
	// callscope.
	Note string `json:"note,omitempty"`
}

// Ingest runs the benchmark.
func Ingest(ctx context.Context, o IngestOptions) (*IngestReport, error) {
	if o.Records <= 0 || o.Clients <= 0 || o.BatchBytes <= 0 {
		return nil, errors.New("bench ingest: records, clients and batch size must be positive")
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "callscope-bench-")
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if !o.Keep {
		defer os.RemoveAll(dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}

	// ClickHouse first, so that a server that cannot be reached or a
	// prefix already in use stops the run before the long parts.
	var chs *clickHouseBench
	if o.ClickHouse != nil {
		var err error
		if chs, err = openClickHouseBench(ctx, *o.ClickHouse, dir, o.Log); err != nil {
			return nil, err
		}
		defer chs.Close(ctx, o.Keep)
	}

	rep := &IngestReport{Records: o.Records, Clients: o.Clients, BatchBytes: o.BatchBytes}
	// The calls of the week before today: recent enough that no retention
	// removes them while the server runs.
	from := time.Now().UTC().Truncate(24 * time.Hour).Add(-7 * 24 * time.Hour)
	file := filepath.Join(dir, fmt.Sprintf("mix-%d-seed%d-%s.ndjson", o.Records, o.Seed, from.Format("20060102")))
	size, err := generate(file, o, from)
	if err != nil {
		return nil, err
	}
	rep.NDJSONBytes = size

	data := filepath.Join(dir, "data")
	os.RemoveAll(data)
	duck := &rep.DuckDB
	duck.Store = "DuckDB"
	onDuckDB := serveOn{args: []string{"--data", data}, profile: o.Profile}
	if o.MemoryLimit != "" {
		onDuckDB.args = append(onDuckDB.args, "--memory-limit", o.MemoryLimit)
	}
	if err := runServerBench(ctx, o, onDuckDB, file, rep.NDJSONBytes, duck); err != nil {
		return nil, err
	}
	duck.DiskBytes = dirSize(data)
	if rep.DuckDBBaseline, err = duckdbBaseline(ctx, o, dir, file); err != nil {
		return nil, err
	}
	duck.DiskRatio = float64(duck.DiskBytes) / float64(rep.NDJSONBytes)
	duck.Ratio = duck.RecordsPerSec / rep.DuckDBBaseline.RowsPerSec

	if chs != nil {
		run := &ServerRun{Store: "ClickHouse " + chs.version.String()}
		on := chs.serveOn()
		if o.Profile != "" {
			on.profile = strings.TrimSuffix(o.Profile, filepath.Ext(o.Profile)) + "-clickhouse" + filepath.Ext(o.Profile)
		}
		if err := runServerBench(ctx, o, on, file, rep.NDJSONBytes, run); err != nil {
			return nil, err
		}
		if run.DiskBytes, err = chs.diskBytes(ctx, chs.prefix+"_"); err != nil {
			return nil, err
		}
		base, err := chs.baseline(ctx, file, o.Log)
		if err != nil {
			return nil, err
		}
		run.DiskRatio = float64(run.DiskBytes) / float64(rep.NDJSONBytes)
		run.Ratio = run.RecordsPerSec / base.RowsPerSec
		rep.ClickHouse, rep.ClickHouseBaseline = run, base
	}
	return rep, nil
}

var errEnough = errors.New("enough records")

// generate writes the simulator's mix of records to an NDJSON file, or
// reuses one from an earlier run with the same size and seed.
func generate(path string, o IngestOptions, from time.Time) (int64, error) {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		fmt.Fprintf(o.Log, "reusing %s\n", path)
		return st.Size(), nil
	}
	f, err := os.Create(path + ".part")
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	write := simulate.WriteNDJSON(w)
	n := 0
	start := time.Now()
	_, err = simulate.Generate(simulate.Options{
		Seed: o.Seed, Calls: max(o.Records/50, 100), From: from, To: from.Add(7 * 24 * time.Hour), Finals: true,
		// DuckDB's read_json, the baseline, guesses its columns from a
		// sample of lines; the few flat Application Insights records
		// would not fit the columns it guessed from the ACS ones.
		Omit: []string{"AppEvents"},
	}, func(r simulate.Record) error {
		if n == o.Records {
			return errEnough
		}
		n++
		if n%200_000 == 0 {
			fmt.Fprintf(o.Log, "generating: %s of %s records, %s\n", report.Thousands(int64(n)), report.Thousands(int64(o.Records)), time.Since(start).Round(time.Second))
		}
		return write(r)
	})
	if err != nil && !errors.Is(err, errEnough) {
		f.Close()
		return 0, err
	}
	if n < o.Records {
		f.Close()
		return 0, fmt.Errorf("the simulator produced %d records, fewer than %d", n, o.Records)
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return 0, err
	}
	if err := os.Rename(path+".part", path); err != nil {
		return 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(o.Log, "generated %s records (%s) in %s\n", report.Thousands(int64(n)), report.Bytes(st.Size()), time.Since(start).Round(time.Millisecond))
	return st.Size(), nil
}

// serveOn is how the benchmark runs callscope serve on one store.
type serveOn struct {
	args      []string // the flags that name the store
	env       []string // added to the server's environment
	profile   string   // if set, the server's CPU profile is written here
	enginePid int      // if not 0, a ClickHouse server whose CPU time is measured too
}

// runServerBench starts a real callscope server on a store, posts the file
// with concurrent clients and measures.
func runServerBench(ctx context.Context, o IngestOptions, on serveOn, file string, size int64, run *ServerRun) error {
	port, err := loopback.FreePort()
	if err != nil {
		return err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	args := append([]string{"serve", "--listen", "127.0.0.1:" + strconv.Itoa(port), "--log-level", "warn",
		"--max-concurrent-ingest", strconv.Itoa(o.Clients)}, on.args...)
	if on.profile != "" {
		args = append(args, "--pprof")
	}
	cmd := exec.CommandContext(ctx, o.Binary, args...)
	cmd.Env = append(os.Environ(), on.env...)
	cmd.Stdout, cmd.Stderr = o.Log, o.Log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the server: %w", err)
	}
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	if err := waitReady(ctx, base, 60*time.Second); err != nil {
		return err
	}
	if err := simulate.Register(ctx, base, "", nil, "default"); err != nil {
		return err
	}
	fmt.Fprintf(o.Log, "callscope on %s: server %s (pid %d) is ready; posting with %d clients\n", run.Store, base, cmd.Process.Pid, o.Clients)

	var profile chan error
	if on.profile != "" {
		profile = make(chan error, 1)
		go func() { profile <- captureProfile(ctx, base, on.profile, 2*time.Second, 10*time.Second) }()
	}

	engineCPU := 0.0
	if on.enginePid != 0 {
		engineCPU = cpuSeconds(on.enginePid)
	}
	if err := post(ctx, o, base, file, size, run); err != nil {
		return err
	}
	run.PeakRSSBytes = peakRSS(cmd.Process.Pid)
	run.ServerCPUSec = cpuSeconds(cmd.Process.Pid)
	if on.enginePid != 0 {
		run.EngineCPUSec = cpuSeconds(on.enginePid) - engineCPU
	}
	if m, err := scrapeMetrics(base); err == nil {
		run.Commits = int(m["callscope_store_commit_duration_seconds_count"])
		if run.Commits > 0 {
			run.RowsPerCommit = m["callscope_store_commit_rows_sum"] / float64(run.Commits)
			run.CommitMs = 1000 * m["callscope_store_commit_duration_seconds_sum"] / float64(run.Commits)
		}
	}
	if profile != nil {
		if err := <-profile; err != nil {
			fmt.Fprintf(o.Log, "profile: %v\n", err)
		} else {
			run.ProfileTop = profileTop(o.Binary, on.profile)
		}
	}

	// A graceful stop checkpoints, so a data folder holds the compressed
	// tables.
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("the server did not stop cleanly: %w", err)
	}
	return nil
}

// post sends the file in batches of about BatchBytes, cut at line ends,
// from several clients at once.
func post(ctx context.Context, o IngestOptions, base, file string, size int64, rep *ServerRun) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	batches := make(chan []byte, o.Clients)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		br := bufio.NewReaderSize(f, 1<<20)
		for {
			b := make([]byte, 0, o.BatchBytes+64<<10)
			for len(b) < o.BatchBytes {
				line, err := br.ReadSlice('\n')
				b = append(b, line...)
				if errors.Is(err, bufio.ErrBufferFull) {
					continue
				}
				if err == io.EOF {
					if len(b) > 0 {
						batches <- b
					}
					readErr <- nil
					return
				}
				if err != nil {
					readErr <- err
					return
				}
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
		}
	}()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients}, Timeout: 5 * time.Minute}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		accepted  atomic.Int64
		rejected  atomic.Int64
		firstErr  error
		wg        sync.WaitGroup
	)
	start := time.Now()
	cpuStart := selfCPU()
	defer func() { rep.ClientCPUSec = selfCPU() - cpuStart }()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				n := accepted.Load()
				fmt.Fprintf(o.Log, "  %s of %s records, %s/s\n", report.Thousands(n), report.Thousands(int64(o.Records)), report.Thousands(int64(float64(n)/time.Since(start).Seconds())))
			case <-done:
				return
			}
		}
	}()
	for range o.Clients {
		wg.Go(func() {
			for b := range batches {
				t0 := time.Now()
				acc, rej, err := postBatch(ctx, client, base+"/v1/ingest", b)
				d := time.Since(t0)
				mu.Lock()
				latencies = append(latencies, d)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				accepted.Add(int64(acc))
				rejected.Add(int64(rej))
			}
		})
	}
	wg.Wait()
	close(done)
	elapsed := time.Since(start)
	if err := <-readErr; err != nil {
		return err
	}
	if firstErr != nil {
		return firstErr
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	rep.Requests = len(latencies)
	rep.Seconds = elapsed.Seconds()
	rep.Accepted = int(accepted.Load())
	rep.Rejected = int(rejected.Load())
	rep.RecordsPerSec = float64(rep.Accepted+rep.Rejected) / elapsed.Seconds()
	rep.MBPerSec = float64(size) / 1e6 / elapsed.Seconds()
	rep.LatencyP50Ms = ms(percentile(latencies, 0.50))
	rep.LatencyP99Ms = ms(percentile(latencies, 0.99))
	if rep.Accepted+rep.Rejected != o.Records {
		return fmt.Errorf("the server answered for %d records, %d were sent", rep.Accepted+rep.Rejected, o.Records)
	}
	return nil
}

func postBatch(ctx context.Context, client *http.Client, url string, body []byte) (accepted, rejected int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("server answered %s: %s", resp.Status, raw)
	}
	var r struct {
		Accepted      int            `json:"accepted"`
		RejectedCount int            `json:"rejectedCount"`
		Dropped       map[string]int `json:"dropped"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return 0, 0, err
	}
	for reason, n := range r.Dropped {
		if n > 0 {
			return 0, 0, fmt.Errorf("the server dropped %d records (%s): the benchmark's settings do not route them", n, reason)
		}
	}
	return r.Accepted, r.RejectedCount, nil
}

// duckdbBaseline loads the same file with DuckDB's own JSON reader into a
// fresh database file: the speed an embedded loader reaches with no HTTP,
// no validation and no routing. The mix holds every category, whose
// properties spell the same names in different cases (participantId in
// the summaries, ParticipantId in the client logs); DuckDB's detection
// refuses such a struct, so properties are kept as JSON (maximum_depth 1).
// That makes the baseline lighter than callscope's work, which types every
// property into its column.
func duckdbBaseline(ctx context.Context, o IngestOptions, dir, file string) (Baseline, error) {
	b := Baseline{What: "DuckDB read_json", Note: "properties kept as JSON text, not typed into columns"}
	path := filepath.Join(dir, "baseline.duckdb")
	os.Remove(path)
	os.Remove(path + ".wal")
	limit := o.MemoryLimit
	if limit == "" {
		limit = "512MB"
	}
	db, err := sql.Open("duckdb", path+"?threads=2&memory_limit="+limit)
	if err != nil {
		return b, err
	}
	defer db.Close()
	fmt.Fprintf(o.Log, "baseline: DuckDB read_json of the same file\n")
	start := time.Now()
	// The file name is ours (a temporary folder), quoted for SQL.
	q := fmt.Sprintf(`CREATE TABLE records AS SELECT * FROM read_json('%s', format = 'newline_delimited', maximum_depth = 1)`, strings.ReplaceAll(file, "'", "''"))
	if _, err := db.ExecContext(ctx, q); err != nil {
		return b, fmt.Errorf("baseline load: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return b, err
	}
	b.Seconds = time.Since(start).Seconds()
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM records`).Scan(&b.Rows); err != nil {
		return b, err
	}
	b.RowsPerSec = float64(b.Rows) / b.Seconds
	db.Close()
	b.DiskBytes = dirSizeGlob(path)
	return b, nil
}

// scrapeMetrics reads the server's Prometheus metrics, summing series of
// the same name over their labels.
func scrapeMetrics(base string) (map[string]float64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name = name[:i]
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64); err == nil {
			out[name] += v
		}
	}
	return out, sc.Err()
}

func waitReady(ctx context.Context, base string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("server at %s not ready after %s", base, timeout)
}

func captureProfile(ctx context.Context, base, path string, delay, length time.Duration) error {
	select {
	case <-time.After(delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, int(length.Seconds())))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile: %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, resp.Body)
	return errors.Join(err, f.Close())
}

// profileTop renders the top of a CPU profile with go tool pprof, when the
// Go toolchain is at hand.
func profileTop(binary, path string) string {
	out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=25", binary, path).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// cpuSeconds reads the user and system CPU time a process has used.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: utime and stime are the 12th and 13th of them.
	rest := string(b)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // clock ticks; 100 per second on Linux
}

// selfCPU is the CPU time this process has used.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// peakRSS reads the high-water mark of a process's resident memory.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

func dirSizeGlob(path string) int64 {
	var n int64
	matches, _ := filepath.Glob(path + "*")
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil {
			n += st.Size()
		}
	}
	return n
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
