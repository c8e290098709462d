/**
 * Element types and shapes: the leaf that both `blas/` (raw arrays) and
 * `tensor/` ({@linkcode Shape} of a `Matrix`) build on. It imports nothing.
 *
 * @module
 */

/** Element type of a matrix: 32- or 64-bit floats. */
export type DType = "float32" | "float64";

/** The typed arrays a matrix can hold. */
export type FloatArray = Float32Array | Float64Array;

/** Shape of a matrix: `[rows, cols]`. */
export type Shape = [rows: number, cols: number];

/**
 * Formats a shape for error messages, e.g. `[32, 784]`.
 *
 * @param shape Any list of dimensions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatShape } from "./dtypes.ts";
 *
 * assert.equal(formatShape([32, 784]), "[32, 784]");
 * ```
 */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Allocates a zero-filled typed array of the given dtype.
 *
 * @param dtype `"float32"` or `"float64"`.
 * @param length Number of elements.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allocate } from "./dtypes.ts";
 *
 * const a = allocate("float32", 3);
 * assert.ok(a instanceof Float32Array);
 * assert.deepEqual([...a], [0, 0, 0]);
 * ```
 */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
}

/**
 * The dtype of a typed array.
 *
 * @param data A `Float32Array` or `Float64Array`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dtypeOf } from "./dtypes.ts";
 *
 * assert.equal(dtypeOf(new Float32Array(1)), "float32");
 * assert.equal(dtypeOf(new Float64Array(1)), "float64");
 * ```
 */
export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float32Array ? "float32" : "float64";
}
