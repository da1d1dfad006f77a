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
      datasets: numeric.map(({ c, i }) => ({ label: c.name, data: t.rows.map((r) => Number(r[i] ?? 0)) })),
    },
    options: {
      animation: false,
      indexAxis: visualization === "barchart" ? "y" : "x",
      plugins: { title: { display: !!title, text: title || "" } },
    },
  });
}
