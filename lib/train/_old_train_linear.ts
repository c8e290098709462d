/**
 * Fast training for the one-layer models of seed 003 — logistic regression
 * (784 → 1 sigmoid) and softmax regression (784 → 10) — on sparse inputs
 * ({@linkcode SparseRows}): full-batch GD, mini-batch SGD and per-sample
 * SGD (a fused native kernel), with the seed's evaluations every N samples
 * seen. Same arithmetic as {@linkcode train} on the dense
 * {@linkcode Mlp} (the tests check it), several times faster because MNIST
 * rows are ~81 % zeros and every product skips them.
 *
 * The model is the lib's own `Mlp` (`seed003Logistic`, `seed003Softmax`):
 * its weights are updated in place and its options are honoured — `l2`
 * (`λ‖W‖²` in the loss, `2λW` in the gradient, bias not penalised),
 * `logEpsilon` (the seed's ε inside the logs) and
 * `seedFaithful.softmaxOverBatch` (seed 003's softmax normalised over the
 * whole batch).
 *
 * Rows are visited in order, never shuffled, and a last partial batch is
 * dropped, as seed 003 Q1c did (`int(60000 / mini_batch)` batches of
 * `xtrain[j*mb:(j+1)*mb]`).
 *
 * @module
 */

import { type ActivationName, sigmoid, softmax, softmaxOverBatch } from "../nn/activations.ts";
import {
  binaryCrossEntropy,
  crossEntropy,
  l2Penalty,
  sigmoidBinaryCrossEntropy,
  softmaxCrossEntropy,
} from "../nn/losses.ts";
import type { Mlp } from "../nn/mlp.ts";
import { formatShape, Matrix } from "../tensor/matrix.ts";
import { sparseMatmul, type SparseRows, sparseTransposeMatmul } from "../tensor/sparse_rows.ts";
import { loadSparseKernels, sparseKernels } from "../tensor/sparse_native.ts";
import { countCorrect } from "./count_correct.ts";
import type { Evaluation } from "./evaluate.ts";
import { createHistory, type History } from "./history.ts";
import type { StopRule } from "./stop_rules.ts";
import type { TrainProgress } from "./train.ts";

/** Sparse inputs `X [n, d]` with dense targets `Y [n, k]` (one-hot, or 0/1 for k = 1). */
export interface SparseLabeledData {
  /** Inputs `[n, d]`. */
  X: SparseRows;
  /** Targets `[n, k]`. */
  Y: Matrix;
}

/** Options of {@linkcode trainLinear}. */
export interface TrainLinearOptions {
  /** Epoch budget (iterations in full-batch GD), an integer ≥ 0. */
  epochs: number;
  /** Step size η. */
  learningRate: number;
  /** `"full"` (full-batch GD), or samples per update (1: per-sample SGD). */
  batchSize: number | "full";
  /** Early stopping on `history.loss` (e.g. `lossChangeBelow(1e-5)`, seed 003 Q1a). */
  stop?: StopRule | readonly StopRule[];
  /**
   * A held-out set scored at every record: every iteration in full-batch GD,
   * every epoch otherwise (`history.valLoss`, `valAcc`), and at every
   * evaluation.
   */
  validation?: SparseLabeledData;
  /**
   * Score the whole training set (and `validation`) every this many samples
   * seen, before the update that follows, into `history.evaluations` (seed
   * 003 Q1c: 5,000, so 0, 5,000, 10,000 …). In full-batch GD the training
   * score is the iteration's own forward pass.
   */
  evaluateEvery?: number;
  /** Called after every record and, mid-epoch, every `progressIntervalMs`; awaited. */
  onProgress?: (state: TrainProgress) => void | Promise<void>;
  /** Least ms between two mid-epoch `onProgress` calls; default 200. */
  progressIntervalMs?: number;
}

interface Linear {
  W: Matrix;
  b: Matrix;
  k: number;
  output: ActivationName;
  overBatch: boolean;
  logEpsilon: number | undefined;
  l2: number;
  net: Mlp;
}

function linearOf(net: Mlp, where: string): Linear {
  if (net.sizes.length !== 2 || net.biases.length !== 1) {
    throw new RangeError(
      `${where}: expected a one-layer net with a bias (sizes [d, k]), got sizes [${
        net.sizes.join(", ")
      }] with ${net.biases.length} biases`,
    );
  }
  const output = net.activations[0];
  const pair = (output === "softmax" && net.lossName === "crossEntropy") ||
    (output === "sigmoid" && net.lossName === "binaryCrossEntropy");
  if (!pair || net.reduction !== "mean" || net.dtype !== "float64") {
    throw new RangeError(
      `${where}: expected softmax + crossEntropy or sigmoid + binaryCrossEntropy, mean reduction, float64; got ${output} + ${net.lossName}, ${net.reduction}, ${net.dtype}`,
    );
  }
  const faithful = Object.entries(net.seedFaithful).filter(([key, on]) =>
    on && key !== "softmaxOverBatch"
  );
  if (faithful.length > 0) {
    throw new RangeError(
      `${where}: seed-faithful options other than softmaxOverBatch are not supported, got ${
        faithful.map(([key]) => key).join(", ")
      }`,
    );
  }
  return {
    W: net.weights[0],
    b: net.biases[0],
    k: net.outputSize,
    output,
    overBatch: net.seedFaithful.softmaxOverBatch === true,
    logEpsilon: net.logEpsilon,
    l2: net.l2,
    net,
  };
}

function checkData(model: Linear, data: SparseLabeledData, name: string, where: string): void {
  const { X, Y } = data;
  if (X.cols !== model.W.rows || Y.rows !== X.rows || Y.cols !== model.k || X.rows === 0) {
    throw new RangeError(
      `${where}: ${name} must be { X: [n, ${model.W.rows}], Y: [n, ${model.k}] } with n >= 1, got X ${
        formatShape(X.shape)
      } and Y ${formatShape(Y.shape)}`,
    );
  }
  if (!(Y.data instanceof Float64Array)) {
    throw new TypeError(`${where}: ${name}.Y must be float64, got ${Y.dtype}`);
  }
}

/** Workspaces for one batch size: logits `Z` and outputs `A` (`[rows, k]`). */
class Buffers {
  readonly Z: Matrix;
  readonly A: Matrix;
  constructor(rows: number, k: number) {
    this.Z = Matrix.zeros(rows, k);
    this.A = Matrix.zeros(rows, k);
  }
}

/** Output activation of `Z` into `A`, as the net's forward pass does. */
function activate(model: Linear, Z: Matrix, A: Matrix): void {
  if (model.output === "sigmoid") sigmoid(Z, A);
  else if (model.overBatch) softmaxOverBatch(Z, A);
  else softmax(Z, A);
}

/** The net's loss on a scored batch (data term + L2), computed as `Mlp.loss` does. */
function lossOf(model: Linear, Z: Matrix, A: Matrix, Y: Matrix): number {
  const opts = { reduction: "mean" as const, logEpsilon: model.logEpsilon };
  let value: number;
  if (model.output === "softmax") {
    value = !model.overBatch && model.logEpsilon === undefined
      ? softmaxCrossEntropy(Z, Y, opts)
      : crossEntropy(A, Y, opts);
  } else {
    value = model.logEpsilon === undefined
      ? sigmoidBinaryCrossEntropy(Z, Y, opts)
      : binaryCrossEntropy(A, Y, opts);
  }
  return value + l2Penalty([model.W], model.l2);
}

/** Rows per chunk of the native one-pass kernel (`LINEAR_CHUNK` in sparse_kernels.c). */
const LINEAR_CHUNK = 4096;

const NO_CODES = new Uint8Array(1), NO_CODES_TABLE = new Float64Array(1);

/** Scratch of the native one-pass kernel for up to `rows` rows of a `[d, k]` model. */
class PassBuffers {
  readonly E: Float64Array;
  readonly partials: Float64Array;
  readonly chunkStats: Float64Array;
  readonly G: Float64Array;
  readonly rsum: Float64Array;
  readonly stats = new Float64Array(2);
  /** `(Xᵀ·Y, colSums(Y))` of the rows passed, for the whole-batch softmax's gradient. */
  ysums: Float64Array | undefined;
  constructor(readonly rows: number, d: number, k: number, overBatch: boolean) {
    const chunks = Math.ceil(rows / LINEAR_CHUNK);
    this.E = new Float64Array(overBatch ? rows * k : 1);
    this.partials = new Float64Array(chunks * (d * k + k));
    this.chunkStats = new Float64Array(chunks * 3);
    this.G = new Float64Array(d * k);
    this.rsum = new Float64Array(k);
  }
}

/**
 * One native pass over rows `[start, end)`: forward, activation, loss and
 * correct count (and with `gradient`, `pass.G = Xᵀ(A − Y)` and
 * `pass.rsum = colSums(A − Y)`, unscaled) reading `X` once. `null` without
 * the native kernels. Same numbers as {@linkcode score} (and the gradient of
 * `fullBatch`) up to rounding: exp/log are C's, and the row sums are added
 * by chunks of {@linkcode LINEAR_CHUNK} rows.
 */
function nativePass(
  model: Linear,
  X: SparseRows,
  Y: Matrix,
  pass: PassBuffers,
  range: { start: number; end: number; gradient: boolean },
): { loss: number; correct: number } | null {
  const native = sparseKernels();
  if (native === null) return null;
  const { start, end, gradient } = range;
  const out = model.output === "sigmoid" ? 0 : model.overBatch ? 2 : 1;
  const eps = model.logEpsilon;
  let ysums: Float64Array = NO_CODES_TABLE;
  if (out === 2 && gradient) {
    if (pass.ysums === undefined) {
      pass.ysums = new Float64Array(X.cols * model.k + model.k);
      native.nnkit_linear_ysums(
        X.rowStart,
        X.colIndex,
        X.values,
        start,
        end,
        X.cols,
        model.k,
        Y.data as Float64Array,
        pass.ysums,
      );
    }
    ysums = pass.ysums;
  }
  const coded = X.codes !== null;
  const mode = out + (eps !== undefined || out === 2 ? 4 : 0) + (gradient ? 8 : 0) +
    (coded ? 16 : 0);
  native.nnkit_linear_pass(
    X.rowStart,
    X.colIndex,
    X.values,
    X.codes ?? NO_CODES,
    X.codeValues ?? NO_CODES_TABLE,
    start,
    end,
    X.cols,
    model.W.data as Float64Array,
    model.b.data as Float64Array,
    model.k,
    mode,
    eps ?? 0,
    Y.data as Float64Array,
    pass.E,
    pass.partials,
    pass.chunkStats,
    ysums,
    pass.G,
    pass.rsum,
    pass.stats,
  );
  const rows = end - start;
  return { loss: pass.stats[0] / rows + l2Penalty([model.W], model.l2), correct: pass.stats[1] };
}

/** {@linkcode score} without keeping `Z`/`A`: the native one-pass kernel when loaded. */
function scoreOnly(
  model: Linear,
  X: SparseRows,
  Y: Matrix,
  ws: { pass?: PassBuffers; buf?: Buffers },
): { loss: number; correct: number } {
  if (sparseKernels() !== null) {
    ws.pass ??= new PassBuffers(X.rows, X.cols, model.k, model.overBatch);
    return nativePass(model, X, Y, ws.pass, { start: 0, end: X.rows, gradient: false })!;
  }
  ws.buf ??= new Buffers(X.rows, model.k);
  return score(model, X, Y, ws.buf);
}

/** Forward over rows `[start, end)` of `X` into `buf`, returning loss and correct count. */
function score(
  model: Linear,
  X: SparseRows,
  Y: Matrix,
  buf: Buffers,
  start = 0,
  end = X.rows,
): { loss: number; correct: number } {
  sparseMatmul(X, model.W, { bias: model.b, out: buf.Z, start, end });
  activate(model, buf.Z, buf.A);
  const Yb = start === 0 && end === Y.rows ? Y : Y.rowSlice(start, end);
  return { loss: lossOf(model, buf.Z, buf.A, Yb), correct: countCorrect(buf.A, Yb) };
}

/**
 * Loss and accuracy of a one-layer net on sparse data: the same numbers as
 * `evaluate(net, { X: dense, Y })` (loss including the L2 penalty).
 *
 * @param net A one-layer `Mlp` (see {@linkcode trainLinear}).
 * @param data `{ X: SparseRows [n, d], Y: [n, k] }`.
 * @returns `{ loss, acc }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { sparseRows } from "../tensor/sparse_rows.ts";
 * import { mlp } from "../nn/mlp.ts";
 * import { evaluateLinear } from "./train_linear.ts";
 *
 * const net = mlp({ sizes: [2, 2], activations: ["softmax"], loss: "crossEntropy", init: { kind: "zeros" } });
 * const { loss, acc } = evaluateLinear(net, { X: sparseRows(Matrix.from([[1, 0]])), Y: Matrix.from([[0, 1]]) });
 * assert.ok(Math.abs(loss - Math.log(2)) < 1e-12);
 * assert.equal(acc, 0); // ties go to class 0
 * ```
 */
export function evaluateLinear(net: Mlp, data: SparseLabeledData): Evaluation {
  const where = "Cannot evaluate linear model";
  const model = linearOf(net, where);
  checkData(model, data, "data", where);
  const { loss, correct } = scoreOnly(model, data.X, data.Y, {});
  return { loss, acc: correct / data.X.rows };
}

/** Labels (first argmax) of one-hot rows, for the per-sample kernel. */
function labelsOf(Y: Matrix): Int32Array {
  const y = Y.data, k = Y.cols, labels = new Int32Array(Y.rows);
  for (let i = 0, o = 0; i < Y.rows; i++, o += k) {
    let best = 0;
    for (let j = 1; j < k; j++) if (y[o + j] > y[o + best]) best = j;
    labels[i] = best;
  }
  return labels;
}

/**
 * Per-sample SGD of softmax regression over rows `[start, end)` in order:
 * `z = x·W + b`, `p = softmax(z)`, `W −= η·xᵀ(p − y)`, `b −= η·(p − y)`,
 * skipping `x`'s zeros (native kernel when loaded). Adds the per-sample
 * losses before each update (`−log p_y`, or `−log(p_y + ε)` with
 * `logEpsilon`) to `totals[0]` and the correct predictions to `totals[1]`.
 * For one sample, seed 003's whole-batch softmax is the row softmax, so
 * this is also its per-sample step.
 *
 * @param X Sparse inputs `[n, d]`.
 * @param labels Class of each row `[n]`.
 * @param params `{ W: [d, k], b: [1, k] }` float64, updated in place.
 * @param options Row range, `learningRate`, `logEpsilon`, and `totals [2]` to add to.
 */
export function softmaxSgdRows(
  X: SparseRows,
  labels: Int32Array,
  params: { W: Matrix; b: Matrix },
  options: {
    start: number;
    end: number;
    learningRate: number;
    logEpsilon?: number;
    totals: Float64Array;
  },
): void {
  const { start, end, learningRate: lr, totals } = options;
  const eps = options.logEpsilon ?? 0;
  const w = params.W.data as Float64Array, b = params.b.data as Float64Array, k = params.W.cols;
  const scratch = new Float64Array(2 * k);
  const native = sparseKernels();
  if (native !== null) {
    native.nnkit_softmax_sgd(
      X.rowStart,
      X.colIndex,
      X.values,
      labels,
      start,
      end,
      w,
      b,
      k,
      lr,
      eps,
      scratch,
      totals,
    );
    return;
  }
  const { rowStart, colIndex, values } = X;
  const z = scratch.subarray(0, k), g = scratch.subarray(k);
  let loss = 0, correct = 0;
  for (let i = start; i < end; i++) {
    const s0 = rowStart[i], s1 = rowStart[i + 1];
    for (let j = 0; j < k; j++) z[j] = b[j];
    for (let p = s0; p < s1; p++) {
      const v = values[p], o = colIndex[p] * k;
      for (let j = 0; j < k; j++) z[j] += v * w[o + j];
    }
    let best = 0, m = z[0];
    for (let j = 1; j < k; j++) {
      if (z[j] > m) {
        m = z[j];
        best = j;
      }
    }
    const y = labels[i];
    if (best === y) correct++;
    let s = 0;
    for (let j = 0; j < k; j++) {
      g[j] = Math.exp(z[j] - m);
      s += g[j];
    }
    loss += eps > 0 ? -Math.log(g[y] / s + eps) : Math.log(s) - (z[y] - m);
    for (let j = 0; j < k; j++) {
      g[j] = lr * (g[j] / s - (j === y ? 1 : 0));
      b[j] -= g[j];
    }
    for (let p = s0; p < s1; p++) {
      const v = values[p], o = colIndex[p] * k;
      for (let j = 0; j < k; j++) w[o + j] -= v * g[j];
    }
  }
  totals[0] += loss;
  totals[1] += correct;
}

/**
 * Trains a one-layer net (logistic or softmax regression) on sparse inputs,
 * in place, and returns the same {@linkcode History} as `train`.
 *
 * Full-batch GD (`batchSize: "full"`): each iteration scores the whole set
 * (the record: `history.loss`, `acc`, and `trainLoss`/`trainAcc`),
 * validation, the evaluation log, then the stop rules, and only then the
 * update `W −= η(Xᵀ(A − Y)/n + 2λW)`, `b −= η·mean(A − Y)` — so a stop
 * leaves exactly the parameters of the last record (seed 003 Q1a).
 * Mini-batch SGD: per batch (evaluation when due) → forward, loss → update;
 * an epoch records the running loss and accuracy (each batch scored just
 * before its update) and the validation score. `batchSize: 1` with a
 * softmax output and no L2 runs the fused per-sample kernel
 * ({@linkcode softmaxSgdRows}).
 *
 * @param net A one-layer `Mlp`: softmax + cross-entropy or sigmoid + binary
 *   cross-entropy, with a bias, mean reduction, float64.
 * @param data `{ X: SparseRows [n, d], Y: [n, k] }`.
 * @param options Epochs, learning rate, batch size, stop rules, validation, evaluations, progress.
 * @returns The history.
 *
 * @example Logistic regression on four points
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { sparseRows } from "../tensor/sparse_rows.ts";
 * import { mlp } from "../nn/mlp.ts";
 * import { trainLinear } from "./train_linear.ts";
 *
 * const net = mlp({ sizes: [2, 1], activations: ["sigmoid"], loss: "binaryCrossEntropy", init: { kind: "zeros" } });
 * const X = sparseRows(Matrix.from([[0, 1], [1, 0], [0, 2], [2, 0]]));
 * const Y = Matrix.from([[1], [0], [1], [0]]);
 * const history = await trainLinear(net, { X, Y }, { epochs: 50, learningRate: 1, batchSize: "full" });
 * assert.equal(history.loss.length, 50);
 * assert.equal(history.acc[49], 1);
 * assert.ok(history.loss[49] < history.loss[0]);
 * ```
 */
export async function trainLinear(
  net: Mlp,
  data: SparseLabeledData,
  options: TrainLinearOptions,
): Promise<History> {
  const where = "Cannot train linear model";
  const model = linearOf(net, where);
  checkData(model, data, "data", where);
  const validation = options.validation;
  if (validation !== undefined) checkData(model, validation, "validation", where);
  const { epochs, learningRate, batchSize } = options;
  if (!Number.isInteger(epochs) || epochs < 0) {
    throw new RangeError(`${where}: epochs must be an integer >= 0, got ${epochs}`);
  }
  if (!Number.isFinite(learningRate)) {
    throw new RangeError(`${where}: learningRate must be a finite number, got ${learningRate}`);
  }
  const n = data.X.rows;
  if (batchSize !== "full" && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n)) {
    throw new RangeError(
      `${where}: batchSize must be "full" or an integer in [1, ${n}], got ${String(batchSize)}`,
    );
  }
  const evaluateEvery = options.evaluateEvery ?? 0;
  if (!Number.isInteger(evaluateEvery) || evaluateEvery < 0) {
    throw new RangeError(
      `${where}: evaluateEvery must be a positive integer (samples), got ${options.evaluateEvery}`,
    );
  }
  const rules = options.stop === undefined
    ? []
    : Array.isArray(options.stop)
    ? [...(options.stop as readonly StopRule[])]
    : [options.stop as StopRule];
  await loadSparseKernels();
  const run = new LinearRun(model, data, options, rules, evaluateEvery);
  const t0 = performance.now();
  try {
    if (batchSize === "full") await run.fullBatch();
    else await run.miniBatch(batchSize);
  } finally {
    run.history.updateLoss = new Float64Array(0);
    run.history.seconds = (performance.now() - t0) / 1000;
  }
  return run.history;
}

class LinearRun {
  readonly history = createHistory();
  readonly valBuffers: { pass?: PassBuffers; buf?: Buffers } = {};
  readonly trainBuffers: { pass?: PassBuffers; buf?: Buffers } = {};
  nextEvaluation = 0;
  lastProgress = performance.now();

  constructor(
    readonly model: Linear,
    readonly data: SparseLabeledData,
    readonly options: TrainLinearOptions,
    readonly rules: StopRule[],
    readonly evaluateEvery: number,
  ) {}

  scoreValidation(): Evaluation | undefined {
    const v = this.options.validation;
    if (v === undefined) return undefined;
    const { loss, correct } = scoreOnly(this.model, v.X, v.Y, this.valBuffers);
    return { loss, acc: correct / v.X.rows };
  }

  /** Appends an evaluation; `train` is the whole training set's score if already known. */
  logEvaluation(train?: Evaluation, val?: Evaluation): void {
    const { history, data } = this;
    const log = history.evaluations;
    if (train === undefined) {
      const s = scoreOnly(this.model, data.X, data.Y, this.trainBuffers);
      train = { loss: s.loss, acc: s.correct / data.X.rows };
    }
    val ??= this.scoreValidation();
    log.samplesSeen.push(history.samplesSeen);
    log.trainLoss.push(train.loss);
    log.trainAcc.push(train.acc);
    if (val !== undefined) {
      log.valLoss.push(val.loss);
      log.valAcc.push(val.acc);
    }
    const N = this.evaluateEvery;
    this.nextEvaluation = (Math.floor(history.samplesSeen / N) + 1) * N;
  }

  stopReason(): string | undefined {
    for (const rule of this.rules) {
      if (rule.shouldStop(this.history.loss)) return rule.reason;
    }
    return undefined;
  }

  async progress(
    phase: "batch" | "epoch",
    batch: number,
    batches: number,
    loss: number,
    acc: number,
  ) {
    const onProgress = this.options.onProgress;
    if (onProgress === undefined) return;
    const h = this.history;
    const state: TrainProgress = {
      phase,
      epoch: h.epochs,
      epochs: this.options.epochs,
      done: h.epochs + (phase === "batch" ? batch / batches : 0),
      batch,
      batches,
      iteration: h.updates,
      samplesSeen: h.samplesSeen,
      loss,
      acc,
      history: h,
    };
    if (phase === "epoch" && h.valLoss.length > 0) {
      state.valLoss = h.valLoss[h.valLoss.length - 1];
      state.valAcc = h.valAcc[h.valAcc.length - 1];
    }
    await onProgress(state);
    this.lastProgress = performance.now();
  }

  /** `W −= η(G + 2λW)`, `b −= η·colSums(R)` with `G = α·XᵀR` already in `G`. */
  update(G: Matrix, R: Matrix, rows: number): void {
    const { model } = this;
    const eta = this.options.learningRate;
    const w = model.W.data as Float64Array, g = G.data as Float64Array;
    const b = model.b.data as Float64Array, r = R.data as Float64Array, k = model.k;
    const decay = 2 * model.l2;
    for (let i = 0; i < w.length; i++) w[i] -= eta * (g[i] + decay * w[i]);
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += r[i * k + j];
      b[j] -= eta * (s / rows);
    }
  }

  /** `W −= η(G/rows + 2λW)`, `b −= η·rsum/rows` from a native pass's unscaled sums. */
  updateFromSums(pass: PassBuffers, rows: number): void {
    const { model } = this;
    const eta = this.options.learningRate, alpha = 1 / rows;
    const w = model.W.data as Float64Array, g = pass.G;
    const b = model.b.data as Float64Array, r = pass.rsum, k = model.k;
    const decay = 2 * model.l2;
    for (let i = 0; i < w.length; i++) w[i] -= eta * (g[i] * alpha + decay * w[i]);
    for (let j = 0; j < k; j++) b[j] -= eta * (r[j] / rows);
  }

  async fullBatch(): Promise<void> {
    const { model, data, history } = this;
    const { X, Y } = data;
    const n = X.rows;
    const native = sparseKernels() !== null;
    const buf = native ? undefined : new Buffers(n, model.k);
    const pass = native ? new PassBuffers(n, X.cols, model.k, model.overBatch) : undefined;
    const G = Matrix.zeros(model.W.rows, model.k);
    const y = Y.data as Float64Array;
    for (let it = 0; it < this.options.epochs; it++) {
      // Native: one pass gives the score and the gradient at these weights.
      const s = pass !== undefined
        ? nativePass(model, X, Y, pass, { start: 0, end: n, gradient: true })!
        : score(model, X, Y, buf!);
      const train = { loss: s.loss, acc: s.correct / n };
      const val = this.scoreValidation();
      if (this.evaluateEvery > 0 && history.samplesSeen >= this.nextEvaluation) {
        this.logEvaluation(train, val);
      }
      history.loss.push(train.loss);
      history.acc.push(train.acc);
      history.trainLoss.push(train.loss);
      history.trainAcc.push(train.acc);
      if (val !== undefined) {
        history.valLoss.push(val.loss);
        history.valAcc.push(val.acc);
      }
      history.epochs++;
      const reason = this.stopReason();
      if (reason !== undefined) {
        history.stoppedBy = reason;
        await this.progress("epoch", 1, 1, train.loss, train.acc);
        return;
      }
      if (pass !== undefined) {
        this.updateFromSums(pass, n);
      } else {
        // R = A − Y (in place over A), G = Xᵀ·R / n.
        const R = buf!.A, a = R.data as Float64Array;
        for (let i = 0; i < a.length; i++) a[i] -= y[i];
        sparseTransposeMatmul(X, R, { alpha: 1 / n, out: G });
        this.update(G, R, n);
      }
      history.updates++;
      history.samplesSeen += n;
      await this.progress("epoch", 1, 1, train.loss, train.acc);
    }
  }

  async miniBatch(batchSize: number): Promise<void> {
    const { model, data, history } = this;
    const { X, Y } = data;
    const batches = Math.floor(X.rows / batchSize);
    const fused = batchSize === 1 && model.output === "softmax" && model.l2 === 0;
    const labels = fused ? labelsOf(Y) : new Int32Array(0);
    const buf = new Buffers(batchSize, model.k);
    const G = Matrix.zeros(model.W.rows, model.k);
    const y = Y.data as Float64Array, k = model.k;
    const interval = this.options.progressIntervalMs ?? 200;
    const totals = new Float64Array(2);
    for (let epoch = 0; epoch < this.options.epochs; epoch++) {
      let loss = 0, correct = 0, seen = 0, batch = 0;
      while (batch < batches) {
        if (this.evaluateEvery > 0 && history.samplesSeen >= this.nextEvaluation) {
          this.logEvaluation();
        }
        // Batches up to the next evaluation (or the epoch's end) in one go.
        let until = batches;
        if (this.evaluateEvery > 0) {
          const due = Math.ceil((this.nextEvaluation - history.samplesSeen) / batchSize);
          until = Math.min(until, batch + Math.max(1, due));
        }
        if (fused) {
          totals.fill(0);
          softmaxSgdRows(X, labels, model, {
            start: batch,
            end: until,
            learningRate: this.options.learningRate,
            logEpsilon: model.logEpsilon,
            totals,
          });
          loss += totals[0];
          correct += totals[1];
          seen += until - batch;
          history.updates += until - batch;
          history.samplesSeen += until - batch;
          batch = until;
        } else {
          for (; batch < until; batch++) {
            const start = batch * batchSize, end = start + batchSize;
            const s = score(model, X, Y, buf, start, end);
            loss += s.loss * batchSize;
            correct += s.correct;
            seen += batchSize;
            const a = buf.A.data as Float64Array;
            for (let i = 0; i < a.length; i++) a[i] -= y[start * k + i];
            sparseTransposeMatmul(X, buf.A, { alpha: 1 / batchSize, out: G, start, end });
            this.update(G, buf.A, batchSize);
            history.updates++;
            history.samplesSeen += batchSize;
          }
        }
        if (batch < batches && performance.now() - this.lastProgress >= interval) {
          await this.progress("batch", batch, batches, loss / seen, correct / seen);
        }
      }
      history.loss.push(loss / seen);
      history.acc.push(correct / seen);
      const val = this.scoreValidation();
      if (val !== undefined) {
        history.valLoss.push(val.loss);
        history.valAcc.push(val.acc);
      }
      history.epochs++;
      const reason = this.stopReason();
      if (reason !== undefined) history.stoppedBy = reason;
      await this.progress("epoch", batches, batches, loss / seen, correct / seen);
      if (reason !== undefined) return;
    }
  }
}
