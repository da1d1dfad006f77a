package simulate

import (
	"math"
	"time"
)

// window is a range of delays, drawn uniformly.
type window [2]time.Duration

func (w window) draw(r *rng) time.Duration {
	return w[0] + time.Duration(r.float()*float64(w[1]-w[0]))
}

// latency says how long after the fact the service delivers what it writes
// once a participant or call has ended. Batch mode uses the delays ACS
// documents; live mode squeezes the long ones so a demo shows them.
type latency struct {
	v1     window // first CallSummaryUpdates/CallDiagnosticsUpdates version, after the participant leaves
	v2     window // the version with the full data
	v3     window // a re-send hours later (late client data)
	v4     window // a re-send days later (a laptop lid closed before the upload)
	finals window // CallSummary/CallDiagnostics, after the call ends
}

var batchLatency = latency{
	v1:     window{30 * time.Second, 3 * time.Minute},
	v2:     window{10 * time.Minute, time.Hour},
	v3:     window{time.Hour, 8 * time.Hour},
	v4:     window{24 * time.Hour, 72 * time.Hour},
	finals: window{2 * time.Hour, 5 * time.Hour},
}

// liveLatency keeps the order of the batch delays but scales them to f, the
// delay of the finals.
func liveLatency(f time.Duration) latency {
	const first = 40 * time.Second
	scale := func(a, b float64) window {
		return window{first + time.Duration(a*float64(f)), first + time.Duration(b*float64(f))}
	}
	return latency{
		v1:     window{10 * time.Second, first},
		v2:     scale(0.2, 0.5),
		v3:     scale(1.3, 1.8),
		v4:     scale(3, 4),
		finals: scale(0.8, 1.2),
	}
}

// activity is the relative call volume at a moment: calls cluster in working
// hours (centred on 15:00 UTC, when Europe and the Americas overlap) and
// thin out at weekends.
func activity(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	d := h - 15
	a := 0.12 + math.Exp(-d*d/(2*3.5*3.5))
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		a *= 0.35
	}
	return a
}

// startTimes yields n increasing call start times in [from, to) that follow
// activity(). It keeps no list of them, so a batch of any size costs the
// same memory: it walks the n order statistics of uniform draws (each
// derived from the previous one) through the cumulative activity of the
// window, tabulated per minute (coarser for windows over about two years).
type startTimes struct {
	r    *rng
	from time.Time
	step time.Duration
	cum  []float64 // activity accumulated up to the end of each step, ending at 1
	n, i int
	u    float64 // the last order statistic drawn
	j    int     // the step u falls in
}

func newStartTimes(r *rng, n int, from, to time.Time) *startTimes {
	span := to.Sub(from)
	steps := int(min(max(span/time.Minute, 1), 1<<20))
	g := &startTimes{r: r, from: from, step: span / time.Duration(steps), n: n, cum: make([]float64, steps)}
	total := 0.0
	for j := range g.cum {
		total += activity(from.Add(time.Duration(j)*g.step + g.step/2))
		g.cum[j] = total
	}
	for j := range g.cum {
		g.cum[j] /= total
	}
	return g
}

// next returns the next start time; call it at most n times.
func (g *startTimes) next() time.Time {
	// The minimum of the n-i remaining uniforms on (u, 1).
	v := 1 - g.r.float()
	g.u = 1 - (1-g.u)*math.Pow(v, 1/float64(g.n-g.i))
	g.i++
	for g.j < len(g.cum)-1 && g.cum[g.j] < g.u {
		g.j++
	}
	lo := 0.0
	if g.j > 0 {
		lo = g.cum[g.j-1]
	}
	frac := 0.0
	if w := g.cum[g.j] - lo; w > 0 {
		frac = clamp((g.u-lo)/w, 0, 1)
	}
	t := g.from.Add(time.Duration(g.j)*g.step + time.Duration(frac*float64(g.step)))
	if end := g.from.Add(time.Duration(len(g.cum)) * g.step); !t.Before(end) {
		t = end.Add(-time.Millisecond)
	}
	return ms(t)
}

// callStarts returns all n start times at once (for tests and small batches).
func callStarts(r *rng, n int, from, to time.Time) []time.Time {
	g := newStartTimes(r, n, from, to)
	out := make([]time.Time, n)
	for i := range out {
		out[i] = g.next()
	}
	return out
}
