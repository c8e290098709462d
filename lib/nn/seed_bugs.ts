/**
 * The seeds' bugs, in one file: every seed-faithful formula, each with what
 * the seed did and why it is wrong. The networks (`mlp.ts`,
 * `bias_column_net.ts`) are written with the textbook formulas and call into
 * this file only where a `seedFaithful` switch asks for a seed's formula;
 * the switches themselves ({@linkcode MlpSeedFaithful},
 * {@linkcode BiasColumnSeedFaithful}) are documented here too, and each
 * seed's set of them is in `seed_models.ts` (`SEED_FAITHFUL`).
 *
 * Nothing here is a gradient to train with. Each formula reproduces a seed's
 * published numbers, bit for bit where the arithmetic allows.
 *
 * | seed | switch                          | formula here                        |
 * | ---- | ------------------------------- | ----------------------------------- |
 * | 000  | `batchErrorThroughLastSample`   | {@linkcode meanErrorThroughLastSample} |
 * | 000  | `runningErrorSumCost`           | {@linkcode seed000RunningErrorCost}  |
 * | 001  | `softmaxPrimeFactor`            | {@linkcode softmaxPrimeFactorDelta}  |
 * | 001  | `sumGradientOfMeanLoss`         | {@linkcode summedLossGradientScale}  |
 * | 001  | `epochLoss: "seed001"` (train)  | {@linkcode seed001EpochLoss}         |
 * | 002  | `gradientDivisor`               | {@linkcode divisorGradientScale}     |
 * | 002  | `scalarBiasGradient`            | {@linkcode scalarBiasGradient}       |
 * | 003  | `softmaxOverBatch`, `logEpsilon`| {@linkcode softmaxOverBatch}         |
 * | 004  | `doubleSoftmaxDelta`            | {@linkcode doubleSoftmaxDelta}       |
 * | 004  | `softmaxPrimeLastHidden`        | {@linkcode mulSoftmaxPrime}          |
 *
 * @module
 */

import { Matrix } from "../tensor/matrix.ts";
import { type DType, formatShape } from "../dtypes.ts";
import { ensureOut } from "../tensor/ops.ts";
import { matmul } from "../tensor/matmul.ts";
import { denseRow, isSparseInput, type SparseInput } from "../tensor/sparse_rows.ts";
import { activationBackward, type ActivationName } from "./activations.ts";

// ---------------------------------------------------------------------------
// The switches
// ---------------------------------------------------------------------------

/**
 * The seeds' bugs in an `Mlp`, each an explicit switch (all off by default).
 * Turn them on to get a seed's published numbers back; leave them off for
 * the correct gradient. Each seed's set is `SEED_FAITHFUL` in
 * `seed_models.ts`.
 */
export interface MlpSeedFaithful {
  /**
   * Seed 000's batch gradient descent: the seed averaged the output errors
   * `ŷ − y` over the batch but back-propagated that mean through the
   * activations of the LAST sample only (its loop variables `Z1..Z4` and
   * `X_TRAIN[sample]` still held sample 1999). Wrong because the gradient of
   * a mean loss is the mean of per-sample gradients, each through its own
   * sample's activations. Needs `loss: "squaredError"`. See
   * {@linkcode meanErrorThroughLastSample}.
   */
  batchErrorThroughLastSample?: boolean;
  /**
   * Seed 000's reported batch cost: `loss()` returns
   * {@linkcode seed000RunningErrorCost} (squares of a running SUM of errors,
   * over 2n) instead of the squared error. Wrong because errors cancel in the
   * running sum and early samples are counted up to n times. Needs
   * `loss: "squaredError"`.
   */
  runningErrorSumCost?: boolean;
  /**
   * Seed 002: gradients were divided by this count instead of the batch size
   * (the seed used m = 60,000, the size before its 5,000-image dev split,
   * while training on 55,000), so every step is 55/60 of the intended one.
   * See {@linkcode divisorGradientScale}.
   */
  gradientDivisor?: number;
  /**
   * Seed 002: each bias gradient was ONE scalar, the sum of `dZ` over all
   * samples AND all units (`np.sum(dZ)` without `axis=1`), broadcast to every
   * unit. Wrong because each unit's bias has its own gradient `Σᵢ dZᵢⱼ`. Needs
   * `bias: true`. See {@linkcode scalarBiasGradient}.
   */
  scalarBiasGradient?: boolean;
  /**
   * Seed 003 Q1b/Q1c: the output softmax divided by the sum over the whole
   * batch instead of each row (`a / np.sum(a)` without `axis=1`), and that
   * matrix was used both for the loss and in the gradient `P − Y`. Wrong
   * because a row's probabilities then sum to about 1/n. Needs a softmax
   * output. See {@linkcode softmaxOverBatch}.
   */
  softmaxOverBatch?: boolean;
  /**
   * Seed 003: `ε` added inside the loss logarithms (1e-40 in the logistic
   * model, 1e-39 in the softmax one), so a loss is reported from the
   * probabilities, capped at `−log ε` per sample. Not wrong for the gradient
   * (the seeds' gradients did not use it), but it changes the printed loss
   * wherever a probability underflows; the correct loss is computed from the
   * logits. The same as `MlpOptions.logEpsilon` (give one, or the same value
   * in both).
   */
  logEpsilon?: number;
  /**
   * Seed 004: the output delta was `(softmax(ŷ) − y) / k` with `ŷ` already a
   * softmax (softmax applied twice) and k = 10 the number of classes (the
   * seed's `m = y.shape[0]` of a one-hot column). As in the seed, 1 is
   * subtracted wherever the entry equals the label's entry. Wrong because the
   * softmax + cross-entropy gradient is `ŷ − y`. Needs a softmax output and
   * `loss: "crossEntropy"`. See {@linkcode doubleSoftmaxDelta}.
   */
  doubleSoftmaxDelta?: boolean;
  /**
   * Seed 004: the last hidden layer's delta used `softmax′(z) = s(1 − s)`
   * (with `s` the softmax of that layer's pre-activations) instead of the
   * layer's own ReLU′. Wrong because that layer applies ReLU, not softmax.
   * Needs at least two layers. See {@linkcode mulSoftmaxPrime}.
   */
  softmaxPrimeLastHidden?: boolean;
}

/** The names of the {@linkcode MlpSeedFaithful} switches. */
export const MLP_SEED_FAITHFUL_KEYS: readonly (keyof MlpSeedFaithful)[] = [
  "batchErrorThroughLastSample",
  "runningErrorSumCost",
  "gradientDivisor",
  "scalarBiasGradient",
  "softmaxOverBatch",
  "logEpsilon",
  "doubleSoftmaxDelta",
  "softmaxPrimeLastHidden",
];

/** What {@linkcode checkMlpSeedFaithful} needs to know about the network. */
export interface MlpShape {
  /** The loss name (`"squaredError"`, `"crossEntropy"`, `"binaryCrossEntropy"`). */
  loss: string;
  /** One activation per layer. */
  activations: readonly ActivationName[];
  /** Whether the layers have biases. */
  bias: boolean;
}

/**
 * Throws unless every switch in `faithful` is known and fits the network
 * (e.g. `scalarBiasGradient` needs biases).
 *
 * @param faithful The switches.
 * @param net The network's loss, activations and bias.
 * @param where Message prefix, e.g. `"Cannot build mlp"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMlpSeedFaithful } from "./seed_bugs.ts";
 *
 * const net = { loss: "crossEntropy", activations: ["softmax"] as const, bias: false };
 * assert.throws(
 *   () => checkMlpSeedFaithful({ scalarBiasGradient: true }, net, "Cannot build mlp"),
 *   /seedFaithful.scalarBiasGradient needs bias: true/,
 * );
 * ```
 */
export function checkMlpSeedFaithful(
  faithful: MlpSeedFaithful,
  net: MlpShape,
  where: string,
): void {
  for (const key of Object.keys(faithful)) {
    if (!MLP_SEED_FAITHFUL_KEYS.includes(key as keyof MlpSeedFaithful)) {
      throw new TypeError(
        `${where}: unknown seedFaithful option ${key}, expected one of ${
          MLP_SEED_FAITHFUL_KEYS.join(", ")
        }`,
      );
    }
  }
  const { loss, activations } = net;
  const out = activations[activations.length - 1];
  const need = (ok: boolean, flag: string, what: string) => {
    if (!ok) throw new RangeError(`${where}: seedFaithful.${flag} needs ${what}`);
  };
  if (faithful.batchErrorThroughLastSample) {
    need(
      loss === "squaredError",
      "batchErrorThroughLastSample",
      `loss squaredError, got ${loss}`,
    );
  }
  if (faithful.runningErrorSumCost) {
    need(loss === "squaredError", "runningErrorSumCost", `loss squaredError, got ${loss}`);
  }
  if (faithful.gradientDivisor !== undefined) {
    need(
      faithful.gradientDivisor > 0,
      "gradientDivisor",
      `a positive number, got ${faithful.gradientDivisor}`,
    );
  }
  if (faithful.logEpsilon !== undefined) {
    need(faithful.logEpsilon > 0, "logEpsilon", `a positive number, got ${faithful.logEpsilon}`);
  }
  if (faithful.scalarBiasGradient) need(net.bias, "scalarBiasGradient", "bias: true");
  if (faithful.softmaxOverBatch) {
    need(out === "softmax", "softmaxOverBatch", `a softmax output, got ${out}`);
  }
  if (faithful.doubleSoftmaxDelta) {
    need(
      out === "softmax" && loss === "crossEntropy",
      "doubleSoftmaxDelta",
      `a softmax output with loss crossEntropy, got ${out} with ${loss}`,
    );
  }
  if (faithful.softmaxPrimeLastHidden) {
    need(activations.length >= 2, "softmaxPrimeLastHidden", "at least 2 layers");
  }
}

/** The seed 001 bugs of a `BiasColumnNet`, each an explicit switch (all off by default). */
export interface BiasColumnSeedFaithful {
  /**
   * Seed 001 multiplied `ŷ − y` by `softmax′(z2) = s(1 − s)` elementwise
   * (`dyhat_dz2 = softmax(z2)*(1-softmax(z2))`). Wrong because `ŷ − y` is
   * already the gradient with respect to `z2` for softmax + cross-entropy;
   * the extra factor (≤ ¼) shrinks and distorts every step. See
   * {@linkcode softmaxPrimeFactorDelta}.
   */
  softmaxPrimeFactor?: boolean;
  /**
   * Seed 001 reported the MEAN cross-entropy (`/ y.shape[1]`) but
   * back-propagated `ŷ − y` unscaled, i.e. the gradient of the SUMMED loss:
   * its gradients are m times those of the loss it printed. See
   * {@linkcode summedLossGradientScale}.
   */
  sumGradientOfMeanLoss?: boolean;
}

/** The names of the {@linkcode BiasColumnSeedFaithful} switches. */
export const BIAS_COLUMN_SEED_FAITHFUL_KEYS: readonly (keyof BiasColumnSeedFaithful)[] = [
  "softmaxPrimeFactor",
  "sumGradientOfMeanLoss",
];

// ---------------------------------------------------------------------------
// Seed 000
// ---------------------------------------------------------------------------

/**
 * Seed 000's reported batch cost, reproduced for the seed-faithful plots:
 * `(1/(2n)) Σₛ ‖Σ_{t≤s} (ŷₜ − yₜ)‖²`. The seed kept a RUNNING SUM of the
 * error vectors and added its square after every sample (`LES += LOCAL_ERROR**2`,
 * then `VALUE = (1/4000)·Σ LES` with n = 2000), so errors of opposite sign
 * cancel and early samples are counted up to n times: it is not the squared
 * error of anything. The correct batch cost is `squaredError` (losses.ts).
 *
 * @param yHat Predictions `[n, k]` in the seed's sample order.
 * @param Y Targets `[n, k]`.
 * @returns The seed's cost value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { seed000RunningErrorCost } from "./seed_bugs.ts";
 *
 * // errors +1 then −1: running sums 1 then 0, cost (1 + 0) / 4
 * const cost = seed000RunningErrorCost(Matrix.from([[1], [0]]), Matrix.from([[0], [1]]));
 * assert.equal(cost, 0.25);
 * ```
 */
export function seed000RunningErrorCost(yHat: Matrix, Y: Matrix): number {
  if (yHat.rows !== Y.rows || yHat.cols !== Y.cols) {
    throw new RangeError(
      `Cannot compute seed 000 running error cost: predictions and targets differ in shape, got ${
        formatShape(yHat.shape)
      } and ${formatShape(Y.shape)}`,
    );
  }
  const n = yHat.rows, k = yHat.cols, p = yHat.data, y = Y.data;
  const running = new Float64Array(k);
  let les = 0;
  for (let o = 0; o < p.length; o += k) {
    for (let j = 0; j < k; j++) {
      running[j] += p[o + j] - y[o + j];
      les += running[j] * running[j];
    }
  }
  return n === 0 ? 0 : les / (2 * n);
}

/** The network {@linkcode meanErrorThroughLastSample} back-propagates through. */
export interface LastSampleNetwork {
  /** One activation per layer. */
  readonly activations: readonly ActivationName[];
  /** Weights `W_l [sizes[l], sizes[l+1]]`. */
  readonly weights: readonly Matrix[];
  /** Written: `dW_l`, same shapes as `weights`. */
  readonly weightGrads: readonly Matrix[];
  /** Written: `db_l [1, sizes[l+1]]`, empty without biases. */
  readonly biasGrads: readonly Matrix[];
  /** Parameter dtype. */
  readonly dtype: DType;
}

/** The forward pass and formulas {@linkcode meanErrorThroughLastSample} reads. */
export interface LastSamplePass {
  /** The batch inputs `[n, sizes[0]]` (dense or sparse rows). */
  X: Matrix | SparseInput;
  /** Pre-activations per layer, `[n, sizes[l+1]]`. */
  Z: readonly Matrix[];
  /** Activations per layer, `[n, sizes[l+1]]`. */
  A: readonly Matrix[];
  /** Targets `[n, k]`. */
  Y: Matrix;
  /** The gradient scale (`1/n` for a mean loss). */
  scale: number;
  /** `db` from `dZ` (the network's bias-gradient formula). */
  biasGrad: (dZ: Matrix, db: Matrix) => void;
  /** In place `dA → dZ` of hidden layer `l` (the network's hidden-delta formula). */
  hiddenDelta: (l: number, Z: Matrix, A: Matrix, dZ: Matrix) => void;
}

/**
 * Seed 000's batch gradient descent: the mean output error
 * `ē = s Σᵢ (ŷᵢ − yᵢ)` (a `[1, k]` row), back-propagated through the
 * activations of the LAST sample only: `dZ_L = ē ⊙ f′(a_L,last)`,
 * `dW_l = a_{l−1,last}ᵀ · dZ_l`, `dZ_{l−1} = (dZ_l · W_lᵀ) ⊙ f′(a_{l−1,last})`.
 * The seed's loop variables `Z1..Z4` and `X_TRAIN[sample]` still held sample
 * 1999 when it computed the update. Wrong because the gradient of a mean loss
 * is the mean of the per-sample gradients, each through its own sample's
 * activations; here one sample decides every direction but the output error.
 * Fills `net.weightGrads` (and `net.biasGrads`).
 *
 * @param net Weights, activations and the gradients to fill.
 * @param pass The batch's forward pass, targets, scale and layer formulas.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { meanErrorThroughLastSample } from "./seed_bugs.ts";
 *
 * // One linear layer, no bias: dW = x_lastᵀ · mean(ŷ − y).
 * const net = {
 *   activations: ["linear"] as const, weights: [Matrix.from([[0], [0]])],
 *   weightGrads: [Matrix.zeros(2, 1)], biasGrads: [], dtype: "float64" as const,
 * };
 * const X = Matrix.from([[1, 2], [3, 4]]), A = Matrix.from([[1], [3]]);
 * meanErrorThroughLastSample(net, {
 *   X, Z: [A], A: [A], Y: Matrix.from([[0], [0]]), scale: 0.5,
 *   biasGrad: () => {}, hiddenDelta: () => {},
 * });
 * assert.deepEqual(net.weightGrads[0].toArray(), [[6], [8]]); // [3, 4]ᵀ · 2
 * ```
 */
export function meanErrorThroughLastSample(net: LastSampleNetwork, pass: LastSamplePass): void {
  const { X, Y } = pass;
  const L = net.activations.length, n = X.rows;
  if (n === 0) throw new RangeError("Cannot compute gradients: the batch is empty");
  const last = (M: Matrix | SparseInput) =>
    isSparseInput(M) ? denseRow(M, n - 1, net.dtype) : M.rowSlice(n - 1, n);
  const dZ = pass.Z.map((Z) => Matrix.zeros(1, Z.cols, net.dtype));
  // Mean (or summed) error ē = s Σᵢ (ŷᵢ − yᵢ), a [1, k] row.
  const A = pass.A[L - 1], k = A.cols, e = dZ[L - 1].data, s = pass.scale;
  for (let i = 0, o = 0; i < n; i++, o += k) {
    for (let j = 0; j < k; j++) e[j] += s * (A.data[o + j] - Y.data[o + j]);
  }
  activationBackward(net.activations[L - 1], last(A), dZ[L - 1], dZ[L - 1]);
  for (let l = L - 1; l >= 0; l--) {
    matmul(last(l === 0 ? X : pass.A[l - 1]), dZ[l], { transA: true, out: net.weightGrads[l] });
    if (net.biasGrads.length > 0) pass.biasGrad(dZ[l], net.biasGrads[l]);
    if (l > 0) {
      matmul(dZ[l], net.weights[l], { transB: true, out: dZ[l - 1] });
      pass.hiddenDelta(l - 1, last(pass.Z[l - 1]), last(pass.A[l - 1]), dZ[l - 1]);
    }
  }
}

// ---------------------------------------------------------------------------
// Seed 001
// ---------------------------------------------------------------------------

/**
 * Seed 001's output delta: `dZ = s·(P − Y) ⊙ P ⊙ (1 − P)`, the correct
 * `P − Y` multiplied by the elementwise softmax′ `s(1 − s)`
 * (`dyhat_dz2 = softmax(z2)*(1-softmax(z2))`). Wrong because `P − Y` is
 * already `∂L/∂Z` for softmax + cross-entropy; the extra factor (≤ ¼) is only
 * the diagonal of the softmax Jacobian and shrinks every step.
 *
 * @param P Softmax output `[n, k]`.
 * @param Y One-hot targets `[n, k]`.
 * @param scale The gradient scale `s`.
 * @param dZ Output `[n, k]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { softmaxPrimeFactorDelta } from "./seed_bugs.ts";
 *
 * const dZ = Matrix.zeros(1, 2);
 * softmaxPrimeFactorDelta(Matrix.from([[0.5, 0.5]]), Matrix.from([[1, 0]]), 1, dZ);
 * assert.deepEqual(dZ.toArray(), [[-0.125, 0.125]]); // (P − Y) · ¼
 * ```
 */
export function softmaxPrimeFactorDelta(P: Matrix, Y: Matrix, scale: number, dZ: Matrix): void {
  const p = P.data, y = Y.data, d2 = dZ.data, s = scale;
  for (let i = 0; i < p.length; i++) d2[i] = s * (p[i] - y[i]) * p[i] * (1 - p[i]);
}

/**
 * Seed 001's gradient scale: 1 whatever the batch size, i.e. the gradient of
 * the SUMMED cross-entropy, while the seed printed (and meant) the mean
 * (`/ y.shape[1]`). Wrong because the steps are then m times those of the
 * loss it reported; the mean's scale is `1/m`.
 *
 * @param _n Batch size (ignored, as the seed did).
 * @returns 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summedLossGradientScale } from "./seed_bugs.ts";
 *
 * assert.equal(summedLossGradientScale(128), 1);
 * ```
 */
export function summedLossGradientScale(_n: number): number {
  return 1;
}

/**
 * Seed 001's epoch loss: `total_loss / (len(X) // batch_size)`, the sum of
 * its batch means over ⌊N / batchSize⌋ (what `train()`'s `epochLoss:
 * "seed001"` reports). Wrong because the last partial batch (96 of 60,000 at
 * batch 128) adds a whole batch mean while the divisor leaves it out (469
 * terms over 468), overstating the mean by about 1/468 and weighting 96
 * samples like 128.
 *
 * @param sumOfBatchMeans `Σ_b L_b` over the epoch's batches.
 * @param n Samples in the epoch `N`.
 * @param batchSize The batch size.
 * @returns `Σ_b L_b / ⌊N / batchSize⌋`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seed001EpochLoss } from "./seed_bugs.ts";
 *
 * // 5 samples in batches of 2: 3 batch means over ⌊5/2⌋ = 2.
 * assert.equal(seed001EpochLoss(3, 5, 2), 1.5);
 * ```
 */
export function seed001EpochLoss(sumOfBatchMeans: number, n: number, batchSize: number): number {
  return sumOfBatchMeans / Math.floor(n / batchSize);
}

// ---------------------------------------------------------------------------
// Seed 002
// ---------------------------------------------------------------------------

/**
 * Seed 002's gradient scale: `1/m` with the seed's fixed `m` (60,000, the
 * training-set size before its 5,000-image dev split) instead of the batch
 * size it trained on (55,000). Wrong because the mean's scale is `1/n`; each
 * step is then `n/m` (55/60) of the intended one.
 *
 * @param divisor The seed's `m`.
 * @returns `1 / divisor`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { divisorGradientScale } from "./seed_bugs.ts";
 *
 * assert.equal(divisorGradientScale(4), 0.25);
 * ```
 */
export function divisorGradientScale(divisor: number): number {
  return 1 / divisor;
}

/**
 * Seed 002's bias gradient: ONE scalar, the sum of `dZ` over all samples AND
 * all units (`np.sum(dZ)` without `axis=1`), written to every unit. Wrong
 * because each unit's bias has its own gradient, the column sum `Σᵢ dZᵢⱼ`.
 *
 * @param dZ Layer delta `[n, units]`.
 * @param db Output `[1, units]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { scalarBiasGradient } from "./seed_bugs.ts";
 *
 * const db = Matrix.zeros(1, 2);
 * scalarBiasGradient(Matrix.from([[1, 2], [3, 4]]), db);
 * assert.deepEqual(db.toArray(), [[10, 10]]); // not the column sums [4, 6]
 * ```
 */
export function scalarBiasGradient(dZ: Matrix, db: Matrix): void {
  const d = dZ.data;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  db.data.fill(s);
}

// ---------------------------------------------------------------------------
// Seed 003
// ---------------------------------------------------------------------------

/**
 * Seed 003 Q1b/Q1c's softmax: each row is shifted by its own maximum but
 * every entry is divided by the sum over the WHOLE batch,
 * `pᵢⱼ = e^(zᵢⱼ − mᵢ) / Σᵢ'ₖ e^(zᵢ'ₖ − mᵢ')` (the seed's
 * `a / np.sum(a)` without `axis=1`). Wrong because rows no longer sum to 1
 * (about 1/n each) unless the batch has one row, and the result depends on
 * how the data is batched.
 *
 * @param Z Logits `[n, classes]`.
 * @param out Optional `[n, classes]` workspace (may be `Z`).
 * @returns `[n, classes]`, summing to 1 over the whole matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { softmaxOverBatch } from "./seed_bugs.ts";
 *
 * const P = softmaxOverBatch(Matrix.from([[0, 0], [5, 5]]));
 * assert.deepEqual(P.toArray(), [[0.25, 0.25], [0.25, 0.25]]);
 * ```
 */
export function softmaxOverBatch(Z: Matrix, out?: Matrix): Matrix {
  const P = ensureOut("apply batch softmax", out, Z.rows, Z.cols, Z.dtype);
  const z = Z.data, p = P.data, k = Z.cols;
  let s = 0;
  for (let o = 0; o < z.length; o += k) {
    let m = z[o];
    for (let j = 1; j < k; j++) if (z[o + j] > m) m = z[o + j];
    for (let j = 0; j < k; j++) {
      const e = Math.exp(z[o + j] - m);
      p[o + j] = e;
      s += e;
    }
  }
  const inv = 1 / s;
  for (let i = 0; i < p.length; i++) p[i] *= inv;
  return P;
}

// ---------------------------------------------------------------------------
// Seed 004
// ---------------------------------------------------------------------------

/**
 * Seed 004's output delta, row by row: `g = softmax(ŷ)` (a second softmax of
 * the already-softmaxed output), subtract 1 wherever `g` equals `g[label]`
 * (the seed's `np.where(grad == y.T*grad)`), divide by the class count k (the
 * seed's `m = y.shape[0]` of a one-hot column), then scale. Wrong because
 * the softmax + cross-entropy gradient is `ŷ − y`.
 *
 * @param P Softmax output `ŷ [n, k]`.
 * @param Y One-hot targets `[n, k]`.
 * @param out Output `[n, k]`.
 * @param scale The gradient scale.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { doubleSoftmaxDelta } from "./seed_bugs.ts";
 *
 * // ŷ = [½, ½] → softmax(ŷ) = [½, ½]; label 0: [½ − 1, ½ − 1] (both equal g[0]) / 2
 * const dZ = Matrix.zeros(1, 2);
 * doubleSoftmaxDelta(Matrix.from([[0.5, 0.5]]), Matrix.from([[1, 0]]), dZ, 1);
 * assert.deepEqual(dZ.toArray(), [[-0.25, -0.25]]);
 * ```
 */
export function doubleSoftmaxDelta(P: Matrix, Y: Matrix, out: Matrix, scale: number): void {
  const p = P.data, y = Y.data, d = out.data, k = P.cols;
  for (let o = 0; o < p.length; o += k) {
    let m = p[o], label = 0;
    for (let j = 1; j < k; j++) {
      if (p[o + j] > m) m = p[o + j];
      if (y[o + j] > y[o + label]) label = j;
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(p[o + j] - m);
      d[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < k; j++) d[o + j] /= sum;
    const t = d[o + label];
    for (let j = 0; j < k; j++) {
      const g = d[o + j] === t ? d[o + j] - 1 : d[o + j];
      d[o + j] = scale * (g / k);
    }
  }
}

/**
 * Seed 004's hidden delta: `dA ⊙ s(1 − s)` in place, with `s` the row-wise
 * softmax of the layer's pre-activations `Z`, used for its last hidden layer
 * instead of that layer's ReLU′. Wrong twice: the layer applies ReLU, not
 * softmax, and `s(1 − s)` is only the diagonal of the softmax Jacobian
 * `∂sⱼ/∂zₖ = sⱼ(δⱼₖ − sₖ)`.
 *
 * @param Z Pre-activations `[n, units]`.
 * @param dA Upstream gradient `[n, units]`, overwritten with the delta.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { mulSoftmaxPrime } from "./seed_bugs.ts";
 *
 * const dA = Matrix.from([[4, 8]]);
 * mulSoftmaxPrime(Matrix.from([[0, 0]]), dA); // s = ½: s(1 − s) = ¼
 * assert.deepEqual(dA.toArray(), [[1, 2]]);
 * ```
 */
export function mulSoftmaxPrime(Z: Matrix, dA: Matrix): void {
  const z = Z.data, g = dA.data, k = Z.cols;
  for (let o = 0; o < z.length; o += k) {
    let m = z[o];
    for (let j = 1; j < k; j++) if (z[o + j] > m) m = z[o + j];
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(z[o + j] - m);
    for (let j = 0; j < k; j++) {
      const p = Math.exp(z[o + j] - m) / sum;
      g[o + j] *= p * (1 - p);
    }
  }
}
