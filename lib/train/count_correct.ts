/**
 * Counting correct predictions inside training loops, without allocating:
 * the row arg-max of `yHat` against the row arg-max of one-hot targets, or,
 * for a single output column, `yHat > 0.5` against 0/1 targets (seed 003's
 * `(y > 0.5) == yt`). The same rules as `toClasses` in `lib/metrics.ts`,
 * which allocates and is meant for finished predictions.
 *
 * @module
 */

import type { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../dtypes.ts";

/**
 * Number of rows of `yHat` whose predicted class equals the target class.
 * Ties go to the first (lowest) column, as `argmax` does.
 *
 * @param yHat Scores `[n, k]` (`k = 1`: a probability of class 1).
 * @param Y Targets `[n, k]`: one-hot rows, or 0/1 when `k = 1`.
 * @returns Correct predictions, an integer in `[0, n]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { countCorrect } from "./count_correct.ts";
 *
 * const yHat = Matrix.from([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
 * assert.equal(countCorrect(yHat, Matrix.from([[0, 1], [1, 0], [1, 0]])), 2);
 * assert.equal(countCorrect(Matrix.from([[0.7], [0.2]]), Matrix.from([[1], [1]])), 1);
 * ```
 */
export function countCorrect(yHat: Matrix, Y: Matrix): number {
  if (yHat.rows !== Y.rows || yHat.cols !== Y.cols) {
    throw new RangeError(
      `Cannot count correct predictions: yHat and Y shapes differ, got ${
        formatShape(yHat.shape)
      } and ${formatShape(Y.shape)}`,
    );
  }
  const p = yHat.data, y = Y.data, k = yHat.cols;
  let correct = 0;
  if (k === 1) {
    for (let i = 0; i < p.length; i++) if ((p[i] > 0.5) === (y[i] > 0.5)) correct++;
    return correct;
  }
  for (let o = 0; o < p.length; o += k) {
    let bestP = 0, bestY = 0, mp = p[o], my = y[o];
    for (let j = 1; j < k; j++) {
      if (p[o + j] > mp) {
        mp = p[o + j];
        bestP = j;
      }
      if (y[o + j] > my) {
        my = y[o + j];
        bestY = j;
      }
    }
    if (bestP === bestY) correct++;
  }
  return correct;
}
