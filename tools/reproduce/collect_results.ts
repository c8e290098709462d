/**
 * Reads what `deno task reproduce` needs out of notebooks: the results
 * bundles an executed notebook displayed (see lib/report.ts), and the
 * default seed in a source notebook's `parameters` cell.
 *
 * @module
 */

import { RESULTS_MIME, type ResultsBundle } from "../../lib/report.ts";

/** The parts of an nbformat-4 notebook this module reads. */
export interface NotebookJson {
  cells: {
    cell_type: string;
    source: string | string[];
    metadata?: { tags?: string[] };
    outputs?: { output_type: string; data?: Record<string, unknown> }[];
  }[];
}

/** A cell's source as one string (nbformat allows a list of lines). */
export function cellSource(cell: NotebookJson["cells"][number]): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/**
 * Every results bundle the notebook displayed, in output order.
 *
 * @param nb An executed notebook.
 * @returns The bundles (data under {@linkcode RESULTS_MIME}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultBundles } from "./collect_results.ts";
 *
 * const data = { "application/vnd.nnkit.results+json": { notebook: "x", metrics: { a: 1 } } };
 * const nb = { cells: [{ cell_type: "code", source: "", outputs: [{ output_type: "display_data", data }] }] };
 * assert.equal(resultBundles(nb).length, 1);
 * ```
 */
export function resultBundles(nb: NotebookJson): ResultsBundle[] {
  const bundles: ResultsBundle[] = [];
  for (const cell of nb.cells) {
    for (const output of cell.outputs ?? []) {
      let value = output.data?.[RESULTS_MIME];
      if (typeof value === "string") value = JSON.parse(value);
      if (value && typeof value === "object") bundles.push(value as ResultsBundle);
    }
  }
  return bundles;
}

/**
 * Merges several bundles of one notebook: metrics later-wins, comparisons
 * concatenated, the first params and seed wall time kept.
 *
 * @param notebook Name recorded in the merged bundle.
 * @param bundles Bundles in display order.
 * @returns The merged bundle, or `null` when there is none.
 */
export function mergeBundles(notebook: string, bundles: ResultsBundle[]): ResultsBundle | null {
  if (bundles.length === 0) return null;
  const merged: ResultsBundle = { schema: 1, notebook, metrics: {}, comparisons: [] };
  for (const bundle of bundles) {
    Object.assign(merged.metrics, bundle.metrics ?? {});
    merged.comparisons.push(...(bundle.comparisons ?? []));
    if (merged.params === undefined && bundle.params) merged.params = bundle.params;
    if (merged.seedWallSeconds === undefined && bundle.seedWallSeconds !== undefined) {
      merged.seedWallSeconds = bundle.seedWallSeconds;
      if (bundle.seedWallNote) merged.seedWallNote = bundle.seedWallNote;
    }
  }
  return merged;
}

/**
 * The default seed written in the notebook's `parameters` cell (`seed: 42`),
 * or `undefined` when there is no such cell or no seed in it.
 *
 * @param nb A source notebook.
 * @returns The seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parametersSeed } from "./collect_results.ts";
 *
 * const cell = { cell_type: "code", metadata: { tags: ["parameters"] }, source: "parameters({ seed: 7 })" };
 * assert.equal(parametersSeed({ cells: [cell] }), 7);
 * ```
 */
export function parametersSeed(nb: NotebookJson): number | undefined {
  const cell = nb.cells.find((c) =>
    c.cell_type === "code" && (c.metadata?.tags ?? []).includes("parameters")
  );
  if (!cell) return undefined;
  const match = cellSource(cell).match(/(?<![\w$])seed\s*:\s*(-?\d+)\b/);
  return match ? Number(match[1]) : undefined;
}

/**
 * Whether any code cell calls `recordResults(` (comment lines ignored).
 *
 * @param nb A source notebook.
 */
export function callsRecordResults(nb: NotebookJson): boolean {
  return nb.cells.some((c) =>
    c.cell_type === "code" &&
    cellSource(c).split("\n").some((line) =>
      !line.trimStart().startsWith("//") && /(?<![\w$])recordResults\s*\(/.test(line)
    )
  );
}
