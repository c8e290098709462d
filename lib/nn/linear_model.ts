/**
 * One layer, the textbook: logistic regression (`Z = X·W + b`, `A = σ(Z)`,
 * binary cross-entropy) and softmax regression (`A = softmax(Z)`,
 * cross-entropy), with an optional L2 penalty `λ‖W‖²` (bias not penalised) —
 * seed 003's models, implementing {@linkcode Model}. The gradient is
 * `∂W = Xᵀ(A − Y)/n + 2λW`, `∂b = mean(A − Y)`.
 *
 * Every product of a one-layer model is a product with the inputs, so it
 * reads them as {@linkcode SparseRows} (MNIST rows are ~81 % zeros; a dense
 * `Matrix` is converted, which changes no result): `X·W` and `Xᵀ(A − Y)`
 * skip the zeros. A whole set (`SparseRows`: full-batch GD, scoring) goes
 * through one fused native pass that gives the loss, the correct count and
 * the gradient reading `X` once (`fusedLinearPass`); mini-batches (a
 * `SparseRowBatch`) and the TypeScript twin run the textbook products
 * below. Per-sample SGD of softmax regression runs whole runs of rows in one
 * fused loop ({@linkcode LinearModel.trainRows}).
 *
 * Seed 003's bugs are the options `logEpsilon` (its ε inside the logs) and
 * `seedFaithful.softmaxOverBatch` (its softmax normalised over the whole
 * batch).
 *
 * @module
 */

import type { Prng } from "../random.ts";
import { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../dtypes.ts";
import {
  isSparseInput,
  type SparseInput,
  sparseMatmul,
  SparseRows,
  sparseRows,
  sparseTransposeMatmul,
} from "../tensor/sparse_rows.ts";
import {
  fusedLinearPass,
  type LinearOutput,
  LinearPassScratch,
  softmaxSgdRows,
} from "../native/linear.ts";
import { sigmoid, softmax } from "./activations.ts";
import { softmaxOverBatch } from "./seed_bugs.ts";
import {
  binaryCrossEntropy,
  crossEntropy,
  l2Penalty,
  sigmoidBinaryCrossEntropy,
  softmaxCrossEntropy,
} from "./losses.ts";
import { type Init, initialize } from "./init.ts";
import type { SparseInputModel, TrainRows } from "./model.ts";

/** Options of {@linkcode linearModel}. */
export interface LinearModelOptions {
  /** Input features `d` (784 for MNIST). */
  inputs: number;
  /** Outputs `k`: 1 with `"sigmoid"` (targets 0/1), the classes with `"softmax"` (one-hot). */
  outputs: number;
  /** `"sigmoid"` + binary cross-entropy, or `"softmax"` + cross-entropy. */
  output: "sigmoid" | "softmax";
  /** L2 strength λ: `λ‖W‖²` added to the loss (bias excluded). Default 0. */
  l2?: number;
  /** Seed-faithful `ε` inside the logs (seed 003: 1e-40 binary, 1e-39 softmax). Default none. */
  logEpsilon?: number;
  /** Seed 003's bug: the softmax normalised over the whole batch (see `MlpSeedFaithful`). */
  seedFaithful?: { softmaxOverBatch?: boolean };
  /** Weight initialiser; default zeros. */
  init?: Init;
  /** Bias initialiser; default zeros. */
  biasInit?: Init;
  /** Source of randomness (needed unless both initialisers are zeros). */
  prng?: Prng;
}

/** Logits, outputs and output errors `[rows, k]` of one batch size. */
class Buffers {
  readonly Z: Matrix;
  readonly A: Matrix;
  readonly R: Matrix;
  constructor(rows: number, k: number) {
    this.Z = Matrix.zeros(rows, k);
    this.A = Matrix.zeros(rows, k);
    this.R = Matrix.zeros(rows, k);
  }
}

/** Workspaces kept per row count (train set, validation set, mini-batches). */
const MAX_WORKSPACES = 4;

function cached<T>(cache: Map<number, T>, rows: number, make: () => T): T {
  let value = cache.get(rows);
  if (value === undefined) {
    if (cache.size >= MAX_WORKSPACES) cache.delete(cache.keys().next().value as number);
    value = make();
    cache.set(rows, value);
  }
  return value;
}

/**
 * Logistic or softmax regression, one layer `W [d, k]`, `b [1, k]`, float64;
 * build one with {@linkcode linearModel}.
 */
export class LinearModel implements SparseInputModel {
  /** Takes {@linkcode SparseRows} and batches of them. */
  readonly acceptsSparseRows = true as const;
  /** Every pass is a product with the inputs: loops give it sparse rows everywhere. */
  readonly prefersSparseRows = true as const;
  /** Input features `d`. */
  readonly inputs: number;
  /** Outputs `k`. */
  readonly outputSize: number;
  /** The output activation (its loss follows: binary cross-entropy or cross-entropy). */
  readonly output: "sigmoid" | "softmax";
  /** The loss is a mean over the batch. */
  readonly reduction = "mean" as const;
  /** Parameters and workspaces are float64 (the fused kernels' type). */
  readonly dtype = "float64" as const;
  /** L2 strength λ (0 for none). */
  readonly l2: number;
  /** Seed-faithful ε inside the logs, if any. */
  readonly logEpsilon: number | undefined;
  /** The enabled seed bug (a frozen copy). */
  readonly seedFaithful: Readonly<{ softmaxOverBatch?: boolean }>;
  /** `[W]`, `W [d, k]`. */
  readonly weights: Matrix[];
  /** `[b]`, `b [1, k]`. */
  readonly biases: Matrix[];
  /** `[W, b]`. */
  readonly params: Matrix[];
  /** `[∂W, ∂b]`, filled by `lossAndGrad`. */
  readonly grads: Matrix[];
  /**
   * Per-sample SGD over rows `[start, end)` in one fused loop (see
   * `Model.trainRows`): softmax regression without L2 only (with one row per
   * step seed 003's whole-batch softmax is the row softmax).
   */
  readonly trainRows?: TrainRows;

  readonly #buffers = new Map<number, Buffers>();
  readonly #passes = new Map<number, LinearPassScratch>();
  readonly #kernelOutput: LinearOutput;
  #lastCorrect: number | undefined;
  #lastOutput: Matrix | undefined;
  #labels: { Y: Matrix; labels: Int32Array } | undefined;

  /** Use {@linkcode linearModel}; this constructor takes the same options. */
  constructor(options: LinearModelOptions) {
    const where = "Cannot build linear model";
    const { inputs: d, outputs: k, output } = options;
    for (const [name, value] of [["inputs", d], ["outputs", k]] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`${where}: ${name} must be a positive integer, got ${value}`);
      }
    }
    if (output !== "sigmoid" && output !== "softmax") {
      throw new TypeError(`${where}: output must be "sigmoid" or "softmax", got ${String(output)}`);
    }
    const l2 = options.l2 ?? 0;
    if (!(l2 >= 0)) throw new RangeError(`${where}: l2 must be >= 0, got ${l2}`);
    const overBatch = options.seedFaithful?.softmaxOverBatch === true;
    if (overBatch && output !== "softmax") {
      throw new RangeError(`${where}: seedFaithful.softmaxOverBatch needs a softmax output`);
    }
    this.inputs = d;
    this.outputSize = k;
    this.output = output;
    this.l2 = l2;
    this.logEpsilon = options.logEpsilon;
    this.seedFaithful = Object.freeze({ ...(options.seedFaithful ?? {}) });
    this.#kernelOutput = output === "sigmoid"
      ? "sigmoid"
      : overBatch
      ? "softmaxOverBatch"
      : "softmax";
    const W = initialize(Matrix.zeros(d, k), options.init ?? { kind: "zeros" }, {
      prng: options.prng,
    });
    const b = initialize(Matrix.zeros(1, k), options.biasInit ?? { kind: "zeros" }, {
      prng: options.prng,
      fanIn: d,
      fanOut: k,
    });
    this.weights = [W];
    this.biases = [b];
    this.params = [W, b];
    this.grads = [Matrix.zeros(d, k), Matrix.zeros(1, k)];
    if (output === "softmax" && l2 === 0) {
      this.trainRows = (X, Y, start, end, learningRate, totals) => {
        this.#checkTargets(X, Y, "train rows");
        softmaxSgdRows(X, this.#labelsOf(Y), { W, b }, {
          start,
          end,
          learningRate,
          logEpsilon: this.logEpsilon,
          totals,
        });
      };
    }
  }

  /** The units that read the inputs: the outputs. */
  get inputLayerUnits(): number {
    return this.outputSize;
  }

  /** Correct rows of the batch of the last `loss`, `lossAndGrad` or `trainStep` by the fused pass. */
  get lastCorrect(): number | undefined {
    return this.#lastCorrect;
  }

  /** Output `[n, k]` of the last forward pass by the textbook products (a workspace), if any. */
  get lastOutput(): Matrix | undefined {
    return this.#lastOutput;
  }

  /**
   * Forward pass `A = f(X·W + b)`. Returns a workspace that the next call
   * with the same number of rows overwrites.
   *
   * @param X Inputs `[n, d]`, dense or sparse.
   */
  predict(X: Matrix | SparseInput): Matrix {
    return this.#forward(this.#sparse(X, "predict")).A;
  }

  /**
   * The batch loss: mean (binary) cross-entropy plus `λ‖W‖²`.
   *
   * @param X Inputs `[n, d]`, dense or sparse.
   * @param Y Targets `[n, k]`.
   */
  loss(X: Matrix | SparseInput, Y: Matrix): number {
    const S = this.#sparse(X, "compute loss");
    this.#checkTargets(S, Y, "compute loss");
    if (S instanceof SparseRows) {
      const pass = this.#pass(S.rows);
      const options = { output: this.#kernelOutput, logEpsilon: this.logEpsilon, gradient: false };
      if (fusedLinearPass(S, this.weights[0], this.biases[0], Y, options, pass)) {
        this.#passed(pass);
        return pass.stats[0] / S.rows + l2Penalty(this.weights, this.l2);
      }
    }
    return this.#lossValue(this.#forward(S), Y);
  }

  /**
   * Forward and backward: `∂W = Xᵀ(A − Y)/n + 2λW`, `∂b = mean(A − Y)` into
   * `grads`; returns the batch loss.
   *
   * @param X Inputs `[n, d]`, dense or sparse.
   * @param Y Targets `[n, k]`.
   */
  lossAndGrad(X: Matrix | SparseInput, Y: Matrix): number {
    const S = this.#sparse(X, "compute gradients");
    this.#checkTargets(S, Y, "compute gradients");
    const W = this.weights[0], w = W.data, decay = 2 * this.l2;
    const dw = this.grads[0].data, db = this.grads[1].data, n = S.rows, k = this.outputSize;
    if (S instanceof SparseRows) {
      const pass = this.#pass(n);
      const options = { output: this.#kernelOutput, logEpsilon: this.logEpsilon, gradient: true };
      if (fusedLinearPass(S, W, this.biases[0], Y, options, pass)) {
        // The pass gave Σ loss terms, the correct count, Xᵀ(A − Y) and colSums(A − Y).
        const value = pass.stats[0] / n + l2Penalty(this.weights, this.l2);
        this.#passed(pass);
        const alpha = 1 / n, G = pass.G, r = pass.rsum;
        for (let i = 0; i < w.length; i++) dw[i] = G[i] * alpha + decay * w[i];
        for (let j = 0; j < k; j++) db[j] = r[j] / n;
        return value;
      }
    }
    const ws = this.#forward(S);
    const value = this.#lossValue(ws, Y);
    // R = A − Y, ∂W = Xᵀ·R / n + 2λW, ∂b = colSums(R) / n.
    const a = ws.A.data, y = Y.data, r = ws.R.data;
    for (let i = 0; i < a.length; i++) r[i] = a[i] - y[i];
    sparseTransposeMatmul(S, ws.R, { alpha: 1 / n, out: this.grads[0] });
    for (let i = 0; i < w.length; i++) dw[i] = dw[i] + decay * w[i];
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += r[i * k + j];
      db[j] = s / n;
    }
    return value;
  }

  /**
   * One SGD step, `θ −= η·∂L/∂θ` (the gradient of {@linkcode lossAndGrad});
   * returns the batch loss before the update.
   *
   * @param X Inputs `[n, d]`, dense or sparse.
   * @param Y Targets `[n, k]`.
   * @param learningRate Step size η.
   */
  trainStep(X: Matrix | SparseInput, Y: Matrix, learningRate: number): number {
    if (!Number.isFinite(learningRate)) {
      throw new RangeError(
        `Cannot take a training step: learningRate must be finite, got ${learningRate}`,
      );
    }
    const value = this.lossAndGrad(X, Y);
    for (let p = 0; p < 2; p++) {
      const theta = this.params[p].data, g = this.grads[p].data;
      for (let i = 0; i < theta.length; i++) theta[i] -= learningRate * g[i];
    }
    return value;
  }

  /** `Z = X·W + b` (zeros skipped), `A = f(Z)`, in the workspace for `X.rows` rows. */
  #forward(S: SparseInput): Buffers {
    const ws = cached(this.#buffers, S.rows, () => new Buffers(S.rows, this.outputSize));
    sparseMatmul(S, this.weights[0], { bias: this.biases[0], out: ws.Z });
    if (this.output === "sigmoid") sigmoid(ws.Z, ws.A);
    else if (this.seedFaithful.softmaxOverBatch) softmaxOverBatch(ws.Z, ws.A);
    else softmax(ws.Z, ws.A);
    this.#lastOutput = ws.A;
    this.#lastCorrect = undefined;
    return ws;
  }

  /** After a fused pass: its correct count, and no output kept. */
  #passed(pass: LinearPassScratch): void {
    this.#lastCorrect = pass.stats[1];
    this.#lastOutput = undefined;
  }

  /** The loss of a forward pass: from the logits when exact, from `A` with ε or the whole-batch softmax. */
  #lossValue(ws: Buffers, Y: Matrix): number {
    const opts = { reduction: "mean" as const, logEpsilon: this.logEpsilon };
    let value: number;
    if (this.output === "softmax") {
      value = !this.seedFaithful.softmaxOverBatch && this.logEpsilon === undefined
        ? softmaxCrossEntropy(ws.Z, Y, opts)
        : crossEntropy(ws.A, Y, opts);
    } else {
      value = this.logEpsilon === undefined
        ? sigmoidBinaryCrossEntropy(ws.Z, Y, opts)
        : binaryCrossEntropy(ws.A, Y, opts);
    }
    return value + l2Penalty(this.weights, this.l2);
  }

  #pass(rows: number): LinearPassScratch {
    return cached(this.#passes, rows, () =>
      new LinearPassScratch(
        rows,
        this.inputs,
        this.outputSize,
        this.#kernelOutput === "softmaxOverBatch",
      ));
  }

  /** The inputs as sparse rows (a dense matrix converted), checked. */
  #sparse(X: Matrix | SparseInput, op: string): SparseInput {
    if (X.cols !== this.inputs) {
      throw new RangeError(
        `Cannot ${op}: X must have ${this.inputs} columns, got ${formatShape(X.shape)}`,
      );
    }
    if (isSparseInput(X)) return X;
    if (!(X instanceof Matrix) || X.dtype !== "float64") {
      throw new TypeError(`Cannot ${op}: X must be a float64 Matrix or sparse rows`);
    }
    return sparseRows(X);
  }

  #checkTargets(X: SparseInput, Y: Matrix, op: string): void {
    if (!(Y instanceof Matrix) || Y.rows !== X.rows || Y.cols !== this.outputSize) {
      throw new RangeError(
        `Cannot ${op}: Y must have shape ${formatShape([X.rows, this.outputSize])} for X ${
          formatShape(X.shape)
        }, got ${Y instanceof Matrix ? formatShape(Y.shape) : String(Y)}`,
      );
    }
    if (!(Y.data instanceof Float64Array)) {
      throw new TypeError(`Cannot ${op}: Y must be float64, got ${Y.dtype}`);
    }
  }

  /** Labels (first argmax) of one-hot rows, for the per-sample kernel; kept per `Y`. */
  #labelsOf(Y: Matrix): Int32Array {
    if (this.#labels?.Y === Y) return this.#labels.labels;
    const y = Y.data, k = Y.cols, labels = new Int32Array(Y.rows);
    for (let i = 0, o = 0; i < Y.rows; i++, o += k) {
      let best = 0;
      for (let j = 1; j < k; j++) if (y[o + j] > y[o + best]) best = j;
      labels[i] = best;
    }
    this.#labels = { Y, labels };
    return labels;
  }
}

/**
 * Builds a logistic or softmax regression model.
 *
 * @param options Inputs, outputs, output activation, L2, seed options, initialisers.
 * @returns The model, ready for `train`.
 *
 * @example Softmax regression: the loss and gradient of one sample
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { linearModel } from "./linear_model.ts";
 *
 * const model = linearModel({ inputs: 2, outputs: 2, output: "softmax" }); // zeros
 * const X = Matrix.from([[1, 0]]), Y = Matrix.from([[0, 1]]);
 * assert.ok(Math.abs(model.lossAndGrad(X, Y) - Math.log(2)) < 1e-12);
 * assert.deepEqual(model.grads[0].toArray(), [[0.5, -0.5], [0, 0]]); // Xᵀ(A − Y)
 * assert.deepEqual(model.grads[1].toArray(), [[0.5, -0.5]]);
 * assert.deepEqual(model.predict(X).toArray(), [[0.5, 0.5]]);
 * ```
 */
export function linearModel(options: LinearModelOptions): LinearModel {
  return new LinearModel(options);
}
