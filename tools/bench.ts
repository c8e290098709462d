/**
 * `deno task bench [WORD…] [--repeats=N] [--threads=N] [--list] [--no-write]`: the
 * project's benchmarks, each beside NumPy doing the same work in the same
 * run, printed as a table and merged into `reports/bench.json` (an array of
 * {@linkcode BenchRow}: `{case, dtype, backend, ours_seconds, numpy_seconds,
 * ratio, ours_gflops, numpy_gflops, target, meets_target, …}`, ratio =
 * ours / numpy). WORDs select the cases whose `"name dtype"` contains every
 * word, e.g. `deno task bench gemm float32`; rows of cases not run are kept.
 * `--threads=N` sets the BLAS thread count of both sides (default: the
 * libraries' own, one per core); on a machine shared with other jobs,
 * `--threads=1` compares the libraries without thread-pool contention.
 *
 * ## Adding cases
 *
 * Put a module `tools/bench/NAME_cases.ts` next to the others; this runner
 * imports every `*_cases.ts` there. At its top level it calls
 * `registerBench(...)` from `tools/bench/registry.ts` with either
 *
 * - a timed case: `{name, dtype, flops?, target?, setup, numpy: {setup, stmt}}`.
 *   `setup()` builds the inputs and returns the function to time (one call =
 *   one run; it may be async). `numpy.setup` runs once in a Python namespace
 *   with `np` imported, `numpy.stmt` is the timed statement. The runner warms
 *   both up, sizes each sample to at least 0.05 s, then alternates our sample
 *   and NumPy's `repeats` times (default 11), with a short pause at each
 *   switch so neither BLAS thread pool spins on the other's cores, and keeps
 *   the medians (and, as `ratio_best`, the ratio of the fastest samples,
 *   which machine load disturbs least): a busy machine slows both sides alike;
 * - a custom case: `{name, dtype, run(context)}` that measures itself and
 *   returns a `BenchRow` (`context.numpy` is the shared NumPy runner).
 *
 * ```ts ignore
 * import { registerBench } from "./registry.ts";
 * registerBench({
 *   name: "softmax_60000x10",
 *   dtype: "float32",
 *   setup: () => { const Z = makeZ(); return () => softmaxRows(Z); },
 *   numpy: { setup: "z = np.random.default_rng(0).random((60000, 10), dtype=np.float32)",
 *            stmt: "e = np.exp(z - z.max(1, keepdims=True)); e / e.sum(1, keepdims=True)" },
 * });
 * ```
 *
 * NumPy runs in `tools/bench/numpy_runner.py` under the first of `python3`,
 * `/usr/bin/python3` that imports it, without `OPENBLAS_CORETYPE` and
 * `OPENBLAS_L2_SIZE` (see `tools/bench/numpy.ts`); each row records NumPy's
 * BLAS, core and threads. Without NumPy, ratios are `null` with a note.
 *
 * @module
 */

import process from "node:process";
import { blasBackend, setBlasThreads, useBlasBackend } from "../lib/blas/mod.ts";
import { writeFileAtomic } from "../lib/data/atomic_write.ts";
import { describeNumpy, NumpyRunner } from "./bench/numpy.ts";
import {
  type AnyBenchCase,
  type BenchCase,
  type BenchContext,
  type BenchRow,
  isTimedCase,
  registerBench,
  registeredBenches,
  selectBenches,
} from "./bench/registry.ts";

export { registerBench };
export type { AnyBenchCase, BenchCase, BenchContext, BenchRow };

/** Where results go. */
export const BENCH_JSON = new URL("../reports/bench.json", import.meta.url).pathname;

/** Shortest timed sample; short runs are repeated back to back to reach it. */
const MIN_SAMPLE_SECONDS = 0.05;

/**
 * Pause between our samples and NumPy's: an OpenBLAS thread pool spins for
 * about 0.1 s after each call before it sleeps, and on a small machine the
 * other side's spinning threads would steal its cores.
 */
const SETTLE_MS = 150;

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Imports every `tools/bench/*_cases.ts`, which register their cases. */
async function loadCaseModules(): Promise<void> {
  const dir = new URL("./bench/", import.meta.url);
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith("_cases.ts")) names.push(entry.name);
  }
  for (const name of names.sort()) {
    await import(new URL(name, dir).href);
  }
}

/** Calls `fn` `number` times; mean seconds per call. */
async function sample(fn: () => unknown, number: number, isAsync: boolean): Promise<number> {
  const t0 = performance.now();
  if (isAsync) {
    for (let i = 0; i < number; i++) await fn();
  } else {
    for (let i = 0; i < number; i++) fn();
  }
  return (performance.now() - t0) / 1000 / number;
}

/**
 * How many back-to-back runs make one sample of at least MIN_SAMPLE_SECONDS,
 * found as timeit's autorange does (1, 2, 5, 10, 20, … runs), which also
 * warms up the JIT, caches and thread pools; then one more warm-up sample.
 */
async function calibrate(run: (number: number) => Promise<number>): Promise<number> {
  let number = 1;
  for (let step = 0;; step++) {
    const seconds = await run(number);
    if (seconds * number >= MIN_SAMPLE_SECONDS) break;
    number = [1, 2, 5][(step + 1) % 3] * 10 ** Math.floor((step + 1) / 3);
  }
  await run(number);
  return number;
}

/** Measures one timed case, alternating our samples and NumPy's. */
async function measure(c: BenchCase, context: BenchContext): Promise<BenchRow> {
  const before = blasBackend();
  if (c.blas === "ts") useBlasBackend("ts");
  try {
    const backend = blasBackend();
    const fn = await c.setup();
    const first = fn();
    const isAsync = first instanceof Promise;
    if (isAsync) await first;
    // Single-threaded TS: CPU seconds too, which other load on the machine barely changes.
    const cpuTimes: number[] = [];
    const ours = async (number: number) => {
      const cpu0 = process.cpuUsage();
      const seconds = await sample(fn, number, isAsync);
      const cpu = process.cpuUsage(cpu0);
      cpuTimes.push((cpu.user + cpu.system) / 1e6 / number);
      return seconds;
    };
    const numpy = c.numpy === undefined ? null : context.numpy;
    const nsId = numpy === null ? null : await numpy.setup(c.numpy!.setup);
    const theirs = (number: number) => numpy!.time(nsId!, c.numpy!.stmt, number);
    const oursNumber = await calibrate(ours);
    await settle();
    const theirsNumber = numpy === null ? 0 : await calibrate(theirs);
    const repeats = context.repeats ?? c.repeats ?? 11;
    const oursTimes: number[] = [], theirsTimes: number[] = [];
    for (let r = 0; r < repeats; r++) {
      if (numpy !== null) await settle();
      oursTimes.push(await ours(oursNumber));
      if (numpy === null) continue;
      await settle();
      theirsTimes.push(await theirs(theirsNumber));
    }
    if (nsId !== null) await numpy!.drop(nsId);
    const oursSeconds = median(oursTimes);
    const cpuSeconds = median(cpuTimes.slice(-repeats));
    const numpySeconds = numpy === null ? null : median(theirsTimes);
    const ratio = numpySeconds === null ? null : oursSeconds / numpySeconds;
    const oursBest = Math.min(...oursTimes);
    const numpyBest = numpy === null ? null : Math.min(...theirsTimes);
    const gflops = (s: number | null) =>
      c.flops === undefined || s === null ? null : c.flops / s / 1e9;
    const target = c.target ?? (c.targetGflops === undefined ? 1.1 : null);
    const checks: (boolean | null)[] = [];
    if (target !== null) checks.push(ratio === null ? null : ratio <= target);
    if (c.targetGflops !== undefined) checks.push(gflops(oursSeconds)! >= c.targetGflops);
    const meets = checks.includes(false) ? false : checks.includes(null) ? null : true;
    return {
      case: c.name,
      dtype: c.dtype,
      backend: backend.name,
      ours_seconds: oursSeconds,
      numpy_seconds: numpySeconds,
      ratio,
      ours_gflops: gflops(oursSeconds),
      numpy_gflops: gflops(numpySeconds),
      target,
      target_gflops: c.targetGflops ?? null,
      ours_best_seconds: oursBest,
      ...(c.blas === "ts"
        ? { ours_cpu_seconds: cpuSeconds, ours_cpu_gflops: gflops(cpuSeconds) }
        : {}),
      numpy_best_seconds: numpyBest,
      ratio_best: numpyBest === null ? null : oursBest / numpyBest,
      repeats,
      meets_target: meets,
      description: c.description,
      ours_blas: backend.config ?? backend.name,
      ours_threads: backend.threads,
      numpy_blas: context.numpyBlas,
      ...(c.numpy !== undefined && context.numpy === null
        ? { note: "no Python with NumPy found: ratio not measured" }
        : {}),
    };
  } finally {
    useBlasBackend(before.name === "ts" ? "ts" : "auto", { quiet: true });
  }
}

function formatSeconds(s: number | null): string {
  if (s === null) return "—";
  if (s >= 1) return `${s.toFixed(2)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toFixed(2)} ms`;
  return `${(s * 1e6).toFixed(1)} µs`;
}

function formatRow(r: BenchRow): string {
  const num = (x: number | null | undefined, digits: number) =>
    x === null || x === undefined ? "—" : x.toFixed(digits);
  const untargeted = r.target == null && r.target_gflops == null;
  const verdict = untargeted
    ? "—"
    : r.meets_target === true
    ? "ok"
    : r.meets_target === false
    ? "MISSED"
    : "?";
  const goal = [
    r.target != null ? `ratio ≤ ${r.target}` : null,
    r.target_gflops != null ? `≥ ${r.target_gflops} GFLOPS` : null,
  ].filter(Boolean).join(", ") || "comparison, no target";
  return [
    r.case.padEnd(26),
    r.dtype.padEnd(8),
    r.backend.padEnd(9),
    formatSeconds(r.ours_seconds).padStart(10),
    formatSeconds(r.numpy_seconds).padStart(10),
    num(r.ratio, 2).padStart(6),
    num(r.ratio_best, 2).padStart(6),
    num(r.ours_gflops, 1).padStart(8),
    num(r.numpy_gflops, 1).padStart(8),
    `  ${verdict} (${goal})${
      typeof r.ours_cpu_gflops === "number"
        ? `; ${r.ours_cpu_gflops.toFixed(2)} GFLOPS in CPU time`
        : ""
    }`,
  ].join(" ");
}

const HEADER = [
  "case".padEnd(26),
  "dtype".padEnd(8),
  "backend".padEnd(9),
  "ours".padStart(10),
  "numpy".padStart(10),
  "ratio".padStart(6),
  "best".padStart(6),
  "GFLOPS".padStart(8),
  "np GFLOPS".padStart(8),
  "  target",
].join(" ");

/**
 * Merges rows into the JSON array at `path` (rows with the same case and
 * dtype are replaced, others kept), written atomically.
 *
 * @param rows New results.
 * @param path The `bench.json` to update.
 */
export async function mergeBenchRows(rows: readonly BenchRow[], path = BENCH_JSON): Promise<void> {
  let existing: BenchRow[] = [];
  try {
    const parsed = JSON.parse(await Deno.readTextFile(path));
    existing = Array.isArray(parsed) ? parsed : Array.isArray(parsed?.cases) ? parsed.cases : [];
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const kept = existing.filter((e) => !rows.some((r) => r.case === e.case && r.dtype === e.dtype));
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await writeFileAtomic(path, JSON.stringify([...kept, ...rows], null, 2) + "\n");
}

async function main(args: string[]): Promise<number> {
  const flags = args.filter((a) => a.startsWith("--"));
  const words = args.filter((a) => !a.startsWith("--"));
  const repeatsFlag = flags.find((f) => f.startsWith("--repeats="));
  const repeats = repeatsFlag === undefined ? undefined : Number(repeatsFlag.split("=")[1]);
  if (repeats !== undefined && !(Number.isInteger(repeats) && repeats > 0)) {
    console.error(`bench: --repeats must be a positive integer, got ${repeatsFlag}`);
    return 2;
  }
  const threadsFlag = flags.find((f) => f.startsWith("--threads="));
  const threads = threadsFlag === undefined ? undefined : Number(threadsFlag.split("=")[1]);
  if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) {
    console.error(`bench: --threads must be a positive integer, got ${threadsFlag}`);
    return 2;
  }
  if (threads !== undefined) setBlasThreads(threads);
  await loadCaseModules();
  const cases = selectBenches(registeredBenches(), words);
  if (flags.includes("--list")) {
    for (const c of cases) console.log(`${c.name} ${c.dtype}`);
    return 0;
  }
  if (cases.length === 0) {
    console.error(`bench: no case matches ${words.join(" ")} (try --list)`);
    return 2;
  }
  const backend = blasBackend();
  console.log(
    `ours: ${backend.name}${backend.library ? ` (${backend.library})` : ""}${
      backend.config ? `, ${backend.config}` : ""
    }, ${backend.threads ?? "?"} threads`,
  );
  const { runner, tried } = await NumpyRunner.start(undefined, { threads });
  const numpyBlas = runner === null ? null : describeNumpy(runner.info);
  console.log(
    runner === null
      ? `numpy: not found (${tried.join("; ")}); ratios will be null`
      : `numpy: ${runner.info.python} (Python ${runner.info.pythonVersion}), ${numpyBlas} [${runner.info.source}]`,
  );
  const context: BenchContext = { numpy: runner, numpyBlas, repeats };
  console.log(HEADER);
  const rows: BenchRow[] = [];
  let failed = 0;
  try {
    for (const c of cases as AnyBenchCase[]) {
      try {
        const row = isTimedCase(c) ? await measure(c, context) : await c.run(context);
        row.measured_at = new Date().toISOString();
        rows.push(row);
        console.log(formatRow(row));
      } catch (error) {
        failed++;
        console.error(
          `bench: ${c.name} ${c.dtype} failed: ${error instanceof Error ? error.stack : error}`,
        );
      }
    }
  } finally {
    await runner?.close();
  }
  if (!flags.includes("--no-write") && rows.length > 0) {
    await mergeBenchRows(rows);
    console.log(`wrote ${rows.length} rows to ${BENCH_JSON}`);
  }
  const missed = rows.filter((r) => r.meets_target === false).map((r) => `${r.case} ${r.dtype}`);
  if (missed.length > 0) console.log(`targets missed: ${missed.join(", ")}`);
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
