package derive

import (
	"context"
	"time"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/workspace"
)

// usageWindow is how far back each run recomputes the Usage table, so that
// records arriving late for a past hour are counted.
const usageWindow = 24 * time.Hour

// usage writes, per hour and table, how many records a workspace holds and
// how many megabytes they are billed at, as the Log Analytics Usage table
// does (TimeGenerated is the hour). Each run replaces the hours of the last
// day, the current hour included, from the tables' contents.
func usage(ctx context.Context, ws store.Workspace, _ workspace.Workspace, now time.Time) (int, error) {
	to := now.Truncate(time.Hour).Add(time.Hour)
	from := to.Add(-usageWindow - time.Hour)
	ut := schema.ByName(schema.UsageTable)
	var rows [][]any
	for _, t := range schema.Tables() {
		if t == ut {
			continue
		}
		vols, err := ws.Volume(ctx, t, from, to)
		if err != nil {
			return 0, err
		}
		for _, v := range vols {
			row := make([]any, len(ut.Columns))
			set := func(col string, val any) { row[ut.ColumnIndex(col)] = val }
			set(schema.TimeGenerated, v.Hour)
			set(schema.UsageStartTime, v.Hour)
			set(schema.UsageEndTime, v.Hour.Add(time.Hour))
			set(schema.UsageDataType, t.Name)
			set(schema.UsageSolution, "LogManagement")
			set(schema.UsageQuantity, v.Bytes/1e6)
			set(schema.UsageQuantityUnit, "MBytes")
			set(schema.UsageIsBillable, t.IsCallLog())
			set(schema.UsageRecords, v.Records)
			rows = append(rows, row)
		}
	}
	return len(rows), ws.Replace(ctx, ut, from, to, rows)
}
