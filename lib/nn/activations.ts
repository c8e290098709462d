/**
 * Activation functions with their backward passes side by side: sigmoid
 * (numerically stable), tanh, ReLU, identity and a row-wise softmax that
 * neither overflows nor underflows to NaN. (The seeds' wrong softmax
 * formulas, `softmaxOverBatch` and softmax′, are in `seed_bugs.ts`.)
 *
 * Every forward takes the pre-activations `Z` `[n, units]` (one row per
 * sample) and an optional `out` workspace; every backward takes the upstream
 * gradient `dA = ∂L/∂A` and returns `dZ = ∂L/∂Z`. Passing `dA` itself as
 * `out` makes a backward in-place. Backwards take the forward's *output* `A`
 * (cheaper than recomputing from `Z`) and their docs state the derivative.
 *
 * @module
 */

import type { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../dtypes.ts";
import { ensureOut } from "../tensor/ops.ts";
import {
  nativeRelu,
  nativeReluBackward,
  nativeSigmoid,
  nativeSoftmaxRows,
  nativeTanh,
} from "../native/elementwise.ts";

/**
 * Matrices of at least this many elements go through the native kernels
 * (`native/kernels.c`: glibc's vector exp, 4 or 8 at a time) once they are
 * loaded (`loadNativeKernels()`, which `train()` calls); smaller ones, and
 * all of them without a C compiler, through the TypeScript loops here. The
 * two agree to a few units in the last place. A call costs ~0.05 µs, so
 * native is faster at any size (softmax of 128 × 10: 1.6 µs against
 * 14.6 µs); the bound keeps single samples (seeds 000 and 004 train one at
 * a time) on the TypeScript loops, whose results do not depend on libmvec.
 */
export const NATIVE_MIN_SIZE = 1024;

/** Names of the activations a layer can use. `"linear"` is the identity. */
export type ActivationName = "sigmoid" | "tanh" | "relu" | "softmax" | "linear";

/** Every {@linkcode ActivationName}, for validation and test matrices. */
export const ACTIVATION_NAMES: readonly ActivationName[] = [
  "sigmoid",
  "tanh",
  "relu",
  "softmax",
  "linear",
];

function sameShape(op: string, A: Matrix, B: Matrix): void {
  if (A.rows !== B.rows || A.cols !== B.cols) {
    throw new RangeError(
      `Cannot ${op}: shapes differ, got ${formatShape(A.shape)} and ${formatShape(B.shape)}`,
    );
  }
}

/**
 * Logistic sigmoid `σ(z) = 1 / (1 + e^(−z))`, computed as `e^z / (1 + e^z)`
 * for negative `z` so that it never overflows (σ(−1000) = 0, σ(1000) = 1).
 * Inputs of {@linkcode NATIVE_MIN_SIZE} elements or more run natively as
 * `1 / (1 + e^(−z))` (IEEE infinity gives 0 there), 4 or 8 exponentials at a time.
 *
 * @param Z Pre-activations `[n, units]`.
 * @param out Optional `[n, units]` workspace (may be `Z`).
 * @returns `A = σ(Z)`, `[n, units]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { sigmoid } from "./activations.ts";
 *
 * assert.deepEqual(sigmoid(Matrix.from([[0, -1000, 1000]])).toArray(), [[0.5, 0, 1]]);
 * ```
 */
export function sigmoid(Z: Matrix, out?: Matrix): Matrix {
  const A = ensureOut("apply sigmoid", out, Z.rows, Z.cols, Z.dtype);
  if (Z.size >= NATIVE_MIN_SIZE && nativeSigmoid(Z.data, A.data)) return A;
  const z = Z.data, a = A.data;
  for (let i = 0; i < z.length; i++) {
    const x = z[i];
    if (x >= 0) {
      a[i] = 1 / (1 + Math.exp(-x));
    } else {
      const e = Math.exp(x);
      a[i] = e / (1 + e);
    }
  }
  return A;
}

/**
 * Backward of {@linkcode sigmoid}: `dZ = dA ⊙ σ′(Z)` with
 * `σ′(z) = σ(z)(1 − σ(z)) = A(1 − A)`.
 *
 * @param A Forward output `σ(Z)`, `[n, units]`.
 * @param dA Upstream gradient `∂L/∂A`, `[n, units]`.
 * @param out Optional `[n, units]` workspace (may be `dA`).
 * @returns `dZ`, `[n, units]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { sigmoidBackward } from "./activations.ts";
 *
 * const dZ = sigmoidBackward(Matrix.from([[0.5]]), Matrix.from([[2]]));
 * assert.equal(dZ.get(0, 0), 0.5); // 2 · 0.5 · 0.5
 * ```
 */
export function sigmoidBackward(A: Matrix, dA: Matrix, out?: Matrix): Matrix {
  sameShape("back-propagate through sigmoid", A, dA);
  const dZ = ensureOut("back-propagate through sigmoid", out, A.rows, A.cols, A.dtype);
  const a = A.data, g = dA.data, d = dZ.data;
  for (let i = 0; i < a.length; i++) d[i] = g[i] * a[i] * (1 - a[i]);
  return dZ;
}

/**
 * Hyperbolic tangent, elementwise (large inputs natively, like {@linkcode sigmoid}).
 *
 * @param Z Pre-activations `[n, units]`.
 * @param out Optional `[n, units]` workspace (may be `Z`).
 * @returns `A = tanh(Z)`, `[n, units]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { tanh } from "./activations.ts";
 *
 * assert.deepEqual(tanh(Matrix.from([[0, -1000, 1000]])).toArray(), [[0, -1, 1]]);
 * ```
 */
export function tanh(Z: Matrix, out?: Matrix): Matrix {
  const A = ensureOut("apply tanh", out, Z.rows, Z.cols, Z.dtype);
  if (Z.size >= NATIVE_MIN_SIZE && nativeTanh(Z.data, A.data)) return A;
  const z = Z.data, a = A.data;
  for (let i = 0; i < z.length; i++) a[i] = Math.tanh(z[i]);
  return A;
}

/**
 * Backward of {@linkcode tanh}: `dZ = dA ⊙ (1 − tanh²(Z)) = dA ⊙ (1 − A²)`.
 *
 * @param A Forward output `tanh(Z)`, `[n, units]`.
 * @param dA Upstream gradient `∂L/∂A`, `[n, units]`.
 * @param out Optional `[n, units]` workspace (may be `dA`).
 * @returns `dZ`, `[n, units]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { tanhBackward } from "./activations.ts";
 *
 * assert.equal(tanhBackward(Matrix.from([[0.5]]), Matrix.from([[4]])).get(0, 0), 3);
 * ```
 */
export function tanhBackward(A: Matrix, dA: Matrix, out?: Matrix): Matrix {
  sameShape("back-propagate through tanh", A, dA);
  const dZ = ensureOut("back-propagate through tanh", out, A.rows, A.cols, A.dtype);
  const a = A.data, g = dA.data, d = dZ.data;
  for (let i = 0; i < a.length; i++) d[i] = g[i] * (1 - a[i] * a[i]);
  return dZ;
}

/**
 * Rectified linear unit `max(z, 0)`, elementwise (NaN stays NaN).
 *
 * @param Z Pre-activations `[n, units]`.
 * @param out Optional `[n, units]` workspace (may be `Z`).
 * @returns `A = max(Z, 0)`, `[n, units]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { relu } from "./activations.ts";
 *
 * assert.deepEqual(relu(Matrix.from([[-2, 0, 3]])).toArray(), [[0, 0, 3]]);
 * ```
 */
export function relu(Z: Matrix, out?: Matrix): Matrix {
  const A = ensureOut("apply relu", out, Z.rows, Z.cols, Z.dtype);
  if (Z.size >= NATIVE_MIN_SIZE && nativeRelu(Z.data, A.data)) return A;
  const z = Z.data, a = A.data;
  for (let i = 0; i < z.length; i++) {
    const x = z[i];
    a[i] = x < 0 ? 0 : x;
  }
  return A;
}

/**
 * Backward of {@linkcode relu}: `dZ = dA ⊙ [Z > 0]` (the derivative at 0 is
 * taken as 0). `A > 0` exactly where `Z > 0`, so either may be passed.
 *
 * @param A Forward output `max(Z, 0)` (or `Z`), `[n, units]`.
 * @param dA Upstream gradient `∂L/∂A`, `[n, units]`.
 * @param out Optional `[n, units]` workspace (may be `dA`).
 * @returns `dZ`, `[n, units]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { reluBackward } from "./activations.ts";
 *
 * const dZ = reluBackward(Matrix.from([[0, 2]]), Matrix.from([[5, 5]]));
 * assert.deepEqual(dZ.toArray(), [[0, 5]]);
 * ```
 */
export function reluBackward(A: Matrix, dA: Matrix, out?: Matrix): Matrix {
  sameShape("back-propagate through relu", A, dA);
  const dZ = ensureOut("back-propagate through relu", out, A.rows, A.cols, A.dtype);
  if (A.size >= NATIVE_MIN_SIZE && nativeReluBackward(A.data, dA.data, dZ.data)) return dZ;
  const a = A.data, g = dA.data, d = dZ.data;
  for (let i = 0; i < a.length; i++) d[i] = a[i] > 0 ? g[i] : 0;
  return dZ;
}

/**
 * Row-wise softmax `pᵢⱼ = e^(zᵢⱼ − mᵢ) / Σₖ e^(zᵢₖ − mᵢ)` with `mᵢ` the row
 * maximum, so the largest exponent is `e⁰ = 1`: no overflow, no 0/0, each row
 * sums to 1 even for inputs of ±1000.
 * Large inputs run natively, like {@linkcode sigmoid}.
 *
 * @param Z Logits `[n, classes]`, one row per sample.
 * @param out Optional `[n, classes]` workspace (may be `Z`).
 * @returns Probabilities `P`, `[n, classes]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { softmax } from "./activations.ts";
 *
 * const P = softmax(Matrix.from([[1000, 1000], [-1000, 1000]]));
 * assert.deepEqual(P.toArray(), [[0.5, 0.5], [0, 1]]);
 * ```
 */
export function softmax(Z: Matrix, out?: Matrix): Matrix {
  const P = ensureOut("apply softmax", out, Z.rows, Z.cols, Z.dtype);
  if (Z.size >= NATIVE_MIN_SIZE && nativeSoftmaxRows(Z.data, P.data, Z.rows, Z.cols)) return P;
  const z = Z.data, p = P.data, k = Z.cols;
  for (let o = 0; o < z.length; o += k) {
    let m = z[o];
    for (let j = 1; j < k; j++) if (z[o + j] > m) m = z[o + j];
    let s = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(z[o + j] - m);
      p[o + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < k; j++) p[o + j] *= inv;
  }
  return P;
}

/**
 * Backward of {@linkcode softmax} (the full Jacobian–vector product):
 * `dZᵢⱼ = pᵢⱼ (dAᵢⱼ − Σₖ pᵢₖ dAᵢₖ)`, from `∂pⱼ/∂zₖ = pⱼ(δⱼₖ − pₖ)`.
 * With cross-entropy this collapses to `P − Y`; use
 * `softmaxCrossEntropyBackward` for that fused case.
 *
 * @param P Forward output `softmax(Z)`, `[n, classes]`.
 * @param dA Upstream gradient `∂L/∂P`, `[n, classes]`.
 * @param out Optional `[n, classes]` workspace (may be `dA`).
 * @returns `dZ`, `[n, classes]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { softmaxBackward } from "./activations.ts";
 *
 * // A constant upstream gradient cannot change a softmax: dZ = 0.
 * const dZ = softmaxBackward(Matrix.from([[0.25, 0.75]]), Matrix.from([[3, 3]]));
 * assert.deepEqual(dZ.toArray(), [[0, 0]]);
 * ```
 */
export function softmaxBackward(P: Matrix, dA: Matrix, out?: Matrix): Matrix {
  sameShape("back-propagate through softmax", P, dA);
  const dZ = ensureOut("back-propagate through softmax", out, P.rows, P.cols, P.dtype);
  const p = P.data, g = dA.data, d = dZ.data, k = P.cols;
  for (let o = 0; o < p.length; o += k) {
    let dot = 0;
    for (let j = 0; j < k; j++) dot += p[o + j] * g[o + j];
    for (let j = 0; j < k; j++) d[o + j] = p[o + j] * (g[o + j] - dot);
  }
  return dZ;
}

/**
 * Identity activation (`"linear"`): copies `Z` into `out` (or returns `Z`
 * itself when no `out` is given).
 *
 * @param Z Pre-activations `[n, units]`.
 * @param out Optional `[n, units]` workspace.
 * @returns `A = Z`.
 */
export function linear(Z: Matrix, out?: Matrix): Matrix {
  if (out === undefined || out === Z) return Z;
  sameShape("apply linear activation", Z, out);
  out.data.set(Z.data);
  return out;
}

/**
 * Backward of {@linkcode linear}: `dZ = dA` (the derivative of the identity is 1).
 *
 * @param dA Upstream gradient `[n, units]`.
 * @param out Optional `[n, units]` workspace.
 * @returns `dZ = dA`.
 */
export function linearBackward(dA: Matrix, out?: Matrix): Matrix {
  return linear(dA, out);
}

/**
 * Applies the named activation: `A = f(Z)`.
 *
 * @param name Which activation.
 * @param Z Pre-activations `[n, units]`.
 * @param out Optional `[n, units]` workspace (may be `Z`).
 * @returns `A`, `[n, units]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { activationForward } from "./activations.ts";
 *
 * assert.deepEqual(activationForward("relu", Matrix.from([[-1, 1]])).toArray(), [[0, 1]]);
 * ```
 */
export function activationForward(name: ActivationName, Z: Matrix, out?: Matrix): Matrix {
  switch (name) {
    case "sigmoid":
      return sigmoid(Z, out);
    case "tanh":
      return tanh(Z, out);
    case "relu":
      return relu(Z, out);
    case "softmax":
      return softmax(Z, out);
    case "linear":
      return linear(Z, out);
    default:
      throw new TypeError(
        `Cannot apply activation: expected one of ${ACTIVATION_NAMES.join(", ")}, got ${
          String(name)
        }`,
      );
  }
}

/**
 * Back-propagates through the named activation: `dZ = ∂L/∂Z` from
 * `dA = ∂L/∂A` and the forward output `A` (see each activation's backward
 * for its derivative).
 *
 * @param name Which activation.
 * @param A Forward output `f(Z)`, `[n, units]`.
 * @param dA Upstream gradient `[n, units]`.
 * @param out Optional `[n, units]` workspace (may be `dA`).
 * @returns `dZ`, `[n, units]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { activationBackward } from "./activations.ts";
 *
 * const dZ = activationBackward("tanh", Matrix.from([[0]]), Matrix.from([[2]]));
 * assert.equal(dZ.get(0, 0), 2);
 * ```
 */
export function activationBackward(
  name: ActivationName,
  A: Matrix,
  dA: Matrix,
  out?: Matrix,
): Matrix {
  switch (name) {
    case "sigmoid":
      return sigmoidBackward(A, dA, out);
    case "tanh":
      return tanhBackward(A, dA, out);
    case "relu":
      return reluBackward(A, dA, out);
    case "softmax":
      return softmaxBackward(A, dA, out);
    case "linear":
      sameShape("back-propagate through linear activation", A, dA);
      return linearBackward(dA, out);
    default:
      throw new TypeError(
        `Cannot back-propagate through activation: expected one of ${
          ACTIVATION_NAMES.join(", ")
        }, got ${String(name)}`,
      );
  }
}
