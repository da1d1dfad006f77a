// Call Diagnostics: the search page and the call page (Overview, Issues,
// Timeline). A call still in progress refreshes itself.

import { Chart } from "chart.js";
import { get, wsPath } from "./api";
import { el, resultTable } from "./table";

interface CallRow {
  callId: string; start: string; end?: string; callType: string; participants: number; clientTypes: string;
  participantTypes: string; sdkVersions: string; osVersions: string; quality: string; rating: string;
  droppedParticipants: number; poorStreams: number; issues: number; issuesBreakdown: Record<string, number>;
}

const badge = (v: string) => el("span", { class: `badge ${v}` }, v);

export async function searchPage(main: HTMLElement, params: URLSearchParams) {
  const field = (name: string, label: string, options?: string[]) => {
    let input: HTMLInputElement | HTMLSelectElement;
    if (options) {
      input = el("select", { name, "aria-label": label }) as HTMLSelectElement;
      for (const o of ["", ...options]) input.append(el("option", { value: o }, o || `${label}: any`));
    } else {
      input = el("input", { name, placeholder: label, "aria-label": label, size: "40" }) as HTMLInputElement;
    }
    input.value = params.get(name) || "";
    return input;
  };
  const inputs = [
    field("q", "call id, participant, identifier, tag…"),
    field("timespan", "time", ["PT1H", "PT24H", "P7D", "P30D"]),
    field("callType", "call type", ["Group", "P2P"]),
    field("clientType", "client type", ["VoIP", "PSTN", "Bot", "Server", "Anonymous"]),
    field("quality", "quality", ["good", "poor", "unknown"]),
    field("rating", "rating", ["good", "average", "poor", "unknown"]),
    field("hasIssues", "issues", ["true", "false"]),
    field("dropped", "dropped", ["true", "false"]),
    field("participantType", "participant type", ["ACS", "Teams", "PSTN"]),
    field("failed", "failed operation or diagnostic"),
    field("endReason", "end code (487, 4xx)"),
  ];
  for (const i of inputs.slice(-2)) i.setAttribute("size", "16");
  // A chart's bucket arrives as a time range; the form's own choice replaces it.
  if (params.get("from") && params.get("to")) {
    inputs[1].value = "";
    inputs[1].addEventListener("change", () => { params.delete("from"); params.delete("to"); });
  }
  const form = el("form", { class: "row", id: "search" }, ...inputs, el("button", { class: "primary", type: "submit" }, "Search"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const i of inputs) if (i.value) p.set(i.name, i.value);
    if (!p.get("timespan") && params.get("from") && params.get("to")) {
      p.set("from", params.get("from")!);
      p.set("to", params.get("to")!);
    }
    location.hash = "#/calls?" + p.toString();
  });
  const out = el("div", { id: "calls" }, el("p", { class: "muted" }, "Searching…"));
  const range = params.get("from") && params.get("to")
    ? el("p", { class: "muted", id: "range" }, `Calls started between ${params.get("from")} and ${params.get("to")}.`)
    : "";
  main.replaceChildren(el("h1", {}, "Call Diagnostics"), form, range, out);

  const q = new URLSearchParams(params);
  if (!q.get("timespan") && !q.get("from")) q.set("timespan", "P7D");
  try {
    const page = await get<{ calls: CallRow[]; next?: string }>(wsPath("/calls?" + q.toString()));
    if (page.calls.length === 0) {
      out.replaceChildren(el("p", {}, "No calls match. Widen the time range, or check that a diagnostic setting sends CallSummary and CallClientOperations to this workspace."));
      return;
    }
    const cols = ["CallId", "Start", "Type", "Participants", "Clients", "Quality", "Rating", "Dropped", "Poor streams", "Issues"]
      .map((name) => ({ name, type: ["Participants", "Dropped", "Poor streams", "Issues"].includes(name) ? "long" : "string" }));
    const rows = page.calls.map((c) => [c.callId, c.start, c.callType, c.participants, c.clientTypes, c.quality, c.rating, c.droppedParticipants, c.poorStreams, c.issues]);
    out.replaceChildren(resultTable(cols, rows, (r) => (location.hash = "#/calls/" + encodeURIComponent(String(r[0])))));
    if (page.next) {
      const more = el("a", { href: "#/calls?" + new URLSearchParams({ ...Object.fromEntries(params), after: page.next }).toString(), id: "next" }, "Next page →");
      out.append(el("p", {}, more));
    }
  } catch (e) {
    out.replaceChildren(el("div", { class: "error", role: "alert" }, String((e as Error).message)));
  }
}

interface Stream { streamId: string; mediaType: string; quality: string; metrics: Record<string, number>; fired?: { metric: string; value: number; comparison: string; threshold: number }[]; mos?: { mos: number } }
interface Participant {
  participantId?: string; endpointId?: string; endpointType?: string; participantType?: string; sdkVersion?: string; osVersion?: string; browser?: string;
  durationSeconds: number; endReasonCode?: string; endReasonSubCode?: string; endReasonPhrase?: string; dropped: boolean; redacted?: string[]; streams: Stream[];
}
interface Overview { callId: string; final: boolean; callType: string; start: string; end?: string; durationSeconds: number; quality: string; rating: string; participants: Participant[] }
interface Issue { kind: string; participantId?: string; endpointId?: string; title: string; explanation: string; nextStep: string; start?: string; recovered?: boolean }
interface TEvent { id: string; operation: string; kind: string; start: string; end: string; result?: string; failed: boolean; payload?: unknown }
interface Timeline { participants: { participantId?: string; endpointId?: string; lanes: { name: string; events: TEvent[] }[] }[] }

interface Series { participantId?: string; endpointId?: string; direction: string; streamType: string; metric: string; points: { time: string; average: number }[] }

let refresh: number | undefined;
const mediaCharts: Chart[] = [];

// mediaStatsView charts each participant's media statistics under the
// timeline: a chart per metric, a line per direction and stream type.
function mediaStatsView(series: Series[]): HTMLElement {
  mediaCharts.splice(0).forEach((c) => c.destroy());
  const box = el("div", { id: "media-stats" }, el("h2", {}, "Media statistics"));
  if (series.length === 0) {
    box.append(el("p", { class: "muted" }, "No media statistics for this call: the calling SDK sends them as CallClientMediaStatsTimeSeries when a diagnostic setting routes that category here."));
    return box;
  }
  const groups = new Map<string, Series[]>();
  for (const s of series) {
    const k = (s.participantId || s.endpointId || "") + "\u0000" + s.metric;
    groups.set(k, [...(groups.get(k) || []), s]);
  }
  const grid = el("div", { class: "media-grid" });
  for (const [k, list] of groups) {
    const [who, metric] = k.split("\u0000");
    const canvas = el("canvas") as HTMLCanvasElement;
    grid.append(el("div", { class: "media-chart" }, el("h3", {}, `${who.slice(0, 18)} · ${metric}`), canvas));
    mediaCharts.push(new Chart(canvas, {
      type: "line",
      data: { datasets: list.map((s) => ({ label: `${s.direction} ${s.streamType}`, data: s.points.map((p) => ({ x: Date.parse(p.time), y: p.average })), pointRadius: 0 })) },
      options: { animation: false, parsing: false, scales: { x: { type: "linear", ticks: { callback: (v) => new Date(Number(v)).toISOString().slice(11, 19) } } } },
    }));
  }
  box.append(grid);
  return box;
}

export async function callPage(main: HTMLElement, id: string, tab: string) {
  clearTimeout(refresh);
  const base = wsPath("/calls/" + encodeURIComponent(id));
  let o: Overview;
  try {
    o = await get<Overview>(base);
  } catch (e) {
    main.replaceChildren(el("h1", {}, "Call " + id), el("div", { class: "error", role: "alert" }, (e as Error).message));
    return;
  }
  const tabs = el("div", { class: "tabs", role: "tablist" });
  for (const t of ["overview", "issues", "timeline"]) {
    const b = el("button", { role: "tab", "aria-selected": String(t === tab), id: "tab-" + t }, t[0].toUpperCase() + t.slice(1));
    b.addEventListener("click", () => (location.hash = `#/calls/${encodeURIComponent(id)}/${t}`));
    tabs.append(b);
  }
  const body = el("div", { id: "tab-body" });
  main.replaceChildren(
    el("p", {}, el("a", { href: "#/calls" }, "← Calls")),
    el("h1", {}, "Call " + id),
    el("div", { class: "row", id: "facts" }, `${o.callType || "?"} · ${o.start || "?"} · ${o.durationSeconds}s · quality `, badge(o.quality), " · rating ", badge(o.rating),
      o.final ? "" : el("span", { class: "badge unknown", id: "live" }, "in progress — refreshing")),
    tabs, body,
  );
  if (tab === "issues") {
    const r = await get<{ issues: Issue[] }>(base + "/issues");
    body.replaceChildren(...(r.issues.length ? r.issues.map(issueView) : [el("p", {}, "No issues found in this call.")]));
  } else if (tab === "timeline") {
    timelineView(body, await get<Timeline>(base + "/timeline"));
    body.append(mediaStatsView((await get<{ series: Series[] }>(base + "/series")).series));
  } else {
    overviewView(body, o);
  }
  if (!o.final) refresh = window.setTimeout(() => location.hash.includes(encodeURIComponent(id)) && callPage(main, id, tab), 10_000);
}

function overviewView(body: HTMLElement, o: Overview) {
  const cols = ["Participant", "Client", "Kind", "SDK", "OS / browser", "Duration (s)", "End reason", "Dropped", "Streams"]
    .map((name) => ({ name, type: name === "Duration (s)" ? "long" : "string" }));
  const rows = o.participants.map((p) => [
    p.participantId || "endpoint " + (p.endpointId || ""), p.endpointType, p.participantType, p.sdkVersion,
    [p.osVersion, p.browser].filter(Boolean).join(" "), p.durationSeconds,
    [p.endReasonCode, p.endReasonSubCode].filter((x) => x !== undefined && x !== "").join("/") + (p.endReasonPhrase ? " " + p.endReasonPhrase : ""),
    p.dropped ? "yes" : "", p.streams.map((s) => `${s.mediaType} ${s.quality}${s.mos ? " MOS " + s.mos.mos : ""}`).join(", "),
  ]);
  body.replaceChildren(el("h2", {}, "Participants"), resultTable(cols, rows));
}

function issueView(i: Issue): HTMLElement {
  const who = i.participantId || i.endpointId || "";
  return el("div", { class: "issue" },
    el("h3", {}, i.title),
    el("p", { class: "muted" }, `${i.kind} · ${who}${i.start ? " · " + i.start : ""}${i.recovered === undefined ? "" : i.recovered ? " · recovered" : " · not recovered"}`),
    el("p", {}, i.explanation), el("p", {}, el("strong", {}, "Next step: "), i.nextStep));
}

// timelineView draws each participant's lanes on a shared time axis;
// the buttons zoom, dragging pans, and a click on an event shows it.
function timelineView(body: HTMLElement, t: Timeline) {
  const events = t.participants.flatMap((p) => p.lanes.flatMap((l) => l.events));
  if (events.length === 0) {
    body.replaceChildren(el("p", {}, "No client operations for this call. Client logs come from the calling SDK: check that a diagnostic setting sends CallClientOperations here."));
    return;
  }
  const t0 = Math.min(...events.map((e) => Date.parse(e.start)));
  const t1 = Math.max(...events.map((e) => Date.parse(e.end)));
  let from = t0, to = Math.max(t1, t0 + 1000);
  const detail = el("pre", { id: "event-detail", class: "muted" }, "Click an event for its details.");
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  const laneH = 18, labelW = 220, width = 1200;
  const rows = t.participants.flatMap((p) => p.lanes.map((l) => ({ who: p.participantId || p.endpointId || "", lane: l })));
  svg.setAttribute("viewBox", `0 0 ${width} ${rows.length * laneH + 20}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "call timeline");
  const draw = () => {
    const x = (ms: number) => labelW + ((ms - from) / (to - from)) * (width - labelW - 10);
    svg.replaceChildren();
    rows.forEach((r, i) => {
      const y = 10 + i * laneH;
      const label = document.createElementNS(svg.namespaceURI, "text");
      label.setAttribute("x", "4"); label.setAttribute("y", String(y + 12)); label.setAttribute("font-size", "11"); label.setAttribute("fill", "currentColor");
      label.textContent = `${r.who.slice(0, 18)} ${r.lane.name}`;
      svg.append(label);
      for (const e of r.lane.events) {
        const s = Date.parse(e.start), f = Date.parse(e.end);
        if (f < from || s > to) continue;
        const shape = document.createElementNS(svg.namespaceURI, "rect");
        const x0 = Math.max(labelW, x(s)), w = Math.max(3, x(f) - x0);
        shape.setAttribute("x", String(x0)); shape.setAttribute("y", String(y + 2)); shape.setAttribute("width", String(w)); shape.setAttribute("height", String(laneH - 4));
        shape.setAttribute("fill", e.failed ? "var(--bad)" : e.kind === "range" ? "var(--warn)" : "var(--accent)");
        shape.setAttribute("class", "event");
        shape.setAttribute("tabindex", "0");
        const title = document.createElementNS(svg.namespaceURI, "title");
        title.textContent = `${e.operation} ${e.result || ""}`;
        shape.append(title);
        const show = () => (detail.textContent = JSON.stringify(e, null, 2));
        shape.addEventListener("click", show);
        shape.addEventListener("keydown", (ev) => (ev as KeyboardEvent).key === "Enter" && show());
        svg.append(shape);
      }
    });
  };
  const zoom = (f: number) => {
    const mid = (from + to) / 2, half = ((to - from) / 2) * f;
    from = mid - half; to = mid + half;
    draw();
  };
  let dragX = -1;
  svg.addEventListener("mousedown", (e) => (dragX = e.clientX));
  window.addEventListener("mouseup", () => (dragX = -1));
  svg.addEventListener("mousemove", (e) => {
    if (dragX < 0) return;
    const shift = ((dragX - e.clientX) / svg.clientWidth) * (to - from);
    from += shift; to += shift; dragX = e.clientX;
    draw();
  });
  svg.addEventListener("wheel", (e) => {
    if (!e.shiftKey) return;
    e.preventDefault();
    zoom(e.deltaY > 0 ? 1.25 : 0.8);
  });
  const zin = el("button", { id: "zoom-in" }, "Zoom in"), zout = el("button", {}, "Zoom out"), reset = el("button", {}, "Whole call");
  zin.addEventListener("click", () => zoom(0.5));
  zout.addEventListener("click", () => zoom(2));
  reset.addEventListener("click", () => { from = t0; to = Math.max(t1, t0 + 1000); draw(); });
  draw();
  body.replaceChildren(el("div", { class: "row" }, zin, zout, reset, el("span", { class: "muted" }, "Shift + wheel zooms, drag pans")), el("div", { class: "lanes" }, svg as unknown as HTMLElement), detail);
}
