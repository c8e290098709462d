/**
 * `deno task reproduce`: executes the notebooks through real Jupyter
 * (nbclient + the Deno kernel, via tools/nbexec.py), one after another, and
 * writes the executed notebooks, `results.json`, `runs.json` and `REPORT.md`,
 * then writes one self-contained HTML page per executed notebook to
 * OUT/html/ (`reproduce/html_pages.ts`: nbconvert, plotly.js inlined once)
 * and exports the figures (`deno task export --in OUT/notebooks --out
 * OUT/figures`) when that task exists.
 *
 * ```
 * deno task reproduce [names…] [--quick] [--seeds N] [--seed S] [--jobs N] [--timeout S]
 *   [--cell-timeout S] [--notebooks DIR] [--out DIR] [--no-export] [--fail-fast]
 *   [--late recover|fail|drop] [--python PATH]
 * ```
 *
 * - names: notebooks to run, matched as a prefix of `NN_name` or of `name`
 *   (`02`, `02_tanh`, `tanh`); default all `NN_*.ipynb` in the notebooks dir.
 * - `--quick`: sets `NB_QUICK=1` (the notebooks' small configurations);
 *   otherwise `NB_QUICK=0`.
 * - `--seed S`: sets `NB_SEED=S`. `--seeds N`: runs each notebook N times
 *   with `NB_SEED` = S, S+1, … (S: `--seed`, else the `seed:` written in the
 *   notebook's `parameters` cell; a notebook without a seed runs once) and
 *   reports min–max ranges.
 * - `--jobs N`: notebooks run N at a time. Default: the number of cores,
 *   at most 2 (much of a notebook is one thread: per-sample loops, figures,
 *   kernel start-up; two at a time keep both cores busy). Longest first, by
 *   the wall time of the notebook's previous run in `OUT/runs.json` (else the
 *   full-run times in `tools/reproduce/expected_seconds.json`). The longest
 *   keeps one BLAS / OpenMP thread per core (it finishes alone), the others
 *   get cores / N (`OPENBLAS_NUM_THREADS`, `OMP_NUM_THREADS`, unless already
 *   set), and idle OpenMP threads sleep instead of spinning
 *   (`OMP_WAIT_POLICY=passive`). The per-notebook seconds in the report then
 *   include the sharing; `--jobs 1` times each notebook alone.
 * - `--timeout S`: whole-notebook timeout (default 1800 s, 300 s with
 *   `--quick`); `--cell-timeout S`: per-cell timeout (default none).
 * - `--notebooks DIR` (default `notebooks/`), `--out DIR` (default
 *   `reports/`): executed notebooks go to `OUT/notebooks/NAME.ipynb` (the
 *   first seed) and `OUT/runs/NAME/seed-S.ipynb` (other seeds), figures to
 *   `OUT/figures/NAME/`.
 * - Other `NB_*` variables in the environment reach the notebooks unchanged
 *   (see lib/params.ts).
 *
 * A run writes into a fresh folder, `OUT/.partial-<UTC time>-<pid>/`, and
 * moves its files into `OUT` (one rename per file, the executed notebooks and
 * figures first, then `runs.json`, `results.json`, `REPORT.md`) only when it
 * completes: every notebook ran and produced every expected output, and the
 * export succeeded. `results.json` and `runs.json` are merged with the
 * previous ones by notebook, so running one notebook updates its entry and
 * keeps the others (entries of notebooks no longer in the notebooks dir are
 * dropped). A run that fails leaves `OUT` exactly as it was, with its own
 * output (the executed notebooks, and `runs.json`, `results.json` and
 * `REPORT.md` saying what failed) in the partial folder it names; the figure
 * export is then skipped.
 *
 * SIGINT and SIGTERM stop a run: reproduce forwards the signal to the
 * runners it started (and to the export), which shut their kernels down;
 * whatever of their process trees still runs 5 s later is killed; `OUT` is
 * left as it was, the partial folder named, and the exit status is 130 or
 * 143. Each runner also watches a pipe from reproduce, so it stops its
 * kernel and exits when reproduce dies without a word (SIGKILL).
 *
 * Exit status: 0 when every notebook ran, produced every expected output and
 * the export succeeded (the reports were updated); 1 otherwise (the failing
 * notebook and cell are named); 2 for bad usage; 130 / 143 stopped by SIGINT
 * / SIGTERM.
 *
 * @module
 */

import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../lib/data/atomic_write.ts";
import {
  callsRecordResults,
  mergeBundles,
  type NotebookJson,
  parametersSeed,
  resultBundles,
} from "./reproduce/collect_results.ts";
import {
  failureLines,
  formatSeconds,
  type NotebookRecord,
  recordOk,
  reportMarkdown,
  resultsJson,
  type RunRecord,
} from "./reproduce/report_markdown.ts";
import { ChildProcesses } from "./reproduce/processes.ts";
import { writeHtmlPages } from "./reproduce/html_pages.ts";
import { defaultPython, runNotebook } from "./reproduce/run_notebook.ts";
import { moveInto, partialDir } from "./reproduce/staging.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const NAME_PATTERN = /^\d\d_.+\.ipynb$/;
/** How long the runners get to stop after a forwarded signal before their process trees are killed. */
const STOP_GRACE_MS = 5000;
/** The signals that stop a run, and the exit status each gives. */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

/** Parsed command line of `deno task reproduce`. */
export interface ReproduceOptions {
  names: string[];
  quick: boolean;
  seeds: number;
  seed: number | null;
  jobs: number;
  timeout: number;
  cellTimeout: number;
  notebooksDir: string;
  outDir: string;
  export: boolean;
  failFast: boolean;
  late: "recover" | "fail" | "drop";
  python: string;
}

function usageError(message: string): never {
  throw new RangeError(message);
}

function numberFlag(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min) {
    usageError(`Cannot read --${name}: expected a number >= ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * Parses reproduce's arguments.
 *
 * @param args Command-line arguments (without the program).
 * @returns The options, with defaults filled in.
 * @throws {RangeError} On unknown flags or bad values, naming the flag.
 */
export function parseReproduceArgs(args: string[]): ReproduceOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        quick: { type: "boolean", default: false },
        seeds: { type: "string" },
        seed: { type: "string" },
        jobs: { type: "string" },
        timeout: { type: "string" },
        "cell-timeout": { type: "string" },
        notebooks: { type: "string" },
        out: { type: "string" },
        "no-export": { type: "boolean", default: false },
        "fail-fast": { type: "boolean", default: false },
        late: { type: "string", default: "recover" },
        python: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    usageError(`Cannot read the arguments: ${(error as Error).message}`);
  }
  const v = parsed.values;
  if (v.help) usageError("help");
  const late = v.late as string;
  if (!["recover", "fail", "drop"].includes(late)) {
    usageError(`Cannot read --late: expected recover, fail or drop, got ${JSON.stringify(late)}`);
  }
  const seeds = numberFlag("seeds", v.seeds, 1) ?? 1;
  if (!Number.isInteger(seeds)) {
    usageError(`Cannot read --seeds: expected an integer, got ${seeds}`);
  }
  const seed = numberFlag("seed", v.seed, -(2 ** 31));
  if (seed !== undefined && !Number.isInteger(seed)) {
    usageError(`Cannot read --seed: expected an integer, got ${seed}`);
  }
  const jobs = numberFlag("jobs", v.jobs, 1) ?? Math.min(2, navigator.hardwareConcurrency || 1);
  if (!Number.isInteger(jobs)) usageError(`Cannot read --jobs: expected an integer, got ${jobs}`);
  const quick = v.quick as boolean;
  return {
    names: parsed.positionals,
    quick,
    seeds,
    seed: seed ?? null,
    jobs,
    timeout: numberFlag("timeout", v.timeout, 0) ?? (quick ? 300 : 1800),
    cellTimeout: numberFlag("cell-timeout", v["cell-timeout"], 0) ?? 0,
    notebooksDir: v.notebooks ?? `${ROOT}/notebooks`,
    outDir: v.out ?? `${ROOT}/reports`,
    export: !v["no-export"],
    failFast: v["fail-fast"] as boolean,
    late: late as ReproduceOptions["late"],
    python: v.python ?? defaultPython(),
  };
}

/**
 * The notebooks to run: `NN_*.ipynb` in `dir`, filtered by `names`.
 *
 * @param dir Notebooks directory.
 * @param names Prefixes of `NN_name` or of `name`; empty for all.
 * @returns Notebook names without `.ipynb`, sorted.
 * @throws {RangeError} When a name matches no notebook, listing the available ones.
 */
export function selectNotebooks(dir: string, names: string[]): string[] {
  let all: string[];
  try {
    all = [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && NAME_PATTERN.test(e.name))
      .map((e) => e.name.replace(/\.ipynb$/, ""))
      .sort();
  } catch (error) {
    usageError(`Cannot list notebooks in ${dir}: ${(error as Error).message}`);
  }
  if (names.length === 0) {
    if (all.length === 0) usageError(`Cannot find notebooks in ${dir}: expected NN_*.ipynb files`);
    return all;
  }
  const chosen = new Set<string>();
  for (const name of names) {
    const key = name.replace(/\.ipynb$/, "");
    const hits = all.filter((nb) => nb.startsWith(key) || nb.slice(3).startsWith(key));
    if (hits.length === 0) {
      usageError(
        `Cannot find notebook ${JSON.stringify(name)} in ${dir}: expected a prefix of one of ${
          all.join(", ") || "(none)"
        }`,
      );
    }
    hits.forEach((nb) => chosen.add(nb));
  }
  return all.filter((nb) => chosen.has(nb));
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(path)) as T;
  } catch {
    return undefined;
  }
}

function seconds(value: number | null | undefined): string {
  return value == null ? "?" : formatSeconds(value);
}

async function runOne(
  name: string,
  seed: number | null,
  paths: { write: string; final: string },
  options: ReproduceOptions,
  source: NotebookJson,
  threads: number | null,
  processes: ChildProcesses,
): Promise<RunRecord> {
  const output = paths.write;
  // NNKIT_PLOTLY_JS=none: the executed notebooks do not carry plotly.js (4.8 MB); their HTML
  // pages do, once each (tools/reproduce/html_pages.ts).
  const env: Record<string, string> = {
    NB_QUICK: options.quick ? "1" : "0",
    NNKIT_PLOTLY_JS: Deno.env.get("NNKIT_PLOTLY_JS") ?? "none",
  };
  if (threads !== null) {
    const set = { OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads };
    for (const [variable, value] of Object.entries(set)) {
      if (!Deno.env.get(variable)) env[variable] = String(value);
    }
    if (!Deno.env.get("OMP_WAIT_POLICY")) env.OMP_WAIT_POLICY = "passive";
  }
  if (seed !== null) env.NB_SEED = String(seed);
  const { summary, stderr } = await runNotebook(`${options.notebooksDir}/${name}.ipynb`, output, {
    env,
    timeout: options.timeout,
    cellTimeout: options.cellTimeout,
    python: options.python,
    late: options.late,
    processes,
  });
  const executed = readJson<NotebookJson>(output);
  const bundle = executed ? mergeBundles(name, resultBundles(executed)) : null;
  const used = bundle?.params?.seed;
  const record: RunRecord = {
    seed: seed ?? (typeof used === "number" ? used : parametersSeed(source) ?? null),
    status: summary.status,
    seconds: summary.seconds,
    startupSeconds: summary.startup_seconds,
    cells: summary.cells,
    output: paths.final,
    errors: summary.errors,
    late: summary.late,
    bundle,
  };
  if (record.status === "ok" && bundle === null && callsRecordResults(source)) {
    record.status = "missing-output";
    record.errors.push({
      kind: "missing-output",
      cell: null,
      line: "",
      ename: "",
      evalue: "",
      message: "the notebook calls recordResults( but no results bundle reached the output",
    });
  }
  if (record.status !== "ok" && record.errors.length === 0 && stderr) {
    record.errors.push({
      kind: record.status,
      cell: null,
      line: "",
      ename: "",
      evalue: "",
      message: stderr.split("\n").slice(-3).join(" | "),
    });
  }
  return record;
}

async function runExport(outDir: string, processes: ChildProcesses): Promise<boolean | null> {
  const config = readJson<{ tasks?: Record<string, unknown> }>(`${ROOT}/deno.json`);
  if (!config?.tasks?.export) return null;
  const args = ["task", "export", "--in", `${outDir}/notebooks`, "--out", `${outDir}/figures`];
  console.log(`reproduce: exporting figures (deno ${args.join(" ")})`);
  const child = processes.add(
    new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      stdout: "inherit",
      stderr: "inherit",
    }).spawn(),
  );
  return (await child.status).success;
}

/**
 * Runs reproduce with the given arguments.
 *
 * @param args Command-line arguments.
 * @returns The exit status (0 ok, 1 a notebook or the export failed, 2 bad usage).
 */
export async function main(args: string[]): Promise<number> {
  let options: ReproduceOptions;
  let names: string[];
  try {
    options = parseReproduceArgs(args);
    names = selectNotebooks(options.notebooksDir, options.names);
  } catch (error) {
    const message = (error as Error).message;
    if (message === "help") {
      console.log(
        (await Deno.readTextFile(new URL(import.meta.url))).match(/```\n([\s\S]*?)```/)?.[1]
          ?.replace(/^ \* ?/gm, "") ?? "",
      );
      return 0;
    }
    console.error(`reproduce: ${message}`);
    return 2;
  }
  // More lanes than notebooks would only thin out each kernel's threads.
  options = { ...options, jobs: Math.min(options.jobs, names.length) };
  const processes = new ChildProcesses();
  const stop: StopState = { signal: null, stopping: Promise.resolve(), committing: false };
  const listeners = (Object.keys(STOP_SIGNALS) as (keyof typeof STOP_SIGNALS)[]).map((signal) => {
    const listener = () => {
      if (stop.committing) {
        console.error(
          `reproduce: ${signal} while moving the finished run in; finishing that first`,
        );
        return;
      }
      if (stop.signal !== null) {
        console.error(`reproduce: ${signal} again: killing what is left now`);
        stop.stopping = processes.stop("SIGKILL", 0);
        return;
      }
      stop.signal = signal;
      console.error(
        `reproduce: ${signal}: stopping (${processes.size} running process${
          processes.size === 1 ? "" : "es"
        } told; killed if still running after ${STOP_GRACE_MS / 1000} s)`,
      );
      stop.stopping = processes.stop(signal, STOP_GRACE_MS).then((killed) => {
        if (killed.length > 0) {
          console.error(
            `reproduce: killed ${killed.length} process${
              killed.length === 1 ? "" : "es"
            } still running after ${STOP_GRACE_MS / 1000} s: ${killed.map((p) => p.pid).join(" ")}`,
          );
        }
      });
    };
    Deno.addSignalListener(signal, listener);
    return { signal, listener };
  });
  try {
    return await runAll(options, names, processes, stop);
  } finally {
    await stop.stopping;
    for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
  }
}

interface StopState {
  /** The signal that stopped the run, once one came. */
  signal: keyof typeof STOP_SIGNALS | null;
  /** The forwarding and bounded wait it started. */
  stopping: Promise<unknown>;
  /** True while the finished run is moved into OUT (a signal then waits for that). */
  committing: boolean;
}

async function runAll(
  options: ReproduceOptions,
  names: string[],
  processes: ChildProcesses,
  stop: StopState,
): Promise<number> {
  const outDir = resolve(options.outDir);
  const stage = partialDir(outDir);
  Deno.mkdirSync(`${stage}/notebooks`, { recursive: true });
  const keptNote = () => `${outDir} is left as it was; this run's partial output is in ${stage}`;
  const started = performance.now();
  const slots: (NotebookRecord | undefined)[] = names.map(() => undefined);
  let failed = false;
  const halted = () => stop.signal !== null || (failed && options.failFast);
  const runNotebookSeeds = async (i: number): Promise<void> => {
    const name = names[i];
    const source = readJson<NotebookJson>(`${options.notebooksDir}/${name}.ipynb`) ??
      { cells: [] };
    // NB_SEED is set only when asked for (--seed, --seeds); otherwise the notebook's default runs.
    const base = options.seed ?? (options.seeds > 1 ? parametersSeed(source) ?? null : null);
    const count = base === null ? 1 : options.seeds;
    const seeds = Array.from({ length: count }, (_, k) => base === null ? null : base + k);
    if (options.seeds > 1 && base === null) {
      console.log(`[${i + 1}/${names.length}] ${name}: no seed parameter, running once`);
    }
    const runs: RunRecord[] = [];
    for (const [k, seed] of seeds.entries()) {
      if (halted()) break;
      if (k > 0) Deno.mkdirSync(`${stage}/runs/${name}`, { recursive: true });
      const file = k === 0 ? `notebooks/${name}.ipynb` : `runs/${name}/seed-${seed}.ipynb`;
      const paths = { write: `${stage}/${file}`, final: `${outDir}/${file}` };
      const run = await runOne(name, seed, paths, options, source, threadsFor(i), processes);
      const label = `[${i + 1}/${names.length}] ${name}${
        run.seed === null ? "" : ` seed ${run.seed}`
      }`;
      const detail = run.status === "ok"
        ? `(kernel ${seconds(run.startupSeconds)}, ${run.cells} cells${
          run.late.length ? `, ${run.late.length} late outputs recovered` : ""
        }${run.bundle ? "" : ", no results recorded"})`
        : "";
      console.log(
        `${label}  ${run.status === "ok" ? "ok" : `FAILED (${run.status})`}  ${
          seconds(run.seconds)
        } ${detail}`.trimEnd(),
      );
      runs.push(run);
      const problems = failureLines({
        notebook: name,
        quick: options.quick,
        finished: "",
        runs: [run],
      });
      for (const line of problems) console.log(`    ${line}`);
    }
    if (runs.length === 0) return;
    const record: NotebookRecord = {
      notebook: name,
      quick: options.quick,
      finished: new Date().toISOString(),
      runs,
      ...(options.jobs > 1 ? { jobs: options.jobs } : {}),
    };
    slots[i] = record;
    if (!recordOk(record)) failed = true;
  };
  // Longest first (by the previous run's wall time), `jobs` at a time.
  const previousRuns = readJson<{ notebooks?: Record<string, NotebookRecord> }>(
    `${outDir}/runs.json`,
  )?.notebooks ?? {};
  const expected = readJson<Record<string, number>>(
    `${ROOT}/tools/reproduce/expected_seconds.json`,
  );
  const lastSeconds = (name: string) =>
    (previousRuns[name]?.quick === options.quick ? previousRuns[name]?.runs?.[0]?.seconds : null) ??
      expected?.[name] ?? 0;
  const queue = names.map((_, i) => i).sort((a, b) =>
    lastSeconds(names[b]) - lastSeconds(names[a])
  );
  // With lanes: the longest notebook keeps every core's thread, the others share.
  const cores = navigator.hardwareConcurrency || 1;
  const longest = queue[0];
  const threadsFor = (i: number) =>
    options.jobs <= 1
      ? null
      : i === longest
      ? cores
      : Math.max(1, Math.floor(cores / options.jobs));
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      if (halted()) return;
      await runNotebookSeeds(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, names.length) }, worker));
  const records = slots.filter((r): r is NotebookRecord => r !== undefined);
  const stopped = async () => {
    await stop.stopping;
    console.error(`reproduce: stopped by ${stop.signal}; ${keptNote()}`);
    return STOP_SIGNALS[stop.signal!];
  };
  if (stop.signal !== null) return await stopped();

  // Merge with earlier runs of other notebooks, keeping only notebooks that still exist.
  const existing = new Set(selectNotebooks(options.notebooksDir, []));
  const merged: Record<string, NotebookRecord> = {};
  for (const [name, record] of Object.entries(previousRuns)) {
    if (existing.has(name)) merged[name] = record;
  }
  for (const record of records) merged[record.notebook] = record;
  const ordered = Object.keys(merged).sort().map((name) => merged[name]);
  const generated = new Date().toISOString();
  await writeFileAtomic(
    `${stage}/runs.json`,
    JSON.stringify({ generated, notebooks: merged }, null, 2) + "\n",
  );
  await writeFileAtomic(
    `${stage}/results.json`,
    JSON.stringify(resultsJson(ordered), null, 2) + "\n",
  );
  await writeFileAtomic(
    `${stage}/REPORT.md`,
    reportMarkdown(ordered, { generated: generated.slice(0, 19).replace("T", " ") + " UTC" }),
  );

  // One self-contained HTML page per executed notebook (plotly.js inlined once each).
  let htmlOk = true;
  if (!failed) {
    try {
      const pages = await writeHtmlPages(
        records.map((r) => `${stage}/notebooks/${r.notebook}.ipynb`).filter((path) => {
          try {
            return Deno.statSync(path).isFile;
          } catch {
            return false;
          }
        }),
        `${stage}/html`,
        { python: options.python },
      );
      const sizes = pages.map((p) => `${basename(p.path)} ${(p.bytes / 1e6).toFixed(1)} MB`);
      console.log(`reproduce: wrote HTML pages (plotly.js inlined once each): ${sizes.join(", ")}`);
    } catch (error) {
      htmlOk = false;
      console.error(`reproduce: failed: ${error instanceof Error ? error.message : error}`);
    }
  }

  let exportOk: boolean | null = null;
  if (options.export && !failed && htmlOk) {
    exportOk = await runExport(stage, processes);
    if (exportOk === null) {
      console.log("reproduce: no `export` task in deno.json yet, skipping the figure export");
    }
  }
  if (stop.signal !== null) return await stopped();
  const okCount = records.filter(recordOk).length;
  const total = (performance.now() - started) / 1000;
  if (failed || !htmlOk || exportOk === false) {
    console.log(
      `reproduce: ${okCount} of ${records.length} notebooks ok in ${total.toFixed(1)} s` +
        (failed && options.export ? "; figure export skipped" : ""),
    );
    for (const record of records) {
      for (const line of failureLines(record)) console.error(`reproduce: failed: ${line}`);
    }
    if (exportOk === false) console.error("reproduce: failed: deno task export exited non-zero");
    console.error(`reproduce: ${keptNote()}`);
    return 1;
  }
  // Complete: move the run in, the executed notebooks and figures before the files that index them.
  stop.committing = true;
  try {
    await moveInto(stage, outDir, {
      last: ["runs.json", "results.json", "REPORT.md"],
      stale: (dir) =>
        /^figures\/[^/]+$/.test(dir) ? /\.(png|svg)$/ : dir === "html" ? /\.html$/ : undefined,
    });
  } finally {
    stop.committing = false;
  }
  console.log(
    `reproduce: ${okCount} of ${records.length} notebooks ok in ${total.toFixed(1)} s; wrote ` +
      `${outDir}/results.json, ${outDir}/REPORT.md, ${outDir}/notebooks/`,
  );
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
