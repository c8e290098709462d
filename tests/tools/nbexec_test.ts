// Executes the fixture notebooks through real Jupyter (Debian's python3, nbclient, the Deno
// kernelspec "deno") with tools/nbexec.py. Each run starts one kernel (about 2 s).
import assert from "node:assert/strict";
import type { NbexecSummary } from "../../tools/reproduce/run_notebook.ts";
import { NBEXEC_PATH } from "../../tools/reproduce/run_notebook.ts";
import { kernelSlots } from "../_helpers/jupyter_kernels.ts";

const FIXTURES = new URL("../fixtures/notebooks/", import.meta.url).pathname;
const PYTHON = Deno.env.get("NNKIT_PYTHON") ?? "/usr/bin/python3";

interface Outcome {
  code: number;
  summary: NbexecSummary;
  stderr: string;
  // deno-lint-ignore no-explicit-any
  nb: any;
}

// At most this many kernels at once: enough to overlap their start-up, few enough that the
// kernel's output timing is not starved on a 2-core machine.
const limited = kernelSlots(3);

function nbexec(fixture: string, ...flags: string[]): Promise<Outcome> {
  return limited(() => runNbexec(fixture, flags));
}

async function runNbexec(fixture: string, flags: string[]): Promise<Outcome> {
  const dir = await Deno.makeTempDir({ prefix: "nbexec_test_" });
  const out = `${dir}/${fixture}`;
  try {
    const result = await new Deno.Command(PYTHON, {
      args: [NBEXEC_PATH, `${FIXTURES}${fixture}`, out, ...flags],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(result.stdout).trim().split("\n");
    let nb = null;
    try {
      nb = JSON.parse(await Deno.readTextFile(out));
    } catch { /* not written */ }
    return {
      code: result.code,
      summary: JSON.parse(stdout.at(-1)!),
      stderr: new TextDecoder().decode(result.stderr),
      nb,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// deno-lint-ignore no-explicit-any
function outputText(cell: any): string {
  return JSON.stringify(cell.outputs ?? []);
}

// The kernels run a few at a time (each spends most of its time starting up or idle), then
// each step checks one behaviour.
Deno.test("nbexec executes notebooks through Jupyter and checks them", async (t) => {
  const [
    pass,
    fail,
    missing,
    missingTagged,
    lateRecover,
    lateDrop,
    lateFail,
    cellTimeout,
    notebookTimeout,
    noNotebook,
    noKernel,
    misplacedRecover,
    misplacedFail,
  ] = await Promise.all([
    nbexec("01_pass.ipynb", "--env", "NB_EPOCHS=7"),
    nbexec("02_fail.ipynb"),
    nbexec("03_missing_output.ipynb"),
    nbexec("03_missing_output.ipynb", "--no-auto-expect"),
    // The fixture's only cell schedules a console.log 100 ms after it finishes: always late.
    nbexec("04_late_output.ipynb", "--drain", "3"),
    nbexec("04_late_output.ipynb", "--drain", "3", "--late", "drop"),
    nbexec("04_late_output.ipynb", "--drain", "3", "--late", "fail"),
    nbexec("05_slow.ipynb", "--cell-timeout", "1", "--timeout", "60"),
    nbexec("05_slow.ipynb", "--timeout", "4"),
    nbexec("no_such.ipynb"),
    nbexec("01_pass.ipynb", "--kernel", "no-such-kernel"),
    // The first cell's timer broadcasts an execute_result of execution 1 during the second cell.
    nbexec("07_misplaced_output.ipynb"),
    nbexec("07_misplaced_output.ipynb", "--late", "fail"),
  ]);

  await t.step("a passing notebook runs, gets --env, and keeps every output", () => {
    const { code, summary, nb } = pass;
    assert.equal(code, 0, JSON.stringify(summary));
    assert.equal(summary.status, "ok");
    assert.equal(summary.cells, 3);
    assert.equal(summary.code_cells, 3);
    assert.deepEqual(summary.errors, []);
    assert.deepEqual(summary.corrupt, []);
    assert.ok(summary.startup_seconds! > 0 && summary.startup_seconds! < summary.seconds);
    assert.deepEqual(summary.cell_seconds.map(([cell]) => cell), [1, 2, 3]);
    const bundle = nb.cells[3].outputs.find((o: { data?: Record<string, unknown> }) =>
      o.data?.["application/vnd.nnkit.results+json"]
    ).data["application/vnd.nnkit.results+json"];
    assert.equal(bundle.metrics.epochs, 7);
    assert.match(outputText(nb.cells[2]), /acc 0\.542 loss 0\.14/);
    assert.equal(nb.metadata.nnkit.status, "ok");
    assert.deepEqual(nb.metadata.nnkit.env.NB_EPOCHS, "7");
    // NO_COLOR=1 is set for the kernel: results are plain text without ANSI escapes.
    assert.doesNotMatch(outputText(nb.cells[1]), /\\u001b\[/);
  });

  await t.step("a failing cell is named by index, first line and error; exit 1", () => {
    const { code, summary, stderr, nb } = fail;
    const why = JSON.stringify(summary);
    assert.equal(code, 1, why);
    assert.equal(summary.status, "error", why);
    assert.equal(summary.errors.length, 1, why);
    const [error] = summary.errors;
    assert.equal(error.kind, "error");
    assert.equal(error.cell, 2);
    assert.equal(error.line, "// deliberately failing cell");
    assert.equal(error.ename, "RangeError");
    assert.equal(error.evalue, "deliberate failure in fixture 02_fail");
    assert.match(stderr, /02_fail\.ipynb: cell 2 \('\/\/ deliberately failing cell'\): RangeError/);
    // The partial notebook is written: the failing cell holds the error, the next never ran.
    assert.equal(nb.cells[2].outputs[0].output_type, "error");
    assert.deepEqual(nb.cells[3].outputs, []);
    assert.equal(nb.metadata.nnkit.status, "error");
  });

  await t.step("each cell whose expected output is missing is named; exit 1", () => {
    const { code, summary } = missing;
    const why = JSON.stringify(summary);
    assert.equal(code, 1, why);
    assert.equal(summary.status, "missing-output", why);
    assert.deepEqual(summary.errors.map((e) => [e.kind, e.cell]), [
      ["missing-output", 1],
      ["missing-output", 2],
    ], why);
    assert.match(summary.errors[0].message, /tagged expect-display, found 0/);
    assert.match(summary.errors[1].message, /calls showNothing\(\), found 0/);
  });

  await t.step("--no-auto-expect keeps only the tagged expectation", () => {
    const why = JSON.stringify(missingTagged.summary);
    assert.equal(missingTagged.code, 1, why);
    assert.deepEqual(missingTagged.summary.errors.map((e) => e.cell), [1], why);
  });

  await t.step("--late recover puts an output sent after idle into its cell and lists it", () => {
    const { code, summary, nb } = lateRecover;
    assert.equal(code, 0, JSON.stringify(summary));
    assert.ok(summary.late.some((l) => l.cell === 1 && l.output_type === "stream"));
    assert.match(outputText(nb.cells[1]), /late hello/);
  });

  await t.step("--late drop loses it, as plain nbclient does", () => {
    assert.equal(lateDrop.code, 0, JSON.stringify(lateDrop.summary));
    assert.doesNotMatch(outputText(lateDrop.nb.cells[1]), /late hello/);
  });

  await t.step("--late fail fails naming the cell", () => {
    assert.equal(lateFail.code, 1, JSON.stringify(lateFail.summary));
    assert.equal(lateFail.summary.status, "late-output");
    assert.ok(lateFail.summary.errors.some((e) => e.kind === "late-output" && e.cell === 1));
  });

  await t.step("a cell running past --cell-timeout is stopped and named", () => {
    const { code, summary } = cellTimeout;
    assert.equal(code, 1);
    assert.equal(summary.status, "timeout");
    assert.equal(summary.errors[0].cell, 1);
    assert.match(summary.errors[0].message, /cell timeout of 1 s/);
  });

  await t.step("a notebook running past --timeout is stopped", () => {
    const { code, summary } = notebookTimeout;
    assert.equal(code, 1);
    assert.equal(summary.status, "timeout");
    assert.match(summary.errors[0].message, /notebook timeout of 4 s/);
  });

  await t.step("a missing notebook exits 2 with a set-up message", () => {
    assert.equal(noNotebook.code, 2);
    assert.equal(noNotebook.summary.status, "setup");
    assert.match(noNotebook.summary.errors[0].message, /cannot read notebook: .*no_such\.ipynb/);
  });

  await t.step("an unknown kernel exits 2 naming it", () => {
    assert.equal(noKernel.code, 2);
    assert.match(noKernel.summary.errors[0].message, /no Jupyter kernel named 'no-such-kernel'/);
  });

  await t.step("an execute_result under another cell's request is counted as misplaced", () => {
    const { code, summary } = misplacedRecover;
    assert.equal(code, 0, JSON.stringify(summary));
    assert.deepEqual(summary.misplaced, [
      { cell: 2, output_type: "execute_result", execution_count: 1, expected: 2 },
    ]);
  });

  await t.step("--late fail fails on a misplaced output, naming the cell", () => {
    const { code, summary } = misplacedFail;
    assert.equal(code, 1, JSON.stringify(summary));
    assert.equal(summary.status, "misplaced-output");
    assert.ok(summary.errors.some((e) => e.kind === "misplaced-output" && e.cell === 2));
  });
});

/** Whether `pid` still runs (exists and is not a zombie). */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]);
  } catch {
    return false;
  }
}

/**
 * Runs the 06_wait fixture (its kernel writes `kernel-<pid>.running` in --cwd, then waits two
 * minutes), and once the kernel runs, stops nbexec with `stop`: a signal, or closing its stdin.
 */
async function stopWhileRunning(stop: Deno.Signal | "close-stdin") {
  const dir = await Deno.makeTempDir({ prefix: "nbexec_stop_test_" });
  const child = new Deno.Command(PYTHON, {
    args: [NBEXEC_PATH, `${FIXTURES}06_wait.ipynb`, `${dir}/out.ipynb`, "--cwd", dir].concat(
      stop === "close-stdin" ? ["--watch-stdin"] : [],
    ),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  let kernel = 0;
  try {
    const deadline = performance.now() + 90_000;
    while (!kernel && performance.now() < deadline) {
      const marker = [...Deno.readDirSync(dir)].find((e) => /^kernel-\d+\.running$/.test(e.name));
      if (marker) kernel = Number(marker.name.match(/\d+/)![0]);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(kernel, "the kernel started and ran the cell");
    const sent = performance.now();
    if (stop === "close-stdin") await child.stdin.close();
    else child.kill(stop);
    const result = await Promise.race([
      output,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000)),
    ]);
    assert.ok(result, `nbexec still running 15 s after ${stop}`);
    const seconds = (performance.now() - sent) / 1000;
    const lines = new TextDecoder().decode(result.stdout).trim().split("\n");
    const nb = JSON.parse(await Deno.readTextFile(`${dir}/out.ipynb`));
    const summary: NbexecSummary = JSON.parse(lines.at(-1)!);
    return { code: result.code, summary, nb, kernel, seconds };
  } finally {
    if (kernel && alive(kernel)) Deno.kill(kernel, "SIGKILL");
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await Promise.race([output.catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    if (stop !== "close-stdin") await child.stdin.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("nbexec stops on SIGTERM, SIGINT and the end of stdin, shutting its kernel down", async (t) => {
  const [term, int, eof] = await Promise.all([
    limited(() => stopWhileRunning("SIGTERM")),
    limited(() => stopWhileRunning("SIGINT")),
    limited(() => stopWhileRunning("close-stdin")),
  ]);
  for (
    const [what, outcome, code, message] of [
      ["SIGTERM", term, 143, "stopped by SIGTERM; the kernel was shut down"],
      ["SIGINT", int, 130, "stopped by SIGINT; the kernel was shut down"],
      [
        "the end of stdin (--watch-stdin)",
        eof,
        129,
        "stopped: the parent process is gone (end of stdin); the kernel was shut down",
      ],
    ] as const
  ) {
    await t.step(`${what}: exit ${code}, kernel gone, partial notebook written`, () => {
      const { summary, nb, kernel, seconds } = outcome;
      assert.equal(outcome.code, code, JSON.stringify(summary));
      assert.ok(seconds < 5, `took ${seconds} s`);
      assert.equal(alive(kernel), false, `kernel ${kernel} still runs`);
      assert.equal(summary.status, "interrupted");
      assert.deepEqual(summary.errors.map((e) => [e.kind, e.cell, e.message]), [
        ["interrupted", 1, message],
      ]);
      assert.equal(nb.metadata.nnkit.status, "interrupted");
    });
  }
});
