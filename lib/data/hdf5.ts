/**
 * HDF5 datasets read and written through `h5wasm` (the HDF5 C library
 * compiled to WebAssembly, h5py-compatible), with errors that name the file
 * and the dataset.
 *
 * Supported element types: float32, float64 and uint8, little- or big-endian,
 * contiguous or chunked, with or without gzip (deflate) compression: what
 * h5py writes with default options and with `compression="gzip"`.
 *
 * The file's signature (`\x89HDF\r\n\x1a\n` at byte 0, 512, 1024, 2048, …)
 * is checked before HDF5 opens it, and h5wasm's throwing error handler is
 * on, so a failure inside HDF5 becomes an exception rather than a message
 * printed to the console.
 *
 * @module
 */

import h5wasm from "h5wasm/node";
import { formatShape } from "../dtypes.ts";
import { withAtomicPath } from "./atomic_write.ts";

/** Element types this module reads and writes. */
export type Hdf5DType = "float32" | "float64" | "uint8";

/** Typed arrays matching {@linkcode Hdf5DType}. */
export type Hdf5Array = Float32Array | Float64Array | Uint8Array;

/** One dataset: its shape, element type and row-major (C-order) data. */
export interface Hdf5Dataset {
  /** Dimensions, e.g. `[200, 784]`; `[]` for a scalar. */
  shape: number[];
  /** Element type. */
  dtype: Hdf5DType;
  /** Row-major data, `∏ shape` elements. */
  data: Hdf5Array;
}

/** The 8-byte HDF5 format signature. */
export const HDF5_SIGNATURE: Uint8Array = new Uint8Array([
  0x89,
  0x48,
  0x44,
  0x46,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
]);

let ready: Promise<void> | undefined;

/** Loads the WebAssembly module once and turns on its throwing error handler. */
function h5ready(): Promise<void> {
  ready ??= h5wasm.ready.then((module) => {
    module.activate_throwing_error_handler();
  });
  return ready;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * Byte offset of the HDF5 signature in a file (0 or 512·2^k, after a user
 * block), or `-1` when the file is not HDF5.
 *
 * @param path File path.
 * @returns The offset, or `-1`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hdf5SignatureOffset } from "./hdf5.ts";
 *
 * const path = Deno.makeTempFileSync();
 * Deno.writeFileSync(path, new TextEncoder().encode("hello, not HDF5"));
 * assert.equal(await hdf5SignatureOffset(path), -1);
 * ```
 */
export async function hdf5SignatureOffset(path: string): Promise<number> {
  using file = await Deno.open(path, { read: true });
  const { size } = await file.stat();
  const buf = new Uint8Array(8);
  for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
    await file.seek(offset, Deno.SeekMode.Start);
    let got = 0;
    while (got < 8) {
      const n = await file.read(buf.subarray(got));
      if (n === null) break;
      got += n;
    }
    if (got === 8 && buf.every((b, i) => b === HDF5_SIGNATURE[i])) return offset;
  }
  return -1;
}

async function checkSignature(path: string): Promise<void> {
  let offset: number;
  try {
    offset = await hdf5SignatureOffset(path);
  } catch (error) {
    const detail = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new Error(`Cannot read HDF5 file ${path}: ${detail}`, { cause: error });
  }
  if (offset < 0) {
    const head = (await Deno.readFile(path)).subarray(0, 8);
    throw new Error(
      `Cannot read HDF5 file ${path}: not an HDF5 file (expected signature ${
        hex(HDF5_SIGNATURE)
      } at byte 0 or 512·2^k, got ${head.length === 0 ? "an empty file" : hex(head)} at byte 0)`,
    );
  }
}

type H5File = InstanceType<typeof h5wasm.File>;
type H5Group = InstanceType<typeof h5wasm.Group>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

function openFile(path: string, mode: "r" | "w"): H5File {
  try {
    return new h5wasm.File(path, mode);
  } catch (error) {
    const verb = mode === "r" ? "read" : "write";
    throw new Error(
      `Cannot ${verb} HDF5 file ${path}: HDF5 failed to open it (${firstLine(error)})`,
      { cause: error },
    );
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const minor = text.match(/minor: (.*)/g);
  if (minor === null) return text.split("\n")[0];
  return [...new Set(minor.map((m) => m.slice(7).trim()))].join("; ");
}

/** Paths of every dataset in a group, recursively, without the leading `/`. */
function walkDatasets(group: H5Group, prefix: string, out: string[]): string[] {
  for (const key of group.keys()) {
    const entity = group.get(key);
    const name = prefix === "" ? key : `${prefix}/${key}`;
    if (entity instanceof h5wasm.Dataset) out.push(name);
    else if (entity instanceof h5wasm.Group) walkDatasets(entity, name, out);
  }
  return out;
}

/**
 * Names of all datasets in an HDF5 file (recursively, e.g. `["W1", "b1"]`).
 *
 * @param path File path.
 * @returns Dataset paths without the leading `/`, in the file's order.
 */
export async function listHdf5Datasets(path: string): Promise<string[]> {
  await checkSignature(path);
  await h5ready();
  const file = openFile(path, "r");
  try {
    return walkDatasets(file, "", []);
  } finally {
    file.close();
  }
}

function describeType(meta: H5Dataset["metadata"]): string {
  const order = meta.size > 1 ? (meta.littleEndian ? "little-endian " : "big-endian ") : "";
  if (meta.type === 0) return `${order}${meta.signed ? "int" : "uint"}${meta.size * 8}`;
  if (meta.type === 1) return `${order}float${meta.size * 8}`;
  const classes = [
    "integer",
    "float",
    "time",
    "string",
    "bitfield",
    "opaque",
    "compound",
    "reference",
    "enum",
    "vlen",
    "array",
  ];
  return classes[meta.type] ?? `HDF5 type class ${meta.type}`;
}

function dtypeOf(meta: H5Dataset["metadata"]): Hdf5DType | undefined {
  if (meta.type === 1 && meta.size === 4) return "float32";
  if (meta.type === 1 && meta.size === 8) return "float64";
  if (meta.type === 0 && meta.size === 1 && !meta.signed) return "uint8";
  return undefined;
}

/** What {@linkcode readHdf5} expects of one dataset. */
export interface Hdf5Expectation {
  /** Required shape; `null` accepts any size, e.g. `[null, 784]`. */
  shape?: readonly (number | null)[];
}

function shapeMatches(want: readonly (number | null)[], got: readonly number[]): boolean {
  return want.length === got.length && want.every((d, i) => d === null || d === got[i]);
}

function formatExpected(want: readonly (number | null)[]): string {
  return `[${want.map((d) => (d === null ? "any" : String(d))).join(", ")}]`;
}

function readOne(
  file: H5File,
  path: string,
  name: string,
  expect: Hdf5Expectation,
  present: () => string[],
): Hdf5Dataset {
  const where = `Cannot read dataset "${name}" from HDF5 file ${path}`;
  let entity: ReturnType<H5File["get"]> = null;
  try {
    entity = file.get(name);
  } catch {
    entity = null;
  }
  if (!(entity instanceof h5wasm.Dataset)) {
    const list = present();
    const what = entity instanceof h5wasm.Group ? "a group, not a dataset" : "no such dataset";
    throw new Error(
      `${where}: ${what} (datasets present: ${list.length === 0 ? "none" : list.join(", ")})`,
    );
  }
  const meta = entity.metadata;
  const dtype = dtypeOf(meta);
  if (dtype === undefined) {
    throw new TypeError(
      `${where}: unsupported dtype ${describeType(meta)} (supported: float32, float64, uint8)`,
    );
  }
  const shape = [...(entity.shape ?? [])];
  if (expect.shape !== undefined && !shapeMatches(expect.shape, shape)) {
    throw new RangeError(
      `${where}: expected shape ${formatExpected(expect.shape)}, got ${formatShape(shape)}`,
    );
  }
  let value: unknown;
  try {
    value = entity.value;
  } catch (error) {
    throw new Error(`${where}: HDF5 failed to read it (${firstLine(error)})`, { cause: error });
  }
  // h5wasm returns a plain number for a scalar (shape []) dataset.
  const data = typeof value === "number"
    ? { float32: Float32Array, float64: Float64Array, uint8: Uint8Array }[dtype].of(value)
    : value as Hdf5Array;
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new Error(
      `${where}: expected ${size} elements for shape ${formatShape(shape)}, got ${data.length}`,
    );
  }
  return { shape, dtype, data };
}

/**
 * Reads datasets from an HDF5 file, checking each one's existence, dtype and
 * (optionally) shape.
 *
 * @param path File path.
 * @param datasets Names to read, or names mapped to expectations such as `{ xdata: { shape: [null, 784] } }`.
 * @returns Each dataset by name, with its native dtype (float32, float64 or uint8).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readHdf5, writeHdf5 } from "./hdf5.ts";
 *
 * const path = `${Deno.makeTempDirSync()}/w.hdf5`;
 * await writeHdf5(path, { b1: { shape: [3], dtype: "float32", data: new Float32Array([1, 2, 3]) } });
 * const { b1 } = await readHdf5(path, { b1: { shape: [3] } });
 * assert.deepEqual([...b1.data], [1, 2, 3]);
 * await assert.rejects(readHdf5(path, ["W1"]), {
 *   message: `Cannot read dataset "W1" from HDF5 file ${path}: no such dataset (datasets present: b1)`,
 * });
 * ```
 */
export async function readHdf5(
  path: string,
  datasets: readonly string[] | Readonly<Record<string, Hdf5Expectation>>,
): Promise<Record<string, Hdf5Dataset>> {
  await checkSignature(path);
  await h5ready();
  const wanted: [string, Hdf5Expectation][] = Array.isArray(datasets)
    ? (datasets as readonly string[]).map((name) => [name, {}])
    : Object.entries(datasets as Record<string, Hdf5Expectation>);
  const file = openFile(path, "r");
  try {
    const out: Record<string, Hdf5Dataset> = {};
    for (const [name, expect] of wanted) {
      out[name] = readOne(file, path, name, expect, () => walkDatasets(file, "", []));
    }
    return out;
  } finally {
    file.close();
  }
}

/** Options of {@linkcode writeHdf5}. */
export interface Hdf5WriteOptions {
  /**
   * gzip (deflate) level 1..9 for every dataset of 2+ elements, stored in
   * chunks of about 256 KiB of whole rows; `0` (default) writes contiguous,
   * uncompressed datasets, as h5py does by default.
   */
  compression?: number;
}

// h5wasm dtype strings: the letter alone sets the size ("<f" float32, "<d" float64, "<B" uint8);
// a numeric suffix such as "<f8" is ignored for numbers and would silently write float32.
const H5_DTYPES: Record<Hdf5DType, string> = { float32: "<f", float64: "<d", uint8: "<B" };

function chunksFor(shape: readonly number[], itemBytes: number): number[] {
  const rowItems = shape.slice(1).reduce((a, b) => a * b, 1);
  const rows = Math.max(1, Math.min(shape[0], Math.floor((256 * 1024) / (rowItems * itemBytes))));
  return [rows, ...shape.slice(1)];
}

function checkDataset(path: string, name: string, ds: Hdf5Dataset): void {
  const where = `Cannot write dataset "${name}" to HDF5 file ${path}`;
  const ctor = { float32: Float32Array, float64: Float64Array, uint8: Uint8Array }[ds.dtype];
  if (ctor === undefined) {
    throw new TypeError(
      `${where}: unsupported dtype ${ds.dtype} (supported: float32, float64, uint8)`,
    );
  }
  if (!(ds.data instanceof ctor)) {
    throw new TypeError(
      `${where}: expected data as ${ctor.name} for dtype ${ds.dtype}, got ${ds.data.constructor.name}`,
    );
  }
  const size = ds.shape.reduce((a, b) => a * b, 1);
  if (!ds.shape.every((d) => Number.isInteger(d) && d >= 0) || ds.data.length !== size) {
    throw new RangeError(
      `${where}: expected ${size} elements for shape ${
        formatShape(ds.shape)
      }, got ${ds.data.length}`,
    );
  }
}

/**
 * Writes datasets to a new HDF5 file atomically (temporary file in the same
 * folder, then rename), replacing any existing file.
 *
 * @param path Destination file.
 * @param datasets Datasets by name (root level), e.g. `{ W1: { shape: [200, 784], dtype: "float32", data } }`.
 * @param options gzip `compression` level (default 0: contiguous, uncompressed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readHdf5, writeHdf5 } from "./hdf5.ts";
 *
 * const path = `${Deno.makeTempDirSync()}/x.hdf5`;
 * const data = new Float64Array(600).map((_, i) => i / 7);
 * await writeHdf5(path, { xdata: { shape: [3, 200], dtype: "float64", data } }, { compression: 4 });
 * const { xdata } = await readHdf5(path, ["xdata"]);
 * assert.deepEqual(xdata.shape, [3, 200]);
 * assert.deepEqual(xdata.data, data);
 * ```
 */
export async function writeHdf5(
  path: string,
  datasets: Readonly<Record<string, Hdf5Dataset>>,
  options: Hdf5WriteOptions = {},
): Promise<void> {
  const { compression = 0 } = options;
  if (!Number.isInteger(compression) || compression < 0 || compression > 9) {
    throw new RangeError(
      `Cannot write HDF5 file ${path}: compression must be an integer gzip level in 0..9, got ${compression}`,
    );
  }
  for (const [name, ds] of Object.entries(datasets)) checkDataset(path, name, ds);
  await h5ready();
  await withAtomicPath(path, (tmp) => {
    const file = openFile(tmp, "w");
    try {
      for (const [name, ds] of Object.entries(datasets)) {
        const compress = compression > 0 && ds.data.length > 1 && ds.shape.length > 0;
        try {
          file.create_dataset({
            name,
            data: ds.data,
            shape: ds.shape,
            dtype: H5_DTYPES[ds.dtype],
            ...(compress
              ? { chunks: chunksFor(ds.shape, ds.data.BYTES_PER_ELEMENT), compression }
              : {}),
          });
        } catch (error) {
          throw new Error(
            `Cannot write dataset "${name}" to HDF5 file ${path}: HDF5 failed (${
              firstLine(error)
            })`,
            { cause: error },
          );
        }
      }
    } finally {
      file.close();
    }
  });
}
