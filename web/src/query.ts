// The Query page: a KQL editor (Ctrl+Enter runs), a time range, the
// result as a sortable table with CSV download, a chart when the query
// ends in render, and errors shown at their line and column.

import { APIError, kql } from "./api";
import { canRender, renderChart } from "./chart";
import { csv, download, el, resultTable } from "./table";

const historyKey = "callscope.queryHistory";
const maxHistory = 30;

function history(): string[] {
  try {
    return JSON.parse(localStorage.getItem(historyKey) || "[]");
  } catch {
    return [];
  }
}

function remember(q: string) {
  const h = [q, ...history().filter((x) => x !== q)].slice(0, maxHistory);
  localStorage.setItem(historyKey, JSON.stringify(h));
}

export function queryPage(main: HTMLElement, initial?: string) {
  const editor = el("textarea", { class: "kql", id: "kql", spellcheck: "false", "aria-label": "KQL query" }) as HTMLTextAreaElement;
  editor.value = initial || history()[0] || "ACSCallSummary\n| summarize calls = dcount(CorrelationId) by CallType\n| render piechart";
  const span = el("select", { id: "timespan", "aria-label": "time range" }) as HTMLSelectElement;
  for (const [v, label] of [["PT1H", "Last hour"], ["PT24H", "Last 24 hours"], ["P7D", "Last 7 days"], ["P30D", "Last 30 days"], ["", "No time range"]]) {
    span.append(el("option", { value: v }, label));
  }
  span.value = localStorage.getItem("callscope.timespan") ?? "P7D";
  const run = el("button", { class: "primary", id: "run" }, "Run (Ctrl+Enter)");
  const past = el("select", { id: "history", "aria-label": "query history" }) as HTMLSelectElement;
  const fillHistory = () => {
    past.replaceChildren(el("option", { value: "" }, `History (${history().length})`), ...history().map((q, i) => el("option", { value: String(i) }, q.replace(/\s+/g, " ").slice(0, 80))));
  };
  fillHistory();
  past.addEventListener("change", () => {
    const q = history()[Number(past.value)];
    if (q) editor.value = q;
    past.value = "";
  });
  const out = el("div", { id: "result" });

  const execute = async () => {
    const q = editor.value;
    localStorage.setItem("callscope.timespan", span.value);
    out.replaceChildren(el("p", { class: "muted" }, "Running…"));
    const started = performance.now();
    try {
      const answer = await kql(q, span.value || undefined);
      remember(q);
      fillHistory();
      const t = answer.tables[0];
      const ms = Math.round(performance.now() - started);
      const csvButton = el("button", { id: "csv" }, "Download CSV");
      csvButton.addEventListener("click", () => download("query.csv", csv(t.columns, t.rows)));
      out.replaceChildren(el("div", { class: "row" }, el("span", { id: "rowcount" }, `${t.rows.length} rows`), el("span", { class: "muted" }, `${ms} ms`), csvButton));
      if (answer.render && canRender(answer.render.visualization)) {
        const canvas = el("canvas", { id: "chart" }) as HTMLCanvasElement;
        out.append(el("div", { class: "chart" }, canvas));
        renderChart(canvas, t, answer.render.visualization, answer.render.title as string | undefined);
      }
      out.append(resultTable(t.columns, t.rows));
    } catch (e) {
      out.replaceChildren(errorBox(q, e, editor));
    }
  };
  run.addEventListener("click", execute);
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      execute();
    }
  });

  main.replaceChildren(el("h1", {}, "Query"), editor, el("div", { class: "row" }, run, span, past), out);
  editor.focus();
}

// errorBox shows the message, and for an error with a position the line
// with a caret under the column; the editor's cursor moves there.
function errorBox(q: string, e: unknown, editor: HTMLTextAreaElement): HTMLElement {
  const box = el("div", { class: "error", id: "error", role: "alert" });
  if (!(e instanceof APIError)) {
    box.append(String(e));
    return box;
  }
  box.append(e.message);
  if (e.line > 0) {
    box.dataset.line = String(e.line);
    box.dataset.pos = String(e.pos);
    const lines = q.split("\n");
    const line = lines[e.line - 1] ?? "";
    box.append("\n\n" + line + "\n" + " ".repeat(Math.max(0, e.pos - 1)) + "^");
    const offset = lines.slice(0, e.line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, e.pos - 1);
    editor.focus();
    editor.setSelectionRange(offset, offset + 1);
  }
  return box;
}
