/**
 * The sparse-matrix kernels (CSR rows with exact zeros skipped, CSC
 * columns) that `tensor/sparse_rows.ts` builds its products on, each one
 * call: the C kernel of `kernels.c` when loaded, else its TypeScript twin
 * below — the same arithmetic in the same order, so both give the same
 * bits (in float32 every product and sum rounds to float32, in C as here
 * with `Math.fround`). Rows `[r0, r1)` are rows of the matrix, or positions
 * in `order` when one is given (a shuffled mini-batch read in place).
 * Also the dense → CSR conversion and the non-zero count, which exist
 * natively only (`null` without the kernels: the caller counts itself).
 *
 * @module
 */

import { nativeKernels } from "./build.ts";

type Floats = Float32Array | Float64Array;

/**
 * `z[i − r0, :] = b + Σ_p values[p] · w[colIndex[p], :]` over the entries
 * of each row `i` in `[r0, r1)`: `Z = X·W + b` for `W [d, k]` row-major.
 *
 * @param rowStart CSR row offsets `[n + 1]`.
 * @param colIndex Column of each entry `[nnz]`.
 * @param values Value of each entry `[nnz]`.
 * @param codes One byte per entry with `codeValues[codes[p]] === values[p]`, or `null`.
 * @param codeValues The 256-entry table of `codes`, or `null`.
 * @param order Row of each position, or `null` (positions are rows).
 * @param r0 First position.
 * @param r1 End (exclusive) position.
 * @param w Dense `[d, k]`, float64 or float32 (`b` and `z` the same).
 * @param b Bias `[k]` added to every row.
 * @param k Columns of `w`.
 * @param z Output `[r1 − r0, k]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csrMatmul } from "./sparse.ts";
 *
 * // X = [[0, 2], [1, 0]] by rows; W = [[1, 10], [3, 30]]; b = [0.5, 0]
 * const z = new Float64Array(4);
 * csrMatmul(
 *   new Uint32Array([0, 1, 2]), new Uint16Array([1, 0]), new Float64Array([2, 1]), null, null,
 *   null, 0, 2, new Float64Array([1, 10, 3, 30]), new Float64Array([0.5, 0]), 2, z,
 * );
 * assert.deepEqual([...z], [6.5, 60, 1.5, 10]);
 * ```
 */
export function csrMatmul(
  rowStart: Uint32Array,
  colIndex: Uint16Array,
  values: Float64Array,
  codes: Uint8Array | null,
  codeValues: Float64Array | null,
  order: Uint32Array | null,
  r0: number,
  r1: number,
  w: Floats,
  b: Floats,
  k: number,
  z: Floats,
): void {
  const native = nativeKernels();
  if (native !== null) {
    const kernel = z instanceof Float32Array
      ? native.nnkit_csr_matmul_f32
      : native.nnkit_csr_matmul;
    kernel(rowStart, colIndex, values, codes, codeValues, order, r0, r1, w, b, k, z);
    return;
  }
  const f32 = z instanceof Float32Array;
  for (let i = r0; i < r1; i++) {
    const o = (i - r0) * k, row = order === null ? i : order[i];
    for (let j = 0; j < k; j++) z[o + j] = b[j];
    for (let p = rowStart[row]; p < rowStart[row + 1]; p++) {
      const c = colIndex[p] * k;
      if (f32) {
        const v = Math.fround(values[p]);
        for (let j = 0; j < k; j++) z[o + j] += Math.fround(v * w[c + j]);
      } else {
        const v = values[p];
        for (let j = 0; j < k; j++) z[o + j] += v * w[c + j];
      }
    }
  }
}

/**
 * `G = α·Σ_t P_t` (or `G += …` with `accumulate`; `G` as `[k, d]` when
 * `transposed`) where chunk `t` of the positions `[r0, r1)` — `chunks`
 * equal ranges — sums `P_t = Σ_i x_iᵀ·r_i` into its own `[d, k]` block of
 * `P`; the chunks are added in order, so the result does not depend on how
 * many threads the C kernel uses.
 *
 * @param rowStart CSR row offsets `[n + 1]`.
 * @param colIndex Column of each entry `[nnz]`.
 * @param values Value of each entry `[nnz]`.
 * @param codes One byte per entry with `codeValues[codes[p]] === values[p]`, or `null`.
 * @param codeValues The 256-entry table of `codes`, or `null`.
 * @param order Row of each position, or `null`.
 * @param r0 First position.
 * @param r1 End (exclusive) position.
 * @param r Dense `[r1 − r0, k]`, float64 or float32 (`P` and `g` the same).
 * @param k Columns of `r`.
 * @param d Columns of the sparse matrix.
 * @param alpha Scale α.
 * @param accumulate Add into `g` instead of overwriting it.
 * @param transposed `g` is `[k, d]` and receives `Gᵀ`.
 * @param chunks Number of row chunks (fixed by the row count, at least 1).
 * @param P Scratch of `chunks · d · k` elements.
 * @param g Output `[d, k]` (`[k, d]` when `transposed`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csrTransposeMatmulChunks } from "./sparse.ts";
 *
 * // X = [[0, 2], [1, 0]], R = [[1, 2], [3, 4]]: G = 0.5 · Xᵀ·R
 * const g = new Float64Array(4);
 * csrTransposeMatmulChunks(
 *   new Uint32Array([0, 1, 2]), new Uint16Array([1, 0]), new Float64Array([2, 1]), null, null,
 *   null, 0, 2, new Float64Array([1, 2, 3, 4]), 2, 2, 0.5, false, false, 1, new Float64Array(4), g,
 * );
 * assert.deepEqual([...g], [1.5, 2, 1, 2]);
 * ```
 */
export function csrTransposeMatmulChunks(
  rowStart: Uint32Array,
  colIndex: Uint16Array,
  values: Float64Array,
  codes: Uint8Array | null,
  codeValues: Float64Array | null,
  order: Uint32Array | null,
  r0: number,
  r1: number,
  r: Floats,
  k: number,
  d: number,
  alpha: number,
  accumulate: boolean,
  transposed: boolean,
  chunks: number,
  P: Floats,
  g: Floats,
): void {
  const native = nativeKernels();
  if (native !== null) {
    const kernel = g instanceof Float32Array
      ? native.nnkit_csr_tmatmul_chunks_f32
      : native.nnkit_csr_tmatmul_chunks_f64;
    kernel(
      rowStart,
      colIndex,
      values,
      codes,
      codeValues,
      order,
      r0,
      r1,
      r,
      k,
      d,
      alpha,
      accumulate ? 1 : 0,
      transposed ? 1 : 0,
      chunks,
      P,
      g,
    );
    return;
  }
  const f32 = g instanceof Float32Array, dk = d * k;
  const round = f32 ? Math.fround : (x: number) => x;
  const a = round(alpha);
  for (let t = 0; t < chunks; t++) {
    const lo = r0 + Math.floor((r1 - r0) * t / chunks);
    const hi = r0 + Math.floor((r1 - r0) * (t + 1) / chunks);
    const base = t * dk;
    P.fill(0, base, base + dk);
    for (let i = lo; i < hi; i++) {
      const q = (i - r0) * k, row = order === null ? i : order[i];
      for (let p = rowStart[row]; p < rowStart[row + 1]; p++) {
        const v = round(values[p]), o = base + colIndex[p] * k;
        for (let j = 0; j < k; j++) P[o + j] += round(v * r[q + j]);
      }
    }
  }
  for (let q = 0; q < dk; q++) {
    let sum = P[q];
    for (let t = 1; t < chunks; t++) sum = round(sum + P[t * dk + q]);
    const step = round(a * sum);
    const o = transposed ? (q % k) * d + Math.floor(q / k) : q;
    g[o] = accumulate ? g[o] + step : step;
  }
}

/**
 * `G[c, :] = α · Σ_i X[i, c] · R[i, :]` over all rows, for columns
 * `c0 ≤ c < c1`, by columns (CSC), float64.
 *
 * @param colStart CSC column offsets `[d + 1]`.
 * @param rowIndex Row of each entry `[nnz]`.
 * @param values Value of each entry `[nnz]`.
 * @param c0 First column.
 * @param c1 End (exclusive) column.
 * @param r Dense `[n, k]`.
 * @param k Columns of `r`.
 * @param alpha Scale α.
 * @param g Output `[d, k]` (rows `c0 … c1 − 1` written).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cscTransposeMatmul } from "./sparse.ts";
 *
 * // X = [[0, 2], [1, 0]] by columns, R = [[1, 2], [3, 4]]: G = Xᵀ·R
 * const g = new Float64Array(4);
 * cscTransposeMatmul(
 *   new Uint32Array([0, 1, 2]), new Uint32Array([1, 0]), new Float64Array([1, 2]),
 *   0, 2, new Float64Array([1, 2, 3, 4]), 2, 1, g,
 * );
 * assert.deepEqual([...g], [3, 4, 2, 4]);
 * ```
 */
export function cscTransposeMatmul(
  colStart: Uint32Array,
  rowIndex: Uint32Array,
  values: Float64Array,
  c0: number,
  c1: number,
  r: Float64Array,
  k: number,
  alpha: number,
  g: Float64Array,
): void {
  const native = nativeKernels();
  if (native !== null) {
    native.nnkit_csc_tmatmul(colStart, rowIndex, values, c0, c1, r, k, alpha, g);
    return;
  }
  for (let c = c0; c < c1; c++) {
    const o = c * k;
    for (let j = 0; j < k; j++) g[o + j] = 0;
    for (let p = colStart[c]; p < colStart[c + 1]; p++) {
      const v = values[p], q = rowIndex[p] * k;
      for (let j = 0; j < k; j++) g[o + j] += v * r[q + j];
    }
    for (let j = 0; j < k; j++) g[o + j] *= alpha;
  }
}

/**
 * `G += α · X[r0:r1, :]ᵀ · R` with `R [r1 − r0, k]`, by rows, float64.
 *
 * @param rowStart CSR row offsets `[n + 1]`.
 * @param colIndex Column of each entry `[nnz]`.
 * @param values Value of each entry `[nnz]`.
 * @param r0 First row.
 * @param r1 End (exclusive) row.
 * @param r Dense `[r1 − r0, k]`.
 * @param k Columns of `r`.
 * @param alpha Scale α.
 * @param g Output `[d, k]`, added into.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csrTransposeMatmulAcc } from "./sparse.ts";
 *
 * // row 1 of X = [[0, 2], [1, 0]] times R = [[3, 4]], added to G = 1
 * const g = new Float64Array([1, 1, 1, 1]);
 * csrTransposeMatmulAcc(
 *   new Uint32Array([0, 1, 2]), new Uint16Array([1, 0]), new Float64Array([2, 1]),
 *   1, 2, new Float64Array([3, 4]), 2, 1, g,
 * );
 * assert.deepEqual([...g], [4, 5, 1, 1]);
 * ```
 */
export function csrTransposeMatmulAcc(
  rowStart: Uint32Array,
  colIndex: Uint16Array,
  values: Float64Array,
  r0: number,
  r1: number,
  r: Float64Array,
  k: number,
  alpha: number,
  g: Float64Array,
): void {
  const native = nativeKernels();
  if (native !== null) {
    native.nnkit_csr_tmatmul_acc(rowStart, colIndex, values, r0, r1, r, k, alpha, g);
    return;
  }
  for (let i = r0; i < r1; i++) {
    const q = (i - r0) * k;
    for (let p = rowStart[i]; p < rowStart[i + 1]; p++) {
      const av = alpha * values[p], o = colIndex[p] * k;
      for (let j = 0; j < k; j++) g[o + j] += av * r[q + j];
    }
  }
}

/**
 * `B = Aᵀ` for `A [rows, cols]` into `b` (`[cols, rows]`; exact copies).
 *
 * @param a Matrix `[rows, cols]`.
 * @param rows Rows of `a`.
 * @param cols Columns of `a`.
 * @param b Output `[cols, rows]` of `a`'s type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { transpose } from "./sparse.ts";
 *
 * const b = new Float64Array(6);
 * transpose(new Float64Array([1, 2, 3, 4, 5, 6]), 2, 3, b);
 * assert.deepEqual([...b], [1, 4, 2, 5, 3, 6]);
 * ```
 */
export function transpose(a: Floats, rows: number, cols: number, b: Floats): void {
  const native = nativeKernels();
  if (native !== null) {
    if (a instanceof Float32Array) native.nnkit_transpose_f32(a, rows, cols, b as Float32Array);
    else native.nnkit_transpose_f64(a, rows, cols, b as Float64Array);
    return;
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) b[j * rows + i] = a[i * cols + j];
  }
}

/**
 * The number of entries of `x [rows, cols]` that are not exactly 0, counted
 * natively (in parallel by rows); `null` without the kernels or rows.
 *
 * @param x Dense matrix `[rows, cols]`.
 * @param rows Rows.
 * @param cols Columns.
 */
export function nativeCountNonZeros(x: Floats, rows: number, cols: number): number | null {
  const native = nativeKernels();
  if (native === null || rows === 0) return null;
  const counts = new Uint32Array(rows);
  const count = x instanceof Float32Array ? native.nnkit_dense_nnz_f32 : native.nnkit_dense_nnz_f64;
  count(x, rows, cols, counts);
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i];
  return n;
}

/** CSR arrays of a dense matrix, from {@linkcode nativeDenseToCsr}. */
export interface CsrArrays {
  /** Where row `i`'s entries start, `[rows + 1]`. */
  rowStart: Uint32Array;
  /** Column of each entry, `[nnz]`. */
  colIndex: Uint16Array;
  /** Value of each entry, `[nnz]`, float64. */
  values: Float64Array;
  /**
   * Pixel codes `c` with `(c / 255)` (rounded to `x`'s type) equal to each
   * value, or `null` when some value has none.
   */
  codes: Uint8Array | null;
}

/**
 * The CSR form of a dense `x [rows, cols]` (every entry not exactly 0,
 * widened to float64) with its pixel codes, built natively in parallel;
 * `null` without the kernels (the caller converts itself).
 *
 * @param x Dense matrix `[rows, cols]`, `cols` ≤ 65,536.
 * @param rows Rows.
 * @param cols Columns.
 */
export function nativeDenseToCsr(x: Floats, rows: number, cols: number): CsrArrays | null {
  const native = nativeKernels();
  if (native === null) return null;
  const f32 = x instanceof Float32Array;
  const rowStart = new Uint32Array(rows + 1);
  const count = f32 ? native.nnkit_dense_nnz_f32 : native.nnkit_dense_nnz_f64;
  count(x, rows, cols, rowStart.subarray(1));
  for (let i = 0; i < rows; i++) rowStart[i + 1] += rowStart[i];
  const nnz = rowStart[rows];
  const colIndex = new Uint16Array(nnz),
    values = new Float64Array(nnz),
    codes = new Uint8Array(nnz);
  const fill = f32 ? native.nnkit_dense_fill_f32 : native.nnkit_dense_fill_f64;
  const uncoded = fill(x, rows, cols, rowStart, colIndex, values, codes);
  return { rowStart, colIndex, values, codes: uncoded === 0 ? codes : null };
}
