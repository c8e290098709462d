/**
 * Every seed's model in one call, corrected by default and seed-faithful on
 * request (`faithful: true` turns on exactly that seed's bugs, listed in
 * {@linkcode SEED_FAITHFUL}). Architectures, initialisers, losses and
 * reductions are the seeds' own; see DESIGN.md's experiments table.
 *
 * @module
 */

import type { Prng } from "../random.ts";
import { RandomState } from "../random_state.ts";
import type { DType } from "../dtypes.ts";
import { type BiasColumnNet, biasColumnNet } from "./bias_column_net.ts";
import { type LinearModel, linearModel } from "./linear_model.ts";
import { type Mlp, mlp } from "./mlp.ts";
import type { BiasColumnSeedFaithful, MlpSeedFaithful } from "./seed_bugs.ts";

/**
 * Each seed's bugs as seed-faithful switches, its constants (`logEpsilon`,
 * `gradientDivisor`) included (see the docs of {@linkcode MlpSeedFaithful}
 * and {@linkcode BiasColumnSeedFaithful} in `seed_bugs.ts` for what each did
 * and why it is wrong).
 */
export const SEED_FAITHFUL: {
  readonly seed000Batch: Readonly<MlpSeedFaithful>;
  readonly seed001: Readonly<BiasColumnSeedFaithful>;
  readonly seed002: Readonly<MlpSeedFaithful>;
  readonly seed003Logistic: Readonly<MlpSeedFaithful>;
  readonly seed003Softmax: Readonly<MlpSeedFaithful>;
  readonly seed004: Readonly<MlpSeedFaithful>;
} = Object.freeze({
  /** Batch GD through the last sample, and the running-error-sum cost. */
  seed000Batch: Object.freeze({ batchErrorThroughLastSample: true, runningErrorSumCost: true }),
  /** Extra softmax′ factor on ŷ − y, and the gradient of the summed loss. */
  seed001: Object.freeze({ softmaxPrimeFactor: true, sumGradientOfMeanLoss: true }),
  /** m = 60,000 in the gradient scaling, and a scalar bias gradient. */
  seed002: Object.freeze({ gradientDivisor: 60000, scalarBiasGradient: true }),
  /** ε = 1e-40 inside the logs of the binary cross-entropy (the gradient was right). */
  seed003Logistic: Object.freeze({ logEpsilon: 1e-40 }),
  /** Softmax normalised over the whole batch, and ε = 1e-39 inside the log. */
  seed003Softmax: Object.freeze({ softmaxOverBatch: true, logEpsilon: 1e-39 }),
  /** Output delta (softmax(ŷ) − y)/10, and softmax′ for the last hidden layer. */
  seed004: Object.freeze({ doubleSoftmaxDelta: true, softmaxPrimeLastHidden: true }),
});

/** Options shared by the seed model builders. */
export interface SeedModelOptions {
  /** Source of randomness for the initialisers. */
  prng: Prng;
  /** Parameter dtype; default `"float64"` (the seeds used NumPy's float64). */
  dtype?: DType;
  /** Turn on this seed's bugs. Default `false`. */
  faithful?: boolean;
}

/**
 * Seed 000: 784-150-100-50-10, sigmoid everywhere, no biases, W ~ N(0, 1),
 * loss ½Σ(ŷ − y)² averaged over the batch (the per-sample SGD is n = 1).
 * `faithful` switches on seed 000's BATCH bugs only (its per-sample SGD was
 * correct).
 *
 * @param options `prng`, `dtype`, `faithful`.
 * @returns The network.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { seed000Net } from "./seed_models.ts";
 *
 * const net = seed000Net({ prng: new Prng(0) });
 * assert.deepEqual(net.params.map((p) => p.shape), [[784, 150], [150, 100], [100, 50], [50, 10]]);
 * ```
 */
export function seed000Net(options: SeedModelOptions): Mlp {
  return mlp({
    sizes: [784, 150, 100, 50, 10],
    activations: ["sigmoid", "sigmoid", "sigmoid", "sigmoid"],
    loss: "squaredError",
    reduction: "mean",
    bias: false,
    init: { kind: "normal", mean: 0, std: 1 },
    prng: options.prng,
    dtype: options.dtype,
    seedFaithful: options.faithful ? SEED_FAITHFUL.seed000Batch : undefined,
  });
}

/**
 * Seed 001: `init_params(784, 32, 10)` with W ~ N(0, 0.3²), the bias as an
 * extra input column, tanh → softmax, mean cross-entropy.
 *
 * @param options `prng`, `dtype`, `faithful`, and the widths (default 784, 32, 10).
 * @returns The network; its inputs carry a leading ones column `[m, nx+1]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { seed001Net } from "./seed_models.ts";
 *
 * const net = seed001Net({ prng: new Prng(0), faithful: true });
 * assert.equal(net.seedFaithful.softmaxPrimeFactor, true);
 * ```
 */
export function seed001Net(
  options: SeedModelOptions & { nx?: number; nh?: number; ny?: number },
): BiasColumnNet {
  return biasColumnNet(
    { nx: options.nx ?? 784, nh: options.nh ?? 32, ny: options.ny ?? 10 },
    {
      prng: options.prng,
      std: 0.3,
      dtype: options.dtype,
      reduction: "mean",
      seedFaithful: options.faithful ? SEED_FAITHFUL.seed001 : undefined,
    },
  );
}

/**
 * Seed 002: 784-10-10 ReLU → softmax with biases, W and b ~ U(−0.5, 0.5),
 * mean cross-entropy (full-batch GD on 55,000 images).
 *
 * @param options `prng`, `dtype`, `faithful`.
 * @returns The network.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { seed002Net } from "./seed_models.ts";
 *
 * const net = seed002Net({ prng: new Prng(0), faithful: true });
 * assert.deepEqual(net.params.map((p) => p.shape), [[784, 10], [1, 10], [10, 10], [1, 10]]);
 * assert.equal(net.seedFaithful.gradientDivisor, 60000);
 * ```
 */
export function seed002Net(options: SeedModelOptions): Mlp {
  const init = { kind: "uniform", low: -0.5, high: 0.5 } as const;
  return mlp({
    sizes: [784, 10, 10],
    activations: ["relu", "softmax"],
    loss: "crossEntropy",
    reduction: "mean",
    init,
    biasInit: init,
    prng: options.prng,
    dtype: options.dtype,
    seedFaithful: options.faithful ? SEED_FAITHFUL.seed002 : undefined,
  });
}

/** Options of the seed 003 Q1 builders: {@linkcode SeedModelOptions} without `dtype` (float64). */
export interface Seed003Options {
  /** Source of randomness for the initialisers (not needed with `numpySeed` or zeros). */
  prng?: Prng;
  /** Turn on this seed's bugs. Default `false`. */
  faithful?: boolean;
  /**
   * Draw the initial parameters as the seed did, with NumPy's legacy
   * generator ({@linkcode RandomState}): `np.random.seed(numpySeed); w =
   * np.random.normal(0, 10, shape); b = np.random.randn(...)`, bit for bit.
   */
  numpySeed?: number;
}

/** `W ~ N(0, 10²)` then `b ~ N(0, 1)` from `np.random.seed(seed)`, in place. */
function numpyNormalInit(model: LinearModel, seed: number): LinearModel {
  const rs = new RandomState(seed);
  rs.normal(model.weights[0].data, 0, 10);
  rs.normal(model.biases[0].data);
  return model;
}

/**
 * Seed 003 Q1a: binary logistic regression "2 vs not-2", 784 → 1 sigmoid,
 * mean binary cross-entropy + λ‖w‖² (λ = 0.1 by default, bias not penalised).
 * `init: "zeros"` (w, b = 0, the seed's first run) or `"normal"` (w ~ N(0,
 * 10²), b ~ N(0, 1), its second; with `numpySeed`, the seed's own draws).
 * `faithful` adds the seed's ε = 1e-40 inside the logs (the gradient was
 * already right).
 *
 * @param options `prng`, `faithful`, `init`, `l2`, `numpySeed`.
 * @returns The {@linkcode LinearModel}; targets are `[n, 1]` of 0/1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { seed003Logistic } from "./seed_models.ts";
 *
 * const net = seed003Logistic({}); // zeros init, λ = 0.1
 * assert.equal(net.predict(Matrix.zeros(1, 784)).get(0, 0), 0.5);
 * const seeds = seed003Logistic({ init: "normal", numpySeed: 1 });
 * assert.equal(seeds.weights[0].get(0, 0), 16.243453636632417); // np.random.seed(1); normal(0, 10)
 * ```
 */
export function seed003Logistic(
  options: Seed003Options & { init?: "zeros" | "normal"; l2?: number },
): LinearModel {
  const zeros = (options.init ?? "zeros") === "zeros" || options.numpySeed !== undefined;
  const model = linearModel({
    inputs: 784,
    outputs: 1,
    output: "sigmoid",
    l2: options.l2 ?? 0.1,
    init: zeros ? { kind: "zeros" } : { kind: "normal", std: 10 },
    biasInit: zeros ? { kind: "zeros" } : { kind: "normal", std: 1 },
    prng: options.prng,
    logEpsilon: options.faithful ? SEED_FAITHFUL.seed003Logistic.logEpsilon : undefined,
  });
  const numpy = options.numpySeed !== undefined && options.init === "normal";
  return numpy ? numpyNormalInit(model, options.numpySeed!) : model;
}

/**
 * Seed 003 Q1b/Q1c: softmax regression 784 → 10, w ~ N(0, 10²), b ~ N(0, 1)
 * (with `numpySeed`, the seed's own draws), mean cross-entropy. `faithful`
 * normalises the softmax over the whole batch and adds the seed's ε = 1e-39
 * inside the log.
 *
 * @param options `prng` or `numpySeed`, `faithful`.
 * @returns The {@linkcode LinearModel}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { sum } from "../tensor/ops.ts";
 * import { seed003Softmax } from "./seed_models.ts";
 *
 * const net = seed003Softmax({ numpySeed: 0, faithful: true });
 * assert.equal(net.weights[0].get(0, 0), 17.64052345967664); // np.random.seed(0); normal(0, 10)
 * // The whole batch sums to 1, not each row.
 * const P = net.predict(Matrix.full(4, 784, 0.1));
 * assert.ok(Math.abs(sum(P) - 1) < 1e-12);
 * ```
 */
export function seed003Softmax(options: Seed003Options): LinearModel {
  const numpy = options.numpySeed !== undefined;
  const model = linearModel({
    inputs: 784,
    outputs: 10,
    output: "softmax",
    init: numpy ? { kind: "zeros" } : { kind: "normal", std: 10 },
    biasInit: numpy ? { kind: "zeros" } : { kind: "normal", std: 1 },
    prng: options.prng,
    logEpsilon: options.faithful ? SEED_FAITHFUL.seed003Softmax.logEpsilon : undefined,
    seedFaithful: options.faithful
      ? { softmaxOverBatch: SEED_FAITHFUL.seed003Softmax.softmaxOverBatch }
      : undefined,
  });
  return numpy ? numpyNormalInit(model, options.numpySeed!) : model;
}

/**
 * Seed 003 Q2: the 784-200-100-10 ReLU/ReLU/softmax inference network, with
 * zero parameters to be filled from the HDF5 file (`loadParams`; the file
 * stores `W [out, in]`, transpose to `[in, out]`).
 *
 * @param options `dtype`.
 * @returns The network.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seed003InferenceNet } from "./seed_models.ts";
 *
 * const net = seed003InferenceNet();
 * assert.deepEqual(net.params.map((p) => p.shape), [[784, 200], [1, 200], [200, 100], [1, 100], [100, 10], [1, 10]]);
 * ```
 */
export function seed003InferenceNet(options: { dtype?: DType } = {}): Mlp {
  return mlp({
    sizes: [784, 200, 100, 10],
    activations: ["relu", "relu", "softmax"],
    loss: "crossEntropy",
    init: { kind: "zeros" },
    dtype: options.dtype,
  });
}

/**
 * Seed 004: 64-200-150-10 ReLU/ReLU/softmax on the 8×8 digits, W and b ~
 * N(0, 0.1²), cross-entropy SUMMED (the seed's epoch loss is the sum over
 * samples; it trained per sample).
 *
 * @param options `prng`, `dtype`, `faithful`.
 * @returns The network.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { seed004Net } from "./seed_models.ts";
 *
 * const net = seed004Net({ prng: new Prng(0) });
 * assert.deepEqual(net.sizes, [64, 200, 150, 10]);
 * assert.equal(net.reduction, "sum");
 * ```
 */
export function seed004Net(options: SeedModelOptions): Mlp {
  const init = { kind: "normal", mean: 0, std: 0.1 } as const;
  return mlp({
    sizes: [64, 200, 150, 10],
    activations: ["relu", "relu", "softmax"],
    loss: "crossEntropy",
    reduction: "sum",
    init,
    biasInit: init,
    prng: options.prng,
    dtype: options.dtype,
    seedFaithful: options.faithful ? SEED_FAITHFUL.seed004 : undefined,
  });
}
