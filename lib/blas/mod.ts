/**
 * General matrix multiply (gemm) behind one function, with a swappable
 * backend. PROVISIONAL: a naive pure-TypeScript kernel until the OpenBLAS
 * (Deno FFI) and blocked TypeScript backends land.
 *
 * @module
 */

import type { FloatArray } from "../tensor/matrix.ts";

/**
 * Raw row-major gemm: `C = alpha · op(A) · op(B) + beta · C` with `op(A)`
 * `[m, k]`, `op(B)` `[k, n]`, `C` `[m, n]`; `lda`, `ldb`, `ldc` are the row
 * strides of the stored (untransposed) arrays. All three arrays share one dtype.
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
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * lda + i] : a[i * lda + p];
        const bv = transB ? b[j * ldb + p] : b[p * ldb + j];
        s += av * bv;
      }
      c[i * ldc + j] = beta === 0 ? alpha * s : alpha * s + beta * c[i * ldc + j];
    }
  }
}
