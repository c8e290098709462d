import assert from "node:assert/strict";
import type { NotebookRecord, RunRecord } from "../../../tools/reproduce/report_markdown.ts";
import * as markdown from "../../../tools/reproduce/report_markdown.ts";

const { failureLines, formatSeconds, recordOk, reportMarkdown, resultsJson } = markdown;
import { type Comparison, resultsBundle } from "../../../lib/report.ts";

const accRow: Comparison = {
  metric: "test accuracy",
  seed: 0.9823,
  faithful: 0.9811,
  corrected: 0.9702,
  tolerance: 0.005,
};

function run(overrides: Partial<RunRecord> = {}, faithful = 0.9811): RunRecord {
  return {
    seed: 42,
    status: "ok",
    seconds: 12.34,
    startupSeconds: 0.81,
    cells: 9,
    output: "reports/notebooks/02_tanh.ipynb",
    errors: [],
    late: [],
    bundle: resultsBundle("02_tanh", {
      metrics: { testAcc: faithful, loss: 0.0958 },
      comparisons: [{ ...accRow, faithful }],
      seedWallSeconds: 300,
      seedWallNote: "50 epochs",
    }),
    ...overrides,
  };
}

const failed: RunRecord = run({
  status: "error",
  bundle: null,
  errors: [{
    kind: "error",
    cell: 4,
    line: "train(net)",
    ename: "RangeError",
    evalue: "boom",
    message: "RangeError: boom",
  }],
});

function record(notebook: string, runs: RunRecord[], quick = false): NotebookRecord {
  return { notebook, quick, finished: "2026-01-01T00:00:00Z", runs };
}

Deno.test("resultsJson() keeps the first run's metrics and wall seconds of ok notebooks", () => {
  const json = resultsJson([
    record("02_tanh", [run(), run({ seed: 43 }, 0.97)]),
    record("03_relu", [failed]),
  ]);
  assert.deepEqual(json, { "02_tanh": { testAcc: 0.9811, loss: 0.0958, wall_seconds: 12.34 } });
});

Deno.test("recordOk() needs every run ok", () => {
  assert.equal(recordOk(record("a", [run()])), true);
  assert.equal(recordOk(record("a", [run(), failed])), false);
  assert.equal(recordOk(record("a", [])), false);
});

Deno.test("failureLines() names notebook, seed, cell, first line and error", () => {
  assert.deepEqual(failureLines(record("03_relu", [run(), failed])), [
    "03_relu (seed 42): cell 4 (`train(net)`): RangeError: boom",
  ]);
  assert.deepEqual(failureLines(record("x", [run({ status: "timeout", seed: null })])), [
    "x: status timeout",
  ]);
});

Deno.test("formatSeconds() prints one decimal", () => {
  assert.equal(formatSeconds(12.345), "12.3 s");
});

Deno.test("reportMarkdown() writes the overview and per-notebook comparison tables", async (t) => {
  const md = reportMarkdown([record("02_tanh", [run()]), record("03_relu", [failed], true)], {
    generated: "2026-01-01 00:00:00 UTC",
  });
  await t.step("overview row per notebook with status, mode, seed and wall times", () => {
    assert.match(md, /\| 02_tanh \| ok \| full \| 42 \| 12\.3 s \| 300 s \(50 epochs\) \|/);
    assert.match(md, /\| 03_relu \| \*\*failed\*\* \| quick \| 42 \| 12\.3 s \| — \|/);
    assert.match(md, /ran reduced configurations/);
  });
  await t.step("comparison rows with the verdict", () => {
    assert.match(md, /\| test accuracy \| 0\.9823 \| 0\.9811 \| 0\.9702 \| yes \(±0\.005\) \|/);
    assert.match(md, /Wall time: ours 12\.3 s, kernel start-up 0\.8 s; the seed's 300 s/);
  });
  await t.step("failures listed under their notebook", () => {
    const section = md.slice(md.indexOf("## 03_relu"));
    assert.match(section, /- 03_relu: cell 4 \(`train\(net\)`\): RangeError: boom/);
  });
});

Deno.test("reportMarkdown() shows ranges over seeds and judges by range", async (t) => {
  const withTolerance = (runs: RunRecord[], tolerance: number) =>
    runs.map((r) => ({
      ...r,
      bundle: {
        ...r.bundle!,
        comparisons: r.bundle!.comparisons.map((c) => ({ ...c, tolerance })),
      },
    }));
  await t.step("the seed's value inside the faithful range", () => {
    const runs = [run({ seed: 42 }, 0.9700), run({ seed: 43 }, 0.9850), run({ seed: 44 }, 0.9790)];
    const md = reportMarkdown([record("02_tanh", withTolerance(runs, 0))]);
    assert.match(md, /\| 02_tanh \| ok \| full \| 42–44 \| 12\.3–12\.3 s \|/);
    assert.ok(
      md.includes("| test accuracy | 0.9823 | 0.97–0.985 (3 runs) | 0.9702 (3 runs) | yes (±0) |"),
      md,
    );
  });
  await t.step("the seed's value outside the faithful range", () => {
    const runs = [run({ seed: 42 }, 0.9700), run({ seed: 43 }, 0.9750)];
    const md = reportMarkdown([record("02_tanh", withTolerance(runs, 0.001))]);
    assert.ok(md.includes("| 0.97–0.975 (2 runs) | 0.9702 (2 runs) | **no** (±0.001) |"), md);
  });
});

Deno.test("reportMarkdown() mentions recovered late outputs", () => {
  const md = reportMarkdown([
    record("a", [run({ late: [{ cell: 3, output_type: "display_data" }] })]),
  ]);
  assert.match(md, /1 output\(s\) arrived after their cell was reported finished/);
});
