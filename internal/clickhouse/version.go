package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Version is a server release, as SELECT version() reports it
// ("18.16.1", "26.3.2.5").
type Version struct {
	Major, Minor, Patch int
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// AtLeast reports whether v is major.minor or later.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

// ParseVersion reads a version string; parts after the third are ignored.
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 {
		return Version{}, fmt.Errorf("clickhouse version %q: want major.minor[.patch…]", s)
	}
	var n [3]int
	for i := 0; i < 3 && i < len(parts); i++ {
		x, err := strconv.Atoi(parts[i])
		if err != nil || x < 0 {
			return Version{}, fmt.Errorf("clickhouse version %q: part %q is not a number", s, parts[i])
		}
		n[i] = x
	}
	return Version{n[0], n[1], n[2]}, nil
}

// ServerVersion asks the server for its version.
func (c *Client) ServerVersion(ctx context.Context) (Version, error) {
	r, err := c.Query(ctx, "SELECT version()", nil)
	if err != nil {
		return Version{}, err
	}
	if len(r.Rows) != 1 || len(r.Rows[0]) != 1 {
		return Version{}, fmt.Errorf("clickhouse at %s: SELECT version() gave %d rows", c.Addr(), len(r.Rows))
	}
	var s string
	if err := json.Unmarshal(r.Rows[0][0], &s); err != nil {
		return Version{}, fmt.Errorf("clickhouse at %s: version %s: %v", c.Addr(), r.Rows[0][0], err)
	}
	return ParseVersion(s)
}

// Features are what a server release can do that callscope uses when it
// is there and works around when it is not. The versions are the first
// releases that shipped each feature.
type Features struct {
	// DateTime64 holds sub-second times. The type came in 20.1, but the
	// functions that read and make its microseconds
	// (toUnixTimestamp64Micro, fromUnixTimestamp64Micro) only in 20.5, so
	// releases before 20.5 keep whole seconds in DateTime.
	DateTime64 bool
	// TTL expires rows by a table expression (19.6); before it,
	// retention drops whole day partitions.
	TTL bool
	// InsertDeduplicationToken lets a retried insert into a plain
	// MergeTree table be recognised and skipped (22.2, with the table
	// setting non_replicated_deduplication_window).
	InsertDeduplicationToken bool
	// CommonTableExpressions is WITH name AS (SELECT …) (20.10).
	CommonTableExpressions bool
	// WindowFunctions is OVER (…) without an experimental flag (21.9).
	WindowFunctions bool
	// PreciseFloatText parses the floats of text input formats (TSV,
	// JSON, …) to the closest double (26.7). Before, a fast method may
	// miss it by a bit or two: 2.28 is stored as 2.2800000000000002.
	PreciseFloatText bool
}

// FeaturesOf lists what a release supports.
func FeaturesOf(v Version) Features {
	return Features{
		DateTime64:               v.AtLeast(20, 5),
		TTL:                      v.AtLeast(19, 6),
		InsertDeduplicationToken: v.AtLeast(22, 2),
		CommonTableExpressions:   v.AtLeast(20, 10),
		WindowFunctions:          v.AtLeast(21, 9),
		PreciseFloatText:         v.AtLeast(26, 7),
	}
}
