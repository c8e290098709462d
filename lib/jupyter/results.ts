/**
 * Shows a notebook's results in the Jupyter kernel: the results bundle and
 * its markdown table (built by `lib/report.ts`) go out as one output, which
 * `deno task reproduce` collects into `reports/results.json` and
 * `reports/REPORT.md`. This is the displaying half of the results; the
 * bundle, the verdicts and the tables are pure functions in `lib/report.ts`.
 *
 * @module
 */

import { RESULTS_MIME, resultsBundle, resultsMarkdown, type ResultsOptions } from "../report.ts";
import { type DisplayFunction, kernelDisplay, sendDisplay } from "./kernel.ts";

/** Options for {@linkcode recordResults}: what the bundle is built from, and where it goes. */
export interface RecordResultsOptions extends ResultsOptions {
  /**
   * Output function, called as `display(bundle, { raw: true })`; default the
   * Deno kernel's (`kernelDisplay()` in `kernel.ts`), looked up at call time.
   */
  display?: DisplayFunction;
  /**
   * Milliseconds to wait after the display, instead of the default: in the
   * kernel, until the output has left it (`sendDisplay()` in
   * `kernel.ts`), else 100 ms plus 150 ms per MB.
   */
  settleMs?: number;
}

/**
 * Shows a notebook's results and hands them to `deno task reproduce`: one
 * output with the bundle as {@linkcode RESULTS_MIME} JSON and as a markdown
 * table, awaited until it has left the kernel (so the kernel cannot report
 * the cell finished first and the output be dropped; see `kernel.ts`).
 * Outside Jupyter (no display function) the markdown goes to the console.
 *
 * @param notebook Notebook name without `.ipynb`, e.g. `"02_tanh_softmax_mlp"`.
 * @param options Metrics, comparisons (seed's published vs ours faithful and
 *   corrected, with a tolerance), params, the seed's wall time, and
 *   optionally `display` and `settleMs`.
 * @returns Nothing, so a notebook cell ending with it shows only the table
 *   (build the bundle without displaying it with `resultsBundle` in `lib/report.ts`).
 * @throws {TypeError} When a name is empty or a value is not a number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RESULTS_MIME } from "../report.ts";
 * import { recordResults } from "./results.ts";
 *
 * const shown: Record<string, unknown>[] = [];
 * await recordResults("01_sgd_vs_batch", {
 *   metrics: { sgdTestAcc: 0.87 },
 *   comparisons: [{ metric: "SGD seconds", seed: 134.8, faithful: 3.1, corrected: null, unit: "s" }],
 *   display: (bundle) => shown.push(bundle),
 *   settleMs: 0,
 * });
 * assert.deepEqual(Object.keys(shown[0]).sort(), [RESULTS_MIME, "text/markdown", "text/plain"]);
 * ```
 */
export async function recordResults(
  notebook: string,
  options: RecordResultsOptions = {},
): Promise<void> {
  const bundle = resultsBundle(notebook, options);
  const markdown = resultsMarkdown(bundle);
  if (options.display === undefined && kernelDisplay() === undefined) {
    console.log(markdown);
    return;
  }
  await sendDisplay({
    [RESULTS_MIME]: bundle,
    "text/markdown": markdown,
    "text/plain": markdown,
  }, {
    display: options.display, // undefined: the kernel's, with the delivery wait
    settleMs: options.settleMs,
    what: `results of ${notebook}`,
  });
}
