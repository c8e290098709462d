// Runs `tools/reproduce.ts` as `deno task reproduce` would, on the fixture notebooks, through
// real Jupyter (nbclient + the Deno kernel), writing into a temporary --out directory.
import assert from "node:assert/strict";
import { parseReproduceArgs, selectNotebooks } from "../../tools/reproduce.ts";
import { kernelSlots } from "../_helpers/jupyter_kernels.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURES = `${ROOT}tests/fixtures/notebooks`;
const REPRODUCE = `${ROOT}tools/reproduce.ts`;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  out: string;
}

// At most this many kernels at once: enough to overlap their start-up, few enough that the
// kernel's output timing is not starved on a 2-core machine.
const limited = kernelSlots(3);

function reproduce(
  args: string[],
  options: { env?: Record<string, string>; out?: string } = {},
): Promise<Outcome> {
  return limited(() => runReproduce(args, options));
}

async function runReproduce(
  args: string[],
  options: { env?: Record<string, string>; out?: string },
): Promise<Outcome> {
  const out = options.out ?? await Deno.makeTempDir({ prefix: "reproduce_test_" });
  const result = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      REPRODUCE,
      "--notebooks",
      FIXTURES,
      "--out",
      out,
      "--no-export",
      ...args,
    ],
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: result.code,
    stdout: new TextDecoder().decode(result.stdout),
    stderr: new TextDecoder().decode(result.stderr),
    out,
  };
}

function readJson(path: string) {
  return JSON.parse(Deno.readTextFileSync(path));
}

/** The one partial-output folder a failed run left in `out`. */
function partialOf(out: string): string {
  const found = [...Deno.readDirSync(out)].filter((e) => e.name.startsWith(".partial-"));
  assert.equal(found.length, 1, `one partial folder in ${out}`);
  return `${out}/${found[0].name}`;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function mergeSequence() {
  // Three invocations on one --out: a pass, another notebook, then the first one failing.
  const first = await reproduce(["01", "--quick"]);
  const out = first.out;
  // deno-lint-ignore no-explicit-any
  const snapshots: (Outcome & { results: any; runs?: any })[] = [];
  snapshots.push({ ...first, results: readJson(`${out}/results.json`) });
  Deno.writeTextFileSync(
    `${out}/runs.json`,
    JSON.stringify({ notebooks: { ...readJson(`${out}/runs.json`).notebooks, "99_gone": {} } }),
  );
  const second = await reproduce(["04_late"], { out });
  snapshots.push({ ...second, results: readJson(`${out}/results.json`) });
  const runsBefore = Deno.readTextFileSync(`${out}/runs.json`);
  const third = await reproduce(["01"], { out, env: { NB_EPOCHS: "many" } });
  snapshots.push({
    ...third,
    results: readJson(`${out}/results.json`),
    runs: { before: runsBefore, after: Deno.readTextFileSync(`${out}/runs.json`) },
  });
  return snapshots;
}

// The runs are independent, so they execute a few at a time; each step checks one behaviour.
Deno.test("reproduce executes fixture notebooks through Jupyter and reports them", async (t) => {
  const [pass, withEnv, badEnv, fail, missing, seeds, merge, lanes] = await Promise.all([
    reproduce(["01", "--quick"]),
    reproduce(["01_pass", "--seed", "7"], { env: { NB_EPOCHS: "4", NB_HIDDEN: "[1,2,3]" } }),
    reproduce(["01"], { env: { NB_EPOCHS: "many" } }),
    reproduce(["02_fail"]),
    reproduce(["missing"]),
    reproduce(["01", "--quick", "--seeds", "2"]),
    mergeSequence(),
    reproduce(["01", "04_late", "--quick", "--jobs", "2"]),
  ]);
  try {
    await t.step(
      "a passing notebook gives results.json, REPORT.md, runs.json and the executed notebook",
      () => {
        const { code, stdout, stderr, out } = pass;
        assert.equal(code, 0, stdout + stderr);
        assert.match(
          stdout,
          /\[1\/1\] 01_pass seed 42 {2}ok {2}\d+\.\d s \(kernel \d+\.\d s, 3 cells/,
        );
        const results = readJson(`${out}/results.json`);
        assert.deepEqual(Object.keys(results), ["01_pass"]);
        const { wall_seconds, ...metrics } = results["01_pass"];
        assert.deepEqual(metrics, {
          acc: 0.542,
          loss: 0.5,
          epochs: 2,
          learningRate: 0.01,
          seed: 42,
          hiddenSum: 250,
          quick: 1,
        });
        assert.ok(wall_seconds > 0);
        const report = Deno.readTextFileSync(`${out}/REPORT.md`);
        assert.ok(report.includes("| accuracy | 0.542 | 0.542 | 0.552 | yes (±0.0005) |"), report);
        assert.ok(report.includes("| epochs run | 50 | 2 | — | — |"), report);
        assert.match(
          report,
          /\| 01_pass \| ok \| quick \| 42 \| \d+\.\d s \| 134\.8 s \(fixture cell\) \|/,
        );
        const executed = readJson(`${out}/notebooks/01_pass.ipynb`);
        assert.equal(executed.metadata.nnkit.status, "ok");
        const runs = readJson(`${out}/runs.json`).notebooks["01_pass"].runs;
        assert.equal(runs.length, 1);
        assert.equal(runs[0].output, `${out}/notebooks/01_pass.ipynb`);
        const page = Deno.readTextFileSync(`${out}/html/01_pass.html`);
        assert.equal(page.split("inlined by nnkit */").length - 1, 1, "plotly.js once in the page");
        // The completed run was moved in whole: no partial folder is left.
        assert.deepEqual(
          [...Deno.readDirSync(out)].map((e) => e.name).sort(),
          ["REPORT.md", "html", "notebooks", "results.json", "runs.json"],
        );
      },
    );

    await t.step("NB_* variables and --seed reach the notebook; NB_QUICK=0 without --quick", () => {
      const { code, stdout, stderr, out } = withEnv;
      assert.equal(code, 0, stdout + stderr);
      const metrics = readJson(`${out}/results.json`)["01_pass"];
      assert.equal(metrics.epochs, 4);
      assert.equal(metrics.hiddenSum, 6);
      assert.equal(metrics.seed, 7);
      assert.equal(metrics.quick, 0);
    });

    await t.step("a bad NB_ value fails naming the parameters cell and the variable", () => {
      const { code, stderr, out } = badEnv;
      assert.equal(code, 1);
      assert.match(
        stderr,
        /failed: 01_pass: cell 1 \(`import \{ parameters \} from "\.\.\/\.\.\/\.\.\/lib\/params\.ts";`\): TypeError: Cannot read parameter from NB_EPOCHS: expected number, got "many"/,
      );
      assert.ok(!exists(`${out}/results.json`), "a failed run writes nothing into --out");
      assert.deepEqual(readJson(`${partialOf(out)}/results.json`), {});
    });

    await t.step(
      "a failing notebook exits non-zero naming notebook, cell and partial output",
      () => {
        const { code, stdout, stderr, out } = fail;
        assert.equal(code, 1);
        assert.match(stdout, /\[1\/1\] 02_fail {2}FAILED \(error\)/);
        assert.match(
          stderr,
          /reproduce: failed: 02_fail: cell 2 \(`\/\/ deliberately failing cell`\): RangeError: deliberate failure in fixture 02_fail/,
        );
        const partial = partialOf(out);
        assert.ok(stderr.includes(`this run's partial output is in ${partial}`), stderr);
        assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name), [
          partial.split("/").at(-1),
        ]);
        assert.deepEqual(readJson(`${partial}/results.json`), {});
        const report = Deno.readTextFileSync(`${partial}/REPORT.md`);
        assert.match(report, /\| 02_fail \| \*\*failed\*\* \|/);
        assert.ok(exists(`${partial}/notebooks/02_fail.ipynb`), "the partial notebook is kept");
      },
    );

    await t.step("a missing expected output exits non-zero naming the cells", () => {
      const { code, stderr } = missing;
      assert.equal(code, 1);
      assert.match(
        stderr,
        /03_missing_output: cell 1 \(`const nothingShown = 1;`\): expected at least 1 display/,
      );
      assert.match(stderr, /03_missing_output: cell 2 .*calls showNothing\(\)/);
    });

    await t.step("--seeds 2 runs seeds 42 and 43 and reports the range", () => {
      const { code, stdout, stderr, out } = seeds;
      assert.equal(code, 0, stdout + stderr);
      assert.match(stdout, /01_pass seed 42 {2}ok/);
      assert.match(stdout, /01_pass seed 43 {2}ok/);
      const runs = readJson(`${out}/runs.json`).notebooks["01_pass"].runs;
      assert.deepEqual(runs.map((r: { seed: number }) => r.seed), [42, 43]);
      assert.deepEqual(
        runs.map((r: { bundle: { metrics: { acc: number } } }) => r.bundle.metrics.acc),
        [0.542, 0.543],
      );
      assert.equal(readJson(`${out}/results.json`)["01_pass"].seed, 42);
      assert.ok(exists(`${out}/runs/01_pass/seed-43.ipynb`));
      const report = Deno.readTextFileSync(`${out}/REPORT.md`);
      assert.ok(
        report.includes(
          "| accuracy | 0.542 | 0.542–0.543 (2 runs) | 0.552–0.553 (2 runs) | yes (±0.0005) |",
        ),
        report,
      );
      assert.match(report, /\| 01_pass \| ok \| quick \| 42–43 \|/);
    });

    await t.step("results merge with earlier runs; a run that fails changes nothing", () => {
      const [first, second, third] = merge;
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.deepEqual(Object.keys(second.results), ["01_pass", "04_late_output"]);
      assert.equal(second.results["01_pass"].epochs, 2);
      assert.equal(third.code, 1);
      assert.deepEqual(third.results, second.results);
      assert.equal(third.runs.after, third.runs.before);
      // Completed runs left no partial folder; the failed one left its own.
      const partial = partialOf(third.out);
      assert.deepEqual(Object.keys(readJson(`${partial}/results.json`)), ["04_late_output"]);
      assert.deepEqual(Object.keys(readJson(`${partial}/runs.json`).notebooks), [
        "01_pass",
        "04_late_output",
      ]);
    });
    await t.step("--jobs 2 runs two notebooks at once and reports both in name order", () => {
      const { code, stdout, stderr, out } = lanes;
      assert.equal(code, 0, stdout + stderr);
      assert.match(stdout, /\[1\/2\] 01_pass seed 42 {2}ok/);
      assert.match(stdout, /\[2\/2\] 04_late_output {2}ok/);
      assert.deepEqual(Object.keys(readJson(`${out}/results.json`)), ["01_pass", "04_late_output"]);
      const report = Deno.readTextFileSync(`${out}/REPORT.md`);
      assert.ok(report.indexOf("| 01_pass |") < report.indexOf("| 04_late_output |"), report);
      assert.match(report, /† Ran 2 notebooks at a time/);
      assert.match(report, /\| 01_pass \| ok \| quick \| 42 \| \d+\.\d s † \|/);
    });
  } finally {
    for (const { out } of [pass, withEnv, badEnv, fail, missing, seeds, merge[0], lanes]) {
      await Deno.remove(out, { recursive: true });
    }
  }
});

Deno.test("reproduce rejects unknown notebooks and bad flags with exit code 2", async (t) => {
  await t.step("unknown notebook name lists the available ones", async () => {
    const { code, stderr, out } = await reproduce(["09"]);
    await Deno.remove(out, { recursive: true });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /Cannot find notebook "09" in .*: expected a prefix of one of 01_pass, 02_fail/,
    );
  });
  await t.step("bad flag values name the flag", () => {
    assert.throws(
      () => parseReproduceArgs(["--seeds", "0"]),
      /--seeds: expected a number >= 1, got "0"/,
    );
    assert.throws(() => parseReproduceArgs(["--seeds", "1.5"]), /--seeds: expected an integer/);
    assert.throws(() => parseReproduceArgs(["--timeout", "soon"]), /--timeout: expected a number/);
    assert.throws(
      () => parseReproduceArgs(["--late", "later"]),
      /--late: expected recover, fail or drop/,
    );
    assert.throws(() => parseReproduceArgs(["--bogus"]), /Cannot read the arguments/);
    assert.throws(() => parseReproduceArgs(["--jobs", "0"]), /--jobs: expected a number >= 1/);
    assert.throws(() => parseReproduceArgs(["--jobs", "1.5"]), /--jobs: expected an integer/);
  });
  await t.step("defaults", () => {
    const options = parseReproduceArgs(["02", "--quick"]);
    assert.deepEqual(options.names, ["02"]);
    assert.equal(options.timeout, 300);
    assert.equal(options.seeds, 1);
    assert.equal(options.seed, null);
    assert.equal(options.export, true);
    assert.match(options.notebooksDir, /\/notebooks$/);
    assert.equal(parseReproduceArgs([]).timeout, 1800);
    assert.equal(parseReproduceArgs([]).jobs, Math.min(2, navigator.hardwareConcurrency));
    assert.equal(parseReproduceArgs(["--jobs", "3"]).jobs, 3);
  });
});

Deno.test("selectNotebooks() matches names by prefix with or without the number", () => {
  assert.deepEqual(selectNotebooks(FIXTURES, ["02"]), ["02_fail"]);
  assert.deepEqual(selectNotebooks(FIXTURES, ["late"]), ["04_late_output"]);
  assert.deepEqual(selectNotebooks(FIXTURES, ["05_slow.ipynb", "01"]), ["01_pass", "05_slow"]);
  assert.equal(selectNotebooks(FIXTURES, []).length, 7);
});

Deno.test("a completed run with the figure export moves notebooks, figures and reports in", async () => {
  const out = await Deno.makeTempDir({ prefix: "reproduce_test_" });
  try {
    for (
      const [path, text] of Object.entries({
        "figures/01_pass/gone.png": "a figure 01_pass no longer makes",
        "figures/01_pass/notes.md": "kept",
        "figures/04_late_output/kept.png": "another notebook's figure",
        "notebooks/04_late_output.ipynb": "another notebook's earlier run",
      })
    ) {
      await Deno.mkdir(`${out}/${path.replace(/\/[^/]+$/, "")}`, { recursive: true });
      await Deno.writeTextFile(`${out}/${path}`, text);
    }
    const result = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        REPRODUCE,
        "--notebooks",
        FIXTURES,
        "--out",
        out,
        "01",
        "--quick",
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 0, log);
    assert.match(log, /exported 0 figures from 1 notebooks to .*\.partial-[^/]+\/figures/);
    assert.deepEqual([...Deno.readDirSync(`${out}/figures/01_pass`)].map((e) => e.name), [
      "notes.md",
    ]);
    assert.equal(
      Deno.readTextFileSync(`${out}/figures/04_late_output/kept.png`),
      "another notebook's figure",
    );
    assert.equal(
      Deno.readTextFileSync(`${out}/notebooks/04_late_output.ipynb`),
      "another notebook's earlier run",
    );
    assert.equal(readJson(`${out}/notebooks/01_pass.ipynb`).metadata.nnkit.status, "ok");
    assert.deepEqual(Object.keys(readJson(`${out}/results.json`)), ["01_pass"]);
    assert.ok(![...Deno.readDirSync(out)].some((e) => e.name.startsWith(".partial-")));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
