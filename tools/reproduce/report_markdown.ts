/**
 * Turns the run records of `deno task reproduce` into `reports/results.json`
 * (notebook → metric → number, plus wall seconds) and `reports/REPORT.md`
 * (per notebook: the seed's published numbers against ours, seed-faithful
 * and corrected, whether each was reproduced, and wall times).
 *
 * @module
 */

import {
  type ComparisonRow,
  comparisonTable,
  formatValue,
  type ResultsBundle,
} from "../../lib/report.ts";
import type { NbexecProblem } from "./run_notebook.ts";

/** One execution of one notebook. */
export interface RunRecord {
  /** The seed the run used (NB_SEED, else the notebook's default), or `null` when unknown. */
  seed: number | null;
  /** nbexec status: `ok`, `error`, `timeout`, `missing-output`, … */
  status: string;
  /** Wall seconds of the whole execution (kernel start-up included). */
  seconds: number;
  /** Kernel start-up seconds. */
  startupSeconds: number | null;
  /** Code cells executed. */
  cells: number;
  /** Executed notebook path. */
  output: string;
  /** Problems nbexec reported. */
  errors: NbexecProblem[];
  /** Outputs that arrived after their cell went idle (recovered unless --late drop). */
  late: { cell: number; output_type: string }[];
  /** The merged results bundle, or `null` when the notebook recorded none. */
  bundle: ResultsBundle | null;
}

/** All runs of one notebook in one reproduce invocation. */
export interface NotebookRecord {
  /** Notebook name without `.ipynb`. */
  notebook: string;
  /** Whether quick mode (NB_QUICK=1) was used. */
  quick: boolean;
  /** ISO time the runs finished. */
  finished: string;
  /** One entry per seed. */
  runs: RunRecord[];
  /** Notebooks that ran at once (`--jobs`), when more than 1. */
  jobs?: number;
}

/** A notebook record is ok when every run is. */
export function recordOk(record: NotebookRecord): boolean {
  return record.runs.length > 0 && record.runs.every((run) => run.status === "ok");
}

/**
 * The contents of `results.json`: for each notebook whose runs all
 * succeeded, the first run's metrics and `wall_seconds`.
 *
 * @param records Notebook records, in notebook order.
 * @returns notebook → { metric → number | null, wall_seconds }.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsJson } from "./report_markdown.ts";
 *
 * const bundle = { schema: 1 as const, notebook: "01_a", metrics: { acc: 0.9 }, comparisons: [] };
 * const run = { seed: null, status: "ok", seconds: 2.5, startupSeconds: 0.8, cells: 3, output: "", errors: [], late: [], bundle };
 * const json = resultsJson([{ notebook: "01_a", quick: true, finished: "", runs: [run] }]);
 * assert.deepEqual(json, { "01_a": { acc: 0.9, wall_seconds: 2.5 } });
 * ```
 */
export function resultsJson(
  records: readonly NotebookRecord[],
): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const record of records) {
    if (!recordOk(record)) continue;
    const first = record.runs[0];
    out[record.notebook] = { ...(first.bundle?.metrics ?? {}), wall_seconds: first.seconds };
  }
  return out;
}

function describeProblem(problem: NbexecProblem): string {
  const where = problem.cell === null ? "" : `cell ${problem.cell} (\`${problem.line}\`): `;
  return `${where}${problem.message}`;
}

/**
 * One line per problem of each failed run, naming the notebook, the seed
 * (when there are several runs), the cell and the error.
 *
 * @param record The notebook's runs.
 * @returns Lines such as `02_fail: cell 3 (\`throw …\`): RangeError: boom`.
 */
export function failureLines(record: NotebookRecord): string[] {
  const lines: string[] = [];
  for (const run of record.runs) {
    if (run.status === "ok") continue;
    const seed = run.seed === null || record.runs.length < 2 ? "" : ` (seed ${run.seed})`;
    const problems = run.errors.length > 0
      ? run.errors.map(describeProblem)
      : [`status ${run.status}`];
    for (const problem of problems) lines.push(`${record.notebook}${seed}: ${problem}`);
  }
  return lines;
}

function comparisonRows(record: NotebookRecord): ComparisonRow[] {
  const first = record.runs.find((run) => run.bundle !== null)?.bundle;
  if (!first) return [];
  const okRuns = record.runs.filter((run) => run.status === "ok" && run.bundle);
  return first.comparisons.map((row, i) => {
    if (okRuns.length < 2) return row;
    const same = okRuns.map((run) =>
      run.bundle!.comparisons.find((c, j) => c.metric === row.metric && j === i) ??
        run.bundle!.comparisons.find((c) => c.metric === row.metric)
    );
    return {
      ...row,
      faithfulRuns: same.map((c) => c?.faithful ?? null),
      correctedRuns: same.map((c) => c?.corrected ?? null),
    };
  });
}

function seedsText(record: NotebookRecord): string {
  const seeds = record.runs.map((run) => run.seed).filter((s): s is number => s !== null);
  if (seeds.length === 0) return "—";
  return seeds.length === 1 ? String(seeds[0]) : `${seeds[0]}–${seeds.at(-1)}`;
}

/** Seconds with one decimal, e.g. `"12.3 s"`. */
export function formatSeconds(value: number): string {
  return `${value.toFixed(1)} s`;
}

function wallText(record: NotebookRecord): string {
  const secs = record.runs.map((run) => run.seconds);
  const shared = (record.jobs ?? 1) > 1 ? " †" : "";
  if (secs.length === 1) return formatSeconds(secs[0]) + shared;
  return `${Math.min(...secs).toFixed(1)}–${formatSeconds(Math.max(...secs))}${shared}`;
}

function seedWallText(record: NotebookRecord): string {
  const bundle = record.runs.find((run) => run.bundle)?.bundle;
  if (bundle?.seedWallSeconds === undefined) return "—";
  return formatValue(bundle.seedWallSeconds, "s") +
    (bundle.seedWallNote ? ` (${bundle.seedWallNote})` : "");
}

/**
 * The markdown of `REPORT.md`.
 *
 * @param records Notebook records, in notebook order.
 * @param options `generated`: ISO time shown in the header.
 * @returns The report text.
 */
export function reportMarkdown(
  records: readonly NotebookRecord[],
  options: { generated?: string } = {},
): string {
  const parts: string[] = ["# Reproduction report", ""];
  parts.push(
    `Generated by \`deno task reproduce\`${
      options.generated ? ` at ${options.generated}` : ""
    }. Each notebook ran headless through Jupyter (nbclient, Deno kernel). "Reproduced" means ` +
      "our seed-faithful value lies within the row's tolerance of the seed's published value " +
      "(over several seeds: within the range of our runs widened by the tolerance).",
    "",
  );
  if (records.some((r) => r.quick)) {
    parts.push(
      "> Notebooks marked *quick* ran reduced configurations (`NB_QUICK=1`); their numbers " +
        "are smoke-test values, not expected to match the seeds.",
      "",
    );
  }
  const jobs = Math.max(...records.map((r) => r.jobs ?? 1));
  if (jobs > 1) {
    parts.push(
      `> † Ran ${jobs} notebooks at a time (\`--jobs ${jobs}\`), each kernel with a share of the ` +
        "cores' BLAS and OpenMP threads: its wall time includes that sharing (`--jobs 1` times " +
        "each notebook alone).",
      "",
    );
  }
  parts.push(
    "| notebook | status | mode | seeds | wall time | seed's wall time |",
    "| --- | --- | --- | --- | ---: | --- |",
  );
  for (const record of records) {
    const status = recordOk(record) ? "ok" : "**failed**";
    parts.push(
      `| ${record.notebook} | ${status} | ${record.quick ? "quick" : "full"} | ${
        seedsText(record)
      } | ${wallText(record)} | ${seedWallText(record)} |`,
    );
  }
  for (const record of records) {
    parts.push("", `## ${record.notebook}`, "");
    const failures = failureLines(record);
    if (failures.length > 0) {
      parts.push("Failed:", "", ...failures.map((line) => `- ${line}`), "");
    }
    const rows = comparisonRows(record);
    if (rows.length > 0) parts.push(comparisonTable(rows), "");
    const bundle = record.runs.find((run) => run.bundle)?.bundle;
    const metrics = Object.entries(bundle?.metrics ?? {});
    if (metrics.length > 0) {
      parts.push(
        "<details><summary>All metrics (first run)</summary>",
        "",
        "| metric | value |",
        "| --- | ---: |",
        ...metrics.map(([name, value]) => `| ${name} | ${formatValue(value)} |`),
        "",
        "</details>",
        "",
      );
    } else if (failures.length === 0) {
      parts.push("The notebook recorded no results.", "");
    }
    const first = record.runs[0];
    const startup = first?.startupSeconds == null
      ? ""
      : `, kernel start-up ${formatSeconds(first.startupSeconds)}`;
    parts.push(
      `Wall time: ours ${wallText(record)}${startup}; the seed's ${seedWallText(record)}.`,
    );
    const late = record.runs.reduce((n, run) => n + run.late.length, 0);
    if (late > 0) {
      parts.push(
        "",
        `${late} output(s) arrived after their cell was reported finished and were recovered ` +
          "by nbexec (a front end that stops listening at idle would have lost them).",
      );
    }
  }
  return parts.join("\n") + "\n";
}
