/**
 * Sparse row matrices (CSR, exact zeros skipped) and their products with
 * dense matrices: the fast path for linear models on MNIST, whose rows are
 * ~81 % zeros (skipping exact zeros changes no result: `0·w` adds nothing).
 *
 * `X·W + b` ({@linkcode sparseMatmul}) and `α·Xᵀ·R`
 * ({@linkcode sparseTransposeMatmul}) take a whole {@linkcode SparseRows},
 * a row range of one, or a shuffled mini-batch of its rows
 * ({@linkcode SparseRowBatch}, read in place through the sample order). Each
 * checks its operands and makes one call into `native/sparse.ts`, which runs
 * the C kernel once `loadNativeKernels()` has loaded it, else its TypeScript
 * twin: the same arithmetic in the same order. Dense operands are
 * float64 or float32 (all of one product in one dtype); in float32 every
 * product and sum rounds to float32, in C as in TypeScript (`Math.fround`).
 *
 * @module
 */

import { Matrix } from "./matrix.ts";
import { type DType, type FloatArray, formatShape } from "../dtypes.ts";
import {
  cscTransposeMatmul,
  type CsrArrays,
  csrMatmul,
  csrTransposeMatmulAcc,
  csrTransposeMatmulChunks,
  nativeCountNonZeros,
  nativeDenseToCsr,
  transpose,
} from "../native/sparse.ts";

/** The transposed layout (CSC) of a {@linkcode SparseRows}, built on demand. */
export interface SparseColumns {
  /** Where column `c`'s entries start, `[cols + 1]`. */
  colStart: Uint32Array;
  /** Row of each entry, `[nnz]`, ascending within a column. */
  rowIndex: Uint32Array;
  /** Value of each entry, `[nnz]`. */
  values: Float64Array;
}

/**
 * A `[rows, cols]` matrix stored by rows without its zeros (CSR): row `i`'s
 * entries are `values[rowStart[i] .. rowStart[i + 1])` at columns
 * `colIndex[…]` (ascending). Build one with {@linkcode sparseRows}.
 */
export class SparseRows {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns (at most 65,536). */
  readonly cols: number;
  /** Where row `i`'s entries start, `[rows + 1]`. */
  readonly rowStart: Uint32Array;
  /** Column of each entry, `[nnz]`. */
  readonly colIndex: Uint16Array;
  /** Value of each entry, `[nnz]`, float64. */
  readonly values: Float64Array;
  /**
   * The values as one byte each when there are at most 256 distinct ones
   * (MNIST pixels): `values[p] === codeValues[codes[p]]`, else `null`. The
   * native one-pass kernels read these (3 bytes per entry instead of 10).
   */
  readonly codes: Uint8Array | null;
  /** The 256-entry table of {@linkcode codes}, else `null`. */
  readonly codeValues: Float64Array | null;
  #columns: SparseColumns | undefined;

  /**
   * Wraps CSR arrays (not copied); {@linkcode sparseRows} builds them from a
   * dense matrix.
   *
   * @param shape `[rows, cols]`.
   * @param rowStart `[rows + 1]` entry offsets, non-decreasing, from 0 to `nnz`.
   * @param colIndex `[nnz]` columns, each below `cols`.
   * @param values `[nnz]` values.
   * @param coded The values' byte codes when the caller has them
   *   ({@linkcode codes}, {@linkcode codeValues}); checked, not trusted.
   *   Without it they are derived from `values`.
   * @throws {RangeError} When the arrays do not fit the shape, or `coded` does not give `values`.
   */
  constructor(
    shape: readonly [number, number],
    rowStart: Uint32Array,
    colIndex: Uint16Array,
    values: Float64Array,
    coded?: { codes: Uint8Array; table: Float64Array },
  ) {
    const [rows, cols] = shape;
    const nnz = values.length;
    if (
      rowStart.length !== rows + 1 || rowStart[0] !== 0 || rowStart[rows] !== nnz ||
      colIndex.length !== nnz || cols > 65536
    ) {
      throw new RangeError(
        `Cannot build SparseRows ${formatShape(shape)}: expected rowStart [${
          rows + 1
        }] from 0 to ${nnz} and colIndex [${nnz}] with cols <= 65536, got rowStart [${rowStart.length}] ending at ${
          rowStart[rowStart.length - 1]
        } and colIndex [${colIndex.length}]`,
      );
    }
    this.rows = rows;
    this.cols = cols;
    this.rowStart = rowStart;
    this.colIndex = colIndex;
    this.values = values;
    if (coded !== undefined && !codesGive(coded, values)) {
      throw new RangeError(
        `Cannot build SparseRows ${
          formatShape(shape)
        }: the byte codes given do not give the values (expected codes [${nnz}] and a 256-entry table with table[codes[p]] === values[p])`,
      );
    }
    const codes = coded ?? byteCodes(values);
    this.codes = codes?.codes ?? null;
    this.codeValues = codes?.table ?? null;
  }

  /** `[rows, cols]`. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /** Number of stored (non-zero) entries. */
  get nnz(): number {
    return this.values.length;
  }

  /** Fraction of entries stored: `nnz / (rows · cols)`. */
  get density(): number {
    return this.rows * this.cols === 0 ? 0 : this.nnz / (this.rows * this.cols);
  }

  /** The same matrix by columns (CSC), built on the first call and kept. */
  columns(): SparseColumns {
    if (this.#columns !== undefined) return this.#columns;
    const { rows, cols, rowStart, colIndex, values } = this;
    const colStart = new Uint32Array(cols + 1);
    for (let p = 0; p < colIndex.length; p++) colStart[colIndex[p] + 1]++;
    for (let c = 0; c < cols; c++) colStart[c + 1] += colStart[c];
    const next = colStart.slice(0, cols);
    const rowIndex = new Uint32Array(values.length), v = new Float64Array(values.length);
    for (let i = 0; i < rows; i++) {
      for (let p = rowStart[i]; p < rowStart[i + 1]; p++) {
        const q = next[colIndex[p]]++;
        rowIndex[q] = i;
        v[q] = values[p];
      }
    }
    this.#columns = { colStart, rowIndex, values: v };
    return this.#columns;
  }

  /** The dense matrix `[rows, cols]` in `dtype` (default float64). */
  toDense(dtype: "float32" | "float64" = "float64"): Matrix {
    const out = Matrix.zeros(this.rows, this.cols, dtype);
    const d = out.data;
    for (let i = 0; i < this.rows; i++) {
      for (let p = this.rowStart[i]; p < this.rowStart[i + 1]; p++) {
        d[i * this.cols + this.colIndex[p]] = this.values[p];
      }
    }
    return out;
  }
}

/** Whether `table[codes[p]] === values[p]` for every entry (and the lengths fit). */
function codesGive(coded: { codes: Uint8Array; table: Float64Array }, values: Float64Array) {
  const { codes, table } = coded;
  if (codes.length !== values.length || table.length !== 256) return false;
  for (let p = 0; p < values.length; p++) if (table[codes[p]] !== values[p]) return false;
  return true;
}

/**
 * One byte per value when `values` holds at most 256 distinct numbers, with
 * the table that maps them back exactly; `null` otherwise. Values of the
 * form `i / 255` (pixels, in float64 or rounded to float32) take the fast
 * path.
 */
function byteCodes(values: Float64Array): { codes: Uint8Array; table: Float64Array } | null {
  const codes = new Uint8Array(values.length), table = new Float64Array(256);
  for (const round of [(x: number) => x, Math.fround]) {
    let pixels = true;
    for (let p = 0; p < values.length; p++) {
      const v = values[p], c = Math.round(v * 255);
      if (!(c >= 0 && c <= 255 && round(c / 255) === v)) {
        pixels = false;
        break;
      }
      codes[p] = c;
    }
    if (pixels) {
      for (let c = 0; c < 256; c++) table[c] = round(c / 255);
      return { codes, table };
    }
  }
  const slot = new Map<number, number>();
  for (let p = 0; p < values.length; p++) {
    const v = values[p];
    let c = slot.get(v);
    if (c === undefined) {
      if (slot.size === 256) return null;
      c = slot.size;
      slot.set(v, c);
      table[c] = v;
    }
    codes[p] = c;
  }
  return { codes, table };
}

/**
 * The sparse form of a dense matrix: every entry that is not exactly 0 is
 * kept, as float64 (float32 values widen exactly).
 *
 * @param X Dense matrix `[n, d]`, `d` ≤ 65,536.
 * @returns `[n, d]` as {@linkcode SparseRows}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { sparseRows } from "./sparse_rows.ts";
 *
 * const A = sparseRows(Matrix.from([[0, 2, 0], [1, 0, 0]]));
 * assert.equal(A.nnz, 2);
 * assert.deepEqual([...A.rowStart], [0, 1, 2]);
 * assert.deepEqual([...A.colIndex], [1, 0]);
 * assert.deepEqual(A.toDense().toArray(), [[0, 2, 0], [1, 0, 0]]);
 * ```
 */
export function sparseRows(X: Matrix): SparseRows {
  const { rows, cols } = X;
  if (cols > 65536) {
    throw new RangeError(
      `Cannot build SparseRows: expected at most 65536 columns, got ${formatShape(X.shape)}`,
    );
  }
  const csr = nativeDenseToCsr(X.data, rows, cols);
  if (csr !== null) return sparseRowsOf(csr, [rows, cols], X.dtype);
  const x = X.data;
  let nnz = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) nnz++;
  const rowStart = new Uint32Array(rows + 1);
  const colIndex = new Uint16Array(nnz), values = new Float64Array(nnz);
  for (let i = 0, p = 0; i < rows; i++) {
    const o = i * cols;
    for (let c = 0; c < cols; c++) {
      const v = x[o + c];
      if (v !== 0) {
        colIndex[p] = c;
        values[p] = v;
        p++;
      }
    }
    rowStart[i + 1] = p;
  }
  return new SparseRows([rows, cols], rowStart, colIndex, values);
}

/**
 * The number of entries of `X` that are not exactly 0 (natively, in
 * parallel, once the kernels are loaded).
 *
 * @param X Dense matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { countNonZeros } from "./sparse_rows.ts";
 *
 * assert.equal(countNonZeros(Matrix.from([[0, 2, 0], [1, 0, -0]])), 2);
 * ```
 */
export function countNonZeros(X: Matrix): number {
  const counted = nativeCountNonZeros(X.data, X.rows, X.cols);
  if (counted !== null) return counted;
  const x = X.data;
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) n++;
  return n;
}

/**
 * {@linkcode sparseRows} from the arrays the native conversion built (~10×
 * faster on MNIST's 60,000 × 785), with its pixel codes when every value
 * has one (else they are derived as usual).
 */
function sparseRowsOf(csr: CsrArrays, shape: [number, number], dtype: DType): SparseRows {
  const { rowStart, colIndex, values, codes } = csr;
  if (codes === null) return new SparseRows(shape, rowStart, colIndex, values);
  const round = dtype === "float32" ? Math.fround : (x: number) => x;
  const table = Float64Array.from({ length: 256 }, (_, c) => round(c / 255));
  return new SparseRows(shape, rowStart, colIndex, values, { codes, table });
}

/**
 * Rows `order[start], order[start + 1], …, order[start + rows − 1]` of a
 * {@linkcode SparseRows}: a shuffled mini-batch, read in place by the
 * products (nothing is copied; a dense mini-batch must gather its rows
 * first). A training loop makes one per run over its sample order and moves
 * it with {@linkcode SparseRowBatch.select}; reshuffling `order` in place is
 * fine, as `select` checks the rows it selects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { SparseRowBatch, sparseMatmul, sparseRows } from "./sparse_rows.ts";
 *
 * const X = sparseRows(Matrix.from([[1, 0], [0, 2], [3, 0]]));
 * const batch = new SparseRowBatch(X, new Uint32Array([2, 0, 1])).select(0, 2);
 * assert.deepEqual(batch.shape, [2, 2]);
 * assert.deepEqual(sparseMatmul(batch, Matrix.from([[1], [10]])).toArray(), [[3], [1]]);
 * ```
 */
export class SparseRowBatch {
  /** The matrix whose rows the batch selects. */
  readonly source: SparseRows;
  /** Row indices into {@linkcode source}; the batch is `order[start .. start + rows)`. */
  readonly order: Uint32Array;
  #start = 0;
  #rows = 0;

  /**
   * A batch over `source` in `order`, at first all of `order`.
   *
   * @param source The rows to select from.
   * @param order Row indices into `source` (e.g. a shuffled `0 … n − 1`).
   * @throws {RangeError} When an index is not a row of `source`.
   */
  constructor(source: SparseRows, order: Uint32Array) {
    this.source = source;
    this.order = order;
    this.select(0, order.length);
  }

  /**
   * Selects `order[start .. start + rows)` (checked: each must be a row of `source`).
   *
   * @param start First position in `order`.
   * @param rows Number of rows.
   * @returns This batch.
   * @throws {RangeError} When the range leaves `order` or an index is not a row of `source`.
   */
  select(start: number, rows: number): this {
    const { order, source } = this;
    if (
      !Number.isInteger(start) || !Number.isInteger(rows) || start < 0 || rows < 0 ||
      start + rows > order.length
    ) {
      throw new RangeError(
        `Cannot select sparse rows: [start, start + rows) must lie in [0, ${order.length}], got start ${start} and rows ${rows}`,
      );
    }
    for (let i = start; i < start + rows; i++) {
      if (order[i] >= source.rows) {
        throw new RangeError(
          `Cannot select sparse rows: order[${i}] must be a row of ${
            formatShape(source.shape)
          }, got ${order[i]}`,
        );
      }
    }
    this.#start = start;
    this.#rows = rows;
    return this;
  }

  /** First selected position in {@linkcode order}. */
  get start(): number {
    return this.#start;
  }

  /** Number of selected rows. */
  get rows(): number {
    return this.#rows;
  }

  /** Number of columns (the source's). */
  get cols(): number {
    return this.source.cols;
  }

  /** `[rows, cols]`. */
  get shape(): [number, number] {
    return [this.#rows, this.source.cols];
  }
}

/** Sparse inputs of the products: a whole matrix (or a row range of it), or a batch of its rows. */
export type SparseInput = SparseRows | SparseRowBatch;

/**
 * Whether `X` is a sparse input ({@linkcode SparseRows} or {@linkcode SparseRowBatch}).
 *
 * @param X Anything.
 */
export function isSparseInput(X: unknown): X is SparseInput {
  return X instanceof SparseRows || X instanceof SparseRowBatch;
}

/**
 * The {@linkcode SparseRows} whose arrays hold `A`'s entries: `A` itself, or a batch's source.
 *
 * @param A Sparse rows or a batch of them.
 */
export function sparseSource(A: SparseInput): SparseRows {
  return A instanceof SparseRowBatch ? A.source : A;
}

/**
 * The row of {@linkcode sparseSource}`(A)` that row `i` of `A` is
 * (`order[start + i]` for a batch).
 *
 * @param A Sparse rows or a batch of them.
 * @param i Row of `A`, `0 ≤ i < A.rows`.
 */
export function sourceRow(A: SparseInput, i: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= A.rows) {
    throw new RangeError(`Cannot take row ${i} of sparse rows ${formatShape(A.shape)}`);
  }
  return A instanceof SparseRowBatch ? A.order[A.start + i] : i;
}

/**
 * Row `i` of a sparse input as a dense `[1, cols]` matrix.
 *
 * @param A Sparse rows or a batch of them.
 * @param i Row of `A` (for a batch, its `i`-th selected row).
 * @param dtype Element type of the result.
 */
export function denseRow(A: SparseInput, i: number, dtype: DType): Matrix {
  const S = sparseSource(A), r = sourceRow(A, i);
  const row = Matrix.zeros(1, S.cols, dtype);
  for (let p = S.rowStart[r]; p < S.rowStart[r + 1]; p++) row.data[S.colIndex[p]] = S.values[p];
  return row;
}

/**
 * The CSR arrays and the rows `[r0, r1)` a kernel reads for rows
 * `[start, end)` of `A`: positions in `order` for a batch, rows of the
 * matrix otherwise (`order` null).
 */
interface RowSpan {
  S: SparseRows;
  order: Uint32Array | null;
  r0: number;
  r1: number;
}

/**
 * The one span the products fill (they run to completion and do not call
 * each other, so one suffices): no object per call in training loops.
 */
const SPAN: RowSpan = { S: undefined as unknown as SparseRows, order: null, r0: 0, r1: 0 };

function rowSpan(A: SparseInput, start: number | undefined, end: number | undefined, op: string) {
  const s = start ?? 0, e = end ?? A.rows;
  if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > A.rows || s > e) {
    throw new RangeError(
      `Cannot ${op}: rows [start, end) must lie in [0, ${A.rows}], got [${s}, ${e})`,
    );
  }
  const batch = A instanceof SparseRowBatch, offset = batch ? A.start : 0;
  SPAN.S = batch ? A.source : A as SparseRows;
  SPAN.order = batch ? A.order : null;
  SPAN.r0 = offset + s;
  SPAN.r1 = offset + e;
  if (batch && consecutive(A.order, SPAN.r0, SPAN.r1)) {
    // An unshuffled batch reads as the row range it is: the same sums as that range.
    SPAN.order = null;
    SPAN.r0 = A.order[offset + s];
    SPAN.r1 = SPAN.r0 + (e - s);
  }
  return SPAN;
}

/** Whether `order[r0 .. r1)` are consecutive rows (`order[r0] + 0, 1, …`); false when empty. */
function consecutive(order: Uint32Array, r0: number, r1: number): boolean {
  if (r1 <= r0) return false;
  const first = order[r0];
  for (let i = r0 + 1; i < r1; i++) if (order[i] !== first + (i - r0)) return false;
  return true;
}

/** Options of {@linkcode sparseMatmul}. */
export interface SparseMatmulOptions {
  /** Row vector `[1, k]` added to every output row. Default none. */
  bias?: Matrix;
  /**
   * `W` is given as `[k, d]` and its transpose is used (`Z = X·Wᵀ + b`, as
   * seed 001's `[out, in]` weights). Default `false`.
   */
  transB?: boolean;
  /** Output `[end − start, k]` in `W`'s dtype (reused, not allocated). */
  out?: Matrix;
  /** First row of `A` to multiply. Default 0. */
  start?: number;
  /** End (exclusive) of the rows to multiply. Default `A.rows`. */
  end?: number;
}

function checkFloat64(M: Matrix, name: string, op: string): Float64Array {
  if (!(M.data instanceof Float64Array)) {
    throw new TypeError(`Cannot ${op}: ${name} must be float64, got ${M.dtype}`);
  }
  return M.data;
}

function checkDtype(M: Matrix, dtype: DType, name: string, op: string): FloatArray {
  if (M.dtype !== dtype) {
    throw new TypeError(
      `Cannot ${op}: ${name} must be ${dtype} like the dense operand, got ${M.dtype}`,
    );
  }
  return M.data;
}

/** Rows per chunk of {@linkcode sparseTransposeMatmul}'s chunked sums, and the most chunks. */
const CHUNK_ROWS = 4096, MAX_CHUNKS = 8;

/** Fixed by the row count alone, so results do not depend on the thread count. */
function chunkCount(rows: number): number {
  return Math.max(1, Math.min(MAX_CHUNKS, Math.ceil(rows / CHUNK_ROWS)));
}

const partialScratch: { float32: Float32Array; float64: Float64Array } = {
  float32: new Float32Array(0),
  float64: new Float64Array(0),
};
const transposeScratch: { float32: Float32Array; float64: Float64Array } = {
  float32: new Float32Array(0),
  float64: new Float64Array(0),
};
/** Zeros standing in for a missing bias (never written). */
const zeroBias: { float32: Float32Array; float64: Float64Array } = {
  float32: new Float32Array(0),
  float64: new Float64Array(0),
};

/** A reused scratch array of at least `length` elements (grown, never shrunk). */
function scratch(
  pool: { float32: Float32Array; float64: Float64Array },
  dtype: DType,
  length: number,
): FloatArray {
  if (pool[dtype].length < length) {
    if (dtype === "float32") pool.float32 = new Float32Array(length);
    else pool.float64 = new Float64Array(length);
  }
  return pool[dtype];
}

/**
 * `Z = A[start:end]·W + bias` (or `·Wᵀ` with `transB`), skipping `A`'s zeros.
 *
 * @param A Sparse `[n, d]`: a {@linkcode SparseRows} or a {@linkcode SparseRowBatch}.
 * @param W Dense `[d, k]` (`[k, d]` with `transB`), float64 or float32 (`bias` and `out` the same).
 * @param options `bias [1, k]`, `transB`, `out [end − start, k]`, row range (within a batch: of its rows).
 * @returns `Z [end − start, k]`.
 * @throws {RangeError} When shapes do not match (both printed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { sparseMatmul, sparseRows } from "./sparse_rows.ts";
 *
 * const A = sparseRows(Matrix.from([[0, 2], [1, 0]]));
 * const Z = sparseMatmul(A, Matrix.from([[1, 10], [3, 30]]), { bias: Matrix.from([[0.5, 0]]) });
 * assert.deepEqual(Z.toArray(), [[6.5, 60], [1.5, 10]]);
 * const Zt = sparseMatmul(A, Matrix.from([[1, 3], [10, 30]]), { transB: true });
 * assert.deepEqual(Zt.toArray(), [[6, 60], [1, 10]]);
 * ```
 */
export function sparseMatmul(A: SparseInput, W: Matrix, options: SparseMatmulOptions = {}): Matrix {
  const op = "multiply sparse rows";
  const transB = options.transB ?? false;
  if ((transB ? W.cols : W.rows) !== A.cols) {
    throw new RangeError(
      `Cannot ${op}: inner dimensions differ, got ${formatShape(A.shape)} and ${
        formatShape(W.shape)
      }${transB ? "ᵀ" : ""}`,
    );
  }
  const span = rowSpan(A, options.start, options.end, op);
  const rows = span.r1 - span.r0, k = transB ? W.rows : W.cols, dtype = W.dtype;
  const bias = options.bias;
  if (bias !== undefined && (bias.rows !== 1 || bias.cols !== k)) {
    throw new RangeError(`Cannot ${op}: bias must be [1, ${k}], got ${formatShape(bias.shape)}`);
  }
  const b = bias === undefined
    ? scratch(zeroBias, dtype, k) // read only: stays zero
    : checkDtype(bias, dtype, "bias", op);
  const out = options.out ?? Matrix.zeros(rows, k, dtype);
  if (out.rows !== rows || out.cols !== k) {
    throw new RangeError(
      `Cannot ${op}: out must be ${formatShape([rows, k])}, got ${formatShape(out.shape)}`,
    );
  }
  const z = checkDtype(out, dtype, "out", op);
  let w = W.data;
  if (transB) {
    const t = scratch(transposeScratch, dtype, W.data.length);
    transpose(W.data, k, A.cols, t);
    w = t;
  }
  const { S, order, r0, r1 } = span;
  csrMatmul(S.rowStart, S.colIndex, S.values, S.codes, S.codeValues, order, r0, r1, w, b, k, z);
  return out;
}

/** Options of {@linkcode sparseTransposeMatmul}. */
export interface SparseTransposeMatmulOptions {
  /** Scale α. Default 1. */
  alpha?: number;
  /** Output `[d, k]` (`[k, d]` with `outTransposed`) in `R`'s dtype. */
  out?: Matrix;
  /** Add into `out` instead of overwriting it. Default `false`. */
  accumulate?: boolean;
  /**
   * `out` is `[k, d]` and receives the transpose `Gᵀ` (or has it added):
   * the gradient or update of weights stored `[out, in]`, as seed 001's.
   * Default `false`.
   */
  outTransposed?: boolean;
  /** First row of `A` (and of `R`'s counterpart). Default 0. */
  start?: number;
  /** End (exclusive) of the rows. Default `A.rows`. */
  end?: number;
}

/**
 * `G = α·A[start:end]ᵀ·R` (or `G += …` with `accumulate`), skipping `A`'s
 * zeros: the weight gradient `Xᵀ·dZ` of a linear layer (or, with
 * `accumulate` and `alpha = −η`, the update `W −= η·Xᵀ·dZ` itself). In
 * float64 over all rows of a {@linkcode SparseRows}, without `accumulate`,
 * it runs by columns (CSC, built once) and over a row range by rows; in
 * float32, for a {@linkcode SparseRowBatch}, with `accumulate` or with
 * `outTransposed` the rows split into up to 8 fixed chunks summed in
 * parallel, then added in chunk order (the result does not depend on the
 * thread count).
 *
 * @param A Sparse `[n, d]`: a {@linkcode SparseRows} or a {@linkcode SparseRowBatch}.
 * @param R Dense `[end − start, k]`, float64 or float32 (`out` the same).
 * @param options `alpha`, `out [d, k]` (`[k, d]` with `outTransposed`), `accumulate`, row range.
 * @returns `G [d, k]` (`Gᵀ [k, d]` with `outTransposed`).
 * @throws {RangeError} When shapes do not match (both printed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { sparseRows, sparseTransposeMatmul } from "./sparse_rows.ts";
 *
 * const A = sparseRows(Matrix.from([[0, 2], [1, 0]]));
 * const G = sparseTransposeMatmul(A, Matrix.from([[1, 2], [3, 4]]), { alpha: 0.5 });
 * assert.deepEqual(G.toArray(), [[1.5, 2], [1, 2]]);
 * const Gt = sparseTransposeMatmul(A, Matrix.from([[1, 2], [3, 4]]), { outTransposed: true });
 * assert.deepEqual(Gt.toArray(), [[3, 2], [4, 4]]);
 * ```
 */
export function sparseTransposeMatmul(
  A: SparseInput,
  R: Matrix,
  options: SparseTransposeMatmulOptions = {},
): Matrix {
  const op = "multiply transposed sparse rows";
  const span = rowSpan(A, options.start, options.end, op);
  const { S, order, r0, r1 } = span;
  if (R.rows !== r1 - r0) {
    throw new RangeError(
      `Cannot ${op}: R must have ${r1 - r0} rows for ${
        A instanceof SparseRowBatch ? "the batch" : `rows [${r0}, ${r1}) of`
      } ${formatShape(A.shape)}, got ${formatShape(R.shape)}`,
    );
  }
  const k = R.cols, dtype = R.dtype, alpha = options.alpha ?? 1;
  const transposed = options.outTransposed ?? false;
  const outRows = transposed ? k : S.cols, outCols = transposed ? S.cols : k;
  const out = options.out ?? Matrix.zeros(outRows, outCols, dtype);
  if (out.rows !== outRows || out.cols !== outCols) {
    throw new RangeError(
      `Cannot ${op}: out must be ${formatShape([outRows, outCols])}, got ${formatShape(out.shape)}`,
    );
  }
  const g = checkDtype(out, dtype, "out", op);
  const accumulate = options.accumulate ?? false;
  if (dtype === "float32" || accumulate || transposed || order !== null) {
    const chunks = chunkCount(r1 - r0);
    const P = scratch(partialScratch, dtype, chunks * S.cols * k);
    csrTransposeMatmulChunks(
      S.rowStart,
      S.colIndex,
      S.values,
      S.codes,
      S.codeValues,
      order,
      r0,
      r1,
      R.data,
      k,
      S.cols,
      alpha,
      accumulate,
      transposed,
      chunks,
      P,
      g,
    );
    return out;
  }
  // float64 from here (float32 took the chunked sums above).
  const r = checkFloat64(R, "R", op), g64 = g as Float64Array;
  if (r0 === 0 && r1 === S.rows) {
    const { colStart, rowIndex, values } = S.columns();
    cscTransposeMatmul(colStart, rowIndex, values, 0, S.cols, r, k, alpha, g64);
    return out;
  }
  g.fill(0);
  csrTransposeMatmulAcc(S.rowStart, S.colIndex, S.values, r0, r1, r, k, alpha, g64);
  return out;
}
