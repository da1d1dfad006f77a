// Package callmetrics derives the daily rows of the ACSCallingMetrics table
// from rows of ACSCallClientOperations.
//
// ACS publishes these rows itself, a few hours after each UTC day, and the
// Reliability and User Facing Diagnostics tabs of its Insights workbook read
// nothing else. callscope recomputes them from the client operations it
// already stores, so those tabs work on callscope's data too. The package is
// a pure function of its input: no I/O, no clock, and the same operations
// always give the same rows in the same order. Reading operations from the
// store and writing the rows (with TimeGenerated, TimestampMax and
// CorrelationId) is the caller's job.
//
// Four families of metrics are computed, each in its own file:
//
//	api.go    reliability/api/<Operation>: did the SDK call succeed?
//	drop.go   the drop metric: did a connected leg end ungracefully?
//	ufd.go    reliability/api/UFD/recovery/<Name>: did a leg recover from a
//	          bad user-facing diagnostic? and reliability/leg/UFD/<Name>:
//	          how many legs met it at all?
//
// The rest:
//
//	model.go      Operation, Dimensions, Row and the row key
//	rules.go      every threshold, list and name the rules use, as data
//	payload.go    reading the fields the rules need from OperationPayload
//	useragent.go  device, OS, browser and platform from the user agent
//	legs.go       what is known about one leg on one day
//	group.go      distinct counting of legs and calls per row
//	compute.go    the Computer: one pass over the operations, then the families
//
// Vocabulary: a leg is one participant's connection to a call
// (ParticipantId); a call is a CallId; a bin is a UTC day.
package callmetrics
