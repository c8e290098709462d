/**
 * General matrix multiply (gemm) on raw row-major arrays: checks the
 * arguments, then runs the active backend (native CBLAS via FFI, or the
 * pure-TypeScript kernel). {@linkcode matmul} is the {@linkcode Matrix}
 * front end most code should call.
 *
 * With a native library every non-empty product goes to its gemm, however
 * small: measured on OpenBLAS 0.3.21 (2 cores), an FFI call costs about
 * 0.2 µs, so native gemm beats the TypeScript kernel even at 4×4×4, and it
 * beats gemv / ger on the per-sample shapes (1×784×150, rank-1 updates),
 * which OpenBLAS threads too eagerly. Tall thin products (`n ≤ 16 < m`,
 * `m·k ≥ 2¹⁸`) are computed transposed (see `gemmThin`). Products with
 * `k = 0` or `alpha = 0` (nothing to multiply) stay in TypeScript.
 *
 * @module
 */

import { dtypeOf, type FloatArray, formatShape } from "../dtypes.ts";
import { nativeBlas } from "./backend.ts";
import { gemmTs } from "./gemm_ts.ts";

function checkDim(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`Cannot run gemm: ${name} must be a non-negative integer, got ${value}`);
  }
}

function checkStored(
  name: string,
  data: FloatArray,
  rows: number,
  cols: number,
  ld: number,
): void {
  // Built only for messages: a string per call would make every gemm allocate.
  const ldName = () => `ld${name.toLowerCase()}`;
  if (!Number.isInteger(ld) || ld < cols) {
    throw new RangeError(
      `Cannot run gemm: ${ldName()} must be an integer of at least ${cols} (columns of ${name} stored as ${
        formatShape([rows, cols])
      }), got ${ld}`,
    );
  }
  const needed = rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
  if (data.length < needed) {
    throw new RangeError(
      `Cannot run gemm: ${name} stored as ${
        formatShape([rows, cols])
      } with ${ldName()} ${ld} needs ${needed} elements, got ${data.length}`,
    );
  }
}

function overlaps(x: FloatArray, y: FloatArray): boolean {
  return x.buffer === y.buffer && x.byteOffset < y.byteOffset + y.byteLength &&
    y.byteOffset < x.byteOffset + x.byteLength;
}

/**
 * Row-major `C = alpha · op(A) · op(B) + beta · C`, where `op(A)` is `[m, k]`,
 * `op(B)` is `[k, n]` and `C` is `[m, n]`. `lda`, `ldb`, `ldc` are the row
 * strides of the arrays as stored (so `A` is stored `[k, m]` when `transA`).
 * Arrays may be `subarray` views. With `beta = 0`, `C` is only written.
 *
 * @param transA Use `Aᵀ`: `A` is stored `[k, m]` instead of `[m, k]`.
 * @param transB Use `Bᵀ`: `B` is stored `[n, k]` instead of `[k, n]`.
 * @param m Rows of `op(A)` and `C`.
 * @param n Columns of `op(B)` and `C`.
 * @param k Columns of `op(A)`, rows of `op(B)`.
 * @param alpha Scale of the product.
 * @param a Stored `A` `[m, k]` (or `[k, m]` with `transA`), row stride `lda`.
 * @param lda Row stride of the stored `A`, at least its column count.
 * @param b Stored `B` `[k, n]` (or `[n, k]` with `transB`), row stride `ldb`.
 * @param ldb Row stride of the stored `B`, at least its column count.
 * @param beta Scale of the existing `C`.
 * @param c `C` `[m, n]`, row stride `ldc`; overwritten. Must not overlap `A` or `B`.
 * @param ldc Row stride of `C`, at least `n`.
 * @throws {RangeError} On negative or fractional sizes, short strides or arrays, or overlap.
 * @throws {TypeError} When the three arrays do not share one dtype.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gemmRaw } from "./gemm.ts";
 *
 * // C = 2 · [[1, 2], [3, 4]] · [[1, 0], [0, 1]] + 1 · C
 * const a = new Float64Array([1, 2, 3, 4]);
 * const eye = new Float64Array([1, 0, 0, 1]);
 * const c = new Float64Array([1, 1, 1, 1]);
 * gemmRaw(false, false, 2, 2, 2, 2, a, 2, eye, 2, 1, c, 2);
 * assert.deepEqual(Array.from(c), [3, 5, 7, 9]);
 * ```
 */
export function gemmRaw(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: FloatArray,
  lda: number,
  b: FloatArray,
  ldb: number,
  beta: number,
  c: FloatArray,
  ldc: number,
): void {
  checkDim("m", m);
  checkDim("n", n);
  checkDim("k", k);
  const isF32 = c instanceof Float32Array;
  if ((a instanceof Float32Array) !== isF32 || (b instanceof Float32Array) !== isF32) {
    throw new TypeError(
      `Cannot run gemm: arrays must share one dtype, got A ${dtypeOf(a)}, B ${dtypeOf(b)}, C ${
        dtypeOf(c)
      }`,
    );
  }
  checkStored("A", a, transA ? k : m, transA ? m : k, lda);
  checkStored("B", b, transB ? n : k, transB ? k : n, ldb);
  checkStored("C", c, m, n, ldc);
  if (m === 0 || n === 0) return;
  if (overlaps(c, a) || overlaps(c, b)) {
    throw new RangeError(
      `Cannot run gemm: C overlaps ${overlaps(c, a) ? "A" : "B"} in memory; pass a separate output`,
    );
  }
  const lib = nativeBlas();
  if (lib === null || k === 0 || alpha === 0) {
    gemmTs(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  if (n <= THIN_MAX_N && m > n && m * k >= THIN_MIN_MK) {
    gemmThin(lib, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  lib.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/** Thin products (`n ≤ THIN_MAX_N < m`, `m·k ≥ THIN_MIN_MK`) go through {@linkcode gemmThin}. */
const THIN_MAX_N = 16;
const THIN_MIN_MK = 1 << 18;

let thinF32 = new Float32Array(0);
let thinF64 = new Float64Array(0);

/**
 * `C = alpha · op(A) · op(B) + beta · C` for a tall, thin `C` (e.g. the
 * 55000×784×10 forward pass or the 784×55000×10 `Xᵀ·dZ` of seed 002),
 * computed as `Cᵀ = alpha · op(B)ᵀ · op(A)ᵀ` into a workspace, then
 * transposed into `C`. OpenBLAS 0.3.21 runs these products that way round
 * up to twice as fast (measured, float64 / float32: 55000×784×10 94 → 66 /
 * 50 → 50 ms; Xᵀ·dZ 784×55000×10 116 → 56 / 93 → 84 ms; 784×60000×16
 * 128 → 64 / 61 → 41 ms), and transposing `m × n` values costs little.
 */
function gemmThin(
  lib: NonNullable<ReturnType<typeof nativeBlas>>,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: FloatArray,
  lda: number,
  b: FloatArray,
  ldb: number,
  beta: number,
  c: FloatArray,
  ldc: number,
): void {
  let t: FloatArray;
  if (c instanceof Float32Array) {
    if (thinF32.length < m * n) thinF32 = new Float32Array(m * n);
    t = thinF32;
  } else {
    if (thinF64.length < m * n) thinF64 = new Float64Array(m * n);
    t = thinF64;
  }
  // T [n, m] = op(B)ᵀ · op(A)ᵀ: a stored [k, n] B is op(B)ᵀ transposed, and so on.
  lib.gemm(!transB, !transA, n, m, k, alpha, b, ldb, a, lda, 0, t, m);
  for (let i = 0; i < m; i++) {
    const o = i * ldc;
    if (beta === 0) {
      for (let j = 0; j < n; j++) c[o + j] = t[j * m + i];
    } else {
      for (let j = 0; j < n; j++) c[o + j] = t[j * m + i] + beta * c[o + j];
    }
  }
}
