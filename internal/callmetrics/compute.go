package callmetrics

import (
	"slices"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// Computer aggregates operations. It caches parsed user agents; it is not
// safe for concurrent use.
type Computer struct {
	clients      map[string]*client    // by user agent (see userAgent)
	environments map[clientKey]*client // by what the parser reads
	ufdNames     map[string]string     // DiagnosticChanged → metric suffix
	json         fastjson.Parser       // reused: parsing allocates nothing once warm
}

// NewComputer returns a Computer with empty caches. Keep it for as long as
// operations keep coming (a job that runs daily can keep one for its whole
// life): the user-agent cache is what makes the computation cheap.
func NewComputer() *Computer {
	return &Computer{
		clients:      map[string]*client{},
		environments: map[clientKey]*client{},
		ufdNames:     map[string]string{},
	}
}

// run is the state of one Compute call.
type run struct {
	days   map[int64]bool
	legs   map[legKey]*leg
	apiOps []apiOp
}

// Compute returns the rows for the given UTC days (operations on other days
// are ignored), sorted deterministically (by Key). A day is the UTC day
// holding the given instant; no days means no rows.
//
// The operations are read once. Each is filed under its leg, and the SDK
// calls with an API metric are kept aside: their rows need the leg's call
// type, which may only be known from a later operation. Then each family of
// metrics is computed from the legs.
func (c *Computer) Compute(ops []Operation, days []time.Time) []Row {
	r := &run{days: map[int64]bool{}, legs: map[legKey]*leg{}}
	for _, d := range days {
		r.days[dayOf(d)] = true
	}
	if len(r.days) == 0 {
		return nil
	}
	var p payload
	for i := range ops {
		c.add(r, &ops[i], &p)
	}
	for _, l := range r.legs {
		l.resolve(c)
	}

	var out []Row
	out = apiRows(r).rows(out)
	out = dropRows(r).rows(out)
	out = ufdRecoveryRows(r).rows(out)
	out = ufdLegRows(r).rows(out)

	// Keys are distinct (each is a map key above), so this order is total.
	keys := make([]string, len(out))
	idx := make([]int, len(out))
	for i := range out {
		keys[i], idx[i] = out[i].Key(), i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	sorted := make([]Row, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted
}

// add files one operation.
func (c *Computer) add(r *run, op *Operation, p *payload) {
	at := op.time()
	day := dayOf(at)
	if !r.days[day] {
		return
	}
	legID := op.leg()
	if legID == "" {
		return // no participant and no SDK instance: nothing to count it against
	}
	readPayload(&c.json, op.Payload, p)
	cl := c.userAgent(op.UserAgent)
	// The payload's SdkPlatform is what the SDK says it is; the user agent
	// is the fallback for payloads that do not carry it.
	platform := platformDim(p.platform)
	if platform == "" {
		platform = cl.platform
	}

	k := legKey{day: day, resource: op.ResourceID, leg: legID}
	l := r.legs[k]
	if l == nil {
		l = &leg{key: k}
		r.legs[k] = l
	}
	l.observe(op, p, at, platform)

	name := op.OperationName
	if metric, ok := apiOperations[name]; ok {
		if name == "CreateView" {
			metric = createViewMetric(p.source)
		}
		r.apiOps = append(r.apiOps, apiOp{
			leg: l, metric: metric, call: op.CallID, at: at,
			dims: cl.onto(Dimensions{
				SubCode:    p.subCode,
				Platform:   platform,
				ResultType: op.ResultType,
				SdkVersion: op.SdkVersion,
			}),
		})
	}

	switch {
	case isStateChanged(name):
		switch {
		case strings.EqualFold(p.newState, stateConnected):
			l.connected = true
		case strings.EqualFold(p.newState, stateDisconnected) && isUngraceful(p):
			l.disconnected(at, p.subCode)
		}
	case enteringOperations[name]:
		if isConnectResult(op.ResultType) {
			l.connected = true
		}
	case name == opUFD:
		if bad, known := p.ufdEvent(); known && p.ufd != "" {
			l.diagnostic(c.ufdName(p.ufd), bad, at)
		}
	}
}

// ufdName turns a DiagnosticChanged value into the name the metrics use:
// the first letter upper-cased (networkReceiveQuality →
// NetworkReceiveQuality), native SDK names mapped to the web ones.
func (c *Computer) ufdName(raw string) string {
	if n, ok := c.ufdNames[raw]; ok {
		return n
	}
	n := raw
	if b := n[0]; 'a' <= b && b <= 'z' {
		n = string(b-'a'+'A') + n[1:]
	}
	if a, ok := ufdAliases[n]; ok {
		n = a
	}
	c.ufdNames[raw] = n
	return n
}
