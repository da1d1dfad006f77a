package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/callscope/callscope/internal/report"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callscope/callscope/internal/ingest"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

type importCmd struct {
	store     storeFlags
	limits    limitFlags
	log       logFlags
	workspace string
	chunk     int
	workers   int
	format    string
	quiet     bool
	profile   string
}

func (c *importCmd) flags(fs *flag.FlagSet) {
	c.store.register(fs, "data `directory` (one DuckDB file per workspace)")
	c.limits.register(fs)
	c.log.register(fs)
	fs.StringVar(&c.workspace, "workspace", "default", "workspace to import into: an explicit import stores every record there, whatever the diagnostic settings say")
	fs.IntVar(&c.chunk, "chunk", 50_000, "records per commit")
	fs.IntVar(&c.workers, "workers", runtime.GOMAXPROCS(0), "files decoded at once")
	fs.StringVar(&c.format, "format", "table", "summary format: table or json")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress output")
	fs.StringVar(&c.profile, "cpuprofile", "", "write a CPU profile of the import to this `file`")
}

// importFile is one file to read, found on the command line or in a folder.
type importFile struct {
	path string
	size int64
}

func (c *importCmd) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("name at least one file or folder to import")
	}
	if c.format != "table" && c.format != "json" {
		return usagef("--format %q: use table or json", c.format)
	}
	files, err := findImportFiles(args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no files to import under %s (looked for .json, .ndjson, .jsonl, optionally .gz)", strings.Join(args, ", "))
	}
	log, err := c.log.logger()
	if err != nil {
		return err
	}
	if c.profile != "" {
		stop, err := startCPUProfile(c.profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	reg, st, err := c.store.openAll(ctx, log, nil)
	if err != nil {
		return err
	}
	defer reg.Close()
	w, err := reg.Workspace(c.workspace)
	if err != nil {
		hint := fmt.Sprintf("callscope workspace create %s --data %s", c.workspace, c.store.data)
		if c.store.clickhouse() {
			hint = fmt.Sprintf("callscope workspace create %s --url http://… (a callscope server on this store)", c.workspace)
		}
		return errors.Join(fmt.Errorf("%w (create it with: %s)", err, hint), st.Close())
	}
	ws, err := st.Workspace(ctx, store.WorkspaceRef{Name: w.Name, ID: w.ID})
	if err != nil {
		return errors.Join(err, st.Close())
	}
	in := ingest.New(c.limits.lim, reg.TenantOf)
	everything := []store.Workspace{ws}
	target := func(path string) ingest.Target {
		return ingest.Target{Source: "file " + path, Errors: ws, Route: func(*schema.Table, string) []store.Workspace { return everything }}
	}

	var total int64
	for _, f := range files {
		total += f.size
	}
	var readBytes, records atomic.Int64
	var prog *report.Progress
	if !c.quiet {
		prog = report.NewProgress(os.Stderr, "import", total)
	}
	showProgress := func() {
		if prog != nil {
			prog.Update(readBytes.Load(), records.Load())
		}
	}

	start := time.Now()
	sum := ingest.NewSummary()
	var (
		mu        sync.Mutex
		failures  []string
		rejectLog []string
	)
	work := make(chan importFile)
	var wg sync.WaitGroup
	for range max(1, min(c.workers, len(files))) {
		wg.Go(func() {
			for f := range work {
				fsum, err := c.importOne(ctx, in, target(f.path), f, &readBytes, &records, showProgress)
				mu.Lock()
				if fsum != nil {
					sum.Add(fsum)
					for _, r := range fsum.Rejected {
						if len(rejectLog) < 20 {
							rejectLog = append(rejectLog, fmt.Sprintf("%s: %s: %s", f.path, r.Pos, r.Error))
						}
					}
				}
				if err != nil {
					failures = append(failures, fmt.Sprintf("%s: %v", f.path, err))
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, f := range files {
		select {
		case work <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if prog != nil {
		prog.Done(readBytes.Load(), records.Load())
	}
	closeErr := st.Close()

	elapsed := time.Since(start)
	if c.format == "json" {
		out := map[string]any{
			"files": len(files), "failedFiles": failures, "records": sum.Records, "bytes": sum.Bytes,
			"seconds": elapsed.Seconds(), "accepted": sum.Accepted, "rejected": sum.RejectedByTable,
			"dropped": sum.DroppedByTable, "rejectedExamples": rejectLog,
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		printImportSummary(os.Stdout, sum, len(files), len(failures), elapsed)
		if len(rejectLog) > 0 {
			fmt.Printf("\nRejected records (kept in the %s table with their raw text):\n", schema.ErrorsTable)
			for _, l := range rejectLog {
				fmt.Println("  " + l)
			}
			if sum.RejectedCount > len(rejectLog) {
				fmt.Printf("  … and %s more\n", report.Thousands(int64(sum.RejectedCount-len(rejectLog))))
			}
		}
	}
	for _, f := range failures {
		fmt.Fprintln(os.Stderr, "failed: "+f)
	}
	if closeErr != nil {
		return closeErr
	}
	if ctx.Err() != nil {
		return errors.New("interrupted: records read so far are stored")
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d of %d files could not be read completely (records before each break are stored)", len(failures), len(files))
	}
	return nil
}

// importOne streams one file into the workspace.
func (c *importCmd) importOne(ctx context.Context, in *ingest.Ingester, target ingest.Target, f importFile, readBytes, records *atomic.Int64, report func()) (*ingest.Summary, error) {
	fh, err := os.Open(f.path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	counted := &countingFile{r: fh, total: readBytes}
	lastRecords := 0
	return in.Stream(ctx, counted, target, c.chunk, func(_ int64, n int) {
		records.Add(int64(n - lastRecords))
		lastRecords = n
		report()
	})
}

type countingFile struct {
	r     io.Reader
	total *atomic.Int64
}

func (c *countingFile) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.total.Add(int64(n))
	return n, err
}

// findImportFiles expands the paths: files are taken as given, folders are
// walked for exported log files, such as the PT1H.json blobs of Azure's
// storage layout (insights-logs-<category>/resourceId=/…/y=…/m=…/PT1H.json).
func findImportFiles(paths []string) ([]importFile, error) {
	var out []importFile
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, importFile{p, st.Size()})
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path != p && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || !isLogFile(name) {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			out = append(out, importFile{path, info.Size()})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

func isLogFile(name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".gz")
	for _, ext := range []string{".json", ".ndjson", ".jsonl"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

func printImportSummary(w io.Writer, sum *ingest.Summary, files, failed int, elapsed time.Duration) {
	t := &report.Table{Header: []string{"Table", "Accepted", "Rejected", "Dropped"}}
	names := map[string]bool{}
	for k := range sum.Accepted {
		names[k] = true
	}
	for k := range sum.RejectedByTable {
		names[k] = true
	}
	for k := range sum.DroppedByTable {
		names[k] = true
	}
	var accepted, rejected, dropped int
	for _, tb := range schema.CallLogTables() {
		if !names[tb.Name] {
			continue
		}
		a, r, d := sum.Accepted[tb.Name], sum.RejectedByTable[tb.Name], sum.DroppedByTable[tb.Name]
		t.Add(tb.Name, a, r, d)
		accepted, rejected, dropped = accepted+a, rejected+r, dropped+d
	}
	if n := sum.RejectedByTable[""]; n > 0 {
		t.Add("(no known table)", 0, n, 0)
		rejected += n
	}
	t.Add("Total", accepted, rejected, dropped)
	fmt.Fprintln(w)
	t.Write(w)
	fmt.Fprintf(w, "\n%s records from %d files (%s) in %s: %s", report.Thousands(int64(sum.Records)), files,
		report.Bytes(sum.Bytes), elapsed.Round(time.Millisecond), report.Rate(int64(sum.Records), elapsed))
	if failed > 0 {
		fmt.Fprintf(w, "; %d files failed", failed)
	}
	fmt.Fprintln(w)
}
