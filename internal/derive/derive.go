// Package derive runs the jobs that make a workspace behave like the Azure
// system it replaces, with nobody sending anything for them: final call
// summaries and diagnostics from their updates, the daily ACSCallingMetrics
// rows from the client operations, the hourly Usage table, and retention.
//
// Each job runs for every workspace, on its own interval inside serve, or
// all once with RunOnce (callscope derive --once). Time comes from a Clock,
// so tests can move it.
package derive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/callscope/callscope/internal/callmetrics"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/workspace"
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// SystemClock is the real time.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now() }

// Observer learns how each run of a job went, for metrics.
type Observer interface {
	JobDone(job string, took time.Duration, rows int, err error)
}

// Config configures the jobs. Zero intervals take the defaults.
type Config struct {
	Store    store.Store
	Registry *workspace.Registry
	Clock    Clock
	Observer Observer
	Logger   *slog.Logger

	// FinalizeAfter is the grace period after a call's last update before
	// its final rows are written (DESIGN §6: 2 minutes).
	FinalizeAfter time.Duration

	FinalizeEvery  time.Duration
	RollupEvery    time.Duration
	UsageEvery     time.Duration
	RetentionEvery time.Duration
}

// The names of the jobs, as metrics and logs show them.
const (
	JobFinalize  = "finalize"
	JobRollup    = "calling_metrics"
	JobUsage     = "usage"
	JobRetention = "retention"
)

// Jobs runs the derived-data jobs.
type Jobs struct {
	cfg    Config
	rollup *rollup
}

// New prepares the jobs.
func New(cfg Config) *Jobs {
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.FinalizeAfter <= 0 {
		cfg.FinalizeAfter = 2 * time.Minute
	}
	if cfg.FinalizeEvery <= 0 {
		// Summaries are final within grace + 5 s of their last update (§8).
		cfg.FinalizeEvery = 5 * time.Second
	}
	if cfg.RollupEvery <= 0 {
		cfg.RollupEvery = 5 * time.Minute
	}
	if cfg.UsageEvery <= 0 {
		cfg.UsageEvery = 10 * time.Minute
	}
	if cfg.RetentionEvery <= 0 {
		cfg.RetentionEvery = time.Hour
	}
	return &Jobs{cfg: cfg, rollup: &rollup{computer: callmetrics.NewComputer()}}
}

type job struct {
	name  string
	every time.Duration
	run   func(ctx context.Context, ws store.Workspace, w workspace.Workspace, now time.Time) (int, error)
}

func (j *Jobs) jobs() []job {
	return []job{
		{JobFinalize, j.cfg.FinalizeEvery, j.finalize},
		{JobRollup, j.cfg.RollupEvery, j.rollup.run},
		{JobUsage, j.cfg.UsageEvery, usage},
		{JobRetention, j.cfg.RetentionEvery, retention},
	}
}

// Run runs every job on its interval until ctx is done. The first runs
// come after one interval; call RunOnce first for an immediate pass.
func (j *Jobs) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, jb := range j.jobs() {
		wg.Go(func() {
			t := time.NewTicker(jb.every)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if err := j.runJob(ctx, jb); err != nil && ctx.Err() == nil {
						j.cfg.Logger.Warn("job failed", "job", jb.name, "err", err)
					}
				}
			}
		})
	}
	wg.Wait()
}

// RunOnce runs every job once, in order, over every workspace.
func (j *Jobs) RunOnce(ctx context.Context) error {
	var errs []error
	for _, jb := range j.jobs() {
		if err := j.runJob(ctx, jb); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", jb.name, err))
		}
	}
	return errors.Join(errs...)
}

// Run1 runs one job once over every workspace (for tests and tools).
func (j *Jobs) Run1(ctx context.Context, name string) error {
	for _, jb := range j.jobs() {
		if jb.name == name {
			return j.runJob(ctx, jb)
		}
	}
	return fmt.Errorf("no job %q", name)
}

// runJob runs a job over every workspace and reports it once.
func (j *Jobs) runJob(ctx context.Context, jb job) error {
	start := time.Now()
	now := j.cfg.Clock.Now().UTC()
	rows := 0
	var errs []error
	for _, w := range j.cfg.Registry.Workspaces() {
		ws, err := j.cfg.Store.Workspace(ctx, store.WorkspaceRef{Name: w.Name, ID: w.ID})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n, err := jb.run(ctx, ws, w, now)
		rows += n
		if err != nil {
			errs = append(errs, fmt.Errorf("workspace %s: %w", w.Name, err))
		}
	}
	err := errors.Join(errs...)
	if j.cfg.Observer != nil {
		j.cfg.Observer.JobDone(jb.name, time.Since(start), rows, err)
	}
	if rows > 0 {
		j.cfg.Logger.Debug("job ran", "job", jb.name, "rows", rows, "took", time.Since(start))
	}
	return err
}

func (j *Jobs) finalize(ctx context.Context, ws store.Workspace, _ workspace.Workspace, now time.Time) (int, error) {
	r, err := ws.Finalize(ctx, now, j.cfg.FinalizeAfter)
	return r.Summaries + r.Diagnostics, err
}
