// Insights: the five tabs of the Voice and video workbook (Volume,
// Reliability, User-facing diagnostics, Quality, Performance), every panel
// a KQL query through the query API, so a panel shows what that query
// returns. Rows, slices and points link to the Call Diagnostics search for
// the calls behind them; Reliability, UFD and Performance rows narrow the
// tab to one scenario, subcode or diagnostic, as the workbook does. Streams
// and calls are judged by the same KQL tests the call search uses (from
// /v1/quality), so a poor call is the same call on every page.

import type { Chart } from "chart.js";
import { APIError, kql, qualityModel, routedCategories, type QualityModel, type Table } from "./api";
import { canRender, renderChart } from "./chart";
import { el, resultTable, text } from "./table";

// State is the page's URL: the tab and its filters.
interface State {
  tab: string; timespan: string; bin: string; callType: string; endpointType: string; participantType: string;
  sdk: string; os: string; scenario: string; subcode: string; ufd: string; pct: string; media: string;
}
const defaults: State = {
  tab: "Volume", timespan: "P7D", bin: "1d", callType: "", endpointType: "", participantType: "",
  sdk: "", os: "", scenario: "", subcode: "", ufd: "", pct: "95", media: "",
};

type Slice = Record<string, string>; // call search parameters

interface Panel {
  id: string;
  title: string;
  kind: "tiles" | "table" | "timechart" | "piechart" | "columnchart";
  query: string; // KQL after the shared lets below
  // The diagnostic-setting categories the panel's data comes from, for an
  // empty panel to say what is missing.
  from: string[];
  link?: (row: unknown[]) => Slice | null; // the calls behind a row, slice or point
  drill?: (row: unknown[]) => Partial<State> | null; // a row narrows the tab instead
  explain?: (t: Table) => Table; // columns added in the browser (what codes mean)
}

// Filters reach the queries as declared parameters, never as query text.
// metrics keeps the newest row of each bin and combination of every
// dimension of ACSCallingMetrics (the rollup re-emits a combination when
// its counts change); a combination of fewer dimensions would keep one of
// several rows that differ only in a device or version, and lose the rest.
// Lets a panel does not use cost nothing: only what the last statement
// reads is translated.
const preamble = `declare query_parameters(callType:string = '', endpointType:string = '', participantType:string = '', sdk:string = '',
    os:string = '', scenario:string = '', subcode:string = '', ufd:string = '', media:string = '');
let summaries = ACSCallSummary
  | where (isempty(callType) or CallType == callType) and (isempty(endpointType) or EndpointType == endpointType)
      and (isempty(participantType) or ParticipantType == participantType)
      and (isempty(sdk) or SdkVersion startswith sdk) and (isempty(os) or OsVersion contains os);
let metrics = ACSCallingMetrics
  | summarize arg_max(TimestampMax, *) by TimestampBin, _ResourceId, MetricName, SubCode, ResultType, CallType, Platform, SdkVersion,
      DeviceModel, DeviceBrand, DeviceFamily, DeviceOsName, DeviceOsVersionMajor, DeviceOsVersionMinor,
      DeviceBrowser, DeviceBrowserVersionMajor, DeviceBrowserVersionMinor
  | where (isempty(callType) or CallType == callType) and (isempty(sdk) or SdkVersion startswith sdk) and (isempty(os) or DeviceOsName contains os);
let api = metrics
  | where MetricName startswith 'reliability/api/' and MetricName !startswith 'reliability/api/UFD'
  | extend Scenario = replace_string(MetricName, 'reliability/api/', '')
  | where isempty(scenario) or Scenario == scenario;
let ufds = metrics
  | where MetricName startswith 'reliability/api/UFD/recovery/'
  | extend UFD = replace_string(MetricName, 'reliability/api/UFD/recovery/', '')
  | where isempty(ufd) or UFD == ufd;
let streams = ACSCallDiagnostics
  | where CorrelationId in (summaries | project CorrelationId) and (isempty(media) or MediaType == media);
let operations = ACSCallClientOperations
  | where OperationName in ('CallAgentInit', 'HandleIncomingCall', 'AcceptIncomingCall', 'Join', 'StartCall', 'StartVideo', 'StopVideo')
      and (isempty(sdk) or SdkVersion startswith sdk) and (isempty(scenario) or OperationName == scenario);
`;

// Recommended P95 latencies of the calling SDK's operations, in ms.
const latencyTargets = "datatable(OperationName:string, TargetMs:long)['CallAgentInit', 2000, 'HandleIncomingCall', 2000, 'AcceptIncomingCall', 3000, 'Join', 5000, 'StartCall', 1000, 'StartVideo', 7000, 'StopVideo', 1000]";

// The end reason categories that are failures, as the search's endReason filter spells them.
const endClasses: Record<string, string> = { Provisional: "1xx", Redirection: "3xx", "Client failure": "4xx", "Server failure": "5xx", "Global failure": "6xx" };
const percentiles = ["50", "75", "90", "95", "99"];

const rate = (ok: string, all: string) => `round(sum(${ok}) * 100.0 / sum(${all}), 2)`;
const summaryCats = ["CallSummary"];
const metricCats = ["CallingMetrics", "CallSummary", "CallClientOperations"];

// binRange is the time range of a chart's bucket, for the calls in it.
function binRange(v: unknown, bin: string): Slice {
  const from = new Date(String(v));
  if (isNaN(from.getTime())) return {};
  const hours = { "1h": 1, "1d": 24, "7d": 168 }[bin] ?? 24;
  return { from: from.toISOString(), to: new Date(from.getTime() + hours * 3600e3).toISOString() };
}

// meaning explains a subcode (or, with no subcode entry, a code).
function meaning(m: QualityModel, code: string, subCode: string): string {
  const sub = Number(subCode), c = Number(code);
  const hit = (subCode !== "" && m.endReasons.find((r) => r.subCode === sub && (r.code === c || code === "")))
    || (subCode !== "" && sub !== 0 && m.endReasons.find((r) => r.subCode === sub))
    || (code !== "" && m.endReasons.find((r) => r.subCode === -1 && r.code === c));
  return hit ? hit.phrase : "";
}

// withColumn appends a column computed in the browser.
function withColumn(t: Table, name: string, value: (row: unknown[]) => string): Table {
  return { ...t, columns: [...t.columns, { name, type: "string" }], rows: t.rows.map((r) => [...r, value(r)]) };
}

// breakdown pies of one slice of ACSCallingMetrics.
function breakdowns(prefix: string, source: string, where: string, link: (r: unknown[]) => Slice | null): Panel[] {
  return [["Platform", "SDK platform"], ["SdkVersion", "SDK version"], ["DeviceOsName", "device OS"], ["DeviceBrowser", "browser"]].map(([col, label]) => ({
    id: `${prefix}-by-${col}`, title: `By ${label}`, kind: "piechart" as const, from: metricCats,
    query: `${source} | where ${where} | summarize Legs = sum(LegsDcount) by ${col} | order by Legs desc`, link,
  }));
}

export function panelsFor(s: State, m: QualityModel): Panel[] {
  const time = (r: unknown[]) => binRange(r[0], s.bin);
  // The test of a failed operation, from the quality model.
  const failing = `ResultType !in (${m.successResultTypes.map((x) => `'${x}'`).join(", ")})`;
  switch (s.tab) {
    case "Reliability": {
      // The calls where a scenario failed; CallAgentInit runs before any
      // call, and a drop is a participant's end, not an operation.
      const failed = (sc: string, extra: Slice = {}): Slice | null =>
        !sc || sc === "CallAgentInit" ? null : sc === "Drop" ? { ...extra, dropped: "true" } : { ...extra, failed: sc.split("/")[0] };
      const panels: Panel[] = [
        { id: "reliability-totals", title: s.scenario ? `${s.scenario} reliability` : "Reliability", kind: "tiles", from: metricCats,
          query: `api | summarize ['Success rate %'] = ${rate("SuccessLegsDcount", "LegsDcount")}, ['Failed legs'] = sum(FailedLegsDcount), Legs = sum(LegsDcount), Calls = sum(CallsDcount)` },
      ];
      if (!s.scenario) {
        panels.push(
          { id: "reliability-scenarios", title: "Success rate per scenario", kind: "table", from: metricCats,
            query: `api | summarize ['Success rate %'] = ${rate("SuccessLegsDcount", "LegsDcount")}, Legs = sum(LegsDcount), Failed = sum(FailedLegsDcount), Calls = sum(CallsDcount) by Scenario | order by Legs desc, Scenario asc`,
            drill: (r) => ({ scenario: text(r[0]) }), link: (r) => failed(text(r[0])) },
          { id: "reliability-trend", title: "Success rate over time", kind: "timechart", from: metricCats,
            query: `api | summarize ['Success rate %'] = ${rate("SuccessLegsDcount", "LegsDcount")} by Time = bin(TimestampBin, {bin}), Scenario | order by Time asc, Scenario asc`,
            link: (r) => failed(text(r[1]), time(r)) },
          { id: "reliability-subcodes", title: "Top failing subcodes", kind: "table", from: metricCats,
            query: `api | where ${failing} and FailedLegsDcount > 0
| summarize Failed = sum(FailedLegsDcount) by Scenario, SubCode, ResultType | top 15 by Failed desc, Scenario asc, SubCode asc`,
            explain: (t) => withColumn(t, "Meaning", (r) => meaning(m, "", text(r[1]))),
            drill: (r) => ({ scenario: text(r[0]), subcode: text(r[1]) }), link: (r) => failed(text(r[0])) },
        );
        return panels;
      }
      panels.push(
        { id: "reliability-scenario-trend", title: `${s.scenario} success rate and call volume`, kind: "timechart", from: metricCats,
          query: `api | summarize ['Success rate %'] = ${rate("SuccessLegsDcount", "LegsDcount")}, Calls = sum(CallsDcount) by Time = bin(TimestampBin, {bin}) | order by Time asc`,
          link: (r) => failed(s.scenario, time(r)) },
        { id: "reliability-scenario-issues", title: `Top issues for ${s.scenario}`, kind: "table", from: metricCats,
          query: `api | where ${failing} and FailedLegsDcount > 0
| summarize Failed = sum(FailedLegsDcount) by SubCode, ResultType | top 20 by Failed desc, SubCode asc`,
          explain: (t) => withColumn(t, "Meaning", (r) => meaning(m, "", text(r[0]))),
          drill: (r) => ({ subcode: text(r[0]) }), link: () => failed(s.scenario) },
        { id: "reliability-scenario-subcodes", title: `${s.scenario} failures by subcode over time (expected errors included)`, kind: "columnchart", from: metricCats,
          query: `api | where ResultType !in ('Succeeded', 'Success') and FailedLegsDcount > 0
| summarize Failed = sum(FailedLegsDcount) by Time = bin(TimestampBin, {bin}), SubCode | order by Time asc, SubCode asc`,
          link: (r) => failed(s.scenario, time(r)) },
      );
      if (s.subcode) panels.push(...breakdowns("reliability-subcode", "api", "SubCode == subcode", () => failed(s.scenario)));
      return panels;
    }
    case "User-facing diagnostics": {
      const panels: Panel[] = [
        { id: "ufd-totals", title: s.ufd ? `${s.ufd}` : "User-facing diagnostics", kind: "tiles", from: metricCats,
          query: `ufds | summarize Raised = sum(LegsDcount), Recovered = sum(SuccessLegsDcount), ['Recovery rate %'] = ${rate("SuccessLegsDcount", "LegsDcount")}` },
      ];
      if (!s.ufd) {
        panels.push(
          { id: "ufd-table", title: "Volume and recovery rate per diagnostic", kind: "table", from: metricCats,
            query: `ufds | summarize Volume = sum(LegsDcount), Recovered = sum(SuccessLegsDcount), Bad = sum(FailedLegsDcount), ['Recovery rate %'] = ${rate("SuccessLegsDcount", "LegsDcount")}
  by UFD | order by Volume desc, UFD asc`,
            explain: (t) => withColumn(t, "Meaning", (r) => ufdInfo(m, text(r[0]))?.explanation || ""),
            drill: (r) => ({ ufd: text(r[0]) }), link: (r) => ({ failed: text(r[0]) }) },
          { id: "ufd-trend", title: "Recovery rate over time", kind: "timechart", from: metricCats,
            query: `ufds | summarize ['Recovery rate %'] = ${rate("SuccessLegsDcount", "LegsDcount")} by Time = bin(TimestampBin, {bin}), UFD | order by Time asc, UFD asc`,
            link: (r) => ({ ...time(r), failed: text(r[1]) }) },
        );
        return panels;
      }
      panels.push(
        { id: "ufd-recovery", title: `${s.ufd} recovery per bucket`, kind: "table", from: metricCats,
          query: `ufds | summarize Volume = sum(LegsDcount), Recovered = sum(SuccessLegsDcount), Bad = sum(FailedLegsDcount), ['Recovery rate %'] = ${rate("SuccessLegsDcount", "LegsDcount")}
  by Time = bin(TimestampBin, {bin}) | order by Time desc`,
          link: (r) => ({ ...time(r), failed: s.ufd }) },
        { id: "ufd-volume", title: `${s.ufd} volume over time`, kind: "columnchart", from: metricCats,
          query: `ufds | summarize Recovered = sum(SuccessLegsDcount), Bad = sum(FailedLegsDcount) by Time = bin(TimestampBin, {bin}) | order by Time asc`,
          link: (r) => ({ ...time(r), failed: s.ufd }) },
        ...breakdowns("ufd", "ufds", "true", () => ({ failed: s.ufd })),
      );
      return panels;
    }
    case "Quality": {
      const poor = `(${m.poorStream})`;
      return [
        { id: "quality-totals", title: "Stream health", kind: "tiles", from: ["CallDiagnostics", "CallSummary"],
          query: `streams | summarize Streams = count(), ['Poor streams'] = countif(${poor}), Calls = dcount(CorrelationId), ['Impacted calls'] = dcountif(CorrelationId, ${poor})` },
        { id: "quality-health", title: "Streams", kind: "piechart", from: ["CallDiagnostics", "CallSummary"],
          query: `streams | summarize Streams = count() by Quality = iff(${poor}, 'poor', 'good') | order by Quality desc`,
          link: (r) => ({ quality: text(r[0]) }) },
        { id: "quality-impacted", title: "Impacted calls", kind: "piechart", from: ["CallDiagnostics", "CallSummary"],
          query: `streams | summarize Poor = countif(${poor}) by CorrelationId | summarize Calls = count() by Quality = iff(Poor > 0, 'poor', 'good') | order by Quality desc`,
          link: (r) => ({ quality: text(r[0]) }) },
        { id: "quality-media", title: "Poor streams by media type", kind: "columnchart", from: ["CallDiagnostics", "CallSummary"],
          query: `streams | summarize Good = countif(not(${poor})), Poor = countif(${poor}) by MediaType | order by MediaType asc`,
          link: () => ({ quality: "poor" }) },
        { id: "quality-end-categories", title: "Participant end reason categories", kind: "piechart", from: summaryCats,
          query: `summaries | where isnotempty(ParticipantEndReason)
| summarize Participants = count() by Category = case(ParticipantEndReason startswith '0' or (strlen(ParticipantEndReason) == 3 and ParticipantEndReason startswith '2'), 'Success',
    strlen(ParticipantEndReason) != 3, 'Other', ParticipantEndReason startswith '1', 'Provisional', ParticipantEndReason startswith '3', 'Redirection',
    ParticipantEndReason startswith '4', 'Client failure', ParticipantEndReason startswith '5', 'Server failure', ParticipantEndReason startswith '6', 'Global failure', 'Other')
| order by Participants desc`,
          link: (r) => (endClasses[text(r[0])] ? { endReason: endClasses[text(r[0])] } : null) },
        { id: "quality-end-reasons", title: "Participant end reasons", kind: "table", from: summaryCats,
          query: `summaries | where isnotempty(ParticipantEndReason)
| summarize Participants = count(), Dropped = countif(${m.dropped}) by EndReason = ParticipantEndReason, SubCode = ParticipantEndSubCode | top 25 by Participants desc, EndReason asc, SubCode asc`,
          explain: (t) => withColumn(t, "Meaning", (r) => meaning(m, text(r[0]), text(r[1]))),
          link: (r) => ({ endReason: text(r[0]) }) },
      ];
    }
    case "Performance": {
      const p = s.pct;
      const op = (name: string): Slice => (name ? { q: name } : {});
      const panels: Panel[] = [
        { id: "performance-totals", title: "Client operations", kind: "tiles", from: ["CallClientOperations"],
          query: `operations | summarize Operations = count(), ['Median (ms)'] = percentile(DurationMs, 50), ['P${p} (ms)'] = percentile(DurationMs, ${p}), Failed = countif(${failing})` },
        { id: "performance-p95", title: `P${p} latency per scenario against the recommended P95`, kind: "table", from: ["CallClientOperations"],
          query: `operations | summarize p50 = percentile(DurationMs, 50), ['P${p}'] = percentile(DurationMs, ${p}), p95 = percentile(DurationMs, 95), Operations = count() by OperationName
| join kind=leftouter (${latencyTargets}) on OperationName
| project OperationName, p50, ['P${p}'], p95, ['Recommended P95'] = TargetMs, ['Within target'] = iff(p95 <= TargetMs, 'yes', 'no'), Operations | order by OperationName asc`,
          drill: (r) => (s.scenario ? null : { scenario: text(r[0]) }), link: (r) => op(text(r[0])) },
        { id: "performance-trend", title: `P${p} latency over time (ms)`, kind: "timechart", from: ["CallClientOperations"],
          query: `operations | summarize Latency = percentile(DurationMs, ${p}) by Time = bin(CallClientTimeStamp, {bin}), OperationName | order by Time asc, OperationName asc`,
          link: (r) => ({ ...time(r), ...op(text(r[1])) }) },
        { id: "performance-users", title: "Latency percentiles per participant (ms)", kind: "table", from: ["CallClientOperations"],
          query: `operations | where isnotempty(ParticipantId)
| summarize p50 = percentile(DurationMs, 50), p90 = percentile(DurationMs, 90), p95 = percentile(DurationMs, 95), p99 = percentile(DurationMs, 99),
    Average = round(avg(DurationMs), 0), Operations = count() by ParticipantId | top 50 by Operations desc, p95 desc, ParticipantId asc`,
          link: (r) => ({ q: text(r[0]) }) },
        { id: "performance-histogram", title: `${s.scenario || "Operation"} latency histogram (seconds)`, kind: "columnchart", from: ["CallClientOperations"],
          query: `operations | summarize Operations = count() by Seconds = tostring(bin(DurationMs, 1000) / 1000) | order by toint(Seconds) asc`,
          link: () => op(s.scenario) },
      ];
      return panels;
    }
    default: // Volume
      return [
        { id: "volume-totals", title: "Totals", kind: "tiles", from: summaryCats,
          query: `summaries | summarize Calls = dcount(CorrelationId), Participants = dcount(ParticipantId), ['Participant minutes'] = round(sum(ParticipantDuration) / 60.0, 1)` },
        { id: "volume-over-time", title: "Calls and participants over time", kind: "timechart", from: summaryCats,
          query: `summaries | summarize Calls = dcount(CorrelationId), Participants = dcount(ParticipantId) by Time = bin(CallStartTime, {bin}) | order by Time asc`,
          link: time },
        { id: "volume-duration", title: "Average call minutes over time", kind: "timechart", from: summaryCats,
          query: `summaries | summarize ['Average minutes'] = round(avg(CallDuration) / 60.0, 2) by Time = bin(CallStartTime, {bin}) | order by Time asc`,
          link: time },
        { id: "volume-call-type", title: "Participants by call type", kind: "piechart", from: summaryCats,
          query: `summaries | summarize Participants = dcount(ParticipantId) by CallType | order by Participants desc`,
          link: (r) => ({ callType: text(r[0]) }) },
        { id: "volume-endpoint", title: "Participants by endpoint type", kind: "piechart", from: summaryCats,
          query: `summaries | summarize Participants = dcount(ParticipantId) by EndpointType | order by Participants desc`,
          link: (r) => ({ clientType: text(r[0]) }) },
        { id: "volume-participant-type", title: "Participants by participant type", kind: "piechart", from: summaryCats,
          query: `summaries | summarize Participants = dcount(ParticipantId) by ParticipantType | order by Participants desc`,
          link: (r) => (text(r[0]) ? { participantType: text(r[0]) } : null) },
        { id: "volume-os", title: "Participants by OS", kind: "piechart", from: summaryCats,
          query: `summaries | summarize Participants = dcount(ParticipantId) by OS = case(OsVersion contains 'Windows', 'Windows', OsVersion contains 'Android', 'Android',
    OsVersion contains 'iOS' or OsVersion contains 'iPhone', 'iOS', OsVersion contains 'Mac', 'Mac OS X', OsVersion contains 'Linux', 'Linux', isempty(OsVersion), 'Unknown', 'Others')
| order by Participants desc`,
          link: (r) => (["Unknown", "Others"].includes(text(r[0])) ? null : { q: text(r[0]) === "Mac OS X" ? "Mac" : text(r[0]) }) },
        { id: "volume-sdk", title: "VoIP participants by SDK version", kind: "piechart", from: summaryCats,
          query: `summaries | where EndpointType == 'VoIP' and isnotempty(SdkVersion) | summarize Participants = dcount(ParticipantId) by SdkVersion | top 10 by Participants desc, SdkVersion asc`,
          link: (r) => ({ q: text(r[0]) }) },
        { id: "volume-top-users", title: "Top VoIP users", kind: "table", from: summaryCats,
          query: `summaries | where EndpointType == 'VoIP' and isnotempty(Identifier)
| summarize Calls = dcount(CorrelationId), ['Shortest (min)'] = round(min(CallDuration) / 60.0, 2), ['Average (min)'] = round(avg(CallDuration) / 60.0, 2), ['Longest (min)'] = round(max(CallDuration) / 60.0, 2)
  by Identifier | top 30 by Calls desc, Identifier asc`,
          link: (r) => ({ q: text(r[0]) }) },
      ];
  }
}

export const tabNames = ["Volume", "Reliability", "User-facing diagnostics", "Quality", "Performance"];

function ufdInfo(m: QualityModel, name: string) {
  const k = name.toLowerCase();
  return m.ufds.find((u) => u.name.toLowerCase() === k || (u.aliases || []).some((a) => a.toLowerCase() === k));
}

const charts: Chart[] = [];

export async function insightsPage(main: HTMLElement, qs: URLSearchParams) {
  const s: State = { ...defaults };
  for (const k of Object.keys(defaults) as (keyof State)[]) s[k] = qs.get(k) || defaults[k];
  if (!tabNames.includes(s.tab)) s.tab = "Volume";
  if (!percentiles.includes(s.pct)) s.pct = defaults.pct;
  const go = (change: Partial<State>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...s, ...change })) if (v && v !== defaults[k as keyof State]) p.set(k, v);
    location.hash = "#/insights?" + p.toString();
  };
  const select = (name: keyof State, label: string, options: [string, string][]) => {
    const sel = el("select", { "aria-label": label, id: "filter-" + name }) as HTMLSelectElement;
    for (const [v, l] of options) sel.append(el("option", { value: v }, l));
    sel.value = s[name];
    sel.addEventListener("change", () => go({ [name]: sel.value }));
    return sel;
  };
  const input = (name: keyof State, label: string) => {
    const i = el("input", { placeholder: label, "aria-label": label, id: "filter-" + name, size: "12" }) as HTMLInputElement;
    i.value = s[name];
    i.addEventListener("change", () => go({ [name]: i.value.trim() }));
    return i;
  };
  const filters = el("div", { class: "row" },
    select("timespan", "time range", [["PT1H", "Last hour"], ["PT24H", "Last 24 hours"], ["P7D", "Last 7 days"], ["P30D", "Last 30 days"], ["P90D", "Last 90 days"]]),
    select("bin", "granularity", [["1h", "Hourly"], ["1d", "Daily"], ["7d", "Weekly"]]),
    select("callType", "call type", [["", "All call types"], ["Group", "Group"], ["P2P", "P2P"]]),
    input("sdk", "SDK version"), input("os", "OS"));
  if (s.tab === "Volume" || s.tab === "Quality") {
    filters.append(
      select("endpointType", "endpoint type", [["", "All endpoints"], ["VoIP", "VoIP"], ["PSTN", "PSTN"], ["Bot", "Bot"], ["Server", "Server"]]),
      select("participantType", "participant type", [["", "All participant types"], ["ACS", "ACS"], ["Teams", "Teams"], ["PSTN", "PSTN"]]));
  }
  if (s.tab === "Quality") {
    filters.append(select("media", "media type", [["", "All media"], ["Audio", "Audio"], ["Video", "Video"], ["VBSS", "Screen sharing"], ["AppSharing", "App sharing"]]));
  }
  if (s.tab === "Performance") {
    filters.append(
      select("scenario", "scenario", [["", "All scenarios"], ...["CallAgentInit", "HandleIncomingCall", "AcceptIncomingCall", "Join", "StartCall", "StartVideo", "StopVideo"].map((x) => [x, x] as [string, string])]),
      select("pct", "percentile", percentiles.map((x) => [x, "P" + x] as [string, string])));
  }
  const tabBar = el("div", { class: "tabs", role: "tablist" });
  for (const name of tabNames) {
    const b = el("button", { role: "tab", "aria-selected": String(name === s.tab), id: "insights-" + name.replace(/\W+/g, "-") }, name);
    b.addEventListener("click", () => go({ tab: name, scenario: "", subcode: "", ufd: "" }));
    tabBar.append(b);
  }
  // What the tab is narrowed to, each removable.
  const chips = el("div", { class: "row", id: "drill" });
  for (const [k, label] of [["scenario", "Scenario"], ["subcode", "Subcode"], ["ufd", "Diagnostic"]] as [keyof State, string][]) {
    if (!s[k] || (k === "scenario" && s.tab === "Performance")) continue;
    const clear = el("button", { "aria-label": `clear ${label}` }, "✕");
    clear.addEventListener("click", () => go(k === "scenario" ? { scenario: "", subcode: "" } : { [k]: "" }));
    chips.append(el("span", { class: "chip" }, `${label}: ${s[k]} `, clear));
  }
  const grid = el("div", { id: "panels", "aria-busy": "true" });
  main.replaceChildren(el("h1", {}, "Insights"), filters, tabBar, chips, grid);
  charts.splice(0).forEach((c) => c.destroy());

  let m: QualityModel;
  try {
    m = await qualityModel();
  } catch (e) {
    grid.setAttribute("aria-busy", "false");
    grid.replaceChildren(el("div", { class: "error", role: "alert" }, String((e as Error).message)));
    return;
  }
  if (s.tab === "User-facing diagnostics" && s.ufd) {
    const u = ufdInfo(m, s.ufd);
    chips.append(el("span", { class: "muted", id: "ufd-definition" }, u ? `${u.explanation} ${u.nextStep}` : "Not in callscope's catalogue of diagnostics."));
  }
  const toCalls = (slice: Slice) => {
    const p = new URLSearchParams(slice.from ? slice : { timespan: s.timespan, ...slice });
    if (s.callType && !slice.callType) p.set("callType", s.callType);
    if (s.endpointType && !slice.clientType && (s.tab === "Volume" || s.tab === "Quality")) p.set("clientType", s.endpointType);
    if (s.participantType && !slice.participantType && (s.tab === "Volume" || s.tab === "Quality")) p.set("participantType", s.participantType);
    return "#/calls?" + p.toString();
  };
  grid.setAttribute("aria-busy", "false");
  const sources = routedCategories().catch(() => null);
  for (const p of panelsFor(s, m)) {
    const box = el("section", { class: "panel", id: "panel-" + p.id, "aria-busy": "true" }, el("h2", {}, p.title), el("p", { class: "muted" }, "Loading…"));
    grid.append(box);
    const kqlText = panelQuery(p, s);
    box.dataset.kql = kqlText;
    const openInQuery = el("a", { href: "#/query?q=" + encodeURIComponent(kqlText), class: "muted" }, "Open in Query");
    kql(kqlText, s.timespan, { callType: s.callType, endpointType: s.endpointType, participantType: s.participantType, sdk: s.sdk, os: s.os,
      scenario: s.scenario, subcode: s.subcode, ufd: s.ufd, media: s.media }).then(async (a) => {
      const t = p.explain ? p.explain(a.tables[0]) : a.tables[0];
      const view = t.rows.length ? panelView(p, t, go, toCalls) : await emptyState(p, await sources);
      box.setAttribute("aria-busy", "false");
      box.replaceChildren(el("h2", {}, p.title), view, el("p", {}, openInQuery));
    }, (e) => {
      box.setAttribute("aria-busy", "false");
      box.replaceChildren(el("h2", {}, p.title), el("div", { class: "error", role: "alert" }, e instanceof APIError ? e.message : String(e)));
    });
  }
}

// panelQuery is the KQL a panel runs: what a user would paste into the
// Query page (the filters stay parameters with their defaults).
export function panelQuery(p: Panel, s: State): string {
  return preamble + p.query.split("{bin}").join(s.bin);
}

// emptyState says why a panel has nothing to show: no diagnostic setting
// sends its category here, or nothing happened in the range.
async function emptyState(p: Panel, routed: Set<string> | "all" | null): Promise<HTMLElement> {
  const missing = routed === null || routed === "all" ? [] : p.from.filter((c) => !routed.has(c));
  if (routed !== null && routed !== "all" && missing.length === p.from.length) {
    return el("p", { class: "muted empty" }, `No diagnostic setting routes ${p.from.join(" or ")} to this workspace. `,
      el("a", { href: "#/settings" }, "Add one in Settings"), ", then the data that arrives from then on shows here.");
  }
  return el("p", { class: "muted empty" }, "No data in this range and filters: widen the time range or clear a filter." +
    (p.from.includes("CallingMetrics") ? " Calling metrics are computed daily from CallSummary and CallClientOperations." : ""));
}

function panelView(p: Panel, t: Table, go: (c: Partial<State>) => void, toCalls: (s: Slice) => string): HTMLElement {
  const href = p.link ? (row: unknown[]) => { const s = p.link!(row); return s ? toCalls(s) : null; } : undefined;
  // A row narrows the tab when the panel drills, else it opens its calls.
  const onRow = p.drill
    ? (row: unknown[]) => { const d = p.drill!(row); if (d) go(d); else { const h = href?.(row); if (h) location.hash = h; } }
    : href ? (row: unknown[]) => { const h = href(row); if (h) location.hash = h; } : undefined;
  if (p.kind === "tiles") {
    return el("div", { class: "tiles" }, ...t.columns.map((c, i) => el("div", { class: "tile", "data-name": c.name },
      el("div", { class: "tile-value" }, text(t.rows[0][i])), el("div", { class: "muted" }, c.name))));
  }
  if (p.kind === "table") return resultTable(t.columns, t.rows, onRow, p.drill ? href : undefined);
  const canvas = el("canvas") as HTMLCanvasElement;
  const wrap = el("div", { class: p.kind === "piechart" ? "chart pie" : "chart" }, canvas);
  if (canRender(p.kind)) {
    const r = renderChart(canvas, t, p.kind);
    charts.push(r.chart);
    if (onRow) {
      canvas.style.cursor = "pointer";
      canvas.addEventListener("click", (e) => {
        const hit = r.hit(e);
        if (hit) onRow(hit.row);
      });
    }
  }
  // The numbers behind every chart, also as links.
  return el("div", {}, wrap, el("details", {}, el("summary", {}, "Data"), resultTable(t.columns, t.rows, onRow, p.drill ? href : undefined)));
}
