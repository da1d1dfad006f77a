// Charts for queries that end in render, read the way Kusto reads them:
// the first column is the axis (or the slices), each numeric column a
// series, and a text column after the first splits every series by its
// values (a table of Time, Scenario, Rate draws a line per scenario).

import { Chart, registerables } from "chart.js";
import type { Table } from "./api";
import { text } from "./table";

Chart.register(...registerables);

const kinds: Record<string, "line" | "bar" | "pie"> = {
  timechart: "line", linechart: "line", areachart: "line", scatterchart: "line",
  columnchart: "bar", barchart: "bar", piechart: "pie",
};

const semantic: Record<string, string> = { poor: "#d64545", bad: "#d64545", good: "#3a9a4a", healthy: "#3a9a4a", average: "#d9a030", unknown: "#8a939c" };
const palette = ["#2f6fde", "#e07b39", "#3a9a4a", "#8e5fd0", "#d64545", "#2aa6a6", "#b5a02e", "#8a939c"];
const numericTypes = ["long", "int", "real", "decimal"];

export function canRender(visualization: string) {
  return visualization in kinds;
}

// A point of a chart: the rows behind it (one, or a split's row).
export interface ChartHit { row: unknown[]; series: string }

export interface Rendered { chart: Chart; hit(e: MouseEvent): ChartHit | null }

export function renderChart(canvas: HTMLCanvasElement, t: Table, visualization: string, title?: string): Rendered {
  const type = kinds[visualization];
  const numeric = t.columns.map((c, i) => ({ c, i })).filter(({ c, i }) => i > 0 && numericTypes.includes(c.type));
  const split = type === "pie" ? -1 : t.columns.findIndex((c, i) => i > 0 && !numericTypes.includes(c.type));
  const labels: string[] = [];
  for (const r of t.rows) if (!labels.includes(text(r[0]))) labels.push(text(r[0]));
  // Each dataset keeps, per label, the row it was read from.
  const sets: { label: string; rows: (unknown[] | null)[]; data: number[] }[] = [];
  if (split < 0) {
    for (const { c, i } of numeric) sets.push({ label: c.name, rows: t.rows, data: t.rows.map((r) => Number(r[i] ?? 0)) });
  } else {
    const keys: string[] = [];
    for (const r of t.rows) if (!keys.includes(text(r[split]))) keys.push(text(r[split]));
    for (const k of keys) {
      for (const { c, i } of numeric) {
        const rows = labels.map((l) => t.rows.find((r) => text(r[0]) === l && text(r[split]) === k) || null);
        sets.push({ label: numeric.length > 1 ? `${k} ${c.name}` : k || "(empty)", rows, data: rows.map((r) => (r ? Number(r[i] ?? 0) : NaN)) });
      }
    }
  }
  const chart = new Chart(canvas, {
    type,
    data: {
      labels,
      datasets: sets.map((s, k) => {
        const colour = semantic[s.label.toLowerCase()] ?? palette[k % palette.length];
        return {
          label: s.label,
          data: s.data,
          spanGaps: true,
          // Quality slices keep one colour everywhere: poor red, good green.
          ...(type === "pie"
            ? { backgroundColor: t.rows.map((r, j) => semantic[text(r[0]).toLowerCase()] ?? palette[j % palette.length]) }
            : { backgroundColor: colour, borderColor: colour }),
        };
      }),
    },
    options: {
      animation: false,
      indexAxis: visualization === "barchart" ? "y" : "x",
      plugins: { title: { display: !!title, text: title || "" } },
    },
  });
  return {
    chart,
    hit(e: MouseEvent) {
      const h = chart.getElementsAtEventForMode(e, "nearest", { intersect: true }, false)[0];
      if (!h) return null;
      const row = sets[h.datasetIndex]?.rows[h.index];
      return row ? { row, series: sets[h.datasetIndex].label } : null;
    },
  };
}
