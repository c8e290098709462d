/**
 * Plotly chart builders: line charts (loss or accuracy against iteration,
 * epoch or samples seen), a confusion-matrix heatmap with the count in each
 * cell, and bar charts (per-class accuracy). Each returns a plain plotly
 * figure `{ data, layout }` that `display` shows in a notebook and
 * `tools/export.ts` renders to PNG and SVG.
 *
 * Every figure shares one look ({@linkcode NNKIT_TEMPLATE}: DejaVu Sans,
 * white background, light grid, the same colour cycle and margins) and a
 * fixed pixel size (720 × 420 for lines and bars, 600 × 560 for heatmaps),
 * so exported files line up in a report.
 *
 * Long traces are thinned by min–max decimation (see {@linkcode downsample}):
 * seed 000's 40,000-step cost curve becomes 4,000 points that draw the same
 * picture at 720 px, which keeps notebooks small and export fast.
 *
 * @module
 */

import type { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../dtypes.ts";

/** Numbers as a plain array or any typed array (`Float32Array`, `Int32Array`, …). */
export type Numbers = ArrayLike<number>;

/** A line trace (`type: "scatter"`). */
export interface ScatterTrace {
  type: "scatter";
  mode: "lines" | "markers" | "lines+markers";
  name: string;
  x: number[];
  y: number[];
  line?: { width?: number; dash?: string; color?: string };
  marker?: { size?: number; color?: string };
}

/** A heatmap trace, as used by {@linkcode confusionHeatmap}. */
export interface HeatmapTrace {
  type: "heatmap";
  name?: string;
  z: number[][];
  x: string[];
  y: string[];
  colorscale: string | [number, string][];
  zmin?: number;
  zmax?: number;
  colorbar?: Record<string, unknown>;
  hovertemplate?: string;
  xgap?: number;
  ygap?: number;
}

/** A bar trace, as used by {@linkcode barChart}. */
export interface BarTrace {
  type: "bar";
  name: string;
  x: string[];
  y: number[];
  texttemplate?: string;
  textposition?: "auto" | "outside" | "inside" | "none";
  cliponaxis?: boolean;
  marker?: { color?: string };
}

/** Any trace the builders produce. */
export type PlotlyTrace = ScatterTrace | HeatmapTrace | BarTrace;

/** A plotly text annotation (the counts in a heatmap's cells). */
export interface PlotlyAnnotation {
  x: string | number;
  y: string | number;
  text: string;
  showarrow: boolean;
  xref?: string;
  yref?: string;
  font?: { color?: string; size?: number; family?: string };
}

/** A plotly axis, reduced to the fields the builders set. */
export interface PlotlyAxis {
  title?: { text: string };
  type?: "linear" | "log" | "category";
  autorange?: boolean | "reversed";
  range?: [number, number];
  tickformat?: string;
  dtick?: number;
  exponentformat?: string;
  constrain?: string;
  scaleanchor?: string;
  showgrid?: boolean;
  ticks?: string;
  [key: string]: unknown;
}

/** A plotly layout; `width` and `height` are always set (export renders at that size). */
export interface PlotlyLayout {
  width: number;
  height: number;
  title?: { text: string; [key: string]: unknown };
  xaxis?: PlotlyAxis;
  yaxis?: PlotlyAxis;
  annotations?: PlotlyAnnotation[];
  showlegend?: boolean;
  template?: typeof NNKIT_TEMPLATE;
  [key: string]: unknown;
}

/** A plain plotly figure: what `Plotly.newPlot(div, data, layout)` takes. */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
}

/** Font stack of every figure: DejaVu Sans (Debian `fonts-dejavu-core`) first. */
export const FONT_STACK = "DejaVu Sans, Verdana, Arial, sans-serif";

/** Colour cycle of the traces (plotly's default "D3" cycle, colour-blind tolerable). */
export const COLORWAY: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

const axisStyle = {
  showline: true,
  linecolor: "#444",
  linewidth: 1,
  mirror: false,
  ticks: "outside",
  tickcolor: "#444",
  ticklen: 4,
  gridcolor: "#e5e5e5",
  zeroline: false,
  automargin: true,
  title: { standoff: 8 },
};

/**
 * The kit's plotly template: one font, sizes, colours and margins for every
 * figure. Builders put it in `layout.template`; tweak a figure by editing
 * its layout, never the template.
 */
export const NNKIT_TEMPLATE = {
  layout: {
    font: { family: FONT_STACK, size: 13, color: "#222" },
    title: { font: { size: 16 }, x: 0.5, xanchor: "center" },
    colorway: [...COLORWAY],
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    margin: { l: 70, r: 30, t: 56, b: 60, pad: 0 },
    xaxis: axisStyle,
    yaxis: axisStyle,
    // A horizontal legend between the title and the plot: it never hides data
    // and leaves the plot the full width.
    legend: {
      orientation: "h",
      x: 0,
      xanchor: "left",
      y: 1.01,
      yanchor: "bottom",
      bgcolor: "rgba(255,255,255,0)",
    },
    hovermode: "closest",
  },
} as const;

/** Default size of line and bar charts, in CSS pixels. */
export const DEFAULT_SIZE = { width: 720, height: 420 } as const;

/** Default size of a confusion-matrix heatmap (square cells need a squarer page). */
export const HEATMAP_SIZE = { width: 600, height: 560 } as const;

/** Default cap on points per line trace before {@linkcode downsample} thins it. */
export const DEFAULT_MAX_POINTS = 4000;

/** Options shared by every builder. */
export interface ChartOptions {
  /** Figure title, shown centred above the plot. */
  title?: string;
  /** Width in CSS pixels (exported PNGs have `width × scale` pixels). */
  width?: number;
  /** Height in CSS pixels. */
  height?: number;
}

/** One line of a {@linkcode lineChart}. */
export interface Series {
  /** Legend entry, e.g. `"seed-faithful"`. */
  name: string;
  /** `[n]` x values; default `1, 2, …, n` (iteration or epoch numbers). */
  x?: Numbers;
  /** `[n]` y values (loss, accuracy …); NaN and ±Infinity draw as gaps. */
  y: Numbers;
  /** Line dash: `"solid"` (default), `"dash"`, `"dot"`, `"dashdot"`. */
  dash?: "solid" | "dash" | "dot" | "dashdot";
  /** Line colour; default the next colour of {@linkcode COLORWAY}. */
  color?: string;
}

/** Options of {@linkcode lineChart}. */
export interface LineChartOptions extends ChartOptions {
  /** X axis title, e.g. `"iteration"`. */
  xTitle?: string;
  /** Y axis title, e.g. `"cost"`. */
  yTitle?: string;
  /** Log-scale y axis (costs that fall over decades); non-positive values are not drawn. */
  logY?: boolean;
  /** Draw markers as well as lines (short series, e.g. 20 epochs). Default: lines only. */
  markers?: boolean;
  /**
   * Cap on points per trace; longer traces go through {@linkcode downsample}.
   * Default {@linkcode DEFAULT_MAX_POINTS}; `Infinity` keeps every point.
   */
  maxPoints?: number;
  /** Y axis tick format (d3-format), e.g. `".0%"` for accuracies in [0, 1]. */
  yFormat?: string;
  /** Fixed y range `[lo, hi]` (in log10 units when `logY`). */
  yRange?: [number, number];
}

function layoutBase(options: ChartOptions, size: { width: number; height: number }): PlotlyLayout {
  const width = options.width ?? size.width;
  const height = options.height ?? size.height;
  for (const [key, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isFinite(v) || v < 50 || v > 5000) {
      throw new RangeError(`Cannot build chart: ${key} must be 50 to 5000 pixels, got ${v}`);
    }
  }
  const layout: PlotlyLayout = { width, height, template: NNKIT_TEMPLATE };
  if (options.title !== undefined) layout.title = { text: options.title };
  else layout.margin = { t: 30 };
  return layout;
}

function toPlainArray(values: Numbers): number[] {
  const n = values.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = values[i];
  return out;
}

/**
 * Thins a trace to at most about `maxPoints` points by min–max decimation.
 *
 * The rule: when `n ≤ maxPoints` the points are returned unchanged (as plain
 * arrays). Otherwise the indices are cut into `floor(maxPoints / 2)` runs of
 * (almost) equal length and each run keeps its smallest and its largest
 * finite `y`, in their original order; the first and last points are always
 * kept, and a run with no finite `y` keeps one point so gaps stay gaps. The
 * envelope of a noisy per-sample SGD cost and every spike survive; only
 * points that would share a pixel column with a taller or lower one go.
 *
 * @param x `[n]` x values (any order; runs are by index).
 * @param y `[n]` y values.
 * @param maxPoints Target cap, at least 4; `Infinity` disables thinning.
 * @returns Plain arrays `{ x, y }` of at most `maxPoints + 2` points.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downsample } from "./charts.ts";
 *
 * const y = Float64Array.from({ length: 40_000 }, (_, i) => Math.sin(i / 500));
 * const x = Float64Array.from(y, (_, i) => i);
 * const thin = downsample(x, y, 4000);
 * assert.ok(thin.y.length <= 4002);
 * assert.equal(Math.max(...thin.y), Math.max(...y));
 * assert.equal(thin.x[0], 0);
 * assert.equal(thin.x.at(-1), 39_999);
 * ```
 */
export function downsample(
  x: Numbers,
  y: Numbers,
  maxPoints: number,
): { x: number[]; y: number[] } {
  const n = y.length;
  if (x.length !== n) {
    throw new RangeError(`Cannot downsample: x and y lengths differ, got ${x.length} and ${n}`);
  }
  if (!(maxPoints >= 4)) {
    throw new RangeError(`Cannot downsample: maxPoints must be at least 4, got ${maxPoints}`);
  }
  if (n <= maxPoints) return { x: toPlainArray(x), y: toPlainArray(y) };
  const runs = Math.floor(maxPoints / 2);
  const outX: number[] = [x[0]];
  const outY: number[] = [y[0]];
  let lastKept = 0;
  const keep = (i: number) => {
    if (i === lastKept) return;
    outX.push(x[i]);
    outY.push(y[i]);
    lastKept = i;
  };
  for (let r = 0; r < runs; r++) {
    const start = Math.floor((r * n) / runs);
    const end = Math.floor(((r + 1) * n) / runs);
    let iMin = -1, iMax = -1;
    for (let i = start; i < end; i++) {
      const v = y[i];
      if (!Number.isFinite(v)) continue;
      if (iMin < 0 || v < y[iMin]) iMin = i;
      if (iMax < 0 || v > y[iMax]) iMax = i;
    }
    if (iMin < 0) keep(start); // all gaps: keep one so the line still breaks here
    else if (iMin <= iMax) {
      keep(iMin);
      keep(iMax);
    } else {
      keep(iMax);
      keep(iMin);
    }
  }
  keep(n - 1);
  return { x: outX, y: outY };
}

/**
 * Tick values for a log axis over the positive finite values: 1-2-5 in each
 * decade when the data spans at most 3 decades, else one tick per decade, so
 * labels read in full (0.05, 0.1, 0.2) and never crowd (plotly's own log
 * ticks print a small digit at every 2…9 for short ranges).
 *
 * @param columns The y values of every trace.
 * @returns Increasing tick values; empty when there is no positive value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logTicks } from "./charts.ts";
 *
 * assert.deepEqual(logTicks([[0.06, 0.9]]), [0.05, 0.1, 0.2, 0.5, 1]);
 * assert.deepEqual(logTicks([[1e-6, 3]]), [1e-6, 1e-5, 1e-4, 0.001, 0.01, 0.1, 1, 10]);
 * ```
 */
export function logTicks(columns: readonly Numbers[]): number[] {
  let lo = Infinity, hi = -Infinity;
  for (const col of columns) {
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (v > 0 && v < Infinity) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (!(lo <= hi)) return [];
  const first = Math.floor(Math.log10(lo)), last = Math.ceil(Math.log10(hi));
  const mantissas = last - first <= 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) {
    for (const m of mantissas) ticks.push(Number((m * 10 ** k).toPrecision(12)));
  }
  // Keep the ticks inside the data plus one on each side.
  const below = ticks.findLastIndex((t) => t <= lo);
  const above = ticks.findIndex((t) => t >= hi);
  return ticks.slice(Math.max(below, 0), above < 0 ? ticks.length : above + 1);
}

/**
 * How many rows plotly's horizontal legend takes: one when every entry fits
 * side by side in the plot's width, else a grid of columns as wide as the
 * widest entry (symbol and gaps ≈ 40 px, ≈ 6.6 px per character at the
 * template's 13 px font).
 *
 * @param names Legend entries.
 * @param width Width available to the legend in CSS pixels (the plot area).
 * @returns Rows, at least 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { legendRows } from "./charts.ts";
 *
 * assert.equal(legendRows(["SGD", "batch GD"], 620), 1);
 * assert.equal(legendRows(["seed's printed train accuracy", "seed-faithful, train", "seed-faithful, dev", "corrected, train", "corrected, dev"], 620), 3);
 * ```
 */
export function legendRows(names: readonly string[], width: number): number {
  const widths = names.map((name) => 40 + 6.6 * name.length);
  if (widths.reduce((a, b) => a + b, 0) <= width) return 1;
  const perRow = Math.max(1, Math.floor(width / Math.max(...widths)));
  return Math.ceil(names.length / perRow);
}

/**
 * Room above the plot for the title and every row of the legend: a top
 * margin sized to both, and the title pinned to the top of the figure (by
 * default plotly centres it in the margin, where a tall legend is).
 */
function placeLegend(series: readonly { name: string }[], layout: PlotlyLayout): void {
  const rows = legendRows(series.map((s) => s.name), layout.width - 100);
  layout.margin = { t: (layout.title !== undefined ? 64 : 20) + 20 * rows };
  if (layout.title !== undefined) {
    layout.title = { ...layout.title, yref: "container", y: 1, yanchor: "top", pad: { t: 18 } };
  }
}

/**
 * A line chart with one trace per series and a legend when there are
 * several: loss against iteration, accuracy against epoch, ….
 *
 * @param series One entry per line; each `{ name, x?: [n], y: [n] }`.
 * @param options Titles, `logY`, size, `maxPoints` (see {@linkcode downsample}).
 * @returns A plotly figure `{ data, layout }`.
 * @throws {RangeError} When a series' x and y lengths differ or `series` is empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart } from "./charts.ts";
 *
 * const fig = lineChart(
 *   [{ name: "SGD", y: new Float32Array([2.3, 1.1, 0.6]) }, { name: "batch", y: [2.3, 2.0, 1.8] }],
 *   { title: "Cost per epoch", xTitle: "epoch", yTitle: "cost", logY: true },
 * );
 * assert.equal(fig.data.length, 2);
 * assert.deepEqual(fig.data[0].x, [1, 2, 3]);
 * assert.equal(fig.layout.yaxis?.type, "log");
 * assert.equal(fig.layout.showlegend, true);
 * ```
 */
export function lineChart(series: readonly Series[], options: LineChartOptions = {}): PlotlyFigure {
  if (series.length === 0) {
    throw new RangeError("Cannot build line chart: series is empty, expected at least one series");
  }
  const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
  const data: ScatterTrace[] = series.map((s, k) => {
    const n = s.y.length;
    if (s.x !== undefined && s.x.length !== n) {
      throw new RangeError(
        `Cannot build line chart: series ${k} ("${s.name}") has ${s.x.length} x values and ${n} y values`,
      );
    }
    const x = s.x ?? Float64Array.from({ length: n }, (_, i) => i + 1);
    const thin = Number.isFinite(maxPoints) ? downsample(x, s.y, maxPoints) : {
      x: toPlainArray(x),
      y: toPlainArray(s.y),
    };
    const trace: ScatterTrace = {
      type: "scatter",
      mode: options.markers ? "lines+markers" : "lines",
      name: s.name,
      x: thin.x,
      y: thin.y,
      line: { width: 1.75 },
    };
    if (s.dash) trace.line!.dash = s.dash;
    if (s.color) trace.line!.color = s.color;
    if (options.markers) trace.marker = { size: 5 };
    return trace;
  });
  const layout = layoutBase(options, DEFAULT_SIZE);
  layout.showlegend = series.length > 1;
  if (layout.showlegend) placeLegend(series, layout);
  layout.xaxis = { title: { text: options.xTitle ?? "" } };
  layout.yaxis = { title: { text: options.yTitle ?? "" } };
  if (options.logY) {
    layout.yaxis.type = "log";
    const ticks = logTicks(data.map((t) => t.y));
    if (ticks.length >= 2) {
      layout.yaxis.tickvals = ticks;
      layout.yaxis.tickformat = "~g";
    }
  }
  if (options.yFormat) layout.yaxis.tickformat = options.yFormat;
  if (options.yRange) layout.yaxis.range = [...options.yRange];
  return { data, layout };
}

/**
 * White to dark blue (matplotlib's "Blues"), so small counts stay light.
 * (Plotly's own "Blues" runs the other way: dark for small values.)
 */
export const BLUES: [number, string][] = [
  [0, "#f7fbff"],
  [0.125, "#deebf7"],
  [0.25, "#c6dbef"],
  [0.375, "#9ecae1"],
  [0.5, "#6baed6"],
  [0.625, "#4292c6"],
  [0.75, "#2171b5"],
  [0.875, "#08519c"],
  [1, "#08306b"],
];

/** Options of {@linkcode confusionHeatmap}. */
export interface ConfusionHeatmapOptions extends ChartOptions {
  /** Class names in row/column order; default `"0"`, `"1"`, …. */
  labels?: readonly (string | number)[];
  /** X axis title (columns); default `"predicted"`. */
  xTitle?: string;
  /** Y axis title (rows); default `"actual"`. */
  yTitle?: string;
  /** Plotly colour scale; default {@linkcode BLUES}. */
  colorscale?: string | [number, string][];
}

function confusionRows(matrix: Matrix | readonly (Numbers)[]): number[][] {
  if (Array.isArray(matrix)) {
    const rows = matrix as readonly Numbers[];
    const width = rows[0]?.length ?? 0;
    return rows.map((row, i) => {
      if (row.length !== width) {
        throw new RangeError(
          `Cannot build confusion heatmap: row ${i} has ${row.length} entries, expected ${width}`,
        );
      }
      return toPlainArray(row);
    });
  }
  const m = matrix as Matrix;
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) {
    out.push(toPlainArray(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  }
  return out;
}

/**
 * A confusion-matrix heatmap: rows are the actual class, columns the
 * predicted class, row 0 on top, and the count printed in every cell (as
 * annotations, white on dark cells), so the figure reads like the seeds'
 * printed matrices.
 *
 * @param matrix `[classes, classes]` counts: a `Matrix` or nested arrays,
 *   `matrix[actual][predicted]`.
 * @param options Title, `labels`, axis titles, size, colour scale.
 * @returns A plotly figure whose heatmap `z` equals `matrix`.
 * @throws {RangeError} When the matrix is empty or not square, or `labels` has the wrong length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confusionHeatmap } from "./charts.ts";
 *
 * const fig = confusionHeatmap([[5, 1], [2, 7]], { title: "Test set", labels: ["cat", "dog"] });
 * assert.deepEqual(fig.data[0].type === "heatmap" && fig.data[0].z, [[5, 1], [2, 7]]);
 * assert.equal(fig.layout.annotations?.length, 4);
 * assert.equal(fig.layout.yaxis?.autorange, "reversed");
 * ```
 */
export function confusionHeatmap(
  matrix: Matrix | readonly Numbers[],
  options: ConfusionHeatmapOptions = {},
): PlotlyFigure {
  const z = confusionRows(matrix);
  const k = z.length;
  if (k === 0 || z[0].length !== k) {
    throw new RangeError(
      `Cannot build confusion heatmap: expected a square non-empty matrix, got ${
        formatShape([k, z[0]?.length ?? 0])
      }`,
    );
  }
  const labels = (options.labels ?? z.map((_, i) => i)).map(String);
  if (labels.length !== k) {
    throw new RangeError(
      `Cannot build confusion heatmap: labels has ${labels.length} entries, expected ${k}`,
    );
  }
  let zmax = 0;
  for (const row of z) for (const v of row) if (v > zmax) zmax = v;
  const annotations: PlotlyAnnotation[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = z[i][j];
      annotations.push({
        x: labels[j],
        y: labels[i],
        text: Number.isInteger(v) ? String(v) : v.toPrecision(3),
        showarrow: false,
        font: { color: zmax > 0 && v > 0.55 * zmax ? "white" : "#222", size: k > 12 ? 9 : 12 },
      });
    }
  }
  const layout = layoutBase(options, HEATMAP_SIZE);
  layout.xaxis = {
    title: { text: options.xTitle ?? "predicted" },
    type: "category",
    showgrid: false,
    ticks: "",
    constrain: "domain",
  };
  layout.yaxis = {
    title: { text: options.yTitle ?? "actual" },
    type: "category",
    autorange: "reversed",
    showgrid: false,
    ticks: "",
    scaleanchor: "x",
    constrain: "domain",
  };
  layout.annotations = annotations;
  const trace: HeatmapTrace = {
    type: "heatmap",
    name: "count",
    z,
    x: labels,
    y: labels,
    colorscale: options.colorscale ?? BLUES,
    zmin: 0,
    zmax: Math.max(zmax, 1),
    colorbar: { title: { text: "count" }, thickness: 14 },
    hovertemplate: "actual %{y}, predicted %{x}: %{z}<extra></extra>",
    xgap: 1,
    ygap: 1,
  };
  return { data: [trace], layout };
}

/** One group of bars of a {@linkcode barChart}. */
export interface BarSeries {
  /** Legend entry, e.g. `"corrected"`. */
  name: string;
  /** `[k]` bar heights, one per category. */
  y: Numbers;
  /** Bar colour; default the next colour of {@linkcode COLORWAY}. */
  color?: string;
}

/** Options of {@linkcode barChart}. */
export interface BarChartOptions extends ChartOptions {
  /** Category names along x; default `"0"`, `"1"`, … (the digit classes). */
  labels?: readonly (string | number)[];
  /** X axis title; default `"class"`. */
  xTitle?: string;
  /** Y axis title, e.g. `"accuracy"`. */
  yTitle?: string;
  /** Y tick and bar-label format (d3-format), e.g. `".0%"`; default plain numbers. */
  yFormat?: string;
  /** Fixed y range `[lo, hi]`, e.g. `[0, 1]` for accuracies. */
  yRange?: [number, number];
  /** Print each bar's value on it (default `true` for one series, `false` for several). */
  valueLabels?: boolean;
}

/**
 * A bar chart with one bar per category and one colour per series, e.g.
 * per-class accuracy of the seed-faithful and the corrected model side by
 * side (grouped bars).
 *
 * @param series One entry per group; each `{ name, y: [k] }`.
 * @param options Titles, `labels` (`[k]`), `yFormat`, `yRange`, size.
 * @returns A plotly figure with one bar trace per series.
 * @throws {RangeError} When `series` is empty or the series' lengths differ from `labels`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { barChart } from "./charts.ts";
 *
 * const fig = barChart([{ name: "accuracy", y: [0.99, 0.97, 0.9] }], {
 *   title: "Per-class accuracy", yTitle: "accuracy", yFormat: ".0%", yRange: [0, 1],
 * });
 * assert.equal(fig.data.length, 1);
 * assert.deepEqual(fig.data[0].x, ["0", "1", "2"]);
 * assert.equal(fig.data[0].type === "bar" && fig.data[0].texttemplate, "%{y:.0%}");
 * ```
 */
export function barChart(
  series: readonly BarSeries[],
  options: BarChartOptions = {},
): PlotlyFigure {
  if (series.length === 0) {
    throw new RangeError("Cannot build bar chart: series is empty, expected at least one series");
  }
  const k = options.labels?.length ?? series[0].y.length;
  const labels = (options.labels ?? Array.from({ length: k }, (_, i) => i)).map(String);
  const valueLabels = options.valueLabels ?? series.length === 1;
  const data: BarTrace[] = series.map((s, idx) => {
    if (s.y.length !== k) {
      throw new RangeError(
        `Cannot build bar chart: series ${idx} ("${s.name}") has ${s.y.length} values, expected ${k}`,
      );
    }
    const y = toPlainArray(s.y);
    const trace: BarTrace = { type: "bar", name: s.name, x: labels, y };
    if (valueLabels) {
      trace.texttemplate = options.yFormat ? `%{y:${options.yFormat}}` : "%{y:.4~g}";
      trace.textposition = "outside";
      trace.cliponaxis = false;
    }
    if (s.color) trace.marker = { color: s.color };
    return trace;
  });
  const layout = layoutBase(options, DEFAULT_SIZE);
  layout.showlegend = series.length > 1;
  if (layout.showlegend) placeLegend(series, layout);
  layout.barmode = "group";
  layout.xaxis = { title: { text: options.xTitle ?? "class" }, type: "category" };
  layout.yaxis = { title: { text: options.yTitle ?? "" } };
  if (options.yFormat) layout.yaxis.tickformat = options.yFormat;
  if (options.yRange) layout.yaxis.range = [...options.yRange];
  return { data, layout };
}

/**
 * Tells a plotly figure from anything else (a canvas image, a string): it has
 * a `data` array and a `layout` object.
 *
 * @param value Anything.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPlotlyFigure, lineChart } from "./charts.ts";
 *
 * assert.ok(isPlotlyFigure(lineChart([{ name: "a", y: [1, 2] }])));
 * assert.ok(!isPlotlyFigure({ png: new Uint8Array(0) }));
 * ```
 */
export function isPlotlyFigure(value: unknown): value is PlotlyFigure {
  if (value === null || typeof value !== "object") return false;
  const v = value as { data?: unknown; layout?: unknown };
  return Array.isArray(v.data) && v.layout !== null && typeof v.layout === "object";
}
