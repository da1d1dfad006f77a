// Package simulate generates realistic Azure Communication Services call
// logs: every record a diagnostic setting would export for voice and video
// calls, in the resource-log shape ({"time", "resourceId", "operationName",
// "category", "properties": {…}}), for the categories CallSummary,
// CallSummaryUpdates, CallDiagnostics, CallDiagnosticsUpdates,
// CallClientOperations, CallClientMediaStatsTimeSeries, CallSurvey, Usage and
// CallAutomationOperational. (CallingMetrics is not generated: callscope
// derives it from the client operations.) Next to them it writes the custom
// survey events that web and Windows apps send to an Application Insights
// resource (category AppEvents), in the flat shape of Application Insights
// exports ({"time", "resourceId", "Type": "AppEvents", "Name", "Properties":
// {…}, …}), carrying the SurveyId of their CallSurvey record.
//
// Calls are modelled, not sampled table by table: a plan says who joins
// when, over which network and with which client, when cameras and screen
// shares are on and how each participant leaves; every record is then a view
// of that plan. So the tables agree with each other the way real ones do —
// the participant with the poor network has the high jitter in
// CallDiagnostics, the jittery media-stats series, the networkReceiveQuality
// warnings and the low survey score.
//
// The output is deterministic: the same Options produce the same bytes.
// A few percent of records reproduce the irregularities of real exports
// (numbers as strings, the string "null", a lower-case version key, payloads
// as JSON text) so that decoders meet them.
//
// Files, one idea each:
//
//	resources.go   the ACS resources calls belong to; the Application Insights resource
//	population.go  who calls: platforms, SDK releases, user agents, recurring users
//	network.go     network classes, trouble episodes, per-stream quality
//	model.go       the plan of a call: endpoints, legs, streams; ids and delivery times
//	scenarios.go   the timelines of 1:1 calls, meetings and contact-centre calls
//	streams.go     cameras, screen shares, mutes and the diagnostics streams
//	timing.go      when the service delivers what; the daily pattern of calls
//	records.go     the envelope; summary and diagnostics rows in all versions
//	clientops.go   client operations and user-facing diagnostics
//	mediastats.go  the 10-second media statistics
//	aftercall.go   usage, surveys and the apps' survey events, Call Automation requests
//	jsonw.go       the JSON writer
//	generate.go    batch mode; live.go live mode
//	writers.go     NDJSON and the Azure storage layout; post.go the HTTP poster
//
// Typical use:
//
//	w := bufio.NewWriter(f)
//	counts, err := simulate.Generate(simulate.Options{Seed: 1, Calls: 1000, Finals: true}, simulate.WriteNDJSON(w))
//	…
//	w.Flush()
package simulate
