// Package quality decides whether a call went well, from the rows callscope
// stores: which media streams were poor, what an audio stream's mean opinion
// score was, what a participant's end code means, whether they dropped,
// whether a client operation or a user-facing diagnostic counts as an issue,
// and how a survey answer rates. It is pure: no I/O, no clock, no state, so
// the Insights panels, Call Diagnostics and any report can share one
// definition of "poor".
//
// # Stream verdicts
//
// A Stream is one ACSCallDiagnostics row: its MediaType and the numeric
// columns that were present. Evaluate applies every stream rule that fits
// the stream's Kind (audio, video or screen share; VBSS and AppSharing are
// screen share, unknown media types are judged like audio) and returns a
// Verdict: Poor if any rule fired, Known if at least one rule had a value to
// read, the Findings (rule plus the offending value) and every value read.
// A column missing from the row never fires a rule, so a row without video
// columns is not "poor video". EvaluateInsights does the same with only the
// three rules the Insights Quality tab uses (jitter, loss, round trip);
// Evaluate uses all of them, as Call Diagnostics does. A call is Impacted
// when any of its streams is poor.
//
// The thresholds are data (rules.json, compiled in with embed), not
// literals in code: each rule names its column, comparison, threshold, unit,
// the kinds it applies to, a one-sentence explanation, a next step, and the
// keys of the reference material it comes from (see
// ../shared/reference/acs-tools.md §0). Changing a threshold, or adding a
// rule, is an edit to that file; the tests are generated from Rules(), so a
// new rule is tested as soon as it exists. Comparisons are strict (a value
// equal to the threshold is fine), like the published queries.
//
// # Audio MOS: the E-model
//
// ACS reports no MOS. AudioMOS estimates one from a stream's averages with
// the simplified ITU-T G.107 E-model:
//
//	d      = RoundTripTimeAvg/2 + JitterBufferSizeAvg + codec delay   (ms, one way)
//	Id     = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)                  (H: step function)
//	Ppl    = PacketLossRateAvg × 100                                    (percent)
//	Ie,eff = Ie + (95 − Ie)·Ppl / (Ppl/BurstR + Bpl)
//	R      = 93.2 − Id − Ie,eff
//	MOS    = 1 + 0.035R + 7·10⁻⁶·R(R − 60)(100 − R), 1 for R ≤ 0, 4.5 for R ≥ 100
//
// Units are where implementations go wrong, and the package is careful
// about them: ACS stores loss as a fraction (0.05), the formula wants a
// percentage (5), and feeding it the fraction makes a 5 % loss look like
// 0.05 % and nearly free. Delay is one way, so the round trip is halved.
// Inputs that cannot be right (negative values, a "fraction" above 1) are
// corrected and said so. With nothing wrong, R is 93.2 and MOS 4.41; the
// model's 4.5 ceiling cannot be reached from this R0 with the codec table. Every result carries
// Reasons: sentences, with numbers, saying what cost how many points.
//
// The codec's Ie (impairment with no loss), Bpl (how well it hides loss)
// and delay come from codecs.json, each value with its source. G.711,
// G.729A and G.723.1 use the planning values of ITU-T G.113 Appendix I
// (taken second-hand, from independent implementations that agree; each
// source field says so);
// Opus, SILK, SATIN and G.722 have no narrowband ITU-T values, so theirs are
// documented assumptions. An unknown codec is scored as Opus, and the
// result says so.
//
// # Reliability
//
// LookupEndReason explains ParticipantEndReason and ParticipantEndSubCode:
// the subcode first (it names the precise reason), then the code, then the
// code's class (2xx success, 4xx client, 5xx server, 6xx global failure).
// EndedUngracefully applies both drop rules Call Diagnostics has used: an
// end code from a fixed list, or a result category containing
// "Unexpected". OperationFailed says whether a client operation's
// ResultType is a failure (Succeeded, Success and ExpectedError are not).
// The tables live in endreasons.json and reliability.json.
//
// # User-facing diagnostics
//
// ufds.json catalogues the diagnostics the Calling SDK raises, under their
// web names with the native SDKs' names as aliases: the timeline lane, an
// explanation and a next step. UFDBad reads a DiagnosticQuality value (Good,
// Poor, Bad, their numbers 1–3, or a flag's true/false); UFDCounts says
// whether the diagnostic counts as an issue at all
// (speakingWhileMicrophoneIsMuted and speakerMuted never do).
//
// # Surveys
//
// End of Call Survey answers come on the app's own scale (default 1–5 with
// a cutoff of 2). Normalize rescales a score to five points the way Call
// Diagnostics does (score × 5 / upper bound), RateAverage labels the mean
// Good (≥ 4.5), Average (≥ 3) or Poor, and BelowThreshold applies the app's
// own cutoff (at or below it is a poor answer).
//
// # Sources
//
// The rules and tables follow the public Azure Communication Services
// material summarised in ../shared/reference/acs-tools.md (Call Diagnostics
// queries R1/M1, the schema pages D17/D18/D20, the survey pages D5–D7, the
// UFD pages D10, the error-code pages D24) and the E-model discussion in
// ../shared/reference/peers.md §7. The explanations and next steps are
// callscope's own words.
package quality
