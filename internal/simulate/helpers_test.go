package simulate

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// generate runs a batch and returns its records.
func generate(t testing.TB, opts Options) ([]Record, Counts) {
	t.Helper()
	var recs []Record
	counts, err := Generate(opts, func(r Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, counts
}

// parsed is a record decoded for inspection. props are the service's
// fields: the properties object of the resource-log shape, or the members
// other than time and resourceId of a flat (Application Insights) record.
type parsed struct {
	top   map[string]any
	props map[string]any
}

func parse(t testing.TB, r Record) parsed {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(r.JSON))
	d.UseNumber()
	var top map[string]any
	if err := d.Decode(&top); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, r.JSON)
	}
	if _, flat := top["Type"]; flat {
		props := map[string]any{}
		for k, v := range top {
			if k != "time" && k != "resourceId" {
				props[k] = v
			}
		}
		return parsed{top, props}
	}
	props, _ := top["properties"].(map[string]any)
	return parsed{top, props}
}

// str reads a string property, "" when absent or not a string.
func (p parsed) str(k string) string {
	s, _ := p.props[k].(string)
	return s
}

// num reads a numeric property that may be written as a string.
func (p parsed) num(k string) float64 {
	switch v := p.props[k].(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case string:
		f, _ := json.Number(v).Float64()
		return f
	}
	return 0
}

// testPlanner plans calls directly, for tests that look at the plan.
func testPlanner(t testing.TB, seed uint64) *planner {
	t.Helper()
	p, err := newPlanner(seed, nil, batchLatency)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// build writes every record of one planned call.
func build(c *call, finals bool) []Record {
	b := newBuilder(c, finals)
	b.eager()
	b.media(mediaSeries(c))
	sortRecords(b.out)
	return b.out
}

// eagerRecords plans n calls and writes every record but the media stats,
// which tests of the other tables do not need and which dominate the cost.
func eagerRecords(t testing.TB, seed uint64, n int, finals bool) []Record {
	t.Helper()
	p := testPlanner(t, seed)
	var out []Record
	for i := 0; i < n; i++ {
		c := p.plan(i, testStart.Add(time.Duration(i)*37*time.Second))
		b := newBuilder(c, finals)
		b.eager()
		sortRecords(b.out)
		out = append(out, b.out...)
	}
	return out
}

var testStart = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)
