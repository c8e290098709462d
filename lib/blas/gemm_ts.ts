/**
 * A pure-TypeScript gemm: the fallback when no native BLAS loads, and the
 * fast oracle for the native one in tests.
 *
 * Large products follow the Goto/BLIS scheme: `op(B)` is packed into
 * column panels of width 4 and `op(A)` into row panels of height 4, both as
 * `Float64Array`s, so the 4 × 4 register-blocked micro-kernel sees one
 * element type whatever the dtype and transpose flags (monomorphic for the
 * JIT) and accumulates in double precision. Small or skinny products
 * (`m < 4`, `n < 4`, or under 32³ multiply-adds) skip the packing and use
 * direct loops with a double-precision row accumulator.
 *
 * @module
 */

import type { FloatArray } from "../tensor/matrix.ts";

/** Depth of one packed block (the `k` slice held in cache). */
const KC = 256;
/** Rows of `op(A)` packed at once. */
const MC = 128;
/** Micro-kernel rows. */
const MR = 4;
/** Micro-kernel columns. */
const NR = 4;
/** Below this many multiply-adds the direct loops beat packing. */
const DIRECT_MAX_WORK = 32 * 32 * 32;

let packedA = new Float64Array(0);
let packedB = new Float64Array(0);
let rowAcc = new Float64Array(0);
const tile = new Float64Array(MR * NR);

/**
 * Row-major `C = alpha · op(A) · op(B) + beta · C` in TypeScript, same
 * contract as {@linkcode gemmRaw} (which validates arguments; this function
 * does not). With `beta = 0`, `C` is only written, never read, so NaNs in it
 * do not propagate — as in BLAS.
 *
 * @param transA Use `Aᵀ`: `A` is stored `[k, m]` instead of `[m, k]`.
 * @param transB Use `Bᵀ`: `B` is stored `[n, k]` instead of `[k, n]`.
 * @param m Rows of `op(A)` and `C`.
 * @param n Columns of `op(B)` and `C`.
 * @param k Columns of `op(A)`, rows of `op(B)`.
 * @param alpha Scale of the product.
 * @param a Stored `A`, row stride `lda`.
 * @param lda Row stride of the stored `A`.
 * @param b Stored `B`, row stride `ldb`.
 * @param ldb Row stride of the stored `B`.
 * @param beta Scale of the existing `C`.
 * @param c `C` `[m, n]`, row stride `ldc`; overwritten.
 * @param ldc Row stride of `C`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gemmTs } from "./gemm_ts.ts";
 *
 * // [[1, 2], [3, 4]] · [[1, 2], [3, 4]]ᵀ
 * const a = new Float32Array([1, 2, 3, 4]);
 * const c = new Float32Array(4);
 * gemmTs(false, true, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2);
 * assert.deepEqual(Array.from(c), [5, 11, 11, 25]);
 * ```
 */
export function gemmTs(
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
  if (m === 0 || n === 0) return;
  if (k === 0 || alpha === 0) {
    // As in BLAS, A and B are not read: C = beta · C.
    scaleC(m, n, beta, c, ldc);
    return;
  }
  if (m < MR || n < NR || m * n * k <= DIRECT_MAX_WORK) {
    gemmDirect(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  scaleC(m, n, beta, c, ldc);
  const nPanels = Math.ceil(n / NR);
  const kcMax = Math.min(KC, k);
  if (packedB.length < kcMax * nPanels * NR) packedB = new Float64Array(kcMax * nPanels * NR);
  const mcMax = Math.ceil(Math.min(MC, m) / MR) * MR;
  if (packedA.length < kcMax * mcMax) packedA = new Float64Array(kcMax * mcMax);
  const pa = packedA, pb = packedB;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kb = Math.min(KC, k - p0);
    packB(b, ldb, transB, n, p0, kb, pb);
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mb = Math.min(MC, m - i0);
      packA(a, lda, transA, i0, mb, p0, kb, pa);
      for (let jp = 0; jp < nPanels; jp++) {
        const j = jp * NR;
        const nr = Math.min(NR, n - j);
        const bo = jp * kb * NR;
        for (let ip = 0; ip * MR < mb; ip++) {
          micro4x4(kb, pa, ip * kb * MR, pb, bo, tile);
          const i = i0 + ip * MR;
          const mr = Math.min(MR, mb - ip * MR);
          addTile(mr, nr, alpha, tile, c, i * ldc + j, ldc);
        }
      }
    }
  }
}

/** `C = beta · C` over the `[m, n]` block (beta 0 writes zeros, dropping NaNs). */
function scaleC(m: number, n: number, beta: number, c: FloatArray, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const o = i * ldc;
    if (beta === 0) {
      c.fill(0, o, o + n);
    } else {
      for (let j = 0; j < n; j++) c[o + j] *= beta;
    }
  }
}

/** `C[i.., j..] += alpha · tile` for the valid `mr × nr` corner of a 4 × 4 tile. */
function addTile(
  mr: number,
  nr: number,
  alpha: number,
  t: Float64Array,
  c: FloatArray,
  co: number,
  ldc: number,
): void {
  for (let ii = 0; ii < mr; ii++) {
    const o = co + ii * ldc;
    const to = ii * NR;
    for (let jj = 0; jj < nr; jj++) c[o + jj] += alpha * t[to + jj];
  }
}

/**
 * Packs `op(A)[i0 : i0 + mb, p0 : p0 + kb]` as row panels of height 4:
 * `dst[(ip · kb + p) · 4 + ii] = op(A)[i0 + 4 ip + ii, p0 + p]`, zero-padded.
 */
function packA(
  a: FloatArray,
  lda: number,
  transA: boolean,
  i0: number,
  mb: number,
  p0: number,
  kb: number,
  dst: Float64Array,
): void {
  for (let ip = 0; ip * MR < mb; ip++) {
    const base = ip * kb * MR;
    for (let ii = 0; ii < MR; ii++) {
      const r = ip * MR + ii;
      if (r >= mb) {
        for (let p = 0; p < kb; p++) dst[base + p * MR + ii] = 0;
      } else if (transA) {
        const i = i0 + r;
        for (let p = 0; p < kb; p++) dst[base + p * MR + ii] = a[(p0 + p) * lda + i];
      } else {
        const o = (i0 + r) * lda + p0;
        for (let p = 0; p < kb; p++) dst[base + p * MR + ii] = a[o + p];
      }
    }
  }
}

/**
 * Packs `op(B)[p0 : p0 + kb, 0 : n]` as column panels of width 4:
 * `dst[(jp · kb + p) · 4 + jj] = op(B)[p0 + p, 4 jp + jj]`, zero-padded.
 */
function packB(
  b: FloatArray,
  ldb: number,
  transB: boolean,
  n: number,
  p0: number,
  kb: number,
  dst: Float64Array,
): void {
  for (let jp = 0; jp * NR < n; jp++) {
    const base = jp * kb * NR;
    if (!transB && jp * NR + NR <= n) {
      // Full panel from row-major B: four contiguous values per row of the panel.
      const j = jp * NR;
      for (let p = 0; p < kb; p++) {
        const o = (p0 + p) * ldb + j;
        const d = base + p * NR;
        dst[d] = b[o];
        dst[d + 1] = b[o + 1];
        dst[d + 2] = b[o + 2];
        dst[d + 3] = b[o + 3];
      }
      continue;
    }
    for (let jj = 0; jj < NR; jj++) {
      const j = jp * NR + jj;
      if (j >= n) {
        for (let p = 0; p < kb; p++) dst[base + p * NR + jj] = 0;
      } else if (transB) {
        const o = j * ldb + p0;
        for (let p = 0; p < kb; p++) dst[base + p * NR + jj] = b[o + p];
      } else {
        for (let p = 0; p < kb; p++) dst[base + p * NR + jj] = b[(p0 + p) * ldb + j];
      }
    }
  }
}

/** 4 × 4 register block over packed panels: `t = Σₚ A[:, p] ⊗ B[p, :]`. */
function micro4x4(
  kb: number,
  pa: Float64Array,
  ao: number,
  pb: Float64Array,
  bo: number,
  t: Float64Array,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  // One index walks both panels (they advance in step, 4 values per p); each
  // value of B is loaded just before its four products (fewer live registers).
  const end = ao + kb * MR;
  const d = bo - ao;
  for (let q = ao; q < end; q += MR) {
    const a0 = pa[q], a1 = pa[q + 1], a2 = pa[q + 2], a3 = pa[q + 3];
    let b = pb[q + d];
    c00 += a0 * b;
    c10 += a1 * b;
    c20 += a2 * b;
    c30 += a3 * b;
    b = pb[q + d + 1];
    c01 += a0 * b;
    c11 += a1 * b;
    c21 += a2 * b;
    c31 += a3 * b;
    b = pb[q + d + 2];
    c02 += a0 * b;
    c12 += a1 * b;
    c22 += a2 * b;
    c32 += a3 * b;
    b = pb[q + d + 3];
    c03 += a0 * b;
    c13 += a1 * b;
    c23 += a2 * b;
    c33 += a3 * b;
  }
  t[0] = c00, t[1] = c01, t[2] = c02, t[3] = c03;
  t[4] = c10, t[5] = c11, t[6] = c12, t[7] = c13;
  t[8] = c20, t[9] = c21, t[10] = c22, t[11] = c23;
  t[12] = c30, t[13] = c31, t[14] = c32, t[15] = c33;
}

/**
 * Unpacked loops for small and skinny products; each row of `C` is
 * accumulated in a double-precision scratch row, then
 * `C[i, :] = alpha · acc + beta · C[i, :]`.
 */
function gemmDirect(
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
  if (rowAcc.length < n) rowAcc = new Float64Array(n);
  const acc = rowAcc;
  for (let i = 0; i < m; i++) {
    if (transB) {
      // op(B)[p, j] = b[j · ldb + p]: dot products, contiguous in p, four columns at a time.
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const b0 = j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let p = 0; p < k; p++) {
          const av = transA ? a[p * lda + i] : a[i * lda + p];
          s0 += av * b[b0 + p];
          s1 += av * b[b1 + p];
          s2 += av * b[b2 + p];
          s3 += av * b[b3 + p];
        }
        acc[j] = s0;
        acc[j + 1] = s1;
        acc[j + 2] = s2;
        acc[j + 3] = s3;
      }
      for (; j < n; j++) {
        const bo = j * ldb;
        let s = 0;
        for (let p = 0; p < k; p++) s += (transA ? a[p * lda + i] : a[i * lda + p]) * b[bo + p];
        acc[j] = s;
      }
    } else {
      // op(B)[p, :] is a contiguous row: acc += Σ op(A)[i, p] · B[p, :], four rows of B at a time.
      acc.fill(0, 0, n);
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const s0 = transA ? a[p * lda + i] : a[i * lda + p];
        const s1 = transA ? a[(p + 1) * lda + i] : a[i * lda + p + 1];
        const s2 = transA ? a[(p + 2) * lda + i] : a[i * lda + p + 2];
        const s3 = transA ? a[(p + 3) * lda + i] : a[i * lda + p + 3];
        const o0 = p * ldb, o1 = o0 + ldb, o2 = o1 + ldb, o3 = o2 + ldb;
        for (let j = 0; j < n; j++) {
          acc[j] += s0 * b[o0 + j] + s1 * b[o1 + j] + s2 * b[o2 + j] + s3 * b[o3 + j];
        }
      }
      for (; p < k; p++) {
        const s = transA ? a[p * lda + i] : a[i * lda + p];
        const bo = p * ldb;
        for (let j = 0; j < n; j++) acc[j] += s * b[bo + j];
      }
    }
    const co = i * ldc;
    if (beta === 0) {
      for (let j = 0; j < n; j++) c[co + j] = alpha * acc[j];
    } else {
      for (let j = 0; j < n; j++) c[co + j] = alpha * acc[j] + beta * c[co + j];
    }
  }
}
