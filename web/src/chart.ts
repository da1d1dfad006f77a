// Charts for queries that end in render: the first column is the axis
// (or the slices), each numeric column a series.

import { Chart, registerables } from "chart.js";
import type { Table } from "./api";
import { text } from "./table";

Chart.register(...registerables);

const kinds: Record<string, "line" | "bar" | "pie"> = {
  timechart: "line", linechart: "line", areachart: "line", scatterchart: "line",
  columnchart: "bar", barchart: "bar", piechart: "pie",
};

const semantic: Record<string, string> = { poor: "#d64545", bad: "#d64545", good: "#3a9a4a", average: "#d9a030", unknown: "#8a939c" };
const palette = ["#2f6fde", "#e07b39", "#3a9a4a", "#8e5fd0", "#d64545", "#2aa6a6", "#b5a02e", "#8a939c"];

export function canRender(visualization: string) {
  return visualization in kinds;
}

export function renderChart(canvas: HTMLCanvasElement, t: Table, visualization: string, title?: string): Chart {
  const type = kinds[visualization];
  const numeric = t.columns.map((c, i) => ({ c, i })).filter(({ c, i }) => i > 0 && ["long", "int", "real", "decimal"].includes(c.type));
  return new Chart(canvas, {
    type,
    data: {
      labels: t.rows.map((r) => text(r[0])),
      datasets: numeric.map(({ c, i }) => ({
        label: c.name,
        data: t.rows.map((r) => Number(r[i] ?? 0)),
        // Quality slices keep one colour everywhere: poor red, good green.
        ...(type === "pie" ? { backgroundColor: t.rows.map((r, k) => semantic[text(r[0]).toLowerCase()] ?? palette[k % palette.length]) } : {}),
      })),
    },
    options: {
      animation: false,
      indexAxis: visualization === "barchart" ? "y" : "x",
      plugins: { title: { display: !!title, text: title || "" } },
    },
  });
}
