/**
 * A fully connected network (multi-layer perceptron) from a list of layer
 * sizes and activations, implementing {@linkcode Model} — every seed's model
 * except seed 001's bias-column form (see `bias_column_net.ts`).
 *
 * Batch-first: `X [n, sizes[0]]`, layer `l` has `W [sizes[l], sizes[l+1]]`
 * and (with `bias`) `b [1, sizes[l+1]]`, `Z = A·W + b`, `A = f(Z)`.
 * Forward and backward sit side by side in this file; the backward is the
 * textbook chain rule (`dW = Aᵀ·dZ`, `db = Σᵢ dZᵢ`, `dA = dZ·Wᵀ`), with the
 * fused output gradient `dZ = P − Y` for softmax + cross-entropy and
 * sigmoid + binary cross-entropy.
 *
 * The input may also be {@linkcode SparseRows} or a {@linkcode SparseRowBatch}
 * of them (MNIST rows are ~81 % zeros): the first layer's two products,
 * `X·W₁ + b₁` and `Xᵀ·dZ₁`, then skip the zeros (`sparse_rows.ts`);
 * everything after the first layer is the same. `train()` passes mostly-zero
 * inputs this way (see its `sparseInput`).
 *
 * Hot paths allocate nothing per call: activations and deltas live in
 * workspaces kept per batch size (a few are cached, so alternating train
 * batches and evaluation does not reallocate), and every matrix product goes
 * through `matmul` with `transA`/`transB` and a reused `out`.
 *
 * The seeds' bugs are opt-in, named switches ({@linkcode MlpSeedFaithful});
 * nothing seed-faithful happens unless asked for. The few formulas a seed got
 * wrong (output activation, cost, gradient scale, output delta, bias
 * gradient, hidden delta, and seed 000's whole batch backward) are looked up
 * once, in the constructor (`#lookUpFormulas`): the textbook ones below, or
 * a seed's from `seed_bugs.ts`.
 *
 * @module
 */

import type { Prng } from "../random.ts";
import { Matrix } from "../tensor/matrix.ts";
import { type DType, type FloatArray, formatShape } from "../dtypes.ts";
import { addRowVector, colSums } from "../tensor/ops.ts";
import { matmul, type MatmulOptions } from "../tensor/matmul.ts";
import {
  isSparseInput,
  type SparseInput,
  sparseMatmul,
  sparseTransposeMatmul,
} from "../tensor/sparse_rows.ts";
import {
  ACTIVATION_NAMES,
  activationBackward,
  activationForward,
  type ActivationName,
} from "./activations.ts";
import {
  binaryCrossEntropy,
  binaryCrossEntropyBackward,
  crossEntropy,
  crossEntropyBackward,
  l2Penalty,
  l2PenaltyBackward,
  type LogLossOptions,
  type LossBackwardOptions,
  type Reduction,
  reductionScale,
  sigmoidBinaryCrossEntropy,
  softmaxCrossEntropy,
  squaredError,
  squaredErrorBackward,
} from "./losses.ts";
import { type Init, initialize } from "./init.ts";
import { MAX_WORKSPACES, MlpWorkspace } from "./mlp_workspace.ts";
import type { SparseInputModel } from "./model.ts";
import {
  checkMlpSeedFaithful,
  divisorGradientScale,
  doubleSoftmaxDelta,
  meanErrorThroughLastSample,
  type MlpSeedFaithful,
  mulSoftmaxPrime,
  scalarBiasGradient,
  seed000RunningErrorCost,
  softmaxOverBatch,
} from "./seed_bugs.ts";

/**
 * What an {@linkcode Mlp} takes as input: dense rows, or rows without their
 * zeros ({@linkcode SparseRows}, or a {@linkcode SparseRowBatch} of them).
 */
export type MlpInput = Matrix | SparseInput;

/** Names of the losses an {@linkcode Mlp} can be trained on. */
export type LossName = "squaredError" | "crossEntropy" | "binaryCrossEntropy";

/** Options of {@linkcode mlp}. */
export interface MlpOptions {
  /** Layer widths `[in, hidden…, out]`, e.g. `[784, 150, 100, 50, 10]`. */
  sizes: readonly number[];
  /** One activation per layer (`sizes.length − 1` of them). */
  activations: readonly ActivationName[];
  /** The training loss. */
  loss: LossName;
  /** `"mean"` over the batch (default) or `"sum"` (per-sample SGD seeds). */
  reduction?: Reduction;
  /** Whether layers have a bias vector `b [1, out]`. Default `true`; seed 000 had none. */
  bias?: boolean;
  /** Weight initialiser, one for all layers or one per layer. Default Glorot uniform. */
  init?: Init | readonly Init[];
  /** Bias initialiser, one for all or one per layer. Default zeros. */
  biasInit?: Init | readonly Init[];
  /** L2 strength λ: adds `λ Σ ‖W‖²` (biases excluded) to the loss, as seed 003 Q1a. Default 0. */
  l2?: number;
  /**
   * Seed-faithful `ε` inside the loss logarithms (seed 003: 1e-40 binary,
   * 1e-39 softmax), the same as `seedFaithful.logEpsilon`; default none, the
   * loss is then computed exactly from the logits.
   */
  logEpsilon?: number;
  /** Source of randomness for the initialisers (required unless all are zeros). */
  prng?: Prng;
  /** Parameter and workspace dtype. Default `"float64"`. */
  dtype?: DType;
  /** The seeds' bugs, off by default. */
  seedFaithful?: MlpSeedFaithful;
}

/**
 * The formulas of an {@linkcode Mlp} that some seed got wrong, looked up once
 * by the constructor: the textbook formula, unless a `seedFaithful` switch
 * asks for the seed's (from `seed_bugs.ts`).
 */
interface MlpFormulas {
  /** `A_L = f_L(Z_L)`, the output layer's activation, into `A`. */
  outputActivation: (Z: Matrix, A: Matrix) => void;
  /** The batch loss of the output `A` (pre-activations `Z`) against `Y`, without L2. */
  cost: (Z: Matrix, A: Matrix, Y: Matrix) => number;
  /** The factor on every gradient for a batch of `n`: `1/n` for a mean loss, 1 for a sum. */
  gradientScale: (n: number) => number;
  /** `dZ_L = scale · ∂L/∂Z_L` from the output `A` and targets `Y`, into `dZ`. */
  outputDelta: (A: Matrix, Y: Matrix, dZ: Matrix, scale: number) => void;
  /** `db = Σᵢ dZᵢ` (column sums), into `db`. */
  biasGrad: (dZ: Matrix, db: Matrix) => void;
  /** In place: `dZ_l = dA_l ⊙ f_l′` for hidden layer `l` (`dA_l` held in `dZ`). */
  hiddenDelta: (l: number, Z: Matrix, A: Matrix, dZ: Matrix) => void;
  /**
   * Seed 000's batch backward in place of the textbook one (which is then
   * also not fused into `trainStep`); `undefined` for the textbook backward.
   */
  seedBackward: ((ws: MlpWorkspace, X: MlpInput, Y: Matrix) => void) | undefined;
}

/**
 * A fully connected network implementing {@linkcode Model}; build one with
 * {@linkcode mlp}.
 */
export class Mlp implements SparseInputModel {
  /** `predict`, `loss`, `lossAndGrad` and `trainStep` also take sparse inputs ({@linkcode MlpInput}). */
  readonly acceptsSparseRows = true as const;
  /** `sizes[1]`: the first layer's units. */
  get inputLayerUnits(): number {
    return this.sizes[1];
  }
  /** Layer widths `[in, hidden…, out]`. */
  readonly sizes: readonly number[];
  /** One activation per layer. */
  readonly activations: readonly ActivationName[];
  /** The training loss. */
  readonly lossName: LossName;
  /** How per-sample losses combine. */
  readonly reduction: Reduction;
  /** L2 strength λ (0 for none). */
  readonly l2: number;
  /** Seed-faithful ε inside the loss logarithms, if any. */
  readonly logEpsilon: number | undefined;
  /** The enabled seed bugs (a frozen copy; `logEpsilon` is read from {@linkcode Mlp.logEpsilon}). */
  readonly seedFaithful: Readonly<MlpSeedFaithful>;
  /** Weights `W_l [sizes[l], sizes[l+1]]`. */
  readonly weights: Matrix[];
  /** Biases `b_l [1, sizes[l+1]]` (empty without bias). */
  readonly biases: Matrix[];
  /** Gradients of the weights. */
  readonly weightGrads: Matrix[];
  /** Gradients of the biases (empty without bias). */
  readonly biasGrads: Matrix[];
  /** `[W1, b1, W2, b2, …]` (or `[W1, W2, …]` without bias). */
  readonly params: Matrix[];
  /** Gradients in the order of `params`. */
  readonly grads: Matrix[];
  /** Width of the output layer. */
  readonly outputSize: number;
  /** Parameter dtype. */
  readonly dtype: DType;

  #ws: MlpWorkspace | undefined;
  readonly #cache = new Map<number, MlpWorkspace>();
  readonly #dWOptions: MatmulOptions[];
  readonly #lossOptions: LogLossOptions;
  /** `{ reduction: "sum", out: dZ_L }` for the loss backwards (`out` set per call). */
  readonly #lossBackOptions: LossBackwardOptions = { reduction: "sum" };
  readonly #hasBias: boolean;
  /** The formulas a seed got wrong: the textbook ones unless `seedFaithful` asks. */
  readonly #formulas: MlpFormulas;

  /** Use {@linkcode mlp}; this constructor takes the same options. */
  constructor(options: MlpOptions) {
    const { sizes, activations, loss } = options;
    const where = "Cannot build mlp";
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new RangeError(`${where}: sizes must list at least 2 widths, got ${String(sizes)}`);
    }
    for (const d of sizes) {
      if (!Number.isInteger(d) || d < 1) {
        throw new RangeError(
          `${where}: sizes must be positive integers, got [${sizes.join(", ")}]`,
        );
      }
    }
    if (activations.length !== sizes.length - 1) {
      throw new RangeError(
        `${where}: expected ${sizes.length - 1} activations for sizes [${
          sizes.join(", ")
        }], got ${activations.length}`,
      );
    }
    for (const a of activations) {
      if (!ACTIVATION_NAMES.includes(a)) {
        throw new TypeError(
          `${where}: unknown activation ${String(a)}, expected one of ${
            ACTIVATION_NAMES.join(", ")
          }`,
        );
      }
    }
    const out = activations[activations.length - 1];
    if (loss !== "squaredError" && loss !== "crossEntropy" && loss !== "binaryCrossEntropy") {
      throw new TypeError(
        `${where}: unknown loss ${
          String(loss)
        }, expected squaredError, crossEntropy or binaryCrossEntropy`,
      );
    }
    if (loss !== "squaredError" && out !== "softmax" && out !== "sigmoid") {
      throw new RangeError(`${where}: loss ${loss} needs a softmax or sigmoid output, got ${out}`);
    }
    const reduction = options.reduction ?? "mean";
    reductionScale(reduction, 1);
    const l2 = options.l2 ?? 0;
    if (!(l2 >= 0)) throw new RangeError(`${where}: l2 must be >= 0, got ${l2}`);
    const hasBias = options.bias ?? true;
    checkMlpSeedFaithful(options.seedFaithful ?? {}, { loss, activations, bias: hasBias }, where);
    const { logEpsilon: faithfulEpsilon, ...faithful } = options.seedFaithful ?? {};
    if (
      faithfulEpsilon !== undefined && options.logEpsilon !== undefined &&
      faithfulEpsilon !== options.logEpsilon
    ) {
      throw new RangeError(
        `${where}: logEpsilon ${options.logEpsilon} differs from seedFaithful.logEpsilon ${faithfulEpsilon}`,
      );
    }
    const logEpsilon = faithfulEpsilon ?? options.logEpsilon;

    this.sizes = [...sizes];
    this.activations = [...activations];
    this.lossName = loss;
    this.reduction = reduction;
    this.l2 = l2;
    this.logEpsilon = logEpsilon;
    this.seedFaithful = Object.freeze(faithful);
    this.dtype = options.dtype ?? "float64";
    this.outputSize = sizes[sizes.length - 1];
    this.#hasBias = hasBias;
    this.#lossOptions = { reduction, logEpsilon };

    const L = activations.length;
    const pick = (init: Init | readonly Init[] | undefined, l: number, fallback: Init): Init => {
      if (init === undefined) return fallback;
      if (Array.isArray(init)) {
        if (init.length !== L) {
          throw new RangeError(`${where}: expected 1 or ${L} initialisers, got ${init.length}`);
        }
        return init[l];
      }
      return init as Init;
    };
    this.weights = [];
    this.biases = [];
    this.weightGrads = [];
    this.biasGrads = [];
    this.params = [];
    this.grads = [];
    this.#dWOptions = [];
    for (let l = 0; l < L; l++) {
      const W = initialize(
        Matrix.zeros(sizes[l], sizes[l + 1], this.dtype),
        pick(options.init, l, { kind: "glorot" }),
        {
          prng: options.prng,
        },
      );
      const dW = Matrix.zeros(sizes[l], sizes[l + 1], this.dtype);
      this.weights.push(W);
      this.weightGrads.push(dW);
      this.params.push(W);
      this.grads.push(dW);
      this.#dWOptions.push({ transA: true, out: dW });
      if (hasBias) {
        const b = initialize(
          Matrix.zeros(1, sizes[l + 1], this.dtype),
          pick(options.biasInit, l, { kind: "zeros" }),
          {
            prng: options.prng,
            fanIn: sizes[l],
            fanOut: sizes[l + 1],
          },
        );
        const db = Matrix.zeros(1, sizes[l + 1], this.dtype);
        this.biases.push(b);
        this.biasGrads.push(db);
        this.params.push(b);
        this.grads.push(db);
      }
    }
    this.#formulas = this.#lookUpFormulas();
  }

  /**
   * The textbook formulas, each replaced by its seed's (`seed_bugs.ts`) where
   * a `seedFaithful` switch is on.
   */
  #lookUpFormulas(): MlpFormulas {
    const bug = this.seedFaithful, L = this.activations.length;
    const out = this.activations[L - 1], reduction = this.reduction;
    const divisor = bug.gradientDivisor;
    const fixedScale = divisor === undefined ? 0 : divisorGradientScale(divisor);
    const textbookHiddenDelta = (l: number, _Z: Matrix, A: Matrix, dZ: Matrix) =>
      void activationBackward(this.activations[l], A, dZ, dZ);
    return {
      outputActivation: bug.softmaxOverBatch // seed 003
        ? (Z, A) => void softmaxOverBatch(Z, A)
        : (Z, A) => void activationForward(out, Z, A),
      cost: bug.runningErrorSumCost // seed 000
        ? (_Z, A, Y) => seed000RunningErrorCost(A, Y)
        : this.#textbookCost(),
      gradientScale: divisor === undefined // seed 002
        ? (n) => reductionScale(reduction, n)
        : () => fixedScale,
      outputDelta: bug.doubleSoftmaxDelta // seed 004
        ? doubleSoftmaxDelta
        : (A, Y, dZ, scale) => this.#outputDelta(A, Y, dZ, scale),
      biasGrad: bug.scalarBiasGradient // seed 002
        ? scalarBiasGradient
        : (dZ, db) => void colSums(dZ, db),
      hiddenDelta: bug.softmaxPrimeLastHidden // seed 004, on the last hidden layer
        ? (l, Z, A, dZ) => l === L - 2 ? mulSoftmaxPrime(Z, dZ) : textbookHiddenDelta(l, Z, A, dZ)
        : textbookHiddenDelta,
      seedBackward: bug.batchErrorThroughLastSample // seed 000
        ? (ws, X, Y) =>
          meanErrorThroughLastSample(this, {
            X,
            Z: ws.Z,
            A: ws.A,
            Y,
            scale: this.#formulas.gradientScale(X.rows),
            biasGrad: this.#formulas.biasGrad,
            hiddenDelta: this.#formulas.hiddenDelta,
          })
        : undefined,
    };
  }

  /**
   * The configured loss of the output; cross-entropies from the logits when
   * the output is their own softmax/sigmoid and no `logEpsilon` is asked for.
   */
  #textbookCost(): (Z: Matrix, A: Matrix, Y: Matrix) => number {
    const out = this.activations[this.activations.length - 1], opts = this.#lossOptions;
    const rowSoftmax = out === "softmax" && !this.seedFaithful.softmaxOverBatch;
    switch (this.lossName) {
      case "squaredError":
        return (_Z, A, Y) => squaredError(A, Y, opts);
      case "crossEntropy":
        return rowSoftmax && this.logEpsilon === undefined
          ? (Z, A, Y) => softmaxCrossEntropy(Z, Y, { reduction: opts.reduction, probabilities: A })
          : (_Z, A, Y) => crossEntropy(A, Y, opts);
      case "binaryCrossEntropy":
        return out === "sigmoid" && this.logEpsilon === undefined
          ? (Z, _A, Y) => sigmoidBinaryCrossEntropy(Z, Y, opts)
          : (_Z, A, Y) => binaryCrossEntropy(A, Y, opts);
    }
  }

  #workspace(n: number): MlpWorkspace {
    const ws = this.#ws;
    if (ws !== undefined && ws.n === n) return ws;
    let next = this.#cache.get(n);
    if (next === undefined) {
      next = new MlpWorkspace(n, this.sizes, this.activations, this.dtype);
      if (this.#cache.size >= MAX_WORKSPACES) {
        const oldest = this.#cache.keys().next().value as number;
        this.#cache.delete(oldest);
      }
      this.#cache.set(n, next);
    }
    this.#ws = next;
    return next;
  }

  #checkInput(X: MlpInput, op: string): void {
    if (X.cols !== this.sizes[0]) {
      throw new RangeError(
        `Cannot ${op}: X must have ${this.sizes[0]} columns, got ${formatShape(X.shape)}`,
      );
    }
    if (X instanceof Matrix && X.dtype !== this.dtype) {
      throw new TypeError(
        `Cannot ${op}: X dtype ${X.dtype} differs from the parameters' ${this.dtype}`,
      );
    }
  }

  #checkTargets(X: MlpInput, Y: Matrix, op: string): void {
    if (Y.rows !== X.rows || Y.cols !== this.outputSize) {
      throw new RangeError(
        `Cannot ${op}: Y must have shape ${formatShape([X.rows, this.outputSize])} for X ${
          formatShape(X.shape)
        }, got ${formatShape(Y.shape)}`,
      );
    }
  }

  /** Forward pass: `Z_l = A_{l−1}·W_l + b_l`, `A_l = f_l(Z_l)`, with `A_0 = X`. */
  #forward(X: MlpInput): MlpWorkspace {
    const ws = this.#workspace(X.rows);
    const L = this.activations.length;
    let input: Matrix | undefined;
    for (let l = 0; l < L; l++) {
      const Z = ws.Z[l];
      if (l === 0 && isSparseInput(X)) {
        ws.sparseForward.bias = this.#hasBias ? this.biases[0] : undefined;
        sparseMatmul(X, this.weights[0], ws.sparseForward);
      } else {
        matmul(input ?? X as Matrix, this.weights[l], ws.forwardOptions[l]);
        if (this.#hasBias) addRowVector(Z, this.biases[l], Z);
      }
      if (l < L - 1) activationForward(this.activations[l], Z, ws.A[l]);
      else this.#formulas.outputActivation(Z, ws.A[l]);
      input = ws.A[l];
    }
    return ws;
  }

  #lossValue(ws: MlpWorkspace, Y: Matrix): number {
    const L = this.activations.length;
    return this.#formulas.cost(ws.Z[L - 1], ws.A[L - 1], Y) + l2Penalty(this.weights, this.l2);
  }

  /**
   * Forward pass: `X [n, sizes[0]] → yHat [n, outputSize]`. Returns a
   * workspace that the next call with the same batch size overwrites.
   *
   * @param X Inputs `[n, sizes[0]]`, same dtype as the parameters (or sparse: {@linkcode MlpInput}).
   */
  predict(X: MlpInput): Matrix {
    this.#checkInput(X, "predict");
    const ws = this.#forward(X);
    return ws.A[this.activations.length - 1];
  }

  /** Output `[n, outputSize]` of the most recent forward pass (a workspace), if any. */
  get lastOutput(): Matrix | undefined {
    return this.#ws?.A[this.activations.length - 1];
  }

  /**
   * The batch loss (configured loss and reduction, plus the L2 penalty).
   *
   * @param X Inputs `[n, sizes[0]]`.
   * @param Y Targets `[n, outputSize]`.
   */
  loss(X: MlpInput, Y: Matrix): number {
    this.#checkInput(X, "compute loss");
    this.#checkTargets(X, Y, "compute loss");
    return this.#lossValue(this.#forward(X), Y);
  }

  /**
   * Forward and backward: fills `grads` and returns the batch loss.
   *
   * @param X Inputs `[n, sizes[0]]`.
   * @param Y Targets `[n, outputSize]`.
   */
  lossAndGrad(X: MlpInput, Y: Matrix): number {
    this.#checkInput(X, "compute gradients");
    this.#checkTargets(X, Y, "compute gradients");
    const ws = this.#forward(X);
    const value = this.#lossValue(ws, Y);
    const seedBackward = this.#formulas.seedBackward;
    if (seedBackward !== undefined) seedBackward(ws, X, Y);
    else this.#backward(ws, X, Y);
    if (this.l2 !== 0) {
      for (let l = 0; l < this.weights.length; l++) {
        l2PenaltyBackward(this.weights[l], this.l2, this.weightGrads[l]);
      }
    }
    return value;
  }

  /**
   * One fused SGD step: forward, backward and `θ −= learningRate · ∂L/∂θ`
   * without writing the weight gradients (the update is one product into
   * each `W`). Same parameters afterwards as `lossAndGrad` + `sgdStep`, up
   * to rounding; `grads` are left unspecified. Returns the batch loss before
   * the update.
   *
   * @param X Inputs `[n, sizes[0]]`.
   * @param Y Targets `[n, outputSize]`.
   * @param learningRate Step size η.
   */
  trainStep(X: MlpInput, Y: Matrix, learningRate: number): number {
    this.#checkInput(X, "take a training step");
    this.#checkTargets(X, Y, "take a training step");
    if (!Number.isFinite(learningRate)) {
      throw new RangeError(
        `Cannot take a training step: learningRate must be finite, got ${learningRate}`,
      );
    }
    if (this.#formulas.seedBackward !== undefined) {
      // A seed's own backward is not fused: its gradient, then the plain step.
      const value = this.lossAndGrad(X, Y);
      for (let i = 0; i < this.params.length; i++) {
        axpyData(-learningRate, this.grads[i].data, this.params[i].data);
      }
      return value;
    }
    const ws = this.#forward(X);
    const value = this.#lossValue(ws, Y);
    this.#backward(ws, X, Y, learningRate);
    return value;
  }

  /**
   * The textbook output delta `dZ_L = s·∂L/∂Z_L` into `dZL`: `s(P − Y)` for
   * softmax + cross-entropy and sigmoid + binary cross-entropy, otherwise the
   * loss's backward times `s`, then the output activation's backward.
   */
  #outputDelta(A: Matrix, Y: Matrix, dZL: Matrix, s: number): void {
    const out = this.activations[this.activations.length - 1];
    const a = A.data, y = Y.data, d = dZL.data;
    if (
      (out === "softmax" && this.lossName === "crossEntropy") ||
      (out === "sigmoid" && this.lossName === "binaryCrossEntropy")
    ) {
      // dZ = P − Y: the fused softmax/sigmoid + (binary) cross-entropy gradient.
      for (let i = 0; i < a.length; i++) d[i] = s * (a[i] - y[i]);
    } else {
      const opts = this.#lossBackOptions;
      opts.out = dZL;
      if (this.lossName === "squaredError") squaredErrorBackward(A, Y, opts);
      else if (this.lossName === "crossEntropy") crossEntropyBackward(A, Y, opts);
      else binaryCrossEntropyBackward(A, Y, opts);
      if (s !== 1) { for (let i = 0; i < d.length; i++) d[i] *= s; }
      activationBackward(out, A, dZL, dZL);
    }
  }

  /**
   * Back-propagation, layer by layer from the output: `dW_l = A_{l−1}ᵀ·dZ_l`,
   * `db_l = Σᵢ dZ_l,i`, `dA_{l−1} = dZ_l·W_lᵀ`, `dZ_{l−1} = dA_{l−1} ⊙ f′`.
   * Without `learningRate` it fills `grads`; with it, it applies
   * `θ −= learningRate · ∂L/∂θ` directly (fused: `W += −η·Aᵀ·dZ` as one
   * product into `W`, after `dZ·Wᵀ` has used the old `W`), leaving the bias
   * grads as scratch and the weight grads untouched.
   */
  #backward(ws: MlpWorkspace, X: MlpInput, Y: Matrix, learningRate?: number): void {
    const dZ = ws.ensureBackward(this.dtype);
    const L = this.activations.length;
    const fused = learningRate !== undefined;
    const f = this.#formulas;
    f.outputDelta(ws.A[L - 1], Y, dZ[L - 1], f.gradientScale(X.rows));
    for (let l = L - 1; l >= 0; l--) {
      const input = l === 0 ? X : ws.A[l - 1];
      if (l > 0) matmul(dZ[l], this.weights[l], ws.backOptions![l]);
      const W = this.weights[l];
      if (fused && this.l2 !== 0) scaleInPlace(W.data, 1 - 2 * learningRate * this.l2);
      if (isSparseInput(input)) {
        // The first layer on sparse rows: W −= η·Xᵀ·dZ₁ accumulated into W, or dW = Xᵀ·dZ₁.
        const o = ws.sparseBack;
        o.out = fused ? W : this.weightGrads[0];
        o.alpha = fused ? -learningRate : 1;
        o.accumulate = fused;
        sparseTransposeMatmul(input, dZ[0], o);
      } else if (fused) {
        matmul(input, dZ[l], ws.updateOptions(l, W, -learningRate));
      } else {
        matmul(input, dZ[l], this.#dWOptions[l]);
      }
      if (this.#hasBias) {
        const db = this.biasGrads[l];
        f.biasGrad(dZ[l], db);
        if (fused) axpyData(-learningRate, db.data, this.biases[l].data);
      }
      if (l > 0) f.hiddenDelta(l - 1, ws.Z[l - 1], ws.A[l - 1], dZ[l - 1]);
    }
  }
}

/** `y += alpha·x` on raw arrays. */
function axpyData(alpha: number, x: FloatArray, y: FloatArray): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

/** `w *= c` on a raw array. */
function scaleInPlace(w: FloatArray, c: number): void {
  for (let i = 0; i < w.length; i++) w[i] *= c;
}

/**
 * Builds a fully connected network.
 *
 * @param options Sizes, activations, loss and the rest of {@linkcode MlpOptions}.
 * @returns The network, ready for `lossAndGrad` and an optimizer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { mlp } from "./mlp.ts";
 *
 * const net = mlp({
 *   sizes: [4, 3, 2],
 *   activations: ["relu", "softmax"],
 *   loss: "crossEntropy",
 *   init: { kind: "uniform", low: -0.5, high: 0.5 },
 *   prng: new Prng(0),
 * });
 * const X = Matrix.from([[1, 0, 0, 1], [0, 1, 1, 0]]), Y = Matrix.from([[1, 0], [0, 1]]);
 * const loss = net.lossAndGrad(X, Y);
 * assert.equal(loss, net.loss(X, Y));
 * assert.deepEqual(net.grads.map((g) => g.shape), [[4, 3], [1, 3], [3, 2], [1, 2]]);
 * ```
 */
export function mlp(options: MlpOptions): Mlp {
  return new Mlp(options);
}
