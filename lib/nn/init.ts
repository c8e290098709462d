/**
 * Parameter initialisers: normal(μ, σ), uniform(a, b), zeros, He and Glorot,
 * each drawing from a passed {@linkcode Prng} so every run is repeatable.
 *
 * An initialiser is a plain description (`{ kind: "normal", std: 0.1 }`),
 * applied to a matrix with {@linkcode initialize}. Fan-in and fan-out for He
 * and Glorot default to the rows and columns of a batch-first weight matrix
 * `W: [in, out]`.
 *
 * @module
 */

import type { Prng } from "../random.ts";
import { Matrix } from "../tensor/matrix.ts";
import { type DType, formatShape } from "../dtypes.ts";

/** How to fill a parameter matrix. */
export type Init =
  /** Normal draws, N(mean, std²) (seeds 000, 001, 003, 004). */
  | { kind: "normal"; mean?: number; std: number }
  /** Uniform draws in [low, high) (seed 002: U(−0.5, 0.5)). */
  | { kind: "uniform"; low: number; high: number }
  /** All zeros (seed 003 Q1a's first run). */
  | { kind: "zeros" }
  /** He normal: N(0, 2 / fanIn), for ReLU layers. */
  | { kind: "he" }
  /** Glorot (Xavier) uniform: U(±√(6 / (fanIn + fanOut))), for sigmoid/tanh layers. */
  | { kind: "glorot" };

/** Options of {@linkcode initialize}. */
export interface InitializeOptions {
  /** Source of randomness; required for every kind but `"zeros"`. */
  prng?: Prng;
  /** Fan-in for He/Glorot; default `W.rows` (batch-first `[in, out]`). */
  fanIn?: number;
  /** Fan-out for Glorot; default `W.cols`. */
  fanOut?: number;
}

/**
 * Fills `W` in place (row-major order) as `init` describes and returns it.
 *
 * @param W Matrix to fill, any shape (`[in, out]` for a weight).
 * @param init The initialiser.
 * @returns `W`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { initialize } from "./init.ts";
 *
 * const W = initialize(Matrix.zeros(3, 4), { kind: "uniform", low: -0.5, high: 0.5 }, {
 *   prng: new Prng(1),
 * });
 * assert.ok(W.data.every((w) => w >= -0.5 && w < 0.5));
 * const again = initialize(Matrix.zeros(3, 4), { kind: "uniform", low: -0.5, high: 0.5 }, {
 *   prng: new Prng(1),
 * });
 * assert.deepEqual(again.data, W.data);
 * ```
 */
export function initialize(W: Matrix, init: Init, options: InitializeOptions = {}): Matrix {
  if (init.kind === "zeros") {
    W.data.fill(0);
    return W;
  }
  const prng = options.prng;
  if (prng === undefined) {
    throw new TypeError(
      `Cannot initialise matrix ${formatShape(W.shape)} with ${init.kind}: option prng is required`,
    );
  }
  const fanIn = options.fanIn ?? W.rows, fanOut = options.fanOut ?? W.cols;
  switch (init.kind) {
    case "normal":
      checkFinite("std", init.std);
      prng.fillNormal(W.data, init.mean ?? 0, init.std);
      return W;
    case "uniform":
      if (!(init.low <= init.high)) {
        throw new RangeError(
          `Cannot initialise uniform: expected low <= high, got ${init.low} and ${init.high}`,
        );
      }
      prng.fillUniform(W.data, init.low, init.high);
      return W;
    case "he":
      prng.fillNormal(W.data, 0, Math.sqrt(2 / positive("fanIn", fanIn)));
      return W;
    case "glorot": {
      const a = Math.sqrt(6 / positive("fanIn + fanOut", fanIn + fanOut));
      prng.fillUniform(W.data, -a, a);
      return W;
    }
    default:
      throw new TypeError(
        `Cannot initialise matrix: unknown init kind ${String((init as { kind: unknown }).kind)}`,
      );
  }
}

/**
 * A new `[rows, cols]` matrix filled by `init`.
 *
 * @param rows Number of rows (`in` for a batch-first weight).
 * @param cols Number of columns (`out`).
 * @param init The initialiser.
 * @param options `prng`, `dtype` (default `"float64"`), fan overrides.
 * @returns The new matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { initMatrix } from "./init.ts";
 *
 * const W = initMatrix(784, 10, { kind: "normal", std: 10 }, { prng: new Prng(0), dtype: "float32" });
 * assert.deepEqual(W.shape, [784, 10]);
 * assert.equal(W.dtype, "float32");
 * ```
 */
export function initMatrix(
  rows: number,
  cols: number,
  init: Init,
  options: InitializeOptions & { dtype?: DType } = {},
): Matrix {
  return initialize(Matrix.zeros(rows, cols, options.dtype ?? "float64"), init, options);
}

function checkFinite(name: string, x: number): void {
  if (!Number.isFinite(x) || x < 0) {
    throw new RangeError(`Cannot initialise normal: ${name} must be finite and >= 0, got ${x}`);
  }
}

function positive(name: string, x: number): number {
  if (!(x > 0)) throw new RangeError(`Cannot initialise: ${name} must be positive, got ${x}`);
  return x;
}
