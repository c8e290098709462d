/**
 * Seed 001's two-layer network with the bias folded into the weights as an
 * extra input column: {@linkcode initParams} draws `W1 [nh, nx+1]` and
 * `W2 [ny, nh+1]` exactly as the seed's `init_params(nx, nh, ny)` did, and
 * {@linkcode BiasColumnNet} runs tanh → softmax with cross-entropy on them.
 *
 * How the seed's column-major math maps to batch-first: the seed held
 * samples as COLUMNS (`z1 = w1 · Xᵀ`, `[nh, m]`) and prepended a row of ones
 * to `a1`; here samples are ROWS, so `Z1 = X̃ · W1ᵀ` (`[m, nh]`),
 * `Ã1 = [1 | tanh(Z1)]` (`[m, nh+1]`), `Z2 = Ã1 · W2ᵀ` (`[m, ny]`) and
 * `ŷ = softmax(Z2)` row-wise; every matrix is the transpose of the seed's.
 * The weights keep the seed's `[out, in+1]` layout (column 0 is the bias),
 * so the seed's printed numbers can be compared entry by entry. The input
 * `X̃ [m, nx+1]` already carries the ones column, as the seed prepended it to
 * the data once (`np.c_[np.ones((m, 1)), X]`); see {@linkcode addBiasColumn}.
 *
 * The input may also be sparse ({@linkcode SparseRows} of `X̃`, or a
 * {@linkcode SparseRowBatch} of them: `train()` passes MNIST mini-batches
 * that way): `X̃·W1ᵀ` and the update of `W1` then skip the zeros, about 80 %
 * of MNIST's pixels. `W1` keeps its `[nh, nx+1]` layout; the products read
 * and write it transposed (`transB`, `outTransposed`).
 *
 * @module
 */

import type { Prng } from "../random.ts";
import { Matrix } from "../tensor/matrix.ts";
import { type DType, type FloatArray, formatShape } from "../dtypes.ts";
import { prependOnes } from "../tensor/ops.ts";
import { matmul, type MatmulOptions } from "../tensor/matmul.ts";
import { nativeTanhRows } from "../native/elementwise.ts";
import {
  isSparseInput,
  sourceRow,
  type SparseInput,
  sparseMatmul,
  type SparseMatmulOptions,
  sparseSource,
  sparseTransposeMatmul,
  type SparseTransposeMatmulOptions,
} from "../tensor/sparse_rows.ts";
import { NATIVE_MIN_SIZE, softmax } from "./activations.ts";
import { crossEntropy, type Reduction, reductionScale, softmaxCrossEntropy } from "./losses.ts";
import type { SparseInputModel } from "./model.ts";
import {
  BIAS_COLUMN_SEED_FAITHFUL_KEYS,
  type BiasColumnSeedFaithful,
  softmaxPrimeFactorDelta,
  summedLossGradientScale,
} from "./seed_bugs.ts";

/**
 * What a {@linkcode BiasColumnNet} takes: `X̃ [m, nx+1]` with the ones column
 * first, dense or sparse.
 */
export type BiasColumnInput = Matrix | SparseInput;

/** Seed 001's parameters: `w1 [nh, nx+1]`, `w2 [ny, nh+1]`, bias in column 0. */
export interface BiasColumnParams {
  /** Hidden weights `[nh, nx+1]`; column 0 is the hidden bias. */
  w1: Matrix;
  /** Output weights `[ny, nh+1]`; column 0 is the output bias. */
  w2: Matrix;
}

/** Options of {@linkcode initParams}. */
export interface InitParamsOptions {
  /** Source of randomness (required). */
  prng: Prng;
  /** Standard deviation of the normal draws; the seed used 0.3. */
  std?: number;
  /** Parameter dtype, default `"float64"`. */
  dtype?: DType;
}

/**
 * Seed 001's `init_params(nx, nh, ny)`: `w1 ~ N(0, 0.3²)` of shape
 * `[nh, nx+1]` and `w2 ~ N(0, 0.3²)` of shape `[ny, nh+1]` (w1 drawn first).
 *
 * @param nx Input width (without the bias column).
 * @param nh Hidden width.
 * @param ny Output width.
 * @param options `prng` (required), `std`, `dtype`.
 * @returns `{ w1, w2 }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { initParams } from "./bias_column_net.ts";
 *
 * const { w1, w2 } = initParams(784, 32, 10, { prng: new Prng(0) });
 * assert.deepEqual(w1.shape, [32, 785]);
 * assert.deepEqual(w2.shape, [10, 33]);
 * ```
 */
export function initParams(
  nx: number,
  nh: number,
  ny: number,
  options: InitParamsOptions,
): BiasColumnParams {
  for (const [name, v] of [["nx", nx], ["nh", nh], ["ny", ny]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot init params: ${name} must be a positive integer, got ${v}`);
    }
  }
  if (options?.prng === undefined) {
    throw new TypeError("Cannot init params: option prng is required");
  }
  const dtype = options.dtype ?? "float64", std = options.std ?? 0.3;
  const w1 = Matrix.zeros(nh, nx + 1, dtype), w2 = Matrix.zeros(ny, nh + 1, dtype);
  options.prng.fillNormal(w1.data, 0, std);
  options.prng.fillNormal(w2.data, 0, std);
  return { w1, w2 };
}

/**
 * Prepends the column of ones the seed added to its data once:
 * `[m, nx] → [m, nx+1]`.
 *
 * @param X Inputs `[m, nx]`.
 * @returns `[1 | X]`, `[m, nx+1]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { addBiasColumn } from "./bias_column_net.ts";
 *
 * assert.deepEqual(addBiasColumn(Matrix.from([[5, 6]])).toArray(), [[1, 5, 6]]);
 * ```
 */
export function addBiasColumn(X: Matrix): Matrix {
  return prependOnes(X);
}

/** Options of {@linkcode BiasColumnNet}. */
export interface BiasColumnNetOptions {
  /** `"mean"` over the batch (default, as the seed's printed loss) or `"sum"`. */
  reduction?: Reduction;
  /** The seed's bugs, off by default. */
  seedFaithful?: BiasColumnSeedFaithful;
}

class Workspace {
  readonly n: number;
  readonly Z1: Matrix;
  /** `[1 | tanh(Z1)]`, `[n, nh+1]`. */
  readonly A1: Matrix;
  /** `A1`'s data from its second element: where the native tanh writes row 0. */
  readonly A1tail: FloatArray;
  readonly Z2: Matrix;
  readonly P: Matrix;
  readonly dZ2: Matrix;
  readonly dA1: Matrix;
  readonly dZ1: Matrix;
  readonly z1Options: MatmulOptions;
  /** `X̃·W1ᵀ` on sparse rows, into `Z1`. */
  readonly z1Sparse: SparseMatmulOptions;
  readonly z2Options: MatmulOptions;
  readonly dA1Options: MatmulOptions;

  constructor(n: number, nh: number, ny: number, dtype: DType) {
    this.n = n;
    this.Z1 = Matrix.zeros(n, nh, dtype);
    this.A1 = Matrix.zeros(n, nh + 1, dtype);
    for (let i = 0; i < n; i++) this.A1.data[i * (nh + 1)] = 1;
    this.A1tail = this.A1.data.subarray(1);
    this.Z2 = Matrix.zeros(n, ny, dtype);
    this.P = Matrix.zeros(n, ny, dtype);
    this.dZ2 = Matrix.zeros(n, ny, dtype);
    this.dA1 = Matrix.zeros(n, nh + 1, dtype);
    this.dZ1 = Matrix.zeros(n, nh, dtype);
    this.z1Options = { transB: true, out: this.Z1 };
    this.z1Sparse = { transB: true, out: this.Z1 };
    this.z2Options = { transB: true, out: this.Z2 };
    this.dA1Options = { out: this.dA1 };
  }
}

const MAX_WORKSPACES = 4;

/**
 * Seed 001's network, `X̃ [m, nx+1] → tanh → [1 | ·] → softmax → ŷ [m, ny]`,
 * with cross-entropy loss. Implements {@linkcode SparseInputModel} with
 * `params = [w1, w2]` (inputs dense or sparse, {@linkcode BiasColumnInput}).
 *
 * Backward (corrected): `dZ2 = s(P − Y)` with `s = 1/m` for `"mean"`,
 * `dW2 = dZ2ᵀ·Ã1`, `dÃ1 = dZ2·W2`, `dZ1 = dÃ1[:, 1:] ⊙ (1 − tanh²(Z1))`,
 * `dW1 = dZ1ᵀ·X̃`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { addBiasColumn, BiasColumnNet, initParams } from "./bias_column_net.ts";
 *
 * const net = new BiasColumnNet(initParams(2, 3, 4, { prng: new Prng(1) }));
 * const X = addBiasColumn(Matrix.from([[0.5, -0.4], [0.3, 0.9]]));
 * const Y = Matrix.from([[0, 0, 0, 1], [0, 1, 0, 0]]);
 * assert.equal(net.lossAndGrad(X, Y), net.loss(X, Y));
 * assert.deepEqual(net.grads[0].shape, [3, 3]);
 * ```
 */
export class BiasColumnNet implements SparseInputModel {
  /** `predict`, `loss`, `lossAndGrad` and `trainStep` also take sparse inputs. */
  readonly acceptsSparseRows = true as const;
  /** Hidden weights `[nh, nx+1]` (the seed's `w1`). */
  readonly w1: Matrix;
  /** Output weights `[ny, nh+1]` (the seed's `w2`). */
  readonly w2: Matrix;
  /** Gradient of `w1` (the seed's `dj_dw1`). */
  readonly dw1: Matrix;
  /** Gradient of `w2` (the seed's `dj_dw2`). */
  readonly dw2: Matrix;
  /** `[w1, w2]`, updated in place by optimizers. */
  readonly params: Matrix[];
  /** `[dw1, dw2]`. */
  readonly grads: Matrix[];
  /** `ny`. */
  readonly outputSize: number;
  /** How per-sample losses combine. */
  readonly reduction: Reduction;
  /** The enabled seed bugs (a frozen copy). */
  readonly seedFaithful: Readonly<BiasColumnSeedFaithful>;
  readonly #nx: number;
  readonly #nh: number;
  /** The loss's options; `probabilities` is set to the forward pass's `P` before each use. */
  readonly #lossOptions: { reduction: Reduction; probabilities?: Matrix };
  readonly #dw2Options: MatmulOptions;
  readonly #dw1Options: MatmulOptions;
  readonly #w2Update: MatmulOptions;
  readonly #w1Update: MatmulOptions;
  /** `dW1 = (X̃ᵀ·dZ1)ᵀ` or `W1 −= η·(X̃ᵀ·dZ1)ᵀ` on sparse rows (`out`, `alpha`, `accumulate` set per call). */
  readonly #w1Sparse: SparseTransposeMatmulOptions = { outTransposed: true };
  #ws: Workspace | undefined;
  readonly #cache = new Map<number, Workspace>();
  /** `s(P − Y)`, or seed 001's {@linkcode softmaxPrimeFactorDelta}. */
  readonly #outputDelta: (P: Matrix, Y: Matrix, scale: number, dZ: Matrix) => void;
  /** `1/m` for `"mean"`, or seed 001's {@linkcode summedLossGradientScale}. */
  readonly #gradientScale: (n: number) => number;

  /**
   * Wraps `params` (not copied: the net trains them in place).
   *
   * @param params `{ w1 [nh, nx+1], w2 [ny, nh+1] }`, e.g. from {@linkcode initParams}.
   * @param options Reduction and seed-faithful switches.
   */
  constructor(params: BiasColumnParams, options: BiasColumnNetOptions = {}) {
    const { w1, w2 } = params;
    if (w2.cols !== w1.rows + 1) {
      throw new RangeError(
        `Cannot build bias-column net: w2 must have nh+1 = ${w1.rows + 1} columns for w1 ${
          formatShape(w1.shape)
        }, got ${formatShape(w2.shape)}`,
      );
    }
    if (w1.dtype !== w2.dtype) {
      throw new TypeError(
        `Cannot build bias-column net: w1 is ${w1.dtype} but w2 is ${w2.dtype}`,
      );
    }
    const faithful = { ...(options.seedFaithful ?? {}) };
    for (const key of Object.keys(faithful)) {
      if (!BIAS_COLUMN_SEED_FAITHFUL_KEYS.includes(key as keyof BiasColumnSeedFaithful)) {
        throw new TypeError(
          `Cannot build bias-column net: unknown seedFaithful option ${key}, expected ${
            BIAS_COLUMN_SEED_FAITHFUL_KEYS.join(" or ")
          }`,
        );
      }
    }
    const reduction = options.reduction ?? "mean";
    reductionScale(reduction, 1);
    this.reduction = reduction;
    this.seedFaithful = Object.freeze(faithful);
    this.#outputDelta = faithful.softmaxPrimeFactor ? softmaxPrimeFactorDelta : outputDelta;
    this.#gradientScale = faithful.sumGradientOfMeanLoss
      ? summedLossGradientScale
      : (n) => reductionScale(reduction, n);
    this.w1 = w1;
    this.w2 = w2;
    this.dw1 = Matrix.zerosLike(w1);
    this.dw2 = Matrix.zerosLike(w2);
    this.params = [w1, w2];
    this.grads = [this.dw1, this.dw2];
    this.outputSize = w2.rows;
    this.#nx = w1.cols - 1;
    this.#nh = w1.rows;
    this.#lossOptions = { reduction: this.reduction };
    this.#dw2Options = { transA: true, out: this.dw2 };
    this.#dw1Options = { transA: true, out: this.dw1 };
    this.#w2Update = { transA: true, alpha: 0, beta: 1, out: w2 };
    this.#w1Update = { transA: true, alpha: 0, beta: 1, out: w1 };
  }

  /** `nh`: the units of the layer that reads the inputs. */
  get inputLayerUnits(): number {
    return this.#nh;
  }

  #workspace(n: number): Workspace {
    const ws = this.#ws;
    if (ws !== undefined && ws.n === n) return ws;
    let next = this.#cache.get(n);
    if (next === undefined) {
      next = new Workspace(n, this.#nh, this.outputSize, this.w1.dtype);
      if (this.#cache.size >= MAX_WORKSPACES) {
        this.#cache.delete(this.#cache.keys().next().value as number);
      }
      this.#cache.set(n, next);
    }
    this.#ws = next;
    return next;
  }

  #checkInput(X: BiasColumnInput, op: string): void {
    if (X.cols !== this.#nx + 1) {
      throw new RangeError(
        `Cannot ${op}: X must have nx+1 = ${this.#nx + 1} columns (ones column first), got ${
          formatShape(X.shape)
        }`,
      );
    }
    if (isSparseInput(X)) {
      checkSparseOnesColumn(X, op);
      return;
    }
    if (X.dtype !== this.w1.dtype) {
      throw new TypeError(
        `Cannot ${op}: X dtype ${X.dtype} differs from the parameters' ${this.w1.dtype}`,
      );
    }
    const x = X.data, c = X.cols;
    for (let i = 0; i < X.rows; i++) {
      if (x[i * c] !== 1) {
        throw new RangeError(
          `Cannot ${op}: column 0 of X must be the bias column of ones, got ${
            x[i * c]
          } in row ${i}`,
        );
      }
    }
  }

  #checkTargets(X: BiasColumnInput, Y: Matrix, op: string): void {
    if (Y.rows !== X.rows || Y.cols !== this.outputSize) {
      throw new RangeError(
        `Cannot ${op}: Y must have shape ${formatShape([X.rows, this.outputSize])} for X ${
          formatShape(X.shape)
        }, got ${formatShape(Y.shape)}`,
      );
    }
  }

  #forward(X: BiasColumnInput): Workspace {
    const ws = this.#workspace(X.rows);
    if (isSparseInput(X)) sparseMatmul(X, this.w1, ws.z1Sparse);
    else matmul(X, this.w1, ws.z1Options);
    const z = ws.Z1.data, a = ws.A1.data, nh = this.#nh;
    // tanh into A1's columns 1..nh: natively (vector tanh) for large batches, else here.
    const done = X.rows * nh >= NATIVE_MIN_SIZE && nativeTanhRows(z, ws.A1tail, X.rows, nh, nh + 1);
    if (!done) {
      for (let i = 0, o = 0, r = 0; i < X.rows; i++, o += nh, r += nh + 1) {
        for (let j = 0; j < nh; j++) a[r + 1 + j] = Math.tanh(z[o + j]);
      }
    }
    matmul(ws.A1, this.w2, ws.z2Options);
    softmax(ws.Z2, ws.P);
    return ws;
  }

  /**
   * Forward pass: `X̃ [m, nx+1] → ŷ [m, ny]` (a reused workspace).
   *
   * @param X Inputs with the ones column first, `[m, nx+1]`.
   */
  predict(X: BiasColumnInput): Matrix {
    this.#checkInput(X, "predict");
    return this.#forward(X).P;
  }

  /** Output `ŷ [m, ny]` of the most recent forward pass (a workspace), if any. */
  get lastOutput(): Matrix | undefined {
    return this.#ws?.P;
  }

  /**
   * The hidden activations with the ones column, `[m, nh+1]` — the
   * transpose of the seed's `outputs['a1']` — after a forward pass on `X`.
   *
   * @param X Inputs with the ones column first, `[m, nx+1]`.
   */
  hidden(X: BiasColumnInput): Matrix {
    this.#checkInput(X, "compute hidden activations");
    return this.#forward(X).A1;
  }

  /**
   * Cross-entropy of the batch (the seed's `−Σ y log ŷ / m` for `"mean"`),
   * from the probabilities, and from the logits for rows whose target
   * probability underflowed (`softmaxCrossEntropy`).
   *
   * @param X Inputs `[m, nx+1]`.
   * @param Y One-hot targets `[m, ny]`.
   */
  loss(X: BiasColumnInput, Y: Matrix): number {
    this.#checkInput(X, "compute loss");
    this.#checkTargets(X, Y, "compute loss");
    const ws = this.#forward(X);
    this.#lossOptions.probabilities = ws.P;
    return softmaxCrossEntropy(ws.Z2, Y, this.#lossOptions);
  }

  /**
   * The seed's own loss formula from the probabilities, `−Σ y log ŷ / m`
   * (no log-sum-exp), to compare with its printed 1.4708408874785344.
   *
   * @param X Inputs `[m, nx+1]`.
   * @param Y One-hot targets `[m, ny]`.
   */
  seedLoss(X: BiasColumnInput, Y: Matrix): number {
    this.#checkInput(X, "compute loss");
    this.#checkTargets(X, Y, "compute loss");
    return crossEntropy(this.#forward(X).P, Y, { reduction: "mean" });
  }

  /**
   * Forward and backward: fills `[dw1, dw2]`, returns the batch loss.
   *
   * @param X Inputs `[m, nx+1]`.
   * @param Y One-hot targets `[m, ny]`.
   */
  lossAndGrad(X: BiasColumnInput, Y: Matrix): number {
    this.#checkInput(X, "compute gradients");
    this.#checkTargets(X, Y, "compute gradients");
    return this.#step(X, Y, undefined);
  }

  /**
   * One fused SGD step: `w −= learningRate · ∂L/∂w` straight into `w1` and
   * `w2` (each update one product, after `dZ2·W2` used the old `w2`); same
   * result as `lossAndGrad` + an SGD step, `grads` left unspecified. Returns
   * the batch loss before the update.
   *
   * @param X Inputs `[m, nx+1]`.
   * @param Y One-hot targets `[m, ny]`.
   * @param learningRate Step size η.
   */
  trainStep(X: BiasColumnInput, Y: Matrix, learningRate: number): number {
    this.#checkInput(X, "take a training step");
    this.#checkTargets(X, Y, "take a training step");
    if (!Number.isFinite(learningRate)) {
      throw new RangeError(
        `Cannot take a training step: learningRate must be finite, got ${learningRate}`,
      );
    }
    return this.#step(X, Y, learningRate);
  }

  #step(X: BiasColumnInput, Y: Matrix, learningRate: number | undefined): number {
    const ws = this.#forward(X);
    this.#lossOptions.probabilities = ws.P;
    const value = softmaxCrossEntropy(ws.Z2, Y, this.#lossOptions);
    const n = X.rows, nh = this.#nh;
    this.#outputDelta(ws.P, Y, this.#gradientScale(n), ws.dZ2);
    matmul(ws.dZ2, this.w2, ws.dA1Options);
    if (learningRate === undefined) matmul(ws.dZ2, ws.A1, this.#dw2Options);
    else matmul(ws.dZ2, ws.A1, this.#fused(this.#w2Update, -learningRate));
    const g = ws.dA1.data, a = ws.A1.data, d1 = ws.dZ1.data;
    for (let i = 0, o = 0, r = 0; i < n; i++, o += nh, r += nh + 1) {
      for (let j = 0; j < nh; j++) {
        const t = a[r + 1 + j];
        d1[o + j] = g[r + 1 + j] * (1 - t * t);
      }
    }
    if (isSparseInput(X)) {
      const o = this.#w1Sparse;
      o.out = learningRate === undefined ? this.dw1 : this.w1;
      o.alpha = learningRate === undefined ? 1 : -learningRate;
      o.accumulate = learningRate !== undefined;
      sparseTransposeMatmul(X, ws.dZ1, o);
    } else if (learningRate === undefined) matmul(ws.dZ1, X, this.#dw1Options);
    else matmul(ws.dZ1, X, this.#fused(this.#w1Update, -learningRate));
    return value;
  }

  #fused(options: MatmulOptions, alpha: number): MatmulOptions {
    options.alpha = alpha;
    return options;
  }
}

/** `dZ = s(P − Y)`: the softmax + cross-entropy gradient, scaled. */
function outputDelta(P: Matrix, Y: Matrix, scale: number, dZ: Matrix): void {
  const p = P.data, y = Y.data, d2 = dZ.data, s = scale;
  for (let i = 0; i < p.length; i++) d2[i] = s * (p[i] - y[i]);
}

/** Throws unless every row of `X` starts with the bias entry 1 in column 0. */
function checkSparseOnesColumn(X: SparseInput, op: string): void {
  const { rowStart, colIndex, values } = sparseSource(X);
  for (let i = 0; i < X.rows; i++) {
    const row = sourceRow(X, i), p = rowStart[row];
    const value = p < rowStart[row + 1] && colIndex[p] === 0 ? values[p] : 0;
    if (value !== 1) {
      throw new RangeError(
        `Cannot ${op}: column 0 of X must be the bias column of ones, got ${value} in row ${i}`,
      );
    }
  }
}

/**
 * Builds seed 001's network on freshly drawn parameters.
 *
 * @param sizes `{ nx, nh, ny }`.
 * @param options `prng` (required), `std` (default 0.3), `dtype`, reduction, seedFaithful.
 * @returns The network.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { biasColumnNet } from "./bias_column_net.ts";
 *
 * const net = biasColumnNet({ nx: 784, nh: 32, ny: 10 }, { prng: new Prng(7), dtype: "float32" });
 * assert.deepEqual(net.params.map((p) => p.shape), [[32, 785], [10, 33]]);
 * ```
 */
export function biasColumnNet(
  sizes: { nx: number; nh: number; ny: number },
  options: InitParamsOptions & BiasColumnNetOptions,
): BiasColumnNet {
  return new BiasColumnNet(initParams(sizes.nx, sizes.nh, sizes.ny, options), options);
}
