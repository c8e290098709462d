/**
 * Elementwise operations, broadcasting, reductions and batch helpers on
 * {@linkcode Matrix}.
 *
 * Every operation that produces a matrix takes an optional `out`; passing
 * the input itself as `out` makes it in-place, and passing a reused
 * workspace keeps hot loops allocation-free. Shapes are checked and errors
 * print both shapes.
 *
 * @module
 */

import { Matrix } from "./matrix.ts";
import { type DType, type FloatArray, formatShape } from "../dtypes.ts";
import { nativeColSums } from "../native/elementwise.ts";

function sameShape(op: string, A: Matrix, B: Matrix): void {
  if (A.rows !== B.rows || A.cols !== B.cols) {
    throw new RangeError(
      `Cannot ${op}: shapes differ, got ${formatShape(A.shape)} and ${formatShape(B.shape)}`,
    );
  }
}

/** Checks `out` has the expected shape and dtype, or allocates it with `dtype`. */
export function ensureOut(
  op: string,
  out: Matrix | undefined,
  rows: number,
  cols: number,
  dtype: DType,
): Matrix {
  if (out === undefined) return Matrix.zeros(rows, cols, dtype);
  if (out.rows !== rows || out.cols !== cols) {
    throw new RangeError(
      `Cannot ${op}: output must have shape ${formatShape([rows, cols])}, got ${
        formatShape(out.shape)
      }`,
    );
  }
  if (out.dtype !== dtype) {
    throw new TypeError(`Cannot ${op}: output dtype ${out.dtype} differs from ${dtype}`);
  }
  return out;
}

/**
 * `out = A + B` elementwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { add } from "./ops.ts";
 *
 * const C = add(Matrix.from([[1, 2]]), Matrix.from([[10, 20]]));
 * assert.deepEqual(C.toArray(), [[11, 22]]);
 * ```
 */
export function add(A: Matrix, B: Matrix, out?: Matrix): Matrix {
  sameShape("add matrices", A, B);
  const C = ensureOut("add matrices", out, A.rows, A.cols, A.dtype);
  const a = A.data, b = B.data, c = C.data;
  for (let i = 0; i < a.length; i++) c[i] = a[i] + b[i];
  return C;
}

/** `out = A − B` elementwise. */
export function sub(A: Matrix, B: Matrix, out?: Matrix): Matrix {
  sameShape("subtract matrices", A, B);
  const C = ensureOut("subtract matrices", out, A.rows, A.cols, A.dtype);
  const a = A.data, b = B.data, c = C.data;
  for (let i = 0; i < a.length; i++) c[i] = a[i] - b[i];
  return C;
}

/** `out = A ⊙ B` (Hadamard product). */
export function mul(A: Matrix, B: Matrix, out?: Matrix): Matrix {
  sameShape("multiply matrices elementwise", A, B);
  const C = ensureOut("multiply matrices elementwise", out, A.rows, A.cols, A.dtype);
  const a = A.data, b = B.data, c = C.data;
  for (let i = 0; i < a.length; i++) c[i] = a[i] * b[i];
  return C;
}

/** `out = A ⊘ B` elementwise. */
export function div(A: Matrix, B: Matrix, out?: Matrix): Matrix {
  sameShape("divide matrices elementwise", A, B);
  const C = ensureOut("divide matrices elementwise", out, A.rows, A.cols, A.dtype);
  const a = A.data, b = B.data, c = C.data;
  for (let i = 0; i < a.length; i++) c[i] = a[i] / b[i];
  return C;
}

/** `out = s · A`. */
export function scale(A: Matrix, s: number, out?: Matrix): Matrix {
  const C = ensureOut("scale matrix", out, A.rows, A.cols, A.dtype);
  const a = A.data, c = C.data;
  for (let i = 0; i < a.length; i++) c[i] = s * a[i];
  return C;
}

/** `out = A + s` for a scalar `s`. */
export function addScalar(A: Matrix, s: number, out?: Matrix): Matrix {
  const C = ensureOut("add scalar", out, A.rows, A.cols, A.dtype);
  const a = A.data, c = C.data;
  for (let i = 0; i < a.length; i++) c[i] = a[i] + s;
  return C;
}

/**
 * `Y += alpha · X` in place (BLAS axpy), the shape of a gradient step:
 * `axpy(-learningRate, dW, W)`.
 */
export function axpy(alpha: number, X: Matrix, Y: Matrix): Matrix {
  sameShape("axpy", X, Y);
  const x = X.data, y = Y.data;
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
  return Y;
}

/** `out[i] = f(A[i])` for every element. */
export function map(A: Matrix, f: (x: number) => number, out?: Matrix): Matrix {
  const C = ensureOut("map matrix", out, A.rows, A.cols, A.dtype);
  const a = A.data, c = C.data;
  for (let i = 0; i < a.length; i++) c[i] = f(a[i]);
  return C;
}

/** Copies `A` into `out` (shapes must match) and returns `out`. */
export function copy(A: Matrix, out?: Matrix): Matrix {
  const C = ensureOut("copy matrix", out, A.rows, A.cols, A.dtype);
  C.data.set(A.data);
  return C;
}

function vectorData(v: Matrix | FloatArray): FloatArray {
  return v instanceof Matrix ? v.data : v;
}

function checkRowVector(op: string, A: Matrix, v: Matrix | FloatArray): FloatArray {
  if (v instanceof Matrix ? v.rows !== 1 || v.cols !== A.cols : v.length !== A.cols) {
    const shape = v instanceof Matrix ? v.shape : [v.length];
    throw new RangeError(
      `Cannot ${op}: row vector must have ${A.cols} elements to match matrix ${
        formatShape(A.shape)
      }, got ${formatShape(shape)}`,
    );
  }
  return vectorData(v);
}

function checkColVector(op: string, A: Matrix, v: Matrix | FloatArray): FloatArray {
  if (v instanceof Matrix ? v.cols !== 1 || v.rows !== A.rows : v.length !== A.rows) {
    const shape = v instanceof Matrix ? v.shape : [v.length];
    throw new RangeError(
      `Cannot ${op}: column vector must have ${A.rows} elements to match matrix ${
        formatShape(A.shape)
      }, got ${formatShape(shape)}`,
    );
  }
  return vectorData(v);
}

/**
 * `out[i, j] = A[i, j] + v[j]`: broadcast a `[1, cols]` row (a bias) down
 * every row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { addRowVector } from "./ops.ts";
 *
 * const Z = addRowVector(Matrix.from([[1, 2], [3, 4]]), Matrix.from([[10, 20]]));
 * assert.deepEqual(Z.toArray(), [[11, 22], [13, 24]]);
 * ```
 */
export function addRowVector(A: Matrix, v: Matrix | FloatArray, out?: Matrix): Matrix {
  const b = checkRowVector("add row vector", A, v);
  const C = ensureOut("add row vector", out, A.rows, A.cols, A.dtype);
  const a = A.data, c = C.data, n = A.cols;
  for (let i = 0, o = 0; i < A.rows; i++, o += n) {
    for (let j = 0; j < n; j++) c[o + j] = a[o + j] + b[j];
  }
  return C;
}

/** `out[i, j] = A[i, j] · v[j]`: scale each column by a row vector. */
export function mulRowVector(A: Matrix, v: Matrix | FloatArray, out?: Matrix): Matrix {
  const b = checkRowVector("multiply by row vector", A, v);
  const C = ensureOut("multiply by row vector", out, A.rows, A.cols, A.dtype);
  const a = A.data, c = C.data, n = A.cols;
  for (let i = 0, o = 0; i < A.rows; i++, o += n) {
    for (let j = 0; j < n; j++) c[o + j] = a[o + j] * b[j];
  }
  return C;
}

/** `out[i, j] = A[i, j] + v[i]`: broadcast a `[rows, 1]` column across every column. */
export function addColVector(A: Matrix, v: Matrix | FloatArray, out?: Matrix): Matrix {
  const b = checkColVector("add column vector", A, v);
  const C = ensureOut("add column vector", out, A.rows, A.cols, A.dtype);
  const a = A.data, c = C.data, n = A.cols;
  for (let i = 0, o = 0; i < A.rows; i++, o += n) {
    const bi = b[i];
    for (let j = 0; j < n; j++) c[o + j] = a[o + j] + bi;
  }
  return C;
}

/** `out[i, j] = A[i, j] · v[i]`: scale each row by a column vector. */
export function mulColVector(A: Matrix, v: Matrix | FloatArray, out?: Matrix): Matrix {
  const b = checkColVector("multiply by column vector", A, v);
  const C = ensureOut("multiply by column vector", out, A.rows, A.cols, A.dtype);
  const a = A.data, c = C.data, n = A.cols;
  for (let i = 0, o = 0; i < A.rows; i++, o += n) {
    const bi = b[i];
    for (let j = 0; j < n; j++) c[o + j] = a[o + j] * bi;
  }
  return C;
}

/** `out[i, j] = A[i, j] / v[i]`: divide each row by a column vector. */
export function divColVector(A: Matrix, v: Matrix | FloatArray, out?: Matrix): Matrix {
  const b = checkColVector("divide by column vector", A, v);
  const C = ensureOut("divide by column vector", out, A.rows, A.cols, A.dtype);
  const a = A.data, c = C.data, n = A.cols;
  for (let i = 0, o = 0; i < A.rows; i++, o += n) {
    const bi = b[i];
    for (let j = 0; j < n; j++) c[o + j] = a[o + j] / bi;
  }
  return C;
}

/** Sum of every element (accumulated in double precision). */
export function sum(A: Matrix): number {
  const a = A.data;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Mean of every element. */
export function mean(A: Matrix): number {
  if (A.size === 0) {
    throw new RangeError(`Cannot take mean of an empty matrix: shape ${formatShape(A.shape)}`);
  }
  return sum(A) / A.size;
}

/**
 * Column sums, `[1, cols]`: `out[0, j] = Σᵢ A[i, j]` — the bias gradient
 * `db = Σᵢ dZ[i, :]`.
 */
export function colSums(A: Matrix, out?: Matrix): Matrix {
  const C = ensureOut("sum columns", out, 1, A.cols, A.dtype);
  // Natively for large inputs (the same additions in the same order).
  if (A.size >= 4096 && nativeColSums(A.data, A.rows, A.cols, C.data)) return C;
  const a = A.data, c = C.data, n = A.cols;
  c.fill(0);
  for (let i = 0, o = 0; i < A.rows; i++, o += n) {
    for (let j = 0; j < n; j++) c[j] += a[o + j];
  }
  return C;
}

/** Row sums, `[rows, 1]`: `out[i, 0] = Σⱼ A[i, j]`. */
export function rowSums(A: Matrix, out?: Matrix): Matrix {
  const C = ensureOut("sum rows", out, A.rows, 1, A.dtype);
  const a = A.data, c = C.data, n = A.cols;
  for (let i = 0, o = 0; i < A.rows; i++, o += n) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[o + j];
    c[i] = s;
  }
  return C;
}

/** Row maxima, `[rows, 1]`. */
export function rowMax(A: Matrix, out?: Matrix): Matrix {
  if (A.cols === 0) throw new RangeError(`Cannot take row max of matrix ${formatShape(A.shape)}`);
  const C = ensureOut("take row max", out, A.rows, 1, A.dtype);
  const a = A.data, c = C.data, n = A.cols;
  for (let i = 0, o = 0; i < A.rows; i++, o += n) {
    let m = a[o];
    for (let j = 1; j < n; j++) if (a[o + j] > m) m = a[o + j];
    c[i] = m;
  }
  return C;
}

/** Column maxima, `[1, cols]`. */
export function colMax(A: Matrix, out?: Matrix): Matrix {
  if (A.rows === 0) {
    throw new RangeError(`Cannot take column max of matrix ${formatShape(A.shape)}`);
  }
  const C = ensureOut("take column max", out, 1, A.cols, A.dtype);
  const a = A.data, c = C.data, n = A.cols;
  c.set(a.subarray(0, n));
  for (let i = 1, o = n; i < A.rows; i++, o += n) {
    for (let j = 0; j < n; j++) if (a[o + j] > c[j]) c[j] = a[o + j];
  }
  return C;
}

/**
 * Index of the largest element of each row (the first on ties), as class
 * predictions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "./matrix.ts";
 * import { argmaxRows } from "./ops.ts";
 *
 * assert.deepEqual(Array.from(argmaxRows(Matrix.from([[0.1, 0.7, 0.2], [5, 1, 0]]))), [1, 0]);
 * ```
 */
export function argmaxRows(A: Matrix, out?: Int32Array): Int32Array {
  if (A.cols === 0) throw new RangeError(`Cannot take argmax of matrix ${formatShape(A.shape)}`);
  const idx = out ?? new Int32Array(A.rows);
  if (idx.length !== A.rows) {
    throw new RangeError(
      `Cannot take argmax: output must have ${A.rows} elements, got ${idx.length}`,
    );
  }
  const a = A.data, n = A.cols;
  for (let i = 0, o = 0; i < A.rows; i++, o += n) {
    let best = 0, m = a[o];
    for (let j = 1; j < n; j++) {
      if (a[o + j] > m) {
        m = a[o + j];
        best = j;
      }
    }
    idx[i] = best;
  }
  return idx;
}

/**
 * One-hot encoding: `[labels.length, classes]` with a 1 at each label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oneHot } from "./ops.ts";
 *
 * assert.deepEqual(oneHot([2, 0], 3).toArray(), [[0, 0, 1], [1, 0, 0]]);
 * ```
 */
export function oneHot(
  labels: ArrayLike<number>,
  classes: number,
  dtype: DType = "float64",
): Matrix {
  const Y = Matrix.zeros(labels.length, classes, dtype);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i];
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      throw new RangeError(
        `Cannot one-hot encode: label at index ${i} must be an integer in [0, ${classes}), got ${k}`,
      );
    }
    Y.data[i * classes + k] = 1;
  }
  return Y;
}

/**
 * Gathers rows `indices` of `A` into `out` (`[indices.length, cols]`), e.g.
 * a shuffled mini-batch. Reuse `out` across batches to avoid allocation.
 */
export function gatherRows(A: Matrix, indices: ArrayLike<number>, out?: Matrix): Matrix {
  const C = ensureOut("gather rows", out, indices.length, A.cols, A.dtype);
  if (C.data.buffer === A.data.buffer && C.size > 0) {
    throw new RangeError("Cannot gather rows in place: pass a separate output matrix");
  }
  const n = A.cols;
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    if (!Number.isInteger(i) || i < 0 || i >= A.rows) {
      throw new RangeError(
        `Cannot gather rows: index ${i} at position ${r} is outside [0, ${A.rows}) for matrix ${
          formatShape(A.shape)
        }`,
      );
    }
    C.data.set(A.data.subarray(i * n, (i + 1) * n), r * n);
  }
  return C;
}

/** `out = Aᵀ`. */
export function transpose(A: Matrix, out?: Matrix): Matrix {
  const C = ensureOut("transpose matrix", out, A.cols, A.rows, A.dtype);
  if (C.data === A.data && A.size > 1) {
    throw new RangeError("Cannot transpose in place: pass a separate output matrix");
  }
  const a = A.data, c = C.data, m = A.rows, n = A.cols;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) c[j * m + i] = a[i * n + j];
  }
  return C;
}

/** Prepends a column of ones: `[n, d] → [n, d + 1]` (seed 001's bias trick). */
export function prependOnes(A: Matrix, out?: Matrix): Matrix {
  const C = ensureOut("prepend ones column", out, A.rows, A.cols + 1, A.dtype);
  const n = A.cols;
  for (let i = 0; i < A.rows; i++) {
    C.data[i * (n + 1)] = 1;
    C.data.set(A.data.subarray(i * n, (i + 1) * n), i * (n + 1) + 1);
  }
  return C;
}

/** Largest absolute elementwise difference between two matrices of one shape. */
export function maxAbsDiff(A: Matrix, B: Matrix): number {
  sameShape("compare matrices", A, B);
  let m = 0;
  for (let i = 0; i < A.size; i++) {
    const d = Math.abs(A.data[i] - B.data[i]);
    if (d > m || Number.isNaN(d)) m = d;
  }
  return m;
}
