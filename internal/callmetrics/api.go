package callmetrics

import "time"

// API metrics: reliability/api/<Operation>, the share of legs whose calls
// to one SDK API succeeded.
//
// Each call of an API with a metric (see apiOperations) is counted in the
// row of its own dimensions, ResultType and SubCode included, so a failing
// API shows up as rows under its failure's result type and sub-code, next
// to its success row. Within a row every leg has the same outcome: the row's
// ResultType decides it. A leg that retried — Join failed with 41048, then
// succeeded — is a failed leg of the first row and a successful leg of the
// second, as it was both.
//
// The call type is the leg's (an API call does not always carry it:
// StartVideo, CreateView do not); everything else is the operation's own.

// apiOp is one API call kept until the legs are resolved.
type apiOp struct {
	leg    *leg
	metric string
	call   string
	at     time.Time
	dims   Dimensions // all but CallType
}

func apiRows(r *run) groups {
	g := groups{}
	for i := range r.apiOps {
		o := &r.apiOps[i]
		dims := o.dims
		dims.CallType = o.leg.dims.CallType
		k := groupKey{day: o.leg.key.day, resource: o.leg.key.resource, metric: o.metric, dims: dims}
		g.add(familyAPI, k, o.leg.key.leg, o.call, o.at, isSuccess(dims.ResultType))
	}
	return g
}
