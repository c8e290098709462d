/**
 * The one tensor type of the kit: a dense, row-major matrix of `rows × cols`
 * floats held in a `Float32Array` or `Float64Array`.
 *
 * Batch-first throughout the lib: a batch of inputs is `X: [n, 784]`, a
 * weight matrix is `W: [in, out]`, a bias is a `[1, out]` row (or a plain
 * typed array of length `out`).
 *
 * @module
 */

import {
  allocate,
  type DType,
  dtypeOf,
  type FloatArray,
  formatShape,
  type Shape,
} from "../dtypes.ts";

// The element types and shape helpers live in the leaf ../dtypes.ts (blas uses them too);
// re-exported here for callers that hold a Matrix.
export { allocate, type DType, dtypeOf, type FloatArray, formatShape, type Shape };

function checkDim(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`Cannot create matrix: ${name} must be a non-negative integer, got ${n}`);
  }
}

/**
 * A dense row-major matrix.
 *
 * `data[i * cols + j]` is the element in row `i`, column `j`. The data array
 * may be a view into a larger buffer (see {@linkcode Matrix.rowSlice}), so
 * writes through one matrix are seen by the other.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 *
 * const A = Matrix.from([[1, 2, 3], [4, 5, 6]]);
 * assert.deepEqual(A.shape, [2, 3]);
 * assert.equal(A.get(1, 2), 6);
 * assert.equal(A.dtype, "float64");
 * ```
 */
export class Matrix<T extends FloatArray = FloatArray> {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Row-major element storage, exactly `rows * cols` long. */
  readonly data: T;

  /**
   * Wraps `data` (not copied) as a `rows × cols` matrix.
   *
   * @param rows Number of rows.
   * @param cols Number of columns.
   * @param data Row-major storage of length `rows * cols`.
   */
  constructor(rows: number, cols: number, data: T) {
    checkDim("rows", rows);
    checkDim("cols", cols);
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new TypeError(
        `Cannot create matrix: data must be a Float32Array or Float64Array, got ${
          (data as object)?.constructor?.name ?? typeof data
        }`,
      );
    }
    if (data.length !== rows * cols) {
      throw new RangeError(
        `Cannot create matrix of shape ${formatShape([rows, cols])}: expected ${
          rows * cols
        } elements, got ${data.length}`,
      );
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  /** `[rows, cols]`. */
  get shape(): Shape {
    return [this.rows, this.cols];
  }

  /** Number of elements, `rows * cols`. */
  get size(): number {
    return this.data.length;
  }

  /** Element type. */
  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /**
   * A zero-filled matrix.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matrix } from "./matrix.ts";
   *
   * const Z = Matrix.zeros(2, 3, "float32");
   * assert.equal(Z.data.length, 6);
   * assert.ok(Z.data instanceof Float32Array);
   * ```
   */
  static zeros(rows: number, cols: number, dtype: DType = "float64"): Matrix {
    checkDim("rows", rows);
    checkDim("cols", cols);
    return new Matrix(rows, cols, allocate(dtype, rows * cols));
  }

  /** A matrix filled with `value`. */
  static full(rows: number, cols: number, value: number, dtype: DType = "float64"): Matrix {
    const m = Matrix.zeros(rows, cols, dtype);
    m.data.fill(value);
    return m;
  }

  /** A matrix of the same shape and dtype as `like`, zero-filled. */
  static zerosLike(like: Matrix): Matrix {
    return Matrix.zeros(like.rows, like.cols, like.dtype);
  }

  /**
   * Copies nested arrays (one inner array per row) into a new matrix.
   *
   * @param values Rows of equal length.
   * @param dtype Element type, default `"float64"`.
   */
  static from(values: readonly (readonly number[])[], dtype: DType = "float64"): Matrix {
    const rows = values.length;
    const cols = rows === 0 ? 0 : values[0].length;
    const m = Matrix.zeros(rows, cols, dtype);
    for (let i = 0; i < rows; i++) {
      if (values[i].length !== cols) {
        throw new RangeError(
          `Cannot create matrix from nested arrays: row 0 has ${cols} values, row ${i} has ${
            values[i].length
          }`,
        );
      }
      m.data.set(values[i], i * cols);
    }
    return m;
  }

  /** A `1 × n` row vector copied from `values`. */
  static rowVector(values: ArrayLike<number>, dtype: DType = "float64"): Matrix {
    const m = Matrix.zeros(1, values.length, dtype);
    m.data.set(values as ArrayLike<number>);
    return m;
  }

  /** A `n × 1` column vector copied from `values`. */
  static columnVector(values: ArrayLike<number>, dtype: DType = "float64"): Matrix {
    const m = Matrix.zeros(values.length, 1, dtype);
    m.data.set(values as ArrayLike<number>);
    return m;
  }

  /** Element at row `i`, column `j` (no bounds check beyond the array's). */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  /** Sets the element at row `i`, column `j`. */
  set(i: number, j: number, value: number): void {
    this.data[i * this.cols + j] = value;
  }

  /** Row `i` as a view (no copy) of length `cols`. */
  row(i: number): T {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) {
      throw new RangeError(
        `Cannot take row ${i} of matrix ${formatShape(this.shape)}: index out of range`,
      );
    }
    return this.data.subarray(i * this.cols, (i + 1) * this.cols) as T;
  }

  /**
   * Rows `start` (inclusive) to `end` (exclusive) as a view that shares
   * storage with this matrix — no copy, so mini-batches of contiguous rows
   * cost nothing.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matrix } from "./matrix.ts";
   *
   * const A = Matrix.from([[1, 2], [3, 4], [5, 6]]);
   * const B = A.rowSlice(1, 3);
   * B.set(0, 0, 30);
   * assert.equal(A.get(1, 0), 30);
   * ```
   */
  rowSlice(start: number, end: number = this.rows): Matrix<T> {
    if (
      !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.rows ||
      start > end
    ) {
      throw new RangeError(
        `Cannot slice rows ${start}..${end} of matrix ${formatShape(this.shape)}: out of range`,
      );
    }
    return new Matrix(
      end - start,
      this.cols,
      this.data.subarray(start * this.cols, end * this.cols) as T,
    );
  }

  /** A deep copy with its own storage. */
  clone(): Matrix<T> {
    return new Matrix(this.rows, this.cols, this.data.slice() as T);
  }

  /** A copy converted to `dtype` (a plain copy when it already is). */
  astype(dtype: DType): Matrix {
    const out = Matrix.zeros(this.rows, this.cols, dtype);
    out.data.set(this.data);
    return out;
  }

  /** Same storage seen as `rows × cols` (the element count must match). */
  reshape(rows: number, cols: number): Matrix<T> {
    if (rows * cols !== this.size) {
      throw new RangeError(
        `Cannot reshape matrix ${formatShape(this.shape)} to ${
          formatShape([rows, cols])
        }: element counts differ (${this.size} vs ${rows * cols})`,
      );
    }
    return new Matrix(rows, cols, this.data);
  }

  /** Nested arrays, one per row (for display and tests). */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }

  /** Short description, e.g. `Matrix(float32 [60000, 784])`. */
  toString(): string {
    return `Matrix(${this.dtype} ${formatShape(this.shape)})`;
  }
}
