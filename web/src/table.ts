// A result table: sortable by any column (click a header; again to
// reverse), downloadable as CSV.

import type { Column } from "./api";

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string)[]) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
}

const numeric = new Set(["long", "int", "real", "decimal"]);

export function text(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return text(a) < text(b) ? -1 : 1;
}

// resultTable draws rows; onRow makes a row a link (click or Enter), and
// callsLink adds a last cell linking to the calls behind the row.
export function resultTable(columns: Column[], rows: unknown[][], onRow?: (row: unknown[]) => void, callsLink?: (row: unknown[]) => string | null): HTMLElement {
  let order = rows.map((_, i) => i);
  let sortBy = -1;
  let desc = false;
  const table = el("table", { class: "grid" });
  const head = el("tr");
  columns.forEach((c, i) => {
    const th = el("th", { scope: "col", tabindex: "0", title: c.type }, c.name);
    const sort = () => {
      desc = sortBy === i ? !desc : false;
      sortBy = i;
      order = rows.map((_, j) => j).sort((x, y) => compare(rows[x][i], rows[y][i]) * (desc ? -1 : 1));
      th.setAttribute("aria-sort", desc ? "descending" : "ascending");
      fill();
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => e.key === "Enter" && sort());
    head.append(th);
  });
  if (callsLink) head.append(el("th", { scope: "col" }, ""));
  const body = el("tbody");
  table.append(el("thead", {}, head), body);
  const fill = () => {
    body.replaceChildren(
      ...order.map((i) => {
        const tr = el("tr", onRow ? { class: "link", tabindex: "0" } : {});
        columns.forEach((c, j) => tr.append(el("td", numeric.has(c.type) ? { class: "num" } : {}, text(rows[i][j]))));
        const href = callsLink?.(rows[i]);
        if (callsLink) {
          const a = href ? el("a", { href, class: "calls-link" }, "calls →") : "";
          if (a) a.addEventListener("click", (e) => e.stopPropagation());
          tr.append(el("td", {}, a));
        }
        if (onRow) {
          tr.addEventListener("click", () => onRow(rows[i]));
          tr.addEventListener("keydown", (e) => e.key === "Enter" && onRow(rows[i]));
        }
        return tr;
      }),
    );
  };
  fill();
  return el("div", { class: "scroll" }, table);
}

export function csv(columns: Column[], rows: unknown[][]): string {
  const cell = (v: unknown) => {
    const s = text(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map((c) => cell(c.name)).join(","), ...rows.map((r) => r.map(cell).join(","))].join("\n") + "\n";
}

export function download(name: string, content: string, type = "text/csv") {
  const a = el("a", { href: URL.createObjectURL(new Blob([content], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}
