/**
 * Reader for the IDX format of the MNIST files: a big-endian header (magic
 * number, then one 32-bit size per dimension) followed by unsigned bytes.
 *
 * | magic        | meaning                         |
 * | ------------ | ------------------------------- |
 * | `0x00000803` | ubyte, 3 dims: images `[n, 28, 28]` |
 * | `0x00000801` | ubyte, 1 dim: labels `[n]`      |
 *
 * Every check names the file and prints expected vs found: magic, number of
 * dimensions, each dimension, exact file length, label range. A gzip file
 * (`1f 8b` magic) is reported as such.
 *
 * @module
 */

/** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;

/** A decoded IDX file: its magic, dimensions and data bytes (a view, not a copy). */
export interface IdxArray {
  /** The 32-bit magic number, e.g. `0x00000803`. */
  magic: number;
  /** Sizes of each dimension, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** Row-major data, `dims.reduce(×)` bytes, a view into the file's bytes. */
  data: Uint8Array;
  /** The whole file (header and data), e.g. for checksums. */
  bytes: Uint8Array;
}

/** Options of {@linkcode parseIdx} and {@linkcode readIdx}. */
export interface IdxOptions {
  /** Name used in error messages (the file path). Default `"<bytes>"`. */
  path?: string;
  /** Required magic number, e.g. {@linkcode IDX_IMAGES_MAGIC}. Default: any ubyte IDX magic. */
  magic?: number;
  /** Required dimensions; `null` accepts any size, e.g. `[null, 28, 28]`. */
  dims?: readonly (number | null)[];
}

function hex32(x: number): string {
  return `0x${(x >>> 0).toString(16).padStart(8, "0")}`;
}

function fail(path: string, detail: string): never {
  throw new Error(`Cannot read IDX file ${path}: ${detail}`);
}

function formatDims(dims: readonly (number | null)[]): string {
  return `[${dims.map((d) => (d === null ? "any" : String(d))).join(", ")}]`;
}

/**
 * Decodes IDX bytes, validating magic, dimensions and exact length.
 *
 * @param bytes The whole file, `Uint8Array` of any length.
 * @param options Expected magic and dimensions, and the path for messages.
 * @returns The header and a data view (no copy) of `∏ dims` bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIdx } from "./idx.ts";
 *
 * const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]);
 * const idx = parseIdx(bytes, { magic: 0x00000801, dims: [3] });
 * assert.deepEqual(idx.dims, [3]);
 * assert.deepEqual([...idx.data], [7, 2, 1]);
 * assert.throws(
 *   () => parseIdx(bytes, { path: "y.idx", magic: 0x00000803 }),
 *   { message: "Cannot read IDX file y.idx: expected magic 0x00000803, got 0x00000801" },
 * );
 * ```
 */
export function parseIdx(bytes: Uint8Array, options: IdxOptions = {}): IdxArray {
  const path = options.path ?? "<bytes>";
  if (bytes.length < 4) {
    fail(
      path,
      `expected at least 4 bytes (the magic number), got ${bytes.length}${
        bytes.length === 0 ? " (empty file)" : ""
      }`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (options.magic !== undefined && magic !== options.magic) {
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b
      ? " (a gzip file: decompress it first)"
      : "";
    fail(path, `expected magic ${hex32(options.magic)}, got ${hex32(magic)}${gzip}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08 || bytes[3] === 0) {
    fail(
      path,
      `expected an unsigned-byte IDX magic 0x000008NN with NN ≥ 1 dimensions, got ${hex32(magic)}`,
    );
  }
  const ndims = bytes[3];
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    fail(
      path,
      `expected a ${headerBytes}-byte header for ${ndims} dimensions, got ${bytes.length} bytes`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const want = options.dims;
  if (want !== undefined) {
    const ok = want.length === dims.length && want.every((d, i) => d === null || d === dims[i]);
    if (!ok) fail(path, `expected dimensions ${formatDims(want)}, got ${formatDims(dims)}`);
  }
  const items = dims.reduce((a, b) => a * b, 1);
  const expectedLength = headerBytes + items;
  if (bytes.length !== expectedLength) {
    fail(
      path,
      `expected ${expectedLength} bytes (${headerBytes}-byte header + ${
        dims.join("×")
      } data), got ${bytes.length}${bytes.length < expectedLength ? " (truncated)" : ""}`,
    );
  }
  return { magic, dims, data: bytes.subarray(headerBytes, expectedLength), bytes };
}

/**
 * Reads and decodes an IDX file; a missing file gets an error naming it.
 *
 * @param path File path.
 * @param options Expected magic and dimensions.
 * @returns The decoded file ({@linkcode IdxArray}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readIdx } from "./idx.ts";
 *
 * await assert.rejects(readIdx("/nonexistent/x.idx"), {
 *   message: "Cannot read IDX file /nonexistent/x.idx: no such file",
 * });
 * ```
 */
export async function readIdx(path: string, options: IdxOptions = {}): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read IDX file ${path}: no such file`, { cause: error });
    }
    throw new Error(`Cannot read IDX file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseIdx(bytes, { ...options, path });
}

/**
 * Checks that every label is below `classes`, naming the first bad one.
 *
 * @param labels Label bytes `[n]`.
 * @param classes Number of classes, e.g. 10.
 * @param path File path for the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLabels } from "./idx.ts";
 *
 * checkLabels(new Uint8Array([0, 9]), 10, "y.idx");
 * assert.throws(() => checkLabels(new Uint8Array([3, 10]), 10, "y.idx"), {
 *   message: "Cannot read IDX file y.idx: expected labels in 0..9, got 10 at index 1",
 * });
 * ```
 */
export function checkLabels(labels: Uint8Array, classes: number, path: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      fail(path, `expected labels in 0..${classes - 1}, got ${labels[i]} at index ${i}`);
    }
  }
}

/** Options of {@linkcode readIdxImages}. */
export interface IdxImagesOptions {
  /** Required number of images; default any. */
  count?: number;
  /** Image height, default 28. */
  rows?: number;
  /** Image width, default 28. */
  cols?: number;
}

/**
 * Reads an IDX images file (magic `0x00000803`, `[count, rows, cols]`).
 *
 * @param path File path.
 * @param options Expected count and image size (28×28 by default).
 * @returns Pixel bytes `[count · rows · cols]` (a view) and the dimensions.
 */
export function readIdxImages(path: string, options: IdxImagesOptions = {}): Promise<IdxArray> {
  const { count = null, rows = 28, cols = 28 } = options;
  return readIdx(path, { magic: IDX_IMAGES_MAGIC, dims: [count, rows, cols] });
}

/** Options of {@linkcode readIdxLabels}. */
export interface IdxLabelsOptions {
  /** Required number of labels; default any. */
  count?: number;
  /** Labels must lie in `0..classes-1`; default 10. */
  classes?: number;
}

/**
 * Reads an IDX labels file (magic `0x00000801`, `[count]`, values `< classes`).
 *
 * @param path File path.
 * @param options Expected count and number of classes (10 by default).
 * @returns Label bytes `[count]` (a view) and the dimensions.
 */
export async function readIdxLabels(
  path: string,
  options: IdxLabelsOptions = {},
): Promise<IdxArray> {
  const { count = null, classes = 10 } = options;
  const idx = await readIdx(path, { magic: IDX_LABELS_MAGIC, dims: [count] });
  checkLabels(idx.data, classes, path);
  return idx;
}
