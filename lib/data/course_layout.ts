/**
 * The course's two HDF5 layouts (seed 003 Q2), read and written with h5py
 * compatibility:
 *
 * - network parameters: `W1 [200, 784]`, `b1 [200]`, `W2 [100, 200]`,
 *   `b2 [100]`, `W3 [10, 100]`, `b3 [10]`. Weights are stored `[out, in]`,
 *   so a layer computes `x · Wᵀ + b` (the lib's batch-first layers use
 *   `W [in, out]`, the transpose);
 * - data: `xdata [n, 784]` (pixels in [0, 1]) and `ydata [n, 10]` (one-hot).
 *
 * Readers accept float32, float64 and uint8 datasets, contiguous or chunked,
 * gzip-compressed or not, and convert to the requested dtype. Writers write
 * atomically (temporary file, then rename).
 *
 * @module
 */

import { Matrix } from "../tensor/matrix.ts";
import { allocate, type DType, formatShape } from "../dtypes.ts";
import { type Hdf5Array, type Hdf5Dataset, readHdf5, writeHdf5 } from "./hdf5.ts";
import { sha256Hex } from "./checksum.ts";

/** Layer sizes of the course's network: 784-200-100-10. */
export const COURSE_SIZES: readonly number[] = [784, 200, 100, 10];

/**
 * Parameters in the course's orientation: `weights[l]` is `[out, in]`
 * (`W1 [200, 784]` …), `biases[l]` is a `[1, out]` row (`b1 [200]` …).
 */
export interface CourseParams {
  /** `W1, W2, …`, each `[out, in]`. */
  weights: Matrix[];
  /** `b1, b2, …`, each `[1, out]`. */
  biases: Matrix[];
}

/** Options of {@linkcode readCourseParams}. */
export interface ReadCourseParamsOptions {
  /** dtype of the returned matrices. Default `"float64"` (numpy's). */
  dtype?: DType;
  /** Expected layer sizes, input first. Default {@linkcode COURSE_SIZES}. */
  sizes?: readonly number[];
}

function toMatrix(rows: number, cols: number, data: Hdf5Array, dtype: DType): Matrix {
  if (dtype === "float32" && data instanceof Float32Array) return new Matrix(rows, cols, data);
  if (dtype === "float64" && data instanceof Float64Array) return new Matrix(rows, cols, data);
  const out = allocate(dtype, data.length);
  out.set(data);
  return new Matrix(rows, cols, out);
}

/**
 * Reads network parameters `W1, b1, …` in the course's layout, checking
 * every shape against `sizes`.
 *
 * @param path HDF5 file, e.g. `data/mnist_network_params.hdf5`.
 * @param options dtype and expected sizes.
 * @returns `{ weights: [W1 [200, 784], …], biases: [b1 [1, 200], …] }`.
 * @throws {RangeError} On a missing dataset, a shape other than `sizes` gives,
 *   or a NaN or ±Infinity in any dataset (named, with its first bad index).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCourseParams } from "./course_layout.ts";
 * import { projectPath } from "./paths.ts";
 *
 * const net = await readCourseParams(projectPath("data", "mnist_network_params.hdf5"));
 * assert.deepEqual(net.weights.map((W) => W.shape), [[200, 784], [100, 200], [10, 100]]);
 * assert.deepEqual(net.biases.map((b) => b.shape), [[1, 200], [1, 100], [1, 10]]);
 * ```
 */
export async function readCourseParams(
  path: string,
  options: ReadCourseParamsOptions = {},
): Promise<CourseParams> {
  const { dtype = "float64", sizes = COURSE_SIZES } = options;
  const expect: Record<string, { shape: number[] }> = {};
  for (let l = 1; l < sizes.length; l++) {
    expect[`W${l}`] = { shape: [sizes[l], sizes[l - 1]] };
    expect[`b${l}`] = { shape: [sizes[l]] };
  }
  const sets = await readHdf5(path, expect);
  for (const [name, set] of Object.entries(sets)) checkFinite(path, name, set.shape, set.data);
  const weights: Matrix[] = [], biases: Matrix[] = [];
  for (let l = 1; l < sizes.length; l++) {
    weights.push(toMatrix(sizes[l], sizes[l - 1], sets[`W${l}`].data, dtype));
    biases.push(toMatrix(1, sizes[l], sets[`b${l}`].data, dtype));
  }
  return { weights, biases };
}

/**
 * Throws when a parameter dataset holds NaN or ±Infinity (a network with one
 * scores quietly wrong), naming the file, the dataset and the first bad index.
 */
function checkFinite(
  path: string,
  name: string,
  shape: readonly number[],
  data: ArrayLike<number>,
): void {
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i])) continue;
    const index: number[] = [];
    for (let d = shape.length - 1, rest = i; d >= 0; d--) {
      index.unshift(rest % shape[d]);
      rest = Math.floor(rest / shape[d]);
    }
    throw new RangeError(
      `Cannot read course parameters ${path}: expected finite values in dataset ${name}, found ${
        data[i]
      } at [${index.join(", ")}]`,
    );
  }
}

/** Options of {@linkcode writeCourseParams}. */
export interface WriteCourseParamsOptions {
  /** dtype stored in the file. Default: each matrix's own dtype. */
  dtype?: DType;
  /** gzip level 0..9. Default 0 (contiguous, like h5py's default). */
  compression?: number;
}

function asDataset(M: Matrix, shape: number[], dtype: DType): Hdf5Dataset {
  const data = M.dtype === dtype ? M.data : allocate(dtype, M.size);
  if (data !== M.data) data.set(M.data);
  return { shape, dtype, data };
}

/**
 * Writes network parameters in the course's layout (`W1 [out, in]`, `b1
 * [out]`, …), atomically.
 *
 * @param path Destination HDF5 file.
 * @param params `weights[l]` `[out, in]`, `biases[l]` `[1, out]` (or `[out, 1]`).
 * @param options Stored dtype and gzip level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { readCourseParams, writeCourseParams } from "./course_layout.ts";
 *
 * const path = `${Deno.makeTempDirSync()}/net.hdf5`;
 * const params = { weights: [Matrix.full(3, 2, 0.5)], biases: [Matrix.from([[1, 2, 3]])] };
 * await writeCourseParams(path, params);
 * const back = await readCourseParams(path, { sizes: [2, 3] });
 * assert.deepEqual(back.biases[0].toArray(), [[1, 2, 3]]);
 * ```
 */
export async function writeCourseParams(
  path: string,
  params: CourseParams,
  options: WriteCourseParamsOptions = {},
): Promise<void> {
  const { weights, biases } = params;
  if (weights.length === 0 || weights.length !== biases.length) {
    throw new RangeError(
      `Cannot write network parameters to ${path}: expected as many biases as weights (at least one), got ${weights.length} weights and ${biases.length} biases`,
    );
  }
  const sets: Record<string, Hdf5Dataset> = {};
  for (let l = 0; l < weights.length; l++) {
    const W = weights[l], b = biases[l];
    if (l > 0 && W.cols !== weights[l - 1].rows) {
      throw new RangeError(
        `Cannot write network parameters to ${path}: W${l + 1} ${formatShape(W.shape)} must have ${
          weights[l - 1].rows
        } columns (the rows of W${l} ${formatShape(weights[l - 1].shape)})`,
      );
    }
    if (b.size !== W.rows || (b.rows !== 1 && b.cols !== 1)) {
      throw new RangeError(
        `Cannot write network parameters to ${path}: b${l + 1} must be [1, ${W.rows}] to match W${
          l + 1
        } ${formatShape(W.shape)}, got ${formatShape(b.shape)}`,
      );
    }
    sets[`W${l + 1}`] = asDataset(W, [W.rows, W.cols], options.dtype ?? W.dtype);
    sets[`b${l + 1}`] = asDataset(b, [b.size], options.dtype ?? b.dtype);
  }
  await writeHdf5(path, sets, { compression: options.compression ?? 0 });
}

/** A data file in the course's layout. */
export interface CourseData {
  /** `xdata`, `[n, 784]`, pixels in [0, 1]. */
  X: Matrix;
  /** `ydata`, `[n, 10]`, one-hot. */
  Y: Matrix;
  /** The class of each row of `ydata`, `[n]`. */
  labels: Uint8Array;
}

/** Options of {@linkcode readCourseData}. */
export interface ReadCourseDataOptions {
  /** dtype of `X` and `Y`. Default `"float64"` (numpy's). */
  dtype?: DType;
  /** Features per row. Default 784. */
  features?: number;
  /** Classes. Default 10. */
  classes?: number;
}

/**
 * Reads `xdata [n, 784]` and `ydata [n, 10]`, checking shapes, that pixels
 * lie in [0, 1] and that every `ydata` row is one-hot.
 *
 * @param path HDF5 file, e.g. the seed's `mnisttestdata.hdf5`.
 * @param options dtype, features and classes.
 * @returns `{ X: [n, 784], Y: [n, 10], labels: [n] }`.
 */
export async function readCourseData(
  path: string,
  options: ReadCourseDataOptions = {},
): Promise<CourseData> {
  const { dtype = "float64", features = 784, classes = 10 } = options;
  const { xdata, ydata } = await readHdf5(path, {
    xdata: { shape: [null, features] },
    ydata: { shape: [null, classes] },
  });
  const n = xdata.shape[0];
  const where = `Cannot read course data from HDF5 file ${path}`;
  if (ydata.shape[0] !== n) {
    throw new RangeError(
      `${where}: xdata ${formatShape(xdata.shape)} and ydata ${
        formatShape(ydata.shape)
      } must have the same number of rows`,
    );
  }
  const x = xdata.data;
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] >= 0 && x[i] <= 1)) {
      throw new RangeError(
        `${where}: expected xdata in [0, 1], got ${x[i]} at row ${
          Math.floor(i / features)
        }, column ${i % features}`,
      );
    }
  }
  const y = ydata.data;
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let hot = -1, ones = 0, bad = false;
    for (let k = 0; k < classes; k++) {
      const v = y[i * classes + k];
      if (v === 1) {
        hot = k;
        ones++;
      } else if (v !== 0) bad = true;
    }
    if (bad || ones !== 1) {
      throw new RangeError(
        `${where}: expected ydata rows one-hot, got [${
          Array.from(y.subarray(i * classes, (i + 1) * classes)).join(", ")
        }] at row ${i}`,
      );
    }
    labels[i] = hot;
  }
  return {
    X: toMatrix(n, features, x, dtype),
    Y: toMatrix(n, classes, y, dtype),
    labels,
  };
}

/** Options of {@linkcode writeCourseData}. */
export interface WriteCourseDataOptions {
  /** dtype stored in the file. Default: the dtype of `X`. */
  dtype?: DType;
  /** gzip level 0..9. Default 0 (contiguous, like h5py's default). */
  compression?: number;
}

/**
 * Writes `xdata` and `ydata` in the course's layout, atomically.
 *
 * @param path Destination HDF5 file.
 * @param data `X [n, features]` in [0, 1] and one-hot `Y [n, classes]`.
 * @param options Stored dtype and gzip level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { readCourseData, writeCourseData } from "./course_layout.ts";
 *
 * const path = `${Deno.makeTempDirSync()}/data.hdf5`;
 * const X = Matrix.full(2, 784, 0.5), Y = Matrix.zeros(2, 10);
 * Y.set(0, 7, 1);
 * Y.set(1, 2, 1);
 * await writeCourseData(path, { X, Y }, { compression: 4 });
 * const back = await readCourseData(path);
 * assert.deepEqual([...back.labels], [7, 2]);
 * ```
 */
export async function writeCourseData(
  path: string,
  data: { X: Matrix; Y: Matrix },
  options: WriteCourseDataOptions = {},
): Promise<void> {
  const { X, Y } = data;
  if (X.rows !== Y.rows) {
    throw new RangeError(
      `Cannot write course data to ${path}: X ${formatShape(X.shape)} and Y ${
        formatShape(Y.shape)
      } must have the same number of rows`,
    );
  }
  const dtype = options.dtype ?? X.dtype;
  await writeHdf5(path, {
    xdata: asDataset(X, [X.rows, X.cols], dtype),
    ydata: asDataset(Y, [Y.rows, Y.cols], dtype),
  }, { compression: options.compression ?? 0 });
}

/**
 * SHA-256 of the parameter values (`W1, b1, W2, b2, …` in that order, each
 * row-major, as little-endian `dtype` bytes). Unlike the file's own digest it
 * ignores HDF5 metadata such as the object timestamps HDF5 writes, so two
 * runs that produce the same weights give the same digest.
 *
 * @param params Course parameters.
 * @param dtype Element type hashed. Default `"float32"`.
 * @returns Lower-case hex digest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { courseParamsSha256 } from "./course_layout.ts";
 *
 * const a = { weights: [Matrix.from([[1, 2]])], biases: [Matrix.from([[3]])] };
 * const b = { weights: [Matrix.from([[1, 2]], "float32")], biases: [Matrix.from([[3]], "float32")] };
 * assert.equal(await courseParamsSha256(a), await courseParamsSha256(b));
 * ```
 */
export function courseParamsSha256(
  params: CourseParams,
  dtype: DType = "float32",
): Promise<string> {
  const parts = params.weights.flatMap((W, l) => [W, params.biases[l]]);
  const all = allocate(dtype, parts.reduce((n, M) => n + M.size, 0));
  let offset = 0;
  for (const M of parts) {
    all.set(M.data, offset);
    offset += M.size;
  }
  return sha256Hex(new Uint8Array(all.buffer, all.byteOffset, all.byteLength));
}
