/**
 * Test helpers for gemm: the trivially correct triple loop (an oracle
 * independent of both backends), a rounding-error bound to compare against,
 * and seeded random strided operands.
 *
 * @module
 */

import type { FloatArray } from "../../lib/tensor/matrix.ts";
import { Prng } from "../../lib/random.ts";

/** Exact-as-double reference: `alpha · op(A) · op(B) + beta · C` and the magnitudes for a bound. */
export interface NaiveResult {
  /** The expected `C` `[m, n]`, dense (stride `n`), in double precision. */
  value: Float64Array;
  /** `|alpha| · Σₚ |op(A)[i, p] · op(B)[p, j]| + |beta · C[i, j]|` per element. */
  magnitude: Float64Array;
}

/**
 * The naive triple loop, in double precision, reading the stored arrays the
 * way BLAS defines them; `beta = 0` ignores `C` (NaNs included).
 */
export function naiveGemm(
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
): NaiveResult {
  const value = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, mag = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * lda + i] : a[i * lda + p];
        const bv = transB ? b[j * ldb + p] : b[p * ldb + j];
        s += av * bv;
        mag += Math.abs(av * bv);
      }
      const cv = beta === 0 ? 0 : beta * c[i * ldc + j];
      value[i * n + j] = alpha * s + cv;
      magnitude[i * n + j] = Math.abs(alpha) * mag + Math.abs(cv);
    }
  }
  return { value, magnitude };
}

/**
 * Largest violation of the standard gemm rounding bound
 * `|got − want| ≤ 2 (k + 3) u · magnitude` (u the unit roundoff of the
 * dtype); ≤ 0 means every element is within it. Also returns where.
 */
export function boundViolation(
  got: FloatArray,
  ldc: number,
  want: NaiveResult,
  m: number,
  n: number,
  k: number,
): { excess: number; at: [number, number] | null } {
  const u = got instanceof Float32Array ? 2 ** -24 : 2 ** -53;
  const gamma = 2 * (k + 3) * u;
  let excess = -Infinity;
  let at: [number, number] | null = null;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const g = got[i * ldc + j];
      const w = want.value[i * n + j];
      const e = Number.isNaN(g) ? Infinity : Math.abs(g - w) - gamma * want.magnitude[i * n + j] -
        Number.MIN_VALUE;
      if (e > excess) {
        excess = e;
        at = [i, j];
      }
    }
  }
  return { excess, at };
}

/** A stored operand: `rows × cols` inside a larger array, at `offset`, row stride `ld`. */
export interface StridedOperand {
  /** The view handed to gemm (starts at the first element). */
  view: FloatArray;
  /** The whole backing array, padding included (to check padding is untouched). */
  whole: FloatArray;
  /** Row stride. */
  ld: number;
  /** Where `view` starts in `whole`. */
  offset: number;
}

/**
 * A `rows × cols` operand filled with U(−1, 1) values (padding filled with
 * 777 so stray reads show up), with `pad` extra columns per row and `pad`
 * leading and trailing elements around the view.
 */
export function stridedOperand(
  rows: number,
  cols: number,
  options: { float32: boolean; pad: number; prng: Prng },
): StridedOperand {
  const { float32, pad, prng } = options;
  const ld = Math.max(cols + pad, 1);
  const length = rows === 0 ? 0 : (rows - 1) * ld + cols;
  const whole = float32 ? new Float32Array(length + 2 * pad) : new Float64Array(length + 2 * pad);
  whole.fill(777);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) whole[pad + i * ld + j] = prng.uniform(-1, 1);
  }
  return { view: whole.subarray(pad, pad + length), whole, ld, offset: pad };
}
