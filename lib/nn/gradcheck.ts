/**
 * Finite-difference gradient check: compares a model's back-propagated
 * gradients with central differences of its loss, in Float64, over every
 * parameter (or a random subset of each large one).
 *
 * For each checked entry θ the numeric derivative is the fourth-order central
 * difference `[8(L(θ+h) − L(θ−h)) − (L(θ+2h) − L(θ−2h))] / 12h` (truncation
 * error O(h⁴), so h = 1e-4 keeps both truncation and rounding near 1e-12),
 * and `relative error = |analytic − numeric| / max(|analytic| + |numeric|,
 * floor)`, where `floor = floorFraction · max |numeric|` over that parameter:
 * entries a thousand times smaller than the parameter's largest derivative
 * are judged against that scale, because no finite difference resolves them
 * relatively. A correct gradient scores ≲ 1e-8; a wrong formula ≳ 1e-2. The
 * norm-wise error `‖a − n‖ / (‖a‖ + ‖n‖)` is reported too.
 *
 * @module
 */

import type { Prng } from "../random.ts";
import type { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../dtypes.ts";
import type { Model } from "./model.ts";

/** Options of {@linkcode gradcheck}. */
export interface GradcheckOptions {
  /** Step h of the central difference. Default 1e-4. */
  epsilon?: number;
  /**
   * Check at most this many entries per parameter, drawn with `prng`
   * (without replacement); default all entries.
   */
  maxPerParam?: number;
  /** Needed when `maxPerParam` is smaller than a parameter. */
  prng?: Prng;
  /**
   * Denominator floor as a fraction of the parameter's largest |numeric|
   * derivative (at least 1e-12 absolute). Default 1e-3.
   */
  floorFraction?: number;
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
  /** Norm-wise relative error `‖a − n‖ / (‖a‖ + ‖n‖)` over them (0 when both vanish). */
  normRelError: number;
  /** Flat index of the worst entry. */
  worstEntry: number;
  /** Analytic and numeric gradient at the worst entry. */
  worst: { analytic: number; numeric: number };
}

/** Result of {@linkcode gradcheck}. */
export interface GradcheckResult {
  /** Largest relative error over every checked entry. */
  maxRelError: number;
  /** Largest per-parameter norm-wise relative error. */
  normRelError: number;
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
  const h = options.epsilon ?? 1e-4, fraction = options.floorFraction ?? 1e-3;
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
  let maxRelError = 0, normRelError = 0;
  model.params.forEach((P, index) => {
    const entries = pickEntries(P.size, options.maxPerParam, options.prng, index);
    const w = P.data;
    const lossAt = (e: number, value: number) => {
      w[e] = value;
      return model.loss(X, Y);
    };
    const numeric = entries.map((e) => {
      const saved = w[e];
      const d1 = lossAt(e, saved + h) - lossAt(e, saved - h);
      const d2 = lossAt(e, saved + 2 * h) - lossAt(e, saved - 2 * h);
      w[e] = saved;
      return (8 * d1 - d2) / (12 * h);
    });
    const floor = Math.max(fraction * numeric.reduce((m, v) => Math.max(m, Math.abs(v)), 0), 1e-12);
    let worst = 0, worstEntry = -1, worstPair = { analytic: 0, numeric: 0 };
    let diff2 = 0, a2 = 0, n2 = 0;
    entries.forEach((e, k) => {
      const a = analytic[index][e], n = numeric[k];
      diff2 += (a - n) ** 2;
      a2 += a * a;
      n2 += n * n;
      const rel = Math.abs(a - n) / Math.max(Math.abs(a) + Math.abs(n), floor);
      if (rel > worst || Number.isNaN(rel) || worstEntry < 0) {
        worst = Number.isNaN(rel) ? Infinity : rel;
        worstEntry = e;
        worstPair = { analytic: a, numeric: n };
      }
    });
    const denom = Math.sqrt(a2) + Math.sqrt(n2);
    const norm = denom === 0 ? 0 : Math.sqrt(diff2) / denom;
    params.push({
      index,
      shape: [P.rows, P.cols],
      checked: entries.length,
      maxRelError: worst,
      normRelError: Number.isNaN(norm) ? Infinity : norm,
      worstEntry,
      worst: worstPair,
    });
    if (worst > maxRelError) maxRelError = worst;
    if (!(norm <= normRelError)) normRelError = Number.isNaN(norm) ? Infinity : norm;
  });
  return { maxRelError, normRelError, params };
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
