/**
 * Finite-difference gradient check: compares a model's back-propagated
 * gradients with central differences of its loss, in Float64, over every
 * parameter (or a random subset of each large one).
 *
 * For each checked entry θ: `numeric = (L(θ + ε) − L(θ − ε)) / 2ε` and
 * `relative error = |analytic − numeric| / max(|analytic| + |numeric|, floor)`.
 * With ε = 1e-6 in Float64 a correct gradient scores ≲ 1e-7; a wrong formula
 * scores ≳ 1e-2.
 *
 * @module
 */

import type { Prng } from "../random.ts";
import type { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../tensor/matrix.ts";
import type { Model } from "./model.ts";

/** Options of {@linkcode gradcheck}. */
export interface GradcheckOptions {
  /** Step ε of the central difference. Default 1e-6. */
  epsilon?: number;
  /**
   * Check at most this many entries per parameter, drawn with `prng`
   * (without replacement); default all entries.
   */
  maxPerParam?: number;
  /** Needed when `maxPerParam` is smaller than a parameter. */
  prng?: Prng;
  /**
   * Denominator floor: entries where both gradients are below it in
   * magnitude are compared absolutely. Default 1e-8.
   */
  floor?: number;
}

/** Result for one parameter. */
export interface ParamCheck {
  /** Index in `model.params`. */
  index: number;
  /** Shape of the parameter. */
  shape: [number, number];
  /** Number of entries checked. */
  checked: number;
  /** Largest relative error among them. */
  maxRelError: number;
  /** Flat index of the worst entry. */
  worstEntry: number;
  /** Analytic and numeric gradient at the worst entry. */
  worst: { analytic: number; numeric: number };
}

/** Result of {@linkcode gradcheck}. */
export interface GradcheckResult {
  /** Largest relative error over every checked entry. */
  maxRelError: number;
  /** Per-parameter details, in `model.params` order. */
  params: ParamCheck[];
}

/**
 * Checks `model.lossAndGrad` against central differences of `model.loss`.
 *
 * The model must hold Float64 parameters (Float32 rounding swamps the
 * difference). Parameters are restored exactly afterwards.
 *
 * @param model Any {@linkcode Model} with float64 parameters.
 * @param batch `{ X [n, in], Y [n, out] }`, the data the loss is measured on.
 * @param options ε, subset size and prng.
 * @returns The max relative error and per-parameter details.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { mlp } from "./mlp.ts";
 * import { gradcheck } from "./gradcheck.ts";
 *
 * const prng = new Prng(3);
 * const net = mlp({ sizes: [3, 4, 2], activations: ["tanh", "softmax"], loss: "crossEntropy", prng });
 * const X = Matrix.from([[0.1, -0.2, 0.3], [0.5, 0.1, -0.4]]), Y = Matrix.from([[1, 0], [0, 1]]);
 * assert.ok(gradcheck(net, { X, Y }).maxRelError < 1e-6);
 * ```
 */
export function gradcheck(
  model: Model,
  batch: { X: Matrix; Y: Matrix },
  options: GradcheckOptions = {},
): GradcheckResult {
  const eps = options.epsilon ?? 1e-6, floor = options.floor ?? 1e-8;
  const { X, Y } = batch;
  model.params.forEach((p, i) => {
    if (p.dtype !== "float64") {
      throw new TypeError(
        `Cannot check gradients: parameter ${i} ${
          formatShape(p.shape)
        } must be float64, got ${p.dtype}`,
      );
    }
  });
  model.lossAndGrad(X, Y);
  const analytic = model.grads.map((g) => Float64Array.from(g.data));
  const params: ParamCheck[] = [];
  let maxRelError = 0;
  model.params.forEach((P, index) => {
    const entries = pickEntries(P.size, options.maxPerParam, options.prng, index);
    const w = P.data;
    let worst = 0, worstEntry = -1, worstPair = { analytic: 0, numeric: 0 };
    for (const e of entries) {
      const saved = w[e];
      w[e] = saved + eps;
      const up = model.loss(X, Y);
      w[e] = saved - eps;
      const down = model.loss(X, Y);
      w[e] = saved;
      const numeric = (up - down) / (2 * eps);
      const a = analytic[index][e];
      const rel = Math.abs(a - numeric) / Math.max(Math.abs(a) + Math.abs(numeric), floor);
      if (rel > worst || Number.isNaN(rel) || worstEntry < 0) {
        worst = Number.isNaN(rel) ? Infinity : rel;
        worstEntry = e;
        worstPair = { analytic: a, numeric };
      }
    }
    params.push({
      index,
      shape: [P.rows, P.cols],
      checked: entries.length,
      maxRelError: worst,
      worstEntry,
      worst: worstPair,
    });
    if (worst > maxRelError) maxRelError = worst;
  });
  return { maxRelError, params };
}

function pickEntries(
  size: number,
  maxPerParam: number | undefined,
  prng: Prng | undefined,
  index: number,
): number[] {
  if (maxPerParam === undefined || maxPerParam >= size) {
    return Array.from({ length: size }, (_, i) => i);
  }
  if (prng === undefined) {
    throw new TypeError(
      `Cannot check gradients: parameter ${index} has ${size} entries, more than maxPerParam ${maxPerParam}, so option prng is required`,
    );
  }
  return Array.from(prng.permutation(size).subarray(0, maxPerParam));
}
