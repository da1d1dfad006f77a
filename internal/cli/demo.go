package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/callscope/callscope/internal/report"
	"golang.org/x/sync/errgroup"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/simulate"
	"github.com/callscope/callscope/internal/workspace"
)

type demoCmd struct {
	store    storeFlags
	srv      serverFlags
	jobs     jobFlags
	log      logFlags
	seed     uint64
	backfill int
	rate     float64
	keep     bool
}

func (c *demoCmd) flags(fs *flag.FlagSet) {
	c.srv.register(fs, "127.0.0.1:8080")
	c.store.register(fs, "data `directory` (default: a fresh temporary folder, removed at exit unless --keep)")
	c.jobs.register(fs, 30*time.Second)
	c.log.register(fs)
	// The demo starts from nothing unless told otherwise.
	fs.Lookup("data").DefValue = ""
	c.store.data = ""
	fs.Uint64Var(&c.seed, "seed", 1, "simulator seed")
	fs.IntVar(&c.backfill, "backfill", 300, "calls of the last 24 hours to load before going live (about 2,300 records each)")
	fs.Float64Var(&c.rate, "rate", 6, "live calls started per minute")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary data folder at exit")
}

// run serves a workspace that the simulator fills through the ingest API,
// the same path real exporters use: first a day of calls, then calls in
// progress, live, until interrupted.
func (c *demoCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected arguments: %v", args)
	}
	log, err := c.log.logger()
	if err != nil {
		return err
	}
	if c.store.data == "" {
		dir, err := os.MkdirTemp("", "callscope-demo-")
		if err != nil {
			return err
		}
		c.store.data = dir
		if !c.keep {
			defer os.RemoveAll(dir)
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- runServer(ctx, serveOptions{
			log: log, store: &c.store, srv: &c.srv, jobs: &c.jobs, limits: decode.DefaultLimits(),
			open: true, setup: demoSettings, ready: func(url string) { ready <- url },
		})
	}()
	var base string
	select {
	case base = <-ready:
	case err := <-served:
		return err
	}
	fmt.Fprintf(os.Stderr, "\n  callscope demo is running at %s  (data in %s)\n  Press Ctrl+C to stop.\n\n", base, c.store.data)

	feedErr := c.feed(ctx, log, base)
	cancel()
	serveErr := <-served
	if feedErr != nil && !errors.Is(feedErr, context.Canceled) {
		return errors.Join(feedErr, serveErr)
	}
	return serveErr
}

// feed posts a day of calls, then live calls, to the server.
// demoSettings registers the simulator's resources, with their tenants, and
// sends all their logs to the default workspace, as a diagnostic setting
// with allLogs would in Azure.
func demoSettings(reg *workspace.Registry) error {
	for _, res := range simulate.DefaultResources() {
		if _, err := reg.RegisterResource(res.ID, res.TenantID); err != nil {
			return err
		}
		if _, err := reg.Setting(res.ID, "demo-all-logs"); err == nil {
			continue
		}
		logs := []workspace.LogSetting{{CategoryGroup: workspace.AllLogs, Enabled: true}}
		if _, err := reg.PutSetting(res.ID, "demo-all-logs", workspace.DefaultName, logs); err != nil {
			return err
		}
	}
	return nil
}

// loadBackfill posts a day of calls with a few concurrent posters, as
// several exporters would.
func (c *demoCmd) loadBackfill(ctx context.Context, u string) error {
	now := time.Now().UTC()
	prog := report.NewProgress(os.Stderr, "loading a day of calls:", 0)
	records := make(chan simulate.Record, 4096)
	var sent atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	posters := make([]*simulate.Poster, 4)
	for i := range posters {
		p := simulate.NewPoster(u, "")
		p.Context = gctx
		posters[i] = p
		g.Go(func() error {
			for r := range records {
				if err := p.Write(r); err != nil {
					return err
				}
				if n := sent.Add(1); n%5000 == 0 {
					prog.Update(-1, n)
				}
			}
			return p.Flush()
		})
	}
	g.Go(func() error {
		defer close(records)
		_, err := simulate.Generate(simulate.Options{
			Seed: c.seed, Calls: c.backfill, From: now.Add(-24 * time.Hour), To: now.Add(-10 * time.Minute), Finals: true,
		}, func(r simulate.Record) error {
			// Records of the backfill due later (late updates of its last
			// calls) would arrive in the future; the live feed covers the
			// present.
			if r.Time.After(now) {
				return nil
			}
			select {
			case records <- r:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
		return err
	})
	if err := g.Wait(); err != nil {
		return fmt.Errorf("loading the backfill: %w", err)
	}
	prog.Done(-1, sent.Load())
	var accepted, rejected int
	for _, p := range posters {
		accepted += p.Result().Accepted
		rejected += p.Result().Rejected
	}
	fmt.Fprintf(os.Stderr, "loaded %s records of %s calls (%s rejected)\n", report.Thousands(int64(accepted)), report.Thousands(int64(c.backfill)), report.Thousands(int64(rejected)))
	return nil
}

func (c *demoCmd) feed(ctx context.Context, log *slog.Logger, base string) error {
	u, err := ingestURL(base)
	if err != nil {
		return err
	}
	if c.backfill > 0 {
		if err := c.loadBackfill(ctx, u); err != nil {
			return err
		}
	}
	p := simulate.NewPoster(u, "")
	p.Context = ctx
	log.Info("live simulator started", "callsPerMinute", c.rate)
	_, err = simulate.RunLive(ctx, simulate.LiveOptions{Seed: c.seed + 1, Rate: c.rate, Finals: true}, func(recs []simulate.Record) error {
		for _, r := range recs {
			if err := p.Write(r); err != nil {
				return err
			}
		}
		return p.Flush()
	})
	return err
}
