/**
 * Matrix products on {@linkcode Matrix}: `C = alpha · op(A) · op(B) + beta · C`
 * where `op` optionally transposes, so backprop's `A·Bᵀ` and `Aᵀ·B` never
 * build a transpose.
 *
 * @module
 */

import { Matrix } from "./matrix.ts";
import { formatShape } from "../dtypes.ts";
import { gemmRaw } from "../blas/mod.ts";

/** Options of {@linkcode matmul}. */
export interface MatmulOptions {
  /** Use `Aᵀ` instead of `A`. Default `false`. */
  transA?: boolean;
  /** Use `Bᵀ` instead of `B`. Default `false`. */
  transB?: boolean;
  /** Scale of the product. Default `1`. */
  alpha?: number;
  /** Scale of the existing `out` added to the product. Default `0`. */
  beta?: number;
  /** Output `[m, n]`; allocated when absent. Must not alias `A` or `B`. */
  out?: Matrix;
}

/**
 * `out = alpha · op(A) · op(B) + beta · out`.
 *
 * @param A `[m, k]` (or `[k, m]` with `transA`).
 * @param B `[k, n]` (or `[n, k]` with `transB`).
 * @returns `out`, `[m, n]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { matmul } from "./matmul.ts";
 *
 * const A = Matrix.from([[1, 2], [3, 4]]);
 * assert.deepEqual(matmul(A, A).toArray(), [[7, 10], [15, 22]]);
 * assert.deepEqual(matmul(A, A, { transA: true }).toArray(), [[10, 14], [14, 20]]);
 * ```
 */
export function matmul(A: Matrix, B: Matrix, options: MatmulOptions = {}): Matrix {
  const { transA = false, transB = false, alpha = 1, beta = 0 } = options;
  const m = transA ? A.cols : A.rows;
  const k = transA ? A.rows : A.cols;
  const kB = transB ? B.cols : B.rows;
  const n = transB ? B.rows : B.cols;
  if (k !== kB) {
    throw new RangeError(
      `Cannot multiply matrices: inner dimensions differ, got ${formatShape(A.shape)}${
        transA ? "ᵀ" : ""
      } and ${formatShape(B.shape)}${transB ? "ᵀ" : ""}`,
    );
  }
  if (A.dtype !== B.dtype) {
    throw new TypeError(
      `Cannot multiply matrices: dtypes differ, got ${A.dtype} ${
        formatShape(A.shape)
      } and ${B.dtype} ${formatShape(B.shape)}`,
    );
  }
  let C = options.out;
  if (C === undefined) {
    C = Matrix.zeros(m, n, A.dtype);
  } else {
    if (C.rows !== m || C.cols !== n) {
      throw new RangeError(
        `Cannot multiply matrices: output must have shape ${formatShape([m, n])}, got ${
          formatShape(C.shape)
        }`,
      );
    }
    if (C.dtype !== A.dtype) {
      throw new TypeError(
        `Cannot multiply matrices: output dtype ${C.dtype} differs from ${A.dtype}`,
      );
    }
  }
  if (m === 0 || n === 0) return C;
  gemmRaw(transA, transB, m, n, k, alpha, A.data, A.cols, B.data, B.cols, beta, C.data, C.cols);
  return C;
}
