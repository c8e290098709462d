/**
 * The benchmark registry: case modules (`tools/bench/*_cases.ts`) call
 * {@linkcode registerBench} at import; `tools/bench.ts` imports them all,
 * filters, measures and writes `reports/bench.json`.
 *
 * Two kinds of case:
 * - a {@linkcode BenchCase}: a TypeScript function to time and a NumPy
 *   snippet doing the same work; the runner alternates samples of both in
 *   the same run and reports medians and `ratio = ours / numpy`;
 * - a {@linkcode CustomBenchCase}: measures itself (e.g. a whole training
 *   run against a NumPy script) and returns its {@linkcode BenchRow}.
 *
 * @module
 */

import type { DType } from "../../lib/tensor/matrix.ts";
import type { NumpyRunner } from "./numpy.ts";

/** One result, as written to `reports/bench.json` (an array of these). */
export interface BenchRow {
  /** Case name, e.g. `gemm_60000x784x32` (m×k×n). */
  case: string;
  /** Element type of both sides. */
  dtype: DType;
  /** Our gemm backend during the case: `openblas`, `cblas` or `ts`. */
  backend: string;
  /** Our median seconds per run. */
  ours_seconds: number;
  /** NumPy's median seconds per run, `null` without NumPy. */
  numpy_seconds: number | null;
  /** `ours_seconds / numpy_seconds`, `null` without NumPy. */
  ratio: number | null;
  /** Our GFLOPS, when the case declares its flop count. */
  ours_gflops?: number | null;
  /** NumPy's GFLOPS, when the case declares its flop count. */
  numpy_gflops?: number | null;
  /** Fastest samples and their ratio: the least disturbed by other load on the machine. */
  ours_best_seconds?: number;
  /** NumPy's fastest sample, `null` without NumPy. */
  numpy_best_seconds?: number | null;
  /** `ours_best_seconds / numpy_best_seconds`. */
  ratio_best?: number | null;
  /** The ratio the case must stay at or under (default 1.1). */
  target?: number | null;
  /** The GFLOPS the case must reach, if it has such a target. */
  target_gflops?: number | null;
  /** Whether every target of the case was met (`null` when it could not be judged). */
  meets_target?: boolean | null;
  /** Anything a reader needs, e.g. why NumPy is missing. */
  note?: string;
  /** Other fields a custom case reports. */
  [extra: string]: unknown;
}

/** A function-vs-snippet case, timed by the runner. */
export interface BenchCase {
  /** Unique with `dtype`; `deno task bench WORD…` runs cases whose `name dtype` contains every WORD. */
  name: string;
  /** Element type (also part of the row's key). */
  dtype: DType;
  /** One line for the table. */
  description?: string;
  /** Floating-point operations of one run, for GFLOPS (e.g. `2·m·n·k` for gemm). */
  flops?: number;
  /** Ratio target (ours / numpy), default 1.1. */
  target?: number;
  /** A GFLOPS floor instead of, or besides, the ratio target. */
  targetGflops?: number;
  /** Gemm backend for our side: `"ts"` forces the TypeScript kernel; default the active one. */
  blas?: "ts";
  /** Builds inputs (untimed) and returns the function to time; one call = one run. */
  setup(): (() => unknown) | Promise<() => unknown>;
  /**
   * The same work in NumPy: `setup` runs once (`np` is imported), `stmt` is
   * timed; names defined by `setup` are visible to `stmt`.
   */
  numpy?: { setup: string; stmt: string };
  /** Timed samples per side (median kept), default 11. */
  repeats?: number;
}

/** What a custom case gets from the runner. */
export interface BenchContext {
  /** The NumPy runner, `null` when no Python with NumPy was found. */
  numpy: NumpyRunner | null;
  /** Description of NumPy's BLAS for the row. */
  numpyBlas: string | null;
  /** Repeats asked for on the command line (`--repeats=N`), if any. */
  repeats: number | undefined;
}

/** A case that measures itself and returns its row. */
export interface CustomBenchCase {
  /** As {@linkcode BenchCase.name}. */
  name: string;
  /** As {@linkcode BenchCase.dtype}. */
  dtype: DType;
  /** One line for the table. */
  description?: string;
  /** Runs everything (ours and NumPy's) and reports. */
  run(context: BenchContext): Promise<BenchRow>;
}

/** Either kind of case. */
export type AnyBenchCase = BenchCase | CustomBenchCase;

const registry: AnyBenchCase[] = [];

/**
 * Adds cases to the benchmark. Call at the top level of a
 * `tools/bench/*_cases.ts` module.
 *
 * @param cases Cases; a name + dtype already registered throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registerBench, registeredBenches } from "./registry.ts";
 *
 * registerBench({
 *   name: "example_sum",
 *   dtype: "float64",
 *   setup: () => {
 *     const x = new Float64Array(1000).fill(1);
 *     return () => x.reduce((s, v) => s + v, 0);
 *   },
 *   numpy: { setup: "x = np.ones(1000)", stmt: "x.sum()" },
 * });
 * assert.ok(registeredBenches().some((c) => c.name === "example_sum"));
 * ```
 */
export function registerBench(...cases: AnyBenchCase[]): void {
  for (const c of cases) {
    if (registry.some((r) => r.name === c.name && r.dtype === c.dtype)) {
      throw new Error(`Cannot register benchmark ${c.name} (${c.dtype}): already registered`);
    }
    registry.push(c);
  }
}

/** Every registered case, in registration order. */
export function registeredBenches(): readonly AnyBenchCase[] {
  return registry;
}

/**
 * Cases whose `"name dtype"` contains every word of `filter` (all cases when empty).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectBenches } from "./registry.ts";
 *
 * const cases = [
 *   { name: "gemm_1024x1024x1024", dtype: "float32" as const, run: () => Promise.reject() },
 *   { name: "gemm_1024x1024x1024", dtype: "float64" as const, run: () => Promise.reject() },
 * ];
 * assert.equal(selectBenches(cases, ["1024", "float32"]).length, 1);
 * assert.equal(selectBenches(cases, []).length, 2);
 * ```
 */
export function selectBenches<T extends AnyBenchCase>(
  cases: readonly T[],
  filter: readonly string[],
): T[] {
  return cases.filter((c) => filter.every((word) => `${c.name} ${c.dtype}`.includes(word)));
}

/** Whether a case is measured by the runner (not custom). */
export function isTimedCase(c: AnyBenchCase): c is BenchCase {
  return "setup" in c;
}
