package bench

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/callscope/callscope/internal/calls"
	"github.com/callscope/callscope/internal/store"
)

// CallsOptions configure the Call Diagnostics benchmark: the dataset of
// the query benchmark, and how many calls and searches to time.
type CallsOptions struct {
	QueryOptions
	Calls int // calls whose detail is timed, spread over the dataset
}

// CallsReport holds the figures of one run.
type CallsReport struct {
	Rows         int64            `json:"rows"`
	Tables       map[string]int64 `json:"tables"`
	BuildSeconds float64          `json:"buildSeconds,omitempty"`
	Calls        int              `json:"calls"`
	// Detail is overview + issues + timeline of one call, once per call.
	Detail Timing `json:"detail"`
	// DetailSizes describes the calls timed.
	Participants Spread         `json:"participantsPerCall"`
	Events       Spread         `json:"timelineEventsPerCall"`
	Searches     []SearchTiming `json:"searches"`
}

// Timing is a distribution of durations, in milliseconds.
type Timing struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50Ms"`
	P95 float64 `json:"p95Ms"`
	Max float64 `json:"maxMs"`
}

// Spread is a distribution of counts.
type Spread struct {
	Min    int `json:"min"`
	Median int `json:"median"`
	Max    int `json:"max"`
}

// SearchTiming is the timing of one kind of search.
type SearchTiming struct {
	Name   string `json:"name"`
	Rows   int    `json:"rows"` // calls on the page
	Timing Timing `json:"timing"`
}

// DetailTargetMs is DESIGN §8's target for a call's full diagnostics.
const DetailTargetMs = 100

// Calls runs the benchmark.
func Calls(ctx context.Context, o CallsOptions) (*CallsReport, error) {
	if o.Calls <= 0 {
		return nil, errors.New("bench calls: the number of calls must be positive")
	}
	ds, err := openDataset(ctx, &o.QueryOptions)
	if err != nil {
		return nil, err
	}
	defer ds.Close()
	rep := &CallsReport{Rows: ds.rows, Tables: ds.tables, BuildSeconds: ds.built.Seconds()}
	svc := &calls.Service{WS: ds.ws, Engine: ds.st.Engine(), Timeout: time.Minute}

	// Calls spread over the whole dataset: an order that has nothing to do
	// with time or size.
	res, err := ds.ws.Query(ctx, fmt.Sprintf(`SELECT CorrelationId FROM ACSCallSummary GROUP BY CorrelationId
ORDER BY hash(CorrelationId) LIMIT %d`, o.Calls), store.QueryOptions{})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range res.Rows {
		if s, ok := r[0].(string); ok {
			ids = append(ids, s)
		}
	}
	rep.Calls = len(ids)
	if len(ids) == 0 {
		return nil, errors.New("bench calls: the dataset has no calls")
	}

	// Warm-up, then each call once.
	for _, id := range ids[:min(3, len(ids))] {
		if _, err := svc.Detail(ctx, id); err != nil {
			return nil, fmt.Errorf("call %s: %w", id, err)
		}
	}
	var took []time.Duration
	var parts, ops []int
	for i, id := range ids {
		start := time.Now()
		d, err := svc.Detail(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("call %s: %w", id, err)
		}
		took = append(took, time.Since(start))
		parts = append(parts, len(d.Overview.Participants))
		n := 0
		for _, p := range d.Timeline.Participants {
			for _, l := range p.Lanes {
				n += len(l.Events)
			}
		}
		ops = append(ops, n)
		if (i+1)%50 == 0 {
			fmt.Fprintf(o.Log, "detail of %d of %d calls\n", i+1, len(ids))
		}
	}
	rep.Detail = timing(took)
	rep.Participants, rep.Events = spread(parts), spread(ops)

	// Searches over the last week of the dataset, as the search page opens.
	week := calls.SearchRequest{From: ds.end.Add(-7 * 24 * time.Hour), To: ds.end}
	first, err := svc.Search(ctx, week)
	if err != nil {
		return nil, err
	}
	// A participant (or, in a P2P call, an endpoint) of a timed call.
	var participant string
	for _, id := range ids {
		d, err := svc.Overview(ctx, id)
		if err != nil || len(d.Participants) == 0 {
			continue
		}
		if participant = d.Participants[0].ParticipantID; participant == "" {
			participant = d.Participants[0].EndpointID
		}
		if participant != "" {
			break
		}
	}
	poor := week
	poor.Quality = "poor"
	keyword := calls.SearchRequest{Keyword: participant, From: ds.end.Add(-30 * 24 * time.Hour), To: ds.end}
	page2 := week
	page2.After = first.Next
	for _, s := range []struct {
		name string
		req  calls.SearchRequest
	}{
		{"last 7 days, first page of 50", week},
		{"last 7 days, second page", page2},
		{"last 7 days, poor quality only", poor},
		{"last 30 days, keyword (a participant or endpoint id)", keyword},
	} {
		fmt.Fprintf(o.Log, "timing search: %s\n", s.name)
		var tt []time.Duration
		rows := 0
		for range o.Runs {
			start := time.Now()
			page, err := svc.Search(ctx, s.req)
			if err != nil {
				return nil, fmt.Errorf("search %s: %w", s.name, err)
			}
			tt = append(tt, time.Since(start))
			rows = len(page.Calls)
		}
		rep.Searches = append(rep.Searches, SearchTiming{Name: s.name, Rows: rows, Timing: timing(tt)})
	}
	return rep, nil
}

func timing(d []time.Duration) Timing {
	s := sortedCopy(d)
	return Timing{N: len(s), P50: ms(percentile(s, 0.5)), P95: ms(percentile(s, 0.95)), Max: ms(s[len(s)-1])}
}

func spread(v []int) Spread {
	s := append([]int(nil), v...)
	sort.Ints(s)
	return Spread{Min: s[0], Median: s[len(s)/2], Max: s[len(s)-1]}
}
