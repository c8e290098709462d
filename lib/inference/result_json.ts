/**
 * `result.json` exactly as seed 003 Q2 wrote it: one entry per test image,
 *
 * ```json
 * [{"activations": [p0, …, p9], "index": 0, "classification": 7}, …]
 * ```
 *
 * where `activations` is the softmax output row (floats), `index` the row
 * number and `classification` its argmax (an int). The text is byte-for-byte
 * what Python's `json.dumps(l)` produced: `", "` and `": "` separators, keys
 * in that order, floats in Python's `repr` (`0.0`, `1e-05`, `1.5e-07`), and
 * `NaN` / `Infinity` as Python writes them. Files are written atomically.
 *
 * @module
 */

import { dirname } from "node:path";
import type { Matrix } from "../tensor/matrix.ts";
import { argmaxRows } from "../tensor/ops.ts";
import { writeFileAtomic } from "../data/atomic_write.ts";

/** One entry of `result.json`. */
export interface InferenceResult {
  /** The softmax output row, `[classes]`. */
  activations: number[];
  /** Row number in the test set. */
  index: number;
  /** Predicted class: the argmax of `activations`. */
  classification: number;
}

/**
 * Formats a number as Python's `repr(float)` does (shortest round-trip
 * digits; exponent form below 1e-4 and from 1e16; always a `.0` or exponent).
 *
 * @param x Any double.
 * @returns Python's text for it, e.g. `"1.0"`, `"1e-05"`, `"0.0001"`, `"NaN"` (as `json.dumps`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pythonFloatRepr } from "./result_json.ts";
 *
 * assert.equal(pythonFloatRepr(1), "1.0");
 * assert.equal(pythonFloatRepr(1e-5), "1e-05");
 * assert.equal(pythonFloatRepr(0.0001), "0.0001");
 * assert.equal(pythonFloatRepr(1.5e-7), "1.5e-07");
 * assert.equal(pythonFloatRepr(1e16), "1e+16");
 * ```
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa, exp] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const e = Number(exp);
  const decpt = e + 1; // x = 0.d1d2… × 10^decpt
  if (decpt <= -4 || decpt > 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const ae = Math.abs(e);
    return `${sign}${digits[0]}${frac}e${e < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  }
  if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/**
 * The entries of `result.json` for output probabilities `P`.
 *
 * @param P Softmax outputs `[n, classes]`.
 * @returns `n` entries `{ activations, index, classification }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { inferenceResults } from "./result_json.ts";
 *
 * const [r] = inferenceResults(Matrix.from([[0.25, 0.75]]));
 * assert.deepEqual(r, { activations: [0.25, 0.75], index: 0, classification: 1 });
 * ```
 */
export function inferenceResults(P: Matrix): InferenceResult[] {
  const cls = argmaxRows(P);
  const out: InferenceResult[] = [];
  for (let i = 0; i < P.rows; i++) {
    out.push({
      activations: Array.from(P.data.subarray(i * P.cols, (i + 1) * P.cols)),
      index: i,
      classification: cls[i],
    });
  }
  return out;
}

/**
 * The text of `result.json` for `P`, identical to the seed's
 * `json.dumps(l)`.
 *
 * @param P Softmax outputs `[n, classes]`.
 * @returns The JSON text (no trailing newline, as the seed's `f.write`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { formatResultJson } from "./result_json.ts";
 *
 * assert.equal(
 *   formatResultJson(Matrix.from([[1, 0]])),
 *   '[{"activations": [1.0, 0.0], "index": 0, "classification": 0}]',
 * );
 * ```
 */
export function formatResultJson(P: Matrix): string {
  const cls = argmaxRows(P);
  const parts: string[] = [];
  const row: string[] = new Array(P.cols);
  for (let i = 0; i < P.rows; i++) {
    for (let k = 0; k < P.cols; k++) row[k] = pythonFloatRepr(P.data[i * P.cols + k]);
    parts.push(
      `{"activations": [${row.join(", ")}], "index": ${i}, "classification": ${cls[i]}}`,
    );
  }
  return `[${parts.join(", ")}]`;
}

/**
 * Writes `result.json` for `P` atomically, byte-identical to the seed's,
 * creating its folder when missing.
 *
 * @param path Destination, e.g. `reports/result.json`.
 * @param P Softmax outputs `[n, classes]`.
 */
export async function writeResultJson(path: string, P: Matrix): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, formatResultJson(P));
}

/** Options of {@linkcode readResultJson}. */
export interface ReadResultJsonOptions {
  /** Expected length of every `activations` array. Default 10. */
  classes?: number;
}

/**
 * Reads a `result.json` and checks its shape: an array whose entry `i` is
 * `{ activations: number[classes], index: i, classification: argmax }`
 * with exactly those keys.
 *
 * @param path The file.
 * @param options Number of classes (default 10).
 * @returns The entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { readResultJson, writeResultJson } from "./result_json.ts";
 *
 * const path = `${Deno.makeTempDirSync()}/result.json`;
 * await writeResultJson(path, Matrix.from([[0.1, 0.9], [0.6, 0.4]]));
 * const results = await readResultJson(path, { classes: 2 });
 * assert.deepEqual(results.map((r) => r.classification), [1, 0]);
 * ```
 */
export async function readResultJson(
  path: string,
  options: ReadResultJsonOptions = {},
): Promise<InferenceResult[]> {
  const { classes = 10 } = options;
  const where = `Cannot read result file ${path}`;
  let parsed: unknown;
  try {
    // Python writes NaN/Infinity bare; map them to null so JSON.parse accepts the file.
    const text = (await Deno.readTextFile(path)).replace(/-?\b(?:NaN|Infinity)\b/g, "null");
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(parsed)) {
    throw new TypeError(`${where}: expected a JSON array, got ${typeof parsed}`);
  }
  parsed.forEach((entry: unknown, i: number) => {
    const bad = (detail: string): never => {
      throw new TypeError(`${where}: entry ${i}: ${detail}`);
    };
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      bad(`expected an object, got ${JSON.stringify(entry)}`);
    }
    const keys = Object.keys(entry as object).join(", ");
    if (keys !== "activations, index, classification") {
      bad(`expected keys activations, index, classification, got ${keys}`);
    }
    const { activations, index, classification } = entry as Record<string, unknown>;
    if (
      !Array.isArray(activations) || activations.length !== classes ||
      !activations.every((a) => typeof a === "number" || a === null)
    ) {
      bad(`expected activations as ${classes} numbers, got ${JSON.stringify(activations)}`);
    }
    if (index !== i) bad(`expected index ${i}, got ${JSON.stringify(index)}`);
    const acts = activations as number[];
    const best = acts.indexOf(Math.max(...acts));
    if (classification !== best) {
      bad(`expected classification ${best} (argmax of activations), got ${classification}`);
    }
  });
  return parsed as InferenceResult[];
}
