package derive

import (
	"context"
	"time"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/workspace"
)

// retention deletes the rows of each table whose TimeGenerated is older
// than the table's retention, and tells engines that expire rows
// themselves the retention. It reports the rows deleted.
func retention(ctx context.Context, ws store.Workspace, w workspace.Workspace, now time.Time) (int, error) {
	deleted := 0
	for _, t := range schema.Tables() {
		days := w.Retention(t.Name)
		if err := ws.Retain(ctx, t, days); err != nil {
			return deleted, err
		}
		n, err := ws.DeleteBefore(ctx, t, now.Add(-time.Duration(days)*24*time.Hour))
		if err != nil {
			return deleted, err
		}
		deleted += int(n)
	}
	return deleted, nil
}
