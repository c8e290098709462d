/**
 * Runs one notebook through `tools/nbexec.py` (Debian's python, nbclient,
 * the Deno kernel) and returns its JSON summary.
 *
 * The runner gets a stdin pipe that is never written to and runs with
 * `--watch-stdin`: when this process ends, however it ends (SIGKILL
 * included), the pipe closes and the runner shuts its kernel down and exits.
 * Signals are forwarded through {@linkcode ChildProcesses}.
 *
 * @module
 */

import { writeFileAtomic } from "../../lib/data/atomic_write.ts";
import type { ChildProcesses } from "./processes.ts";

/** One problem nbexec found: a cell error, timeout, dead kernel or missing output. */
export interface NbexecProblem {
  /**
   * `error`, `timeout`, `kernel-died`, `missing-output`, `corrupt-message`,
   * `late-output`, `runner-error`, `interrupted` or `setup`.
   */
  kind: string;
  /** 0-based index of the cell in the notebook, or `null`. */
  cell: number | null;
  /** First source line of that cell. */
  line: string;
  /** Error class name, for `error`. */
  ename: string;
  /** Error message, for `error`. */
  evalue: string;
  /** Human-readable description. */
  message: string;
}

/** The JSON line nbexec prints last (see tools/nbexec.py). */
export interface NbexecSummary {
  notebook: string;
  output: string;
  status: string;
  cells: number;
  code_cells: number;
  seconds: number;
  startup_seconds: number | null;
  cell_seconds: [number, number][];
  late: { cell: number; output_type: string }[];
  /** execute_results filed under a cell with another execution count (see tools/nbexec.py). */
  misplaced?: { cell: number; output_type: string; execution_count: number; expected: number }[];
  corrupt?: { cell: number | null; error: string }[];
  errors: NbexecProblem[];
}

/** Options for {@linkcode runNotebook}. */
export interface RunNotebookOptions {
  /** Extra environment variables for the kernel (e.g. `NB_QUICK`, `NB_SEED`). */
  env?: Record<string, string>;
  /** Whole-notebook timeout in seconds (0: none). */
  timeout?: number;
  /** Per-cell timeout in seconds (0: none). */
  cellTimeout?: number;
  /** Python with nbclient (default `$NNKIT_PYTHON` or `/usr/bin/python3`). */
  python?: string;
  /** What to do with outputs that arrive after their cell went idle. */
  late?: "recover" | "fail" | "drop";
  /** Kernel working directory (default: the notebook's directory). */
  cwd?: string;
  /** Lists the runner while it runs, so a signal can be forwarded to it. */
  processes?: ChildProcesses;
}

/** What {@linkcode runNotebook} returns. */
export interface RunNotebookResult {
  /** nbexec's summary (synthesised when nbexec itself crashed). */
  summary: NbexecSummary;
  /**
   * nbexec's exit code: 0 ok, 1 notebook failed, 2 set-up problem, 129 / 130 /
   * 143 stopped (SIGHUP or parent gone / SIGINT / SIGTERM).
   */
  code: number;
  /** nbexec's stderr without the kernel's "unstable" banner. */
  stderr: string;
}

/**
 * A `deno` kernelspec for this checkout's Deno (the binary running this
 * code), written to `.cache/jupyter/kernels/deno/` and put first on
 * nbclient's `JUPYTER_PATH`: headless runs then never depend on the user's
 * global kernelspec, which may point at another checkout or a deleted one
 * (`deno jupyter --install` writes an absolute path).
 *
 * @param root Directory that receives `kernels/deno/kernel.json` (default `.cache/jupyter`).
 * @returns The directory to prepend to `JUPYTER_PATH`.
 */
export async function projectKernelspec(
  root = new URL("../../.cache/jupyter", import.meta.url).pathname,
): Promise<string> {
  const dir = `${root}/kernels/deno`;
  const spec = JSON.stringify(
    {
      argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
      display_name: "Deno",
      language: "typescript",
    },
    null,
    2,
  ) + "\n";
  let current: string | undefined;
  try {
    current = await Deno.readTextFile(`${dir}/kernel.json`);
  } catch {
    current = undefined;
  }
  if (current !== spec) {
    await Deno.mkdir(dir, { recursive: true });
    await writeFileAtomic(`${dir}/kernel.json`, spec);
  }
  return root;
}

/** Path of tools/nbexec.py. */
export const NBEXEC_PATH = new URL("../nbexec.py", import.meta.url).pathname;

/** The python used for nbclient: `$NNKIT_PYTHON` or Debian's `/usr/bin/python3`. */
export function defaultPython(): string {
  return Deno.env.get("NNKIT_PYTHON") ?? "/usr/bin/python3";
}

const BANNER = /"deno jupyter" is unstable/;
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

function setupFailure(input: string, output: string, message: string): NbexecSummary {
  return {
    notebook: input,
    output,
    status: "setup",
    cells: 0,
    code_cells: 0,
    seconds: 0,
    startup_seconds: null,
    cell_seconds: [],
    late: [],
    corrupt: [],
    errors: [{ kind: "setup", cell: null, line: "", ename: "", evalue: "", message }],
  };
}

/**
 * Executes `input` into `output` with nbexec and parses its summary.
 *
 * @param input Notebook to execute.
 * @param output Where the executed notebook is written (atomically, also on failure).
 * @param options Environment, timeouts, python, late-output mode, cwd, process list.
 * @returns The summary, exit code and filtered stderr; never throws for a
 *   failing notebook (the summary says why).
 */
export async function runNotebook(
  input: string,
  output: string,
  options: RunNotebookOptions = {},
): Promise<RunNotebookResult> {
  const python = options.python ?? defaultPython();
  const args = [NBEXEC_PATH, input, output, "--late", options.late ?? "recover", "--watch-stdin"];
  if (options.timeout) args.push("--timeout", String(options.timeout));
  if (options.cellTimeout) args.push("--cell-timeout", String(options.cellTimeout));
  if (options.cwd) args.push("--cwd", options.cwd);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    args.push("--env", `${name}=${value}`);
  }
  let result: Deno.CommandOutput;
  try {
    const jupyterPath = [await projectKernelspec(), Deno.env.get("JUPYTER_PATH")]
      .filter((p) => p).join(":");
    const child = new Deno.Command(python, {
      args,
      env: { JUPYTER_PATH: jupyterPath },
      stdin: "piped", // never written: it closes when this process ends (see --watch-stdin)
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    options.processes?.add(child);
    try {
      result = await child.output();
    } finally {
      await child.stdin.close().catch(() => {});
    }
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "not found" : String(error);
    return {
      summary: setupFailure(
        input,
        output,
        `Cannot run ${python}: ${why}; install Debian's python3-nbclient (bash tools/setup.sh)`,
      ),
      code: 2,
      stderr: "",
    };
  }
  const stdout = new TextDecoder().decode(result.stdout);
  const stderr = new TextDecoder().decode(result.stderr)
    .replace(ANSI, "")
    .split("\n")
    .filter((line) => line.trim() !== "" && !BANNER.test(line))
    .join("\n");
  const last = stdout.trim().split("\n").at(-1) ?? "";
  let summary: NbexecSummary;
  try {
    summary = JSON.parse(last);
    if (typeof summary?.status !== "string") throw new SyntaxError("no status");
  } catch {
    const tail = stderr.split("\n").slice(-5).join(" | ") || "no output";
    summary = setupFailure(
      input,
      output,
      `nbexec.py exited with code ${result.code} without a summary: ${tail}`,
    );
  }
  return { summary, code: result.code, stderr };
}
