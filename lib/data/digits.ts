/**
 * The 8×8 handwritten digits (UCI "Optical Recognition of Handwritten
 * Digits", test part, as shipped by scikit-learn's `load_digits`): 1,797
 * images of 8×8 counts in 0..16, ten classes. Used by the seed-004 notebook.
 *
 * The file `data/digits.csv.gz` is scikit-learn's own copy, shipped
 * unchanged (provenance and licence in `data/README.md`); it is verified by
 * SHA-256 and shape at every load.
 *
 * Pixels are returned raw (0..16), as `load_digits().data` gives them. The
 * seed then divides each split by its own maximum (`X / np.max(X)`, i.e. by
 * 16 in practice) after the train/test split; that step belongs to the
 * notebook, e.g. `scale(X, 1 / 16)`.
 *
 * @module
 */

import { Matrix } from "../tensor/matrix.ts";
import type { DType } from "../dtypes.ts";
import { sha256Hex } from "./checksum.ts";
import { projectPath } from "./paths.ts";

/** SHA-256 of `data/digits.csv.gz` (scikit-learn 1.2.1, Debian `python3-sklearn` 1.2.1+dfsg-1). */
export const DIGITS_SHA256 = "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a";

/** Number of images in the digits set. */
export const DIGITS_COUNT = 1797;

/** Options of {@linkcode loadDigits}. */
export interface DigitsOptions {
  /** Element type of `X`. Default `"float64"` (as numpy's `load_digits`). */
  dtype?: DType;
  /** The `.csv.gz` file. Default `data/digits.csv.gz`. */
  path?: string;
  /** Check the file's SHA-256 against {@linkcode DIGITS_SHA256}. Default `true`. */
  verify?: boolean;
}

/** The 8×8 digits. */
export interface DigitsData {
  /** Images `[1797, 64]`, raw counts 0..16, row-major 8×8 per row. */
  X: Matrix;
  /** Labels `[1797]`, integers 0..9. */
  labels: Uint8Array;
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Loads the 8×8 digits, verified: `X [1797, 64]` (0..16) and labels 0..9.
 *
 * @param options dtype, path, whether to verify the checksum.
 * @returns `{ X: [1797, 64], labels: [1797] }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDigits } from "./digits.ts";
 *
 * const { X, labels } = await loadDigits();
 * assert.deepEqual(X.shape, [1797, 64]);
 * assert.equal(labels[3], 3); // the seed prints "Label of an image: 3"
 * assert.equal(Math.max(...X.data), 16);
 * ```
 */
export async function loadDigits(options: DigitsOptions = {}): Promise<DigitsData> {
  const { dtype = "float64", path = projectPath("data", "digits.csv.gz"), verify = true } = options;
  const where = `Cannot load digits file ${path}`;
  let gz: Uint8Array;
  try {
    gz = await Deno.readFile(path);
  } catch (error) {
    const detail = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new Error(`${where}: ${detail}`, { cause: error });
  }
  if (verify) {
    const found = await sha256Hex(gz);
    if (found !== DIGITS_SHA256) {
      throw new Error(`${where}: expected SHA-256 ${DIGITS_SHA256}, got ${found}`);
    }
  }
  let text: string;
  try {
    text = new TextDecoder().decode(await gunzip(gz));
  } catch (error) {
    throw new Error(`${where}: not a valid gzip file (${(error as Error).message})`, {
      cause: error,
    });
  }
  const lines = text.split("\n").filter((line) => line.length > 0);
  if (lines.length !== DIGITS_COUNT) {
    throw new Error(`${where}: expected ${DIGITS_COUNT} rows, got ${lines.length}`);
  }
  const X = Matrix.zeros(DIGITS_COUNT, 64, dtype);
  const labels = new Uint8Array(DIGITS_COUNT);
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i].split(",");
    if (fields.length !== 65) {
      throw new Error(`${where}: expected 65 fields on row ${i + 1}, got ${fields.length}`);
    }
    for (let j = 0; j < 65; j++) {
      const v = Number(fields[j]);
      const max = j < 64 ? 16 : 9;
      if (!Number.isInteger(v) || v < 0 || v > max) {
        throw new Error(
          `${where}: expected an integer in 0..${max} at row ${i + 1}, field ${j + 1}, got "${
            fields[j]
          }"`,
        );
      }
      if (j < 64) X.data[i * 64 + j] = v;
      else labels[i] = v;
    }
  }
  return { X, labels };
}
