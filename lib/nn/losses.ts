/**
 * Loss functions with their backward passes side by side: half squared error
 * (seed 000), categorical cross-entropy (with the fused softmax gradient
 * `P − Y`), binary cross-entropy (with the fused sigmoid gradient) and the
 * L2 penalty of seed 003 Q1a. (Seed 000's reported "running error" cost is in
 * `seed_bugs.ts`.)
 *
 * `yHat`, `P` and `Y` are `[n, k]`, one row per sample; `Y` is one-hot for
 * classifiers (`k = 1` and 0/1 targets for binary ones). A {@linkcode
 * Reduction} says how per-sample losses combine: `"sum"` over the batch, or
 * `"mean"` over its rows (units within a sample are always summed). The
 * backward of a loss is scaled by the same reduction.
 *
 * Cross-entropies are computed from logits where possible (`softmaxCrossEntropy`,
 * `sigmoidBinaryCrossEntropy`): exact even when a probability underflows to
 * 0. The probability forms take an optional `logEpsilon`, the seeds' `+ ε`
 * inside the logarithm, for seed-faithful reporting.
 *
 * @module
 */

import type { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../dtypes.ts";
import { ensureOut } from "../tensor/ops.ts";

/** How per-sample losses are combined over a batch. */
export type Reduction = "mean" | "sum";

/** Options shared by the loss functions. */
export interface LossOptions {
  /** `"mean"` over the batch's rows (default) or `"sum"`. */
  reduction?: Reduction;
}

/** Options of the probability-form cross-entropies. */
export interface LogLossOptions extends LossOptions {
  /**
   * Seed-faithful `ε` added inside every logarithm (seed 003 used 1e-40 for
   * the binary loss and 1e-39 for the softmax loss). It caps a sample's loss
   * at `−log ε` (≈ 92) and so under-reports saturated mistakes; the default
   * 0 computes the exact value.
   */
  logEpsilon?: number;
}

/** Options of the loss backwards. */
export interface LossBackwardOptions extends LossOptions {
  /** Optional `[n, k]` workspace for the result. */
  out?: Matrix;
}

function checkPair(op: string, A: Matrix, Y: Matrix): void {
  if (A.rows !== Y.rows || A.cols !== Y.cols) {
    throw new RangeError(
      `Cannot ${op}: predictions and targets differ in shape, got ${formatShape(A.shape)} and ${
        formatShape(Y.shape)
      }`,
    );
  }
}

/**
 * The factor a reduction applies to a batch of `n` rows: `1/n` or `1`.
 *
 * @param reduction `"mean"` or `"sum"`.
 * @param n Number of rows in the batch.
 * @returns `1/n` for `"mean"` (0 for an empty batch), `1` for `"sum"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reductionScale } from "./losses.ts";
 *
 * assert.equal(reductionScale("mean", 4), 0.25);
 * assert.equal(reductionScale("sum", 4), 1);
 * ```
 */
export function reductionScale(reduction: Reduction, n: number): number {
  if (reduction === "sum") return 1;
  if (reduction === "mean") return n === 0 ? 0 : 1 / n;
  throw new TypeError(`Cannot reduce loss: expected "mean" or "sum", got ${String(reduction)}`);
}

/**
 * Half squared error `½ Σᵢⱼ (ŷᵢⱼ − yᵢⱼ)²` (seed 000), divided by `n` for
 * `"mean"`.
 *
 * @param yHat Predictions `[n, k]`.
 * @param Y Targets `[n, k]`.
 * @returns The reduced loss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { squaredError } from "./losses.ts";
 *
 * const yHat = Matrix.from([[1, 0], [0, 0]]), Y = Matrix.from([[0, 0], [0, 2]]);
 * assert.equal(squaredError(yHat, Y, { reduction: "sum" }), 2.5);
 * assert.equal(squaredError(yHat, Y), 1.25);
 * ```
 */
export function squaredError(yHat: Matrix, Y: Matrix, options: LossOptions = {}): number {
  checkPair("compute squared error", yHat, Y);
  const p = yHat.data, y = Y.data;
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const d = p[i] - y[i];
    s += d * d;
  }
  return 0.5 * s * reductionScale(options.reduction ?? "mean", yHat.rows);
}

/**
 * Backward of {@linkcode squaredError}: `∂L/∂ŷ = (ŷ − y)`, times `1/n` for
 * `"mean"`.
 *
 * @param yHat Predictions `[n, k]`.
 * @param Y Targets `[n, k]`.
 * @returns `dŷ`, `[n, k]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { squaredErrorBackward } from "./losses.ts";
 *
 * const d = squaredErrorBackward(Matrix.from([[1, 0]]), Matrix.from([[0, 1]]));
 * assert.deepEqual(d.toArray(), [[1, -1]]);
 * ```
 */
export function squaredErrorBackward(
  yHat: Matrix,
  Y: Matrix,
  options: LossBackwardOptions = {},
): Matrix {
  checkPair("back-propagate squared error", yHat, Y);
  const D = ensureOut("back-propagate squared error", options.out, Y.rows, Y.cols, yHat.dtype);
  const s = reductionScale(options.reduction ?? "mean", yHat.rows);
  const p = yHat.data, y = Y.data, d = D.data;
  for (let i = 0; i < p.length; i++) d[i] = s * (p[i] - y[i]);
  return D;
}

/**
 * Categorical cross-entropy from probabilities, `−Σᵢⱼ yᵢⱼ log(pᵢⱼ + ε)`
 * (terms with `y = 0` contribute 0 even when `p = 0`), divided by `n` for
 * `"mean"`.
 *
 * @param P Probabilities `[n, k]` (e.g. a softmax output).
 * @param Y One-hot targets `[n, k]`.
 * @returns The reduced loss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { crossEntropy } from "./losses.ts";
 *
 * const loss = crossEntropy(Matrix.from([[0.5, 0.5], [0.25, 0.75]]), Matrix.from([[1, 0], [0, 1]]));
 * assert.ok(Math.abs(loss - (Math.log(2) + Math.log(4 / 3)) / 2) < 1e-15);
 * ```
 */
export function crossEntropy(P: Matrix, Y: Matrix, options: LogLossOptions = {}): number {
  checkPair("compute cross-entropy", P, Y);
  const eps = options.logEpsilon ?? 0;
  const p = P.data, y = Y.data;
  let s = 0;
  for (let i = 0; i < p.length; i++) if (y[i] !== 0) s -= y[i] * Math.log(p[i] + eps);
  return s * reductionScale(options.reduction ?? "mean", P.rows);
}

/**
 * Backward of {@linkcode crossEntropy} with respect to the probabilities:
 * `∂L/∂pᵢⱼ = −yᵢⱼ / pᵢⱼ`, times `1/n` for `"mean"`. Chain it through an
 * activation's backward, or use the fused {@linkcode
 * softmaxCrossEntropyBackward}.
 *
 * @param P Probabilities `[n, k]`.
 * @param Y One-hot targets `[n, k]`.
 * @returns `dP`, `[n, k]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { crossEntropyBackward } from "./losses.ts";
 *
 * const d = crossEntropyBackward(Matrix.from([[0.5, 0.5]]), Matrix.from([[1, 0]]));
 * assert.deepEqual(d.toArray(), [[-2, 0]]);
 * ```
 */
export function crossEntropyBackward(
  P: Matrix,
  Y: Matrix,
  options: LossBackwardOptions = {},
): Matrix {
  checkPair("back-propagate cross-entropy", P, Y);
  const D = ensureOut("back-propagate cross-entropy", options.out, P.rows, P.cols, P.dtype);
  const s = reductionScale(options.reduction ?? "mean", P.rows);
  const p = P.data, y = Y.data, d = D.data;
  for (let i = 0; i < p.length; i++) d[i] = y[i] === 0 ? 0 : -s * y[i] / p[i];
  return D;
}

/** Target probabilities below this are scored from the logits (see {@linkcode softmaxCrossEntropy}). */
const MIN_PROBABILITY = 1e-30;

/** Options of {@linkcode softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyOptions extends LossOptions {
  /**
   * `softmax(Z)` `[n, k]` when the caller already has it (a forward pass): a
   * row's loss is then `−Σⱼ yⱼ log pⱼ`, one logarithm per target instead of k
   * exponentials, and the log-sum-exp of the logits only for rows whose
   * target probability is below 1e-30 (where `p` has lost its digits).
   */
  probabilities?: Matrix;
}

/**
 * Categorical cross-entropy of `softmax(Z)` computed from the logits:
 * `Σᵢ Σⱼ yᵢⱼ (logΣₖ e^(zᵢₖ) − zᵢⱼ)` with a max-shifted log-sum-exp, exact even
 * where the softmax underflows to 0 (logits of ±1000 give 2000, not ∞).
 *
 * @param Z Logits `[n, k]`.
 * @param Y One-hot targets `[n, k]`.
 * @param options `reduction`, and `probabilities` (`softmax(Z)`, `[n, k]`) to skip the exponentials.
 * @returns The reduced loss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { softmax } from "./activations.ts";
 * import { softmaxCrossEntropy } from "./losses.ts";
 *
 * const Z = Matrix.from([[1000, -1000]]), Y = Matrix.from([[0, 1]]);
 * assert.equal(softmaxCrossEntropy(Z, Y), 2000);
 * assert.equal(softmaxCrossEntropy(Z, Y, { probabilities: softmax(Z) }), 2000); // p = 0: from Z
 * ```
 */
export function softmaxCrossEntropy(
  Z: Matrix,
  Y: Matrix,
  options: SoftmaxCrossEntropyOptions = {},
): number {
  checkPair("compute softmax cross-entropy", Z, Y);
  const z = Z.data, y = Y.data, k = Z.cols;
  const P = options.probabilities;
  if (P !== undefined) checkPair("compute softmax cross-entropy", P, Y);
  const p = P?.data;
  let total = 0;
  for (let o = 0; o < z.length; o += k) {
    if (p !== undefined) {
      // −Σⱼ yⱼ log pⱼ while every target probability keeps its digits (inlined: a helper
      // returning a double would box it, one allocation per row).
      let row = 0, ok = true;
      for (let j = o; j < o + k; j++) {
        if (y[j] === 0) continue;
        if (!(p[j] >= MIN_PROBABILITY)) {
          ok = false;
          break;
        }
        row -= y[j] * Math.log(p[j]);
      }
      if (ok) {
        total += row;
        continue;
      }
    }
    let m = z[o];
    for (let j = 1; j < k; j++) if (z[o + j] > m) m = z[o + j];
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(z[o + j] - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < k; j++) if (y[o + j] !== 0) total += y[o + j] * (lse - z[o + j]);
  }
  return total * reductionScale(options.reduction ?? "mean", Z.rows);
}

/**
 * Fused backward of softmax + cross-entropy: `dZ = P − Y` (times `1/n` for
 * `"mean"`), since `∂/∂zⱼ [−Σₖ yₖ log softmax(z)ₖ] = pⱼ − yⱼ` when `Σₖ yₖ = 1`.
 * The same formula is the fused gradient of sigmoid + binary cross-entropy.
 *
 * @param P Probabilities `softmax(Z)` `[n, k]`.
 * @param Y One-hot targets `[n, k]`.
 * @returns `dZ`, `[n, k]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { softmaxCrossEntropyBackward } from "./losses.ts";
 *
 * const dZ = softmaxCrossEntropyBackward(Matrix.from([[0.25, 0.75]]), Matrix.from([[0, 1]]));
 * assert.deepEqual(dZ.toArray(), [[0.25, -0.25]]);
 * ```
 */
export function softmaxCrossEntropyBackward(
  P: Matrix,
  Y: Matrix,
  options: LossBackwardOptions = {},
): Matrix {
  checkPair("back-propagate softmax cross-entropy", P, Y);
  const D = ensureOut("back-propagate softmax cross-entropy", options.out, P.rows, P.cols, P.dtype);
  const s = reductionScale(options.reduction ?? "mean", P.rows);
  const p = P.data, y = Y.data, d = D.data;
  for (let i = 0; i < p.length; i++) d[i] = s * (p[i] - y[i]);
  return D;
}

/**
 * Binary cross-entropy from probabilities,
 * `−Σ [y log(p + ε) + (1 − y) log(1 − p + ε)]`, divided by `n` for `"mean"`
 * (seed 003 Q1a, whose ε was 1e-40).
 *
 * @param P Probabilities `[n, k]` (usually `k = 1`).
 * @param Y 0/1 targets `[n, k]`.
 * @returns The reduced loss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { binaryCrossEntropy } from "./losses.ts";
 *
 * const loss = binaryCrossEntropy(Matrix.from([[0.5], [0.5]]), Matrix.from([[1], [0]]));
 * assert.ok(Math.abs(loss - Math.log(2)) < 1e-15);
 * ```
 */
export function binaryCrossEntropy(P: Matrix, Y: Matrix, options: LogLossOptions = {}): number {
  checkPair("compute binary cross-entropy", P, Y);
  const eps = options.logEpsilon ?? 0;
  const p = P.data, y = Y.data;
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    if (y[i] !== 0) s -= y[i] * Math.log(p[i] + eps);
    if (y[i] !== 1) s -= (1 - y[i]) * Math.log(1 - p[i] + eps);
  }
  return s * reductionScale(options.reduction ?? "mean", P.rows);
}

/**
 * Backward of {@linkcode binaryCrossEntropy} with respect to the
 * probabilities: `∂L/∂p = (p − y) / (p(1 − p))`, times `1/n` for `"mean"`.
 * After a sigmoid this collapses to `p − y` (use the fused
 * {@linkcode softmaxCrossEntropyBackward}, same formula).
 *
 * @param P Probabilities `[n, k]`.
 * @param Y 0/1 targets `[n, k]`.
 * @returns `dP`, `[n, k]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { binaryCrossEntropyBackward } from "./losses.ts";
 *
 * const d = binaryCrossEntropyBackward(Matrix.from([[0.5]]), Matrix.from([[1]]));
 * assert.deepEqual(d.toArray(), [[-2]]);
 * ```
 */
export function binaryCrossEntropyBackward(
  P: Matrix,
  Y: Matrix,
  options: LossBackwardOptions = {},
): Matrix {
  checkPair("back-propagate binary cross-entropy", P, Y);
  const D = ensureOut("back-propagate binary cross-entropy", options.out, P.rows, P.cols, P.dtype);
  const s = reductionScale(options.reduction ?? "mean", P.rows);
  const p = P.data, y = Y.data, d = D.data;
  for (let i = 0; i < p.length; i++) d[i] = s * (p[i] - y[i]) / (p[i] * (1 - p[i]));
  return D;
}

/**
 * Binary cross-entropy of `σ(Z)` computed from the logits:
 * `Σ [max(z, 0) − z·y + log(1 + e^(−|z|))]`, exact for any `z` (no log 0).
 *
 * @param Z Logits `[n, k]`.
 * @param Y 0/1 targets `[n, k]`.
 * @returns The reduced loss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { sigmoidBinaryCrossEntropy } from "./losses.ts";
 *
 * assert.equal(sigmoidBinaryCrossEntropy(Matrix.from([[-500]]), Matrix.from([[1]])), 500);
 * ```
 */
export function sigmoidBinaryCrossEntropy(
  Z: Matrix,
  Y: Matrix,
  options: LossOptions = {},
): number {
  checkPair("compute sigmoid binary cross-entropy", Z, Y);
  const z = Z.data, y = Y.data;
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    const x = z[i];
    s += (x > 0 ? x : 0) - x * y[i] + Math.log1p(Math.exp(-Math.abs(x)));
  }
  return s * reductionScale(options.reduction ?? "mean", Z.rows);
}

/**
 * L2 penalty `λ Σ_W ‖W‖²` over the given weight matrices (seed 003 Q1a: the
 * bias is not penalised and λ is not halved, so the gradient is `2λW`; see
 * {@linkcode l2PenaltyBackward}).
 *
 * @param weights Weight matrices, any shapes.
 * @param lambda λ ≥ 0.
 * @returns The penalty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { l2Penalty } from "./losses.ts";
 *
 * assert.equal(l2Penalty([Matrix.from([[1, 2]])], 0.1), 0.5);
 * ```
 */
export function l2Penalty(weights: readonly Matrix[], lambda: number): number {
  if (lambda === 0) return 0;
  let s = 0;
  for (const W of weights) {
    const w = W.data;
    for (let i = 0; i < w.length; i++) s += w[i] * w[i];
  }
  return lambda * s;
}

/**
 * Adds the gradient of {@linkcode l2Penalty} to `dW` in place:
 * `dW += 2λW` (from `∂(λ‖W‖²)/∂W = 2λW`).
 *
 * @param W Weights, any shape.
 * @param lambda λ.
 * @param dW Gradient of the same shape, updated in place.
 * @returns `dW`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { l2PenaltyBackward } from "./losses.ts";
 *
 * const dW = l2PenaltyBackward(Matrix.from([[1, -2]]), 0.5, Matrix.from([[0, 0]]));
 * assert.deepEqual(dW.toArray(), [[1, -2]]);
 * ```
 */
export function l2PenaltyBackward(W: Matrix, lambda: number, dW: Matrix): Matrix {
  if (W.rows !== dW.rows || W.cols !== dW.cols) {
    throw new RangeError(
      `Cannot add L2 gradient: shapes differ, got ${formatShape(W.shape)} and ${
        formatShape(dW.shape)
      }`,
    );
  }
  if (lambda === 0) return dW;
  const w = W.data, d = dW.data, c = 2 * lambda;
  for (let i = 0; i < w.length; i++) d[i] += c * w[i];
  return dW;
}
