/**
 * Named calls into the native elementwise kernels (`kernels.c`) for the
 * layers above, which keep the textbook loop: each returns `true` when it
 * has computed the result natively, `false` when the kernels are not loaded
 * (or the arrays do not fit one kernel), and the caller then runs its own
 * loop, e.g. `if (nativeSigmoid(Z.data, A.data)) return A;`. Native
 * `exp`/`tanh` run 4 or 8 at a time (glibc's libmvec) and agree with
 * `Math.exp`/`Math.tanh` loops to a few units in the last place; relu, its
 * backward and the column sums agree bit for bit.
 *
 * @module
 */

import { nativeKernels } from "./build.ts";

type Floats = Float32Array | Float64Array;

/**
 * `a = 1 / (1 + e^(−z))` elementwise (`a` may be `z`).
 *
 * @param z Inputs.
 * @param a Output, as long as `z` and of its type.
 * @returns Whether it ran natively.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadNativeKernels, nativeBackend, nativeSigmoid } from "./mod.ts";
 *
 * await loadNativeKernels();
 * const a = new Float64Array(1);
 * assert.equal(nativeSigmoid(new Float64Array([0]), a), nativeBackend().name === "native");
 * if (nativeBackend().name === "native") assert.equal(a[0], 0.5);
 * ```
 */
export function nativeSigmoid(z: Floats, a: Floats): boolean {
  return unary("sigmoid", z, a);
}

/**
 * `a = tanh(z)` elementwise (`a` may be `z`).
 *
 * @param z Inputs.
 * @param a Output, as long as `z` and of its type.
 * @returns Whether it ran natively.
 */
export function nativeTanh(z: Floats, a: Floats): boolean {
  return unary("tanh", z, a);
}

/**
 * `a[i·stride + j] = tanh(z[i·cols + j])`: tanh of `[rows, cols]` written
 * into rows `stride` apart (seed 001's hidden layer, after its ones column).
 *
 * @param z Inputs `[rows, cols]`.
 * @param a Output, `rows` rows `stride` apart, of `z`'s type.
 * @param rows Rows.
 * @param cols Columns of `z`.
 * @param stride Distance between the rows of `a`.
 * @returns Whether it ran natively.
 */
export function nativeTanhRows(
  z: Floats,
  a: Floats,
  rows: number,
  cols: number,
  stride: number,
): boolean {
  const native = nativeKernels();
  if (native === null) return false;
  const kernel = z instanceof Float32Array
    ? native.nnkit_tanh_rows_f32
    : native.nnkit_tanh_rows_f64;
  kernel(z, a, rows, cols, stride);
  return true;
}

/**
 * `a = max(z, 0)` elementwise (`a` may be `z`).
 *
 * @param z Inputs.
 * @param a Output, as long as `z` and of its type.
 * @returns Whether it ran natively.
 */
export function nativeRelu(z: Floats, a: Floats): boolean {
  return unary("relu", z, a);
}

/**
 * `d = a > 0 ? g : 0` elementwise (relu's backward).
 *
 * @param a Forward outputs.
 * @param g Upstream gradient, as long as `a`.
 * @param d Output, as long as `a` (may be `g`).
 * @returns Whether it ran natively (`false` also when the three differ in type).
 */
export function nativeReluBackward(a: Floats, g: Floats, d: Floats): boolean {
  const native = nativeKernels();
  if (native === null) return false;
  if (a instanceof Float32Array && g instanceof Float32Array) {
    native.nnkit_relu_backward_f32(a, g, d, a.length);
  } else if (a instanceof Float64Array && g instanceof Float64Array) {
    native.nnkit_relu_backward_f64(a, g, d, a.length);
  } else {
    return false;
  }
  return true;
}

/**
 * Row-wise softmax of `z [rows, cols]` into `p` (may be `z`), the row
 * maximum subtracted first.
 *
 * @param z Logits `[rows, cols]`.
 * @param p Output `[rows, cols]` of `z`'s type.
 * @param rows Rows.
 * @param cols Columns (`0` returns `false`).
 * @returns Whether it ran natively.
 */
export function nativeSoftmaxRows(z: Floats, p: Floats, rows: number, cols: number): boolean {
  const native = nativeKernels();
  if (native === null || cols === 0) return false;
  if (z instanceof Float32Array) native.nnkit_softmax_rows_f32(z, p, rows, cols);
  else native.nnkit_softmax_rows_f64(z, p, rows, cols);
  return true;
}

/**
 * Column sums `c[j] = Σᵢ x[i·cols + j]` of `x [rows, cols]`, rows added in
 * order (the same additions as the textbook loop).
 *
 * @param x Matrix `[rows, cols]`.
 * @param rows Rows.
 * @param cols Columns.
 * @param c Output `[cols]` (`false` when its type differs from `x`'s).
 * @returns Whether it ran natively.
 */
export function nativeColSums(x: Floats, rows: number, cols: number, c: Floats): boolean {
  const native = nativeKernels();
  if (native === null) return false;
  if (x instanceof Float32Array && c instanceof Float32Array) {
    native.nnkit_col_sums_f32(x, rows, cols, c);
  } else if (x instanceof Float64Array && c instanceof Float64Array) {
    native.nnkit_col_sums_f64(x, rows, cols, c);
  } else {
    return false;
  }
  return true;
}

/** The unary elementwise kernels, by name: `[float32, float64]` symbols. */
const UNARY = {
  sigmoid: ["nnkit_sigmoid_f32", "nnkit_sigmoid_f64"],
  tanh: ["nnkit_tanh_f32", "nnkit_tanh_f64"],
  relu: ["nnkit_relu_f32", "nnkit_relu_f64"],
} as const;

/** Runs the unary kernel `name` of `z`'s type on `z` into `a`; `false` without the kernels. */
function unary(name: keyof typeof UNARY, z: Floats, a: Floats): boolean {
  const native = nativeKernels();
  if (native === null) return false;
  const [f32, f64] = UNARY[name];
  native[z instanceof Float32Array ? f32 : f64](z, a, z.length);
  return true;
}
