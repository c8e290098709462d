/**
 * Results of a notebook in a form tools can collect: the metrics it
 * measured and its comparisons with the seed's published numbers, as one
 * JSON bundle ({@linkcode resultsBundle}) and as a readable markdown table
 * ({@linkcode resultsMarkdown}). A notebook shows both in one Jupyter output
 * (`recordResults` in `lib/jupyter/results.ts`), which `deno task reproduce`
 * gathers into `reports/results.json` and `reports/REPORT.md`. This file is
 * pure: it builds and formats, it never displays.
 *
 * A comparison is *reproduced* when our seed-faithful value lies within the
 * row's tolerance of the seed's: `|faithful − seed| ≤ tolerance`. Over
 * several seeds (`reproduce --seeds N`) it is reproduced when the seed's
 * value lies inside `[min − tolerance, max + tolerance]` of the faithful
 * runs. A row without a tolerance, a seed value or a faithful value is
 * shown but not judged.
 *
 * @module
 */

import type { ParamValue } from "./params.ts";

/** Mime type of the results bundle that `deno task reproduce` collects. */
export const RESULTS_MIME = "application/vnd.nnkit.results+json";

/** One number of the seed set against ours. */
export interface Comparison {
  /** What is compared, e.g. `"test accuracy"`. */
  metric: string;
  /** The seed's published value, or `null` when it printed none. */
  seed: number | null;
  /** Ours with the seed's formulas (bugs included), or `null`. */
  faithful: number | null;
  /** Ours with the bugs fixed, or `null` when there is no bug to fix. */
  corrected: number | null;
  /** Unit shown after values, e.g. `"%"` or `"s"`. */
  unit?: string;
  /** Largest absolute difference still counted as reproduced. */
  tolerance?: number;
  /** A short remark shown in the table. */
  note?: string;
}

/** The JSON a notebook emits under {@linkcode RESULTS_MIME}. */
export interface ResultsBundle {
  /** Schema version of this object. */
  schema: 1;
  /** Notebook name, e.g. `"02_tanh_softmax_mlp"`. */
  notebook: string;
  /** Metric name → value; non-finite values are stored as `null`. */
  metrics: Record<string, number | null>;
  /** Rows comparing the seed's numbers with ours. */
  comparisons: Comparison[];
  /** The parameters the run used (from the `parameters` cell). */
  params?: Record<string, ParamValue>;
  /** The seed's own wall time in seconds, where it printed one. */
  seedWallSeconds?: number;
  /** What the seed's wall time covers, e.g. `"SGD cell 134.8 s + batch GD 507 s"`. */
  seedWallNote?: string;
}

/** What a results bundle is built from (see {@linkcode resultsBundle}). */
export interface ResultsOptions {
  /** Metric name → value measured by the notebook. */
  metrics?: Record<string, number>;
  /** Comparisons with the seed's published numbers. */
  comparisons?: Comparison[];
  /** The parameters the run used. */
  params?: Record<string, ParamValue>;
  /** The seed's wall time in seconds, where it printed one. */
  seedWallSeconds?: number;
  /** What the seed's wall time covers. */
  seedWallNote?: string;
}

function optionalNumber(where: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number") {
    throw new TypeError(`Cannot record ${where}: expected a number or null, got ${typeof value}`);
  }
  return Number.isFinite(value) ? value : null;
}

function checkComparison(row: Comparison, i: number): Comparison {
  if (typeof row?.metric !== "string" || row.metric === "") {
    throw new TypeError(
      `Cannot record comparison ${i}: expected a non-empty metric name, got ${
        JSON.stringify(row?.metric)
      }`,
    );
  }
  const out: Comparison = {
    metric: row.metric,
    seed: optionalNumber(`comparison "${row.metric}" seed`, row.seed),
    faithful: optionalNumber(`comparison "${row.metric}" faithful`, row.faithful),
    corrected: optionalNumber(`comparison "${row.metric}" corrected`, row.corrected),
  };
  if (row.unit !== undefined) out.unit = String(row.unit);
  if (row.tolerance !== undefined) {
    if (typeof row.tolerance !== "number" || !(row.tolerance >= 0) || !isFinite(row.tolerance)) {
      throw new RangeError(
        `Cannot record comparison "${row.metric}": expected a tolerance >= 0, got ${row.tolerance}`,
      );
    }
    out.tolerance = row.tolerance;
  }
  if (row.note !== undefined) out.note = String(row.note);
  return out;
}

/**
 * Builds the results bundle from a notebook's name and measurements,
 * validating every field.
 *
 * @param notebook Notebook name without `.ipynb`, e.g. `"03_relu_784_10_10"`.
 * @param options Metrics, comparisons, params and the seed's wall time.
 * @returns The bundle (metrics that are NaN or infinite become `null`).
 * @throws {TypeError} When a name is empty or a value is not a number.
 * @throws {RangeError} When a tolerance is negative or not finite.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsBundle } from "./report.ts";
 *
 * const bundle = resultsBundle("03_relu", { metrics: { devAcc: 0.85, loss: NaN } });
 * assert.deepEqual(bundle.metrics, { devAcc: 0.85, loss: null });
 * ```
 */
export function resultsBundle(
  notebook: string,
  options: ResultsOptions = {},
): ResultsBundle {
  if (typeof notebook !== "string" || notebook.trim() === "") {
    throw new TypeError(
      `Cannot record results: expected a notebook name, got ${JSON.stringify(notebook)}`,
    );
  }
  const metrics: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(options.metrics ?? {})) {
    if (typeof value !== "number") {
      throw new TypeError(`Cannot record metric ${name}: expected a number, got ${typeof value}`);
    }
    metrics[name] = Number.isFinite(value) ? value : null;
  }
  const bundle: ResultsBundle = {
    schema: 1,
    notebook,
    metrics,
    comparisons: (options.comparisons ?? []).map(checkComparison),
  };
  if (options.params !== undefined) bundle.params = { ...options.params };
  if (options.seedWallSeconds !== undefined) {
    bundle.seedWallSeconds = optionalNumber("seedWallSeconds", options.seedWallSeconds) ??
      undefined;
  }
  if (options.seedWallNote !== undefined) bundle.seedWallNote = String(options.seedWallNote);
  return bundle;
}

/**
 * Whether the seed's number was reproduced: within `tolerance` of our
 * faithful value, or (given the faithful values of several runs) within the
 * runs' range widened by `tolerance`.
 *
 * @param row The comparison (`seed`, `faithful`, `tolerance` are used).
 * @param faithfulRuns Faithful values of repeated runs (other seeds); when
 *   it holds at least one number, it replaces `row.faithful`.
 * @returns `true`/`false`, or `null` when the row cannot be judged (no
 *   tolerance, no seed value or no faithful value).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isReproduced } from "./report.ts";
 *
 * const row = { metric: "acc", seed: 0.9823, faithful: 0.9811, corrected: null, tolerance: 0.005 };
 * assert.equal(isReproduced(row), true);
 * assert.equal(isReproduced({ ...row, tolerance: 0.001 }), false);
 * assert.equal(isReproduced({ ...row, tolerance: 0.001 }, [0.9790, 0.9830]), true);
 * assert.equal(isReproduced({ ...row, tolerance: undefined }), null);
 * ```
 */
export function isReproduced(
  row: Comparison,
  faithfulRuns?: readonly (number | null)[],
): boolean | null {
  const { seed, tolerance } = row;
  if (seed === null || seed === undefined || tolerance === undefined) return null;
  const runs = (faithfulRuns ?? []).filter((v): v is number => typeof v === "number");
  const values = runs.length > 0 ? runs : (typeof row.faithful === "number" ? [row.faithful] : []);
  if (values.length === 0) return null;
  const slack = tolerance + 1e-12 * Math.max(1, Math.abs(seed));
  return seed >= Math.min(...values) - slack && seed <= Math.max(...values) + slack;
}

/**
 * Formats a value for a table: integers as they are, others with four
 * significant decimals (more for tiny numbers), then the unit.
 *
 * @param value The number, or `null` / `undefined` for "none" (—).
 * @param unit Optional unit appended (`%` without a space).
 * @returns Text such as `"0.9823"`, `"97.63 %"`, `"—"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue } from "./report.ts";
 *
 * assert.equal(formatValue(0.98234567), "0.9823");
 * assert.equal(formatValue(9790), "9790");
 * assert.equal(formatValue(1.4708408874785344), "1.471");
 * assert.equal(formatValue(134.8, "s"), "134.8 s");
 * assert.equal(formatValue(null), "—");
 * ```
 */
export function formatValue(value: number | null | undefined, unit?: string): string {
  if (value === null || value === undefined) return "—";
  let text: string;
  if (!Number.isFinite(value)) text = String(value);
  else if (Number.isInteger(value)) text = String(value);
  else {
    const abs = Math.abs(value);
    text = abs !== 0 && (abs < 1e-3 || abs >= 1e7)
      ? value.toExponential(3)
      : String(Number(value.toPrecision(4)));
  }
  return unit ? `${text} ${unit}` : text;
}

/** A comparison row as shown by {@linkcode comparisonTable}, optionally over several runs. */
export interface ComparisonRow extends Comparison {
  /** Faithful values over runs with different seeds. */
  faithfulRuns?: (number | null)[];
  /** Corrected values over runs with different seeds. */
  correctedRuns?: (number | null)[];
}

function formatRuns(
  single: number | null,
  runs: (number | null)[] | undefined,
  unit?: string,
): string {
  const values = (runs ?? []).filter((v): v is number => typeof v === "number");
  if (values.length < 2) return formatValue(values[0] ?? single, unit);
  const lo = Math.min(...values), hi = Math.max(...values);
  const range = formatValue(lo) === formatValue(hi)
    ? formatValue(lo, unit)
    : `${formatValue(lo)}–${formatValue(hi, unit)}`;
  return `${range} (${values.length} runs)`;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/**
 * A markdown table: metric | seed's published | ours seed-faithful | ours
 * corrected | reproduced?. Values over several runs show as `min–max`.
 *
 * @param rows Comparisons, optionally with per-run values.
 * @returns GitHub-flavoured markdown, one line per row after the header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { comparisonTable } from "./report.ts";
 *
 * const md = comparisonTable([
 *   { metric: "train acc", seed: 0.8463, faithful: 0.8461, corrected: 0.86, tolerance: 0.01 },
 * ]);
 * assert.match(md, /\| train acc \| 0\.8463 \| 0\.8461 \| 0\.86 \| yes \(±0\.01\) \|/);
 * ```
 */
export function comparisonTable(rows: readonly ComparisonRow[]): string {
  const lines = [
    "| metric | seed's published | ours seed-faithful | ours corrected | reproduced? |",
    "| --- | ---: | ---: | ---: | --- |",
  ];
  for (const row of rows) {
    const verdict = isReproduced(row, row.faithfulRuns);
    const judged = verdict === null
      ? "—"
      : `${verdict ? "yes" : "**no**"} (±${row.tolerance ?? 0})`;
    const metric = row.note ? `${row.metric} (${row.note})` : row.metric;
    lines.push(
      `| ${escapeCell(metric)} | ${formatValue(row.seed, row.unit)} | ${
        formatRuns(row.faithful, row.faithfulRuns, row.unit)
      } | ${formatRuns(row.corrected, row.correctedRuns, row.unit)} | ${judged} |`,
    );
  }
  return lines.join("\n");
}

/**
 * The readable markdown of a bundle: a heading, the comparison table and the
 * metrics.
 *
 * @param bundle A bundle from {@linkcode resultsBundle}.
 * @returns Markdown text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsBundle, resultsMarkdown } from "./report.ts";
 *
 * const md = resultsMarkdown(resultsBundle("05_pretrained", { metrics: { correct: 9790 } }));
 * assert.match(md, /\| correct \| 9790 \|/);
 * ```
 */
export function resultsMarkdown(bundle: ResultsBundle): string {
  const parts = [`**Results of ${bundle.notebook}**`];
  if (bundle.comparisons.length > 0) parts.push(comparisonTable(bundle.comparisons));
  const names = Object.keys(bundle.metrics);
  if (names.length > 0) {
    parts.push(
      ["| metric | value |", "| --- | ---: |"]
        .concat(names.map((n) => `| ${escapeCell(n)} | ${formatValue(bundle.metrics[n])} |`))
        .join("\n"),
    );
  }
  if (bundle.seedWallSeconds !== undefined) {
    parts.push(
      `The seed's wall time: ${formatValue(bundle.seedWallSeconds, "s")}${
        bundle.seedWallNote ? ` (${bundle.seedWallNote})` : ""
      }.`,
    );
  }
  return parts.join("\n\n");
}
