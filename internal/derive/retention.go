package derive

import (
	"context"
	"time"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/workspace"
)

// retention deletes the rows of each table whose TimeGenerated is older
// than the table's retention. It reports the rows deleted.
func retention(ctx context.Context, ws store.Workspace, w workspace.Workspace, now time.Time) (int, error) {
	deleted := 0
	for _, t := range schema.Tables() {
		before := now.Add(-time.Duration(w.Retention(t.Name)) * 24 * time.Hour)
		n, err := ws.DeleteBefore(ctx, t, before)
		if err != nil {
			return deleted, err
		}
		deleted += int(n)
	}
	return deleted, nil
}
