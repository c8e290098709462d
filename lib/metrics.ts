/**
 * Classification metrics: accuracy, confusion matrix, per-class accuracy;
 * and the cosine similarity that compares two gradients' directions.
 *
 * Predictions may be given as class indices or as a score matrix `yHat
 * [n, k]` (the arg-max of each row is the prediction; with `k = 1` a score
 * above 0.5 predicts class 1, as seed 003's binary `y > 0.5`). Labels may be
 * class indices or a one-hot matrix `[n, k]`.
 *
 * @module
 */

import { Matrix } from "./tensor/matrix.ts";
import { formatShape } from "./dtypes.ts";
import { argmaxRows, mul, sum } from "./tensor/ops.ts";

/** Class indices, or a score / one-hot matrix `[n, k]` read row by row. */
export type ClassInput = Matrix | ArrayLike<number>;

/**
 * Class indices from predictions or labels: a matrix's row arg-max (or its
 * 0.5 threshold when it has one column), or the indices themselves.
 *
 * @param input Indices `[n]` or a matrix `[n, k]`.
 * @returns Indices `[n]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./tensor/matrix.ts";
 * import { toClasses } from "./metrics.ts";
 *
 * assert.deepEqual(Array.from(toClasses(Matrix.from([[0.2, 0.8], [0.9, 0.1]]))), [1, 0]);
 * assert.deepEqual(Array.from(toClasses(Matrix.from([[0.7], [0.2]]))), [1, 0]);
 * ```
 */
export function toClasses(input: ClassInput): ArrayLike<number> {
  if (!(input instanceof Matrix)) return input;
  if (input.cols === 1) {
    const out = new Int32Array(input.rows);
    for (let i = 0; i < input.rows; i++) out[i] = input.data[i] > 0.5 ? 1 : 0;
    return out;
  }
  return argmaxRows(input);
}

function pair(op: string, labels: ClassInput, predictions: ClassInput) {
  const y = toClasses(labels), p = toClasses(predictions);
  if (y.length !== p.length) {
    const shape = (v: ClassInput) => v instanceof Matrix ? formatShape(v.shape) : `[${v.length}]`;
    throw new RangeError(
      `Cannot compute ${op}: labels and predictions differ in length, got ${shape(labels)} and ${
        shape(predictions)
      }`,
    );
  }
  return { y, p };
}

/**
 * Fraction of predictions equal to the labels (NaN for an empty set).
 *
 * @param predictions Indices `[n]` or scores `yHat [n, k]`.
 * @param labels Indices `[n]` or one-hot `[n, k]`.
 * @returns Accuracy in [0, 1].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./tensor/matrix.ts";
 * import { accuracy } from "./metrics.ts";
 *
 * const yHat = Matrix.from([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
 * assert.equal(accuracy(yHat, [1, 0, 0]), 2 / 3);
 * ```
 */
export function accuracy(predictions: ClassInput, labels: ClassInput): number {
  const { y, p } = pair("accuracy", labels, predictions);
  let correct = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === p[i]) correct++;
  return correct / y.length;
}

function checkClass(op: string, what: string, c: number, i: number, classes: number): void {
  if (!Number.isInteger(c) || c < 0 || c >= classes) {
    throw new RangeError(
      `Cannot compute ${op}: ${what} at index ${i} must be an integer in [0, ${classes}), got ${c}`,
    );
  }
}

/**
 * Confusion matrix `[classes][classes]`: rows are actual classes, columns
 * predicted ones (scikit-learn's convention, as the seeds plotted it).
 *
 * @param labels Indices `[n]` or one-hot `[n, k]`.
 * @param predictions Indices `[n]` or scores `[n, k]`.
 * @param classes Number of classes (default: one more than the largest index seen).
 * @returns Counts, `cm[actual][predicted]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confusionMatrix } from "./metrics.ts";
 *
 * assert.deepEqual(confusionMatrix([0, 1, 1, 2], [0, 2, 1, 2], 3), [
 *   [1, 0, 0],
 *   [0, 1, 1],
 *   [0, 0, 1],
 * ]);
 * ```
 */
export function confusionMatrix(
  labels: ClassInput,
  predictions: ClassInput,
  classes?: number,
): number[][] {
  const { y, p } = pair("confusion matrix", labels, predictions);
  let k = classes;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < y.length; i++) k = Math.max(k, y[i] + 1, p[i] + 1);
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(
      `Cannot compute confusion matrix: classes must be a positive integer, got ${k}`,
    );
  }
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < y.length; i++) {
    checkClass("confusion matrix", "label", y[i], i, k);
    checkClass("confusion matrix", "prediction", p[i], i, k);
    cm[y[i]][p[i]]++;
  }
  return cm;
}

/**
 * Accuracy within each actual class (recall): `cm[c][c] / Σⱼ cm[c][j]`,
 * NaN for a class with no samples.
 *
 * @param labels Indices `[n]` or one-hot `[n, k]`.
 * @param predictions Indices `[n]` or scores `[n, k]`.
 * @param classes Number of classes (default as {@linkcode confusionMatrix}).
 * @returns One accuracy per class.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perClassAccuracy } from "./metrics.ts";
 *
 * assert.deepEqual(perClassAccuracy([0, 1, 1, 2], [0, 2, 1, 2], 4), [1, 0.5, 1, NaN]);
 * ```
 */
export function perClassAccuracy(
  labels: ClassInput,
  predictions: ClassInput,
  classes?: number,
): number[] {
  return confusionMatrix(labels, predictions, classes).map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? NaN : row[c] / total;
  });
}

/**
 * The cosine of the angle between two matrices of one shape, read as
 * vectors: `Σ a·b / √(Σ a² · Σ b²)` (1 same direction, 0 unrelated, −1
 * opposite). Compares a seed's gradient with the true one; NaN when either
 * is all zeros.
 *
 * @param a Matrix `[r, c]`, e.g. a gradient `dW [in, out]`.
 * @param b Matrix `[r, c]`, the same shape.
 * @returns The cosine, in [−1, 1] up to rounding.
 * @throws {RangeError} When the shapes differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./tensor/matrix.ts";
 * import { cosineSimilarity } from "./metrics.ts";
 *
 * assert.equal(cosineSimilarity(Matrix.from([[1, 0]]), Matrix.from([[0, 3]])), 0);
 * assert.equal(cosineSimilarity(Matrix.from([[1, 2]]), Matrix.from([[2, 4]])), 1);
 * ```
 */
export function cosineSimilarity(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(
      `Cannot compute cosine similarity: shapes differ, got ${formatShape(a.shape)} and ${
        formatShape(b.shape)
      }`,
    );
  }
  return sum(mul(a, b)) / Math.sqrt(sum(mul(a, a)) * sum(mul(b, b)));
}
