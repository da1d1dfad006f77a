package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// ClickHouse is the same work on the ClickHouse copy of the dataset.
	ClickHouse *CallsRun `json:"clickhouse,omitempty"`
}

// CallsRun is the timing of the same calls and searches on another engine.
type CallsRun struct {
	Engine   string         `json:"engine"`
	Detail   Timing         `json:"detail"`
	Searches []SearchTiming `json:"searches"`
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

	if rep.Detail, rep.Participants, rep.Events, rep.Searches, err = timeCalls(ctx, svc, ids, ds.end, o.Runs, o.Log); err != nil {
		return nil, err
	}
	if ds.ch != nil {
		fmt.Fprintf(o.Log, "the same on %s\n", ds.ch.Engine())
		run := &CallsRun{Engine: ds.ch.Engine()}
		svc := &calls.Service{WS: ds.chws, Engine: ds.ch.Engine(), Timeout: time.Minute}
		if run.Detail, _, _, run.Searches, err = timeCalls(ctx, svc, ids, ds.end, o.Runs, o.Log); err != nil {
			return nil, fmt.Errorf("%s: %w", ds.ch.Engine(), err)
		}
		rep.ClickHouse = run
	}
	return rep, nil
}

// timeCalls times the detail of each call of ids (after a warm-up) and the
// searches of the Call Diagnostics page over the dataset ending at end.
func timeCalls(ctx context.Context, svc *calls.Service, ids []string, end time.Time, runs int, log io.Writer) (detail Timing, participants, events Spread, searches []SearchTiming, err error) {
	fail := func(err error) (Timing, Spread, Spread, []SearchTiming, error) {
		return Timing{}, Spread{}, Spread{}, nil, err
	}
	// Warm-up, then each call once.
	for _, id := range ids[:min(3, len(ids))] {
		if _, err := svc.Detail(ctx, id); err != nil {
			return fail(fmt.Errorf("call %s: %w", id, err))
		}
	}
	var took []time.Duration
	var parts, ops []int
	for i, id := range ids {
		start := time.Now()
		d, err := svc.Detail(ctx, id)
		if err != nil {
			return fail(fmt.Errorf("call %s: %w", id, err))
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
			fmt.Fprintf(log, "detail of %d of %d calls\n", i+1, len(ids))
		}
	}
	detail, participants, events = timing(took), spread(parts), spread(ops)

	// Searches over the last week of the dataset, as the search page opens.
	week := calls.SearchRequest{From: end.Add(-7 * 24 * time.Hour), To: end}
	first, err := svc.Search(ctx, week)
	if err != nil {
		return fail(err)
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
	keyword := calls.SearchRequest{Keyword: participant, From: end.Add(-30 * 24 * time.Hour), To: end}
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
		fmt.Fprintf(log, "timing search: %s\n", s.name)
		var tt []time.Duration
		rows := 0
		for range runs {
			start := time.Now()
			page, err := svc.Search(ctx, s.req)
			if err != nil {
				return fail(fmt.Errorf("search %s: %w", s.name, err))
			}
			tt = append(tt, time.Since(start))
			rows = len(page.Calls)
		}
		searches = append(searches, SearchTiming{Name: s.name, Rows: rows, Timing: timing(tt)})
	}
	return detail, participants, events, searches, nil
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
