// Insights: the five tabs of the Voice and video workbook (Volume,
// Reliability, User-facing diagnostics, Quality, Performance), every panel
// a KQL query through the query API, so a panel shows what that query
// returns. Rows and slices link to the Call Diagnostics search for the
// calls behind them.

import { Chart } from "chart.js";
import { APIError, kql, type Table } from "./api";
import { canRender, renderChart } from "./chart";
import { el, resultTable, text } from "./table";

type Link = (row: unknown[]) => Record<string, string> | null;

interface Panel {
  id: string;
  title: string;
  kind: "tiles" | "table" | "timechart" | "piechart" | "columnchart";
  query: string; // KQL; {bin} is the granularity, filters arrive as parameters
  link?: Link;
  note?: string;
}

// Filters reach the queries as declared parameters, never as query text.
const params = `declare query_parameters(callType:string = '', endpointType:string = '', sdk:string = '');
let summaries = ACSCallSummary
  | where (isempty(callType) or CallType == callType) and (isempty(endpointType) or EndpointType == endpointType)
      and (isempty(sdk) or SdkVersion == sdk);
let metrics = ACSCallingMetrics
  | summarize arg_max(TimestampMax, *) by TimestampBin, MetricName, SubCode, ResultType, Platform, SdkVersion, CallType, DeviceOsName, DeviceBrowser
  | where (isempty(callType) or CallType == callType) and (isempty(sdk) or SdkVersion == sdk);
`;

const unhealthy = "JitterAvg > 30 or PacketLossRateAvg > 0.1 or RoundTripTimeAvg > 500";

// Recommended P95 latencies of the calling SDK's operations, in ms.
const latencyTargets = "datatable(OperationName:string, TargetMs:long)['CallAgentInit', 2000, 'HandleIncomingCall', 2000, 'AcceptIncomingCall', 3000, 'Join', 5000, 'StartCall', 1000, 'StartVideo', 7000, 'StopVideo', 1000]";

export const tabs: Record<string, Panel[]> = {
  Volume: [
    { id: "volume-totals", title: "Totals", kind: "tiles",
      query: `summaries | summarize Calls = dcount(CorrelationId), Participants = dcount(ParticipantId), ['Participant minutes'] = round(sum(ParticipantDuration) / 60.0, 1)` },
    { id: "volume-over-time", title: "Calls and participants over time", kind: "timechart",
      query: `summaries | summarize Calls = dcount(CorrelationId), Participants = dcount(ParticipantId) by Time = bin(CallStartTime, {bin}) | order by Time asc` },
    { id: "volume-duration", title: "Average call minutes over time", kind: "timechart",
      query: `summaries | summarize ['Average minutes'] = round(avg(CallDuration) / 60.0, 2) by Time = bin(CallStartTime, {bin}) | order by Time asc` },
    { id: "volume-call-type", title: "Participants by call type", kind: "piechart",
      query: `summaries | summarize Participants = dcount(ParticipantId) by CallType | order by Participants desc`,
      link: (r) => ({ callType: text(r[0]) }) },
    { id: "volume-endpoint", title: "Participants by endpoint type", kind: "piechart",
      query: `summaries | summarize Participants = dcount(ParticipantId) by EndpointType | order by Participants desc`,
      link: (r) => ({ clientType: text(r[0]) }) },
    { id: "volume-top-users", title: "Top users", kind: "table",
      query: `summaries | where isnotempty(Identifier) | summarize Calls = dcount(CorrelationId), ['Average minutes'] = round(avg(CallDuration) / 60.0, 2) by Identifier | top 20 by Calls desc, Identifier asc`,
      link: (r) => ({ q: text(r[0]) }) },
  ],
  Reliability: [
    { id: "reliability-totals", title: "Reliability", kind: "tiles",
      query: `metrics | where MetricName startswith 'reliability/api/' and MetricName !startswith 'reliability/api/UFD'
| summarize ['Success rate %'] = round(sum(SuccessLegsDcount) * 100.0 / sum(LegsDcount), 2), ['Failed legs'] = sum(FailedLegsDcount), Legs = sum(LegsDcount)` },
    { id: "reliability-scenarios", title: "Success rate per scenario", kind: "table",
      query: `metrics | where MetricName startswith 'reliability/api/' and MetricName !startswith 'reliability/api/UFD'
| summarize ['Success rate %'] = round(sum(SuccessLegsDcount) * 100.0 / sum(LegsDcount), 2), Legs = sum(LegsDcount), Failed = sum(FailedLegsDcount)
  by Scenario = replace_string(MetricName, 'reliability/api/', '') | order by Legs desc`,
      link: (r) => ({ q: text(r[0]), hasIssues: "true" }) },
    { id: "reliability-trend", title: "Success rate over time", kind: "timechart",
      query: `metrics | where MetricName startswith 'reliability/api/' and MetricName !startswith 'reliability/api/UFD'
| summarize ['Success rate %'] = round(sum(SuccessLegsDcount) * 100.0 / sum(LegsDcount), 2) by Time = bin(TimestampBin, {bin}) | order by Time asc` },
    { id: "reliability-subcodes", title: "Top failing subcodes", kind: "table",
      query: `metrics | where MetricName startswith 'reliability/api/' and ResultType !in ('Succeeded', 'Success', 'ExpectedError')
| summarize Failed = sum(FailedLegsDcount) by SubCode, ResultType, Scenario = replace_string(MetricName, 'reliability/api/', '') | top 15 by Failed desc, SubCode asc`,
      link: (r) => ({ q: text(r[2]), hasIssues: "true" }) },
  ],
  "User-facing diagnostics": [
    { id: "ufd-totals", title: "User-facing diagnostics", kind: "tiles",
      query: `metrics | where MetricName startswith 'reliability/api/UFD/recovery/'
| summarize Raised = sum(LegsDcount), Recovered = sum(SuccessLegsDcount), ['Recovery rate %'] = round(sum(SuccessLegsDcount) * 100.0 / sum(LegsDcount), 2)` },
    { id: "ufd-table", title: "Volume and recovery rate per diagnostic", kind: "table",
      query: `metrics | where MetricName startswith 'reliability/api/UFD/recovery/'
| summarize Volume = sum(LegsDcount), Recovered = sum(SuccessLegsDcount), Bad = sum(FailedLegsDcount), ['Recovery rate %'] = round(sum(SuccessLegsDcount) * 100.0 / sum(LegsDcount), 2)
  by UFD = replace_string(MetricName, 'reliability/api/UFD/recovery/', '') | order by Volume desc, UFD asc`,
      link: (r) => ({ q: text(r[0]), hasIssues: "true" }) },
  ],
  Quality: [
    { id: "quality-totals", title: "Stream health", kind: "tiles",
      query: `ACSCallDiagnostics | where CorrelationId in (summaries | project CorrelationId)
| summarize Streams = count(), Unhealthy = countif(${unhealthy}), Calls = dcount(CorrelationId), ['Impacted calls'] = dcountif(CorrelationId, ${unhealthy})` },
    { id: "quality-impacted", title: "Impacted calls", kind: "piechart",
      query: `ACSCallDiagnostics | where CorrelationId in (summaries | project CorrelationId)
| summarize Poor = countif(${unhealthy}) by CorrelationId | summarize Calls = count() by Quality = iff(Poor > 0, 'poor', 'good') | order by Quality desc`,
      link: (r) => ({ quality: text(r[0]) }) },
    { id: "quality-media", title: "Unhealthy streams by media type", kind: "columnchart",
      query: `ACSCallDiagnostics | where CorrelationId in (summaries | project CorrelationId)
| summarize Healthy = countif(not(${unhealthy})), Unhealthy = countif(${unhealthy}) by MediaType | order by MediaType asc`,
      link: () => ({ quality: "poor" }) },
    { id: "quality-end-reasons", title: "End reasons", kind: "table",
      query: `summaries | summarize Participants = count() by Category = case(ParticipantEndReason startswith '0' or ParticipantEndReason startswith '2', 'Success',
    ParticipantEndReason startswith '4', 'Client failure', ParticipantEndReason startswith '5', 'Server failure', ParticipantEndReason startswith '6', 'Global failure', 'Other'),
    EndReason = ParticipantEndReason, SubCode = ParticipantEndSubCode | top 20 by Participants desc, EndReason asc`,
      link: (r) => (r[0] === "Success" ? null : { q: text(r[1]), hasIssues: "true" }) },
  ],
  Performance: [
    { id: "performance-totals", title: "Client operations", kind: "tiles",
      query: `ACSCallClientOperations | where OperationName in ('CallAgentInit', 'HandleIncomingCall', 'AcceptIncomingCall', 'Join', 'StartCall', 'StartVideo', 'StopVideo')
| summarize Operations = count(), ['Median (ms)'] = percentile(DurationMs, 50), ['p95 (ms)'] = percentile(DurationMs, 95), Failed = countif(ResultType !in ('Succeeded', 'Success', 'ExpectedError'))` },
    { id: "performance-p95", title: "API latency against the recommended P95", kind: "table",
      query: `ACSCallClientOperations | where OperationName in ('CallAgentInit', 'HandleIncomingCall', 'AcceptIncomingCall', 'Join', 'StartCall', 'StartVideo', 'StopVideo')
| summarize p50 = percentile(DurationMs, 50), p95 = percentile(DurationMs, 95), p99 = percentile(DurationMs, 99), Operations = count() by OperationName
| join kind=leftouter (${latencyTargets}) on OperationName
| project OperationName, p50, p95, p99, TargetMs, ['Within target'] = iff(p95 <= TargetMs, 'yes', 'no'), Operations | order by OperationName asc`,
      link: (r) => ({ q: text(r[0]) }) },
    { id: "performance-users", title: "Slowest participants (Join)", kind: "table",
      query: `ACSCallClientOperations | where OperationName == 'Join' and isnotempty(ParticipantId)
| summarize p95 = percentile(DurationMs, 95), Joins = count() by ParticipantId | top 20 by p95 desc, ParticipantId asc`,
      link: (r) => ({ q: text(r[0]) }) },
    { id: "performance-histogram", title: "Join latency histogram (seconds)", kind: "columnchart",
      query: `ACSCallClientOperations | where OperationName == 'Join' | summarize Operations = count() by Seconds = tostring(bin(DurationMs, 1000) / 1000) | order by toint(Seconds) asc` },
  ],
};

const charts: Chart[] = [];

export async function insightsPage(main: HTMLElement, qs: URLSearchParams) {
  const tab = tabs[qs.get("tab") || ""] ? (qs.get("tab") as string) : "Volume";
  const f = {
    timespan: qs.get("timespan") || "P7D", bin: qs.get("bin") || "1d",
    callType: qs.get("callType") || "", endpointType: qs.get("endpointType") || "", sdk: qs.get("sdk") || "",
  };
  const go = (change: Record<string, string>) => {
    const p = new URLSearchParams({ tab, ...f, ...change });
    for (const [k, v] of [...p]) if (!v) p.delete(k);
    location.hash = "#/insights?" + p.toString();
  };
  const select = (name: keyof typeof f, label: string, options: [string, string][]) => {
    const s = el("select", { "aria-label": label, id: "filter-" + name }) as HTMLSelectElement;
    for (const [v, l] of options) s.append(el("option", { value: v }, l));
    s.value = f[name];
    s.addEventListener("change", () => go({ [name]: s.value }));
    return s;
  };
  const sdk = el("input", { placeholder: "SDK version", "aria-label": "SDK version", id: "filter-sdk", size: "16" }) as HTMLInputElement;
  sdk.value = f.sdk;
  sdk.addEventListener("change", () => go({ sdk: sdk.value.trim() }));
  const filters = el("div", { class: "row" },
    select("timespan", "time range", [["PT24H", "Last 24 hours"], ["P7D", "Last 7 days"], ["P30D", "Last 30 days"], ["P90D", "Last 90 days"]]),
    select("bin", "granularity", [["1h", "Hourly"], ["1d", "Daily"], ["7d", "Weekly"]]),
    select("callType", "call type", [["", "All call types"], ["Group", "Group"], ["P2P", "P2P"]]),
    select("endpointType", "endpoint type", [["", "All endpoints"], ["VoIP", "VoIP"], ["PSTN", "PSTN"], ["Bot", "Bot"], ["Server", "Server"]]),
    sdk);
  const tabBar = el("div", { class: "tabs", role: "tablist" });
  for (const name of Object.keys(tabs)) {
    const b = el("button", { role: "tab", "aria-selected": String(name === tab), id: "insights-" + name.replace(/\W+/g, "-") }, name);
    b.addEventListener("click", () => go({ tab: name }));
    tabBar.append(b);
  }
  const grid = el("div", { id: "panels" });
  main.replaceChildren(el("h1", {}, "Insights"), filters, tabBar, grid);
  charts.splice(0).forEach((c) => c.destroy());

  const search = (slice: Record<string, string>) => {
    const p = new URLSearchParams({ timespan: f.timespan, ...slice });
    if (f.callType && !slice.callType) p.set("callType", f.callType);
    if (f.endpointType && !slice.clientType) p.set("clientType", f.endpointType);
    location.hash = "#/calls?" + p.toString();
  };
  for (const p of tabs[tab]) {
    const box = el("section", { class: "panel", id: "panel-" + p.id, "aria-busy": "true" }, el("h2", {}, p.title), el("p", { class: "muted" }, "Loading…"));
    grid.append(box);
    const kqlText = panelQuery(p, f.bin);
    box.dataset.kql = kqlText;
    const openInQuery = el("a", { href: "#/query?q=" + encodeURIComponent(kqlText), class: "muted" }, "Open in Query");
    runPanel(p, f).then((t) => {
      box.setAttribute("aria-busy", "false");
      box.replaceChildren(el("h2", {}, p.title), panelView(p, t, search), el("p", {}, openInQuery));
    }, (e) => {
      box.setAttribute("aria-busy", "false");
      box.replaceChildren(el("h2", {}, p.title), el("div", { class: "error", role: "alert" }, e instanceof APIError ? e.message : String(e)));
    });
  }
}

// panelQuery is the KQL a panel runs, with its filter values: what a user
// would paste into the Query page.
export function panelQuery(p: Panel, bin: string): string {
  return params + p.query.split("{bin}").join(bin);
}

async function runPanel(p: Panel, f: { timespan: string; bin: string; callType: string; endpointType: string; sdk: string }): Promise<Table> {
  const a = await kql(panelQuery(p, f.bin), f.timespan, { callType: f.callType, endpointType: f.endpointType, sdk: f.sdk });
  return a.tables[0];
}

function panelView(p: Panel, t: Table, search: (slice: Record<string, string>) => void): HTMLElement {
  if (t.rows.length === 0) {
    return el("p", { class: "muted" }, "No data in this range. Widen the time range, or check that a diagnostic setting sends this category to the workspace.");
  }
  const open = p.link ? (row: unknown[]) => { const s = p.link!(row); if (s) search(s); } : undefined;
  if (p.kind === "tiles") {
    return el("div", { class: "tiles" }, ...t.columns.map((c, i) => el("div", { class: "tile", "data-name": c.name },
      el("div", { class: "tile-value" }, text(t.rows[0][i])), el("div", { class: "muted" }, c.name))));
  }
  if (p.kind === "table") return resultTable(t.columns, t.rows, open);
  const canvas = el("canvas") as HTMLCanvasElement;
  const wrap = el("div", { class: p.kind === "piechart" ? "chart pie" : "chart" }, canvas);
  if (canRender(p.kind)) {
    const chart = renderChart(canvas, t, p.kind);
    charts.push(chart);
    if (open) {
      canvas.style.cursor = "pointer";
      canvas.addEventListener("click", (e) => {
        const hit = chart.getElementsAtEventForMode(e, "nearest", { intersect: true }, false)[0];
        if (hit) open(t.rows[hit.index]);
      });
    }
  }
  // The numbers behind every chart, also as links.
  return el("div", {}, wrap, el("details", {}, el("summary", {}, "Data"), resultTable(t.columns, t.rows, open)));
}
