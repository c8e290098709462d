/**
 * The row gather of shuffled mini-batches: one `memcpy` per row natively
 * (`kernels.c`), else its TypeScript twin, element by element (exact
 * copies either way).
 *
 * @module
 */

import { nativeKernels } from "./build.ts";

type Floats = Float32Array | Float64Array;

/**
 * Copies rows `order[start .. start + rows)` of `src` (`cols` wide) into
 * `dst`, back to back (no allocation).
 *
 * @param src Matrix `[n, cols]`, row-major.
 * @param cols Columns.
 * @param order Row indices into `src`.
 * @param start First position in `order`.
 * @param rows Number of rows to copy.
 * @param dst Output `[rows, cols]` of `src`'s type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gatherRows } from "./gather.ts";
 *
 * const dst = new Float64Array(4);
 * gatherRows(new Float64Array([1, 2, 3, 4, 5, 6]), 2, new Uint32Array([2, 0, 1]), 0, 2, dst);
 * assert.deepEqual([...dst], [5, 6, 1, 2]);
 * ```
 */
export function gatherRows(
  src: Floats,
  cols: number,
  order: Uint32Array,
  start: number,
  rows: number,
  dst: Floats,
): void {
  const native = nativeKernels();
  if (native !== null) {
    native.nnkit_gather_rows(src, cols * src.BYTES_PER_ELEMENT, order, start, rows, dst);
    return;
  }
  for (let r = 0, d = 0; r < rows; r++, d += cols) {
    const s = order[start + r] * cols;
    for (let j = 0; j < cols; j++) dst[d + j] = src[s + j];
  }
}
