package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/callscope/callscope/internal/report"
	"os"
	"time"

	"github.com/callscope/callscope/internal/derive"
)

type deriveCmd struct {
	store storeFlags
	jobs  jobFlags
	log   logFlags
	once  bool
}

func (c *deriveCmd) flags(fs *flag.FlagSet) {
	c.store.register(fs, "data `directory` (no server may be running on it)")
	c.jobs.register(fs, 5*time.Minute)
	c.log.register(fs)
	fs.BoolVar(&c.once, "once", false, "run every job once and exit, instead of on their intervals until interrupted")
}

// run runs the jobs serve runs, on a data folder no server uses: to bring
// an imported folder up to date (final rows, daily metrics, usage) or to
// apply retention.
func (c *deriveCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected arguments: %v", args)
	}
	log, err := c.log.logger()
	if err != nil {
		return err
	}
	reg, st, err := c.store.openAll(ctx, log, nil)
	if err != nil {
		return err
	}
	defer reg.Close()
	obs := &jobReport{}
	jobs := derive.New(c.jobs.config(st, reg, obs, log))
	if c.once {
		err = jobs.RunOnce(ctx)
	} else {
		jobs.Run(ctx)
	}
	return errors.Join(err, st.Close())
}

// jobReport prints each job's run for people.
type jobReport struct{}

func (jobReport) JobDone(job string, took time.Duration, rows int, err error) {
	status := "ok"
	if err != nil {
		status = "failed: " + err.Error()
	}
	fmt.Fprintf(os.Stderr, "%-16s %8s rows  %8s  %s\n", job, report.Thousands(int64(rows)), took.Round(time.Millisecond), status)
}
