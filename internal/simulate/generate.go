package simulate

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Options configure a batch of calls.
type Options struct {
	Seed      uint64
	Calls     int       // number of calls to generate
	From, To  time.Time // call start times are spread over [From, To); zero values mean the day 2025-06-02 UTC
	Resources []Resource
	Finals    bool // also write the final CallSummary and CallDiagnostics rows
	// Omit lists categories not to write. Leaving out
	// CallClientMediaStatsTimeSeries also skips computing the series,
	// which are most of the work (benchmarks of other tables use it).
	Omit []string
}

// Record is one generated log record in the shape its export has: the
// resource-log shape for the ACS categories, the flat shape of Application
// Insights exports for AppEvents.
type Record struct {
	Time     time.Time // when the record is emitted (its "time")
	Category string    // diagnostic-setting category
	Resource string    // resource id as written in the record
	JSON     []byte    // the complete record, without a trailing newline
}

// Counts is the number of records per category.
type Counts map[string]int

// Total is the number of records of all categories.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// Add adds other's counts to c.
func (c Counts) Add(other Counts) {
	for k, v := range other {
		c[k] += v
	}
}

var defaultFrom = time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)

// Generate writes opts.Calls calls. Calls are emitted one after the other in
// order of their start; the records of one call are emitted together,
// ordered by their time. That includes the records ACS sends hours or days
// later (updates, finals), which can lie after opts.To. The same Options
// always produce the same records, byte for byte.
func Generate(opts Options, emit func(Record) error) (Counts, error) {
	from, to := opts.From, opts.To
	switch {
	case from.IsZero() && to.IsZero():
		from, to = defaultFrom, defaultFrom.Add(24*time.Hour)
	case to.IsZero():
		to = from.Add(24 * time.Hour)
	case from.IsZero():
		from = to.Add(-24 * time.Hour)
	}
	if !to.After(from) {
		return nil, fmt.Errorf("simulate: the window [%s, %s) is empty", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	p, err := newPlanner(opts.Seed, opts.Resources, batchLatency)
	if err != nil {
		return nil, err
	}
	r := newRNG(opts.Seed, 0)
	starts := newStartTimes(&r, opts.Calls, from.UTC(), to.UTC())
	counts := Counts{}
	omit := map[string]bool{}
	for _, c := range opts.Omit {
		omit[c] = true
	}
	b := newBuilder(nil, opts.Finals)
	for i := 0; i < opts.Calls; i++ {
		c := p.plan(i, starts.next())
		b.reset(c)
		b.eager()
		if !omit[catMediaStats] {
			b.media(mediaSeries(c))
		}
		sortRecords(b.out)
		for _, rec := range b.out {
			if omit[rec.Category] {
				continue
			}
			if err := emit(rec); err != nil {
				return counts, err
			}
			counts[rec.Category]++
		}
	}
	return counts, nil
}

// sortRecords orders records by time, keeping the generation order of
// records with the same time. It sorts small keys rather than the records
// themselves: a call can have tens of thousands of records.
func sortRecords(recs []Record) {
	if slices.IsSortedFunc(recs, func(a, b Record) int { return a.Time.Compare(b.Time) }) {
		return
	}
	type key struct {
		t int64
		i int32
	}
	keys := make([]key, len(recs))
	for i := range recs {
		keys[i] = key{recs[i].Time.UnixNano(), int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.t != b.t {
			return cmp.Compare(a.t, b.t)
		}
		return cmp.Compare(a.i, b.i)
	})
	sorted := make([]Record, len(recs))
	for j, k := range keys {
		sorted[j] = recs[k.i]
	}
	copy(recs, sorted)
}

// newPlanner prepares the resources and their user pools. The pools depend
// only on the seed, so batch and live runs with one seed share their users.
// Calls belong to the ACS resources; an Application Insights resource
// receives the custom events of the apps on the ACS resources of its
// tenant (the first one listed, if a tenant has several).
func newPlanner(seed uint64, resources []Resource, lat latency) (*planner, error) {
	if resources == nil {
		resources = DefaultResources()
	}
	if len(resources) == 0 {
		return nil, errors.New("simulate: no resources")
	}
	var acs []Resource
	insights := map[string]*insightsState{}
	for _, res := range resources {
		if _, _, _, err := resourceParts(res.ID); err != nil {
			return nil, err
		}
		if res.TenantID == "" {
			return nil, fmt.Errorf("simulate: resource %s has no tenant id", res.ID)
		}
		switch tenant := strings.ToLower(res.TenantID); {
		case !res.AppInsights():
			acs = append(acs, res)
		case insights[tenant] == nil:
			insights[tenant] = newInsightsState(res)
		}
	}
	if len(acs) == 0 {
		return nil, errors.New("simulate: no Azure Communication Services resource for the calls")
	}
	resources = acs
	p := &planner{seed: seed, lat: lat}
	var weights []float64
	for i, res := range resources {
		sub, _, name, _ := resourceParts(res.ID)
		rs := &resourceState{Resource: res, name: name, immutable: immutableID(res.ID)}
		rs.insights = insights[strings.ToLower(res.TenantID)]
		if rs.Name == "" {
			rs.Name = name
		}
		if rs.SubscriptionID == "" {
			rs.SubscriptionID = sub
		}
		rs.idJSON = appendString([]byte(`"resourceId":`), res.ID)
		rs.mix = otherMix
		if m, ok := defaultMixes[name]; ok && len(resources) > 1 {
			rs.mix = m
		}
		rs.kindPick = newWeighted(rs.mix.p2p, rs.mix.escalated, rs.mix.meeting, rs.mix.contact)
		r := newRNG(seed, 1000+uint64(i))
		rs.pool = newPool(&r, rs)
		rs.botID = r.guid()
		weights = append(weights, rs.mix.weight)
		p.resources = append(p.resources, rs)
	}
	p.resPick = newWeighted(weights...)
	return p, nil
}
