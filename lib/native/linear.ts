/**
 * The fused kernels of a one-layer model (logistic or softmax regression,
 * `lib/nn/linear_model.ts`) on {@linkcode SparseRows}: one pass over a whole
 * set that gives the loss, the correct count and the gradient while reading
 * `X` once (`nnkit_linear_pass`, native only: without the native build the
 * model runs its textbook products instead), and per-sample SGD of softmax
 * regression over a run of rows (`nnkit_softmax_sgd`, with its TypeScript
 * twin below).
 *
 * @module
 */

import { nativeKernels } from "./build.ts";
import type { CsrArrays } from "./sparse.ts";

/** Rows without their zeros, as `lib/tensor/sparse_rows.ts`'s `SparseRows` holds them (CSR). */
interface SparseRows extends Readonly<CsrArrays> {
  readonly rows: number;
  readonly cols: number;
  readonly codeValues: Float64Array | null;
}

/** A dense row-major matrix, as `lib/tensor/matrix.ts`'s `Matrix` holds it. */
interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
}

/** Rows per chunk of the native one-pass kernel (`LINEAR_CHUNK` in kernels.c). */
const LINEAR_CHUNK = 4096;

const NO_CODES = new Uint8Array(1), NO_TABLE = new Float64Array(1);

/** What the one-pass kernel computes at the output: sigmoid, row softmax, or seed 003's whole-batch softmax. */
export type LinearOutput = "sigmoid" | "softmax" | "softmaxOverBatch";

/**
 * Scratch and results of {@linkcode fusedLinearPass} for up to `rows` rows of
 * a `[d, k]` model: after a pass, `stats[0]` is the sum of the loss terms
 * (not yet divided by the rows), `stats[1]` the correct rows, and with a
 * gradient `G = Xᵀ(A − Y)` `[d·k]` and `rsum = colSums(A − Y)` `[k]`,
 * unscaled.
 */
export class LinearPassScratch {
  readonly E: Float64Array;
  readonly partials: Float64Array;
  readonly chunkStats: Float64Array;
  readonly G: Float64Array;
  readonly rsum: Float64Array;
  readonly stats: Float64Array = new Float64Array(2);
  /** `(Xᵀ·Y, colSums(Y))` of `ysumsOf` (the whole-batch softmax's constant gradient part). */
  ysums: Float64Array | undefined;
  ysumsOf: { X: SparseRows; Y: Matrix } | undefined;

  /**
   * @param rows Rows of the sets passed.
   * @param d Inputs.
   * @param k Outputs.
   * @param overBatch Whether the output is the whole-batch softmax (needs `[rows, k]` more).
   */
  constructor(readonly rows: number, d: number, k: number, overBatch: boolean) {
    const chunks = Math.max(1, Math.ceil(rows / LINEAR_CHUNK));
    this.E = new Float64Array(overBatch ? rows * k : 1);
    this.partials = new Float64Array(chunks * (d * k + k));
    this.chunkStats = new Float64Array(chunks * 3);
    this.G = new Float64Array(d * k);
    this.rsum = new Float64Array(k);
  }
}

/**
 * One native pass of `Z = X·W + b`, the output activation, the loss terms
 * (`−log` of the target's probability, `log(p + ε)` with `logEpsilon`) and
 * the correct count over all rows of `X`, and with `gradient` the unscaled
 * `Xᵀ(A − Y)` and `colSums(A − Y)`, into `scratch` (see
 * {@linkcode LinearPassScratch}). The row sums are added by chunks of 4,096
 * rows, so the numbers equal the textbook products' up to rounding.
 *
 * @returns `false` (nothing computed) without the native kernels.
 */
export function fusedLinearPass(
  X: SparseRows,
  W: Matrix,
  b: Matrix,
  Y: Matrix,
  options: { output: LinearOutput; logEpsilon: number | undefined; gradient: boolean },
  scratch: LinearPassScratch,
): boolean {
  const native = nativeKernels();
  if (native === null) return false;
  const { output, logEpsilon: eps, gradient } = options;
  const k = W.cols, y = Y.data as Float64Array;
  const out = output === "sigmoid" ? 0 : output === "softmax" ? 1 : 2;
  let ysums: Float64Array = NO_TABLE;
  if (out === 2 && gradient) {
    const of = scratch.ysumsOf;
    if (scratch.ysums === undefined || of === undefined || of.X !== X || of.Y !== Y) {
      scratch.ysums ??= new Float64Array(X.cols * k + k);
      native.nnkit_linear_ysums(
        X.rowStart,
        X.colIndex,
        X.values,
        0,
        X.rows,
        X.cols,
        k,
        y,
        scratch.ysums,
      );
      scratch.ysumsOf = { X, Y };
    }
    ysums = scratch.ysums;
  }
  const coded = X.codes !== null;
  const mode = out + (eps !== undefined || out === 2 ? 4 : 0) + (gradient ? 8 : 0) +
    (coded ? 16 : 0);
  native.nnkit_linear_pass(
    X.rowStart,
    X.colIndex,
    X.values,
    X.codes ?? NO_CODES,
    X.codeValues ?? NO_TABLE,
    0,
    X.rows,
    X.cols,
    W.data as Float64Array,
    b.data as Float64Array,
    k,
    mode,
    eps ?? 0,
    y,
    scratch.E,
    scratch.partials,
    scratch.chunkStats,
    ysums,
    scratch.G,
    scratch.rsum,
    scratch.stats,
  );
  return true;
}

/**
 * Per-sample SGD of softmax regression over rows `[start, end)` in order:
 * `z = x·W + b`, `p = softmax(z)`, `W −= η·xᵀ(p − y)`, `b −= η·(p − y)`,
 * skipping `x`'s zeros (native kernel when loaded, else the same loop in
 * TypeScript). Adds the per-sample losses before each update (`−log p_y`, or
 * `−log(p_y + ε)` with `logEpsilon`), summed over the run, to `totals[0]`
 * and the correct predictions to `totals[1]`.
 *
 * @param X Sparse inputs `[n, d]`.
 * @param labels Class of each row `[n]`.
 * @param params `{ W: [d, k], b: [1, k] }` float64, updated in place.
 * @param options Row range, `learningRate`, `logEpsilon`, and `totals [2]` to add to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softmaxSgdRows } from "./linear.ts";
 *
 * // One row x = [1, 0] as CSR (what lib/tensor's sparseRows builds), W [2, 2] and b [1, 2] zeros.
 * const X = {
 *   rows: 1, cols: 2, rowStart: new Uint32Array([0, 1]), colIndex: new Uint16Array([0]),
 *   values: new Float64Array([1]), codes: null, codeValues: null,
 * };
 * const W = { rows: 2, cols: 2, data: new Float64Array(4) };
 * const b = { rows: 1, cols: 2, data: new Float64Array(2) }, totals = new Float64Array(2);
 * softmaxSgdRows(X, new Int32Array([1]), { W, b }, { start: 0, end: 1, learningRate: 1, totals });
 * assert.ok(Math.abs(totals[0] - Math.log(2)) < 1e-12); // the loss before the step
 * assert.deepEqual([...W.data], [-0.5, 0.5, 0, 0]);
 * ```
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
  const native = nativeKernels();
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
