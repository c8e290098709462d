import assert from "node:assert/strict";
import {
  type Comparison,
  comparisonTable,
  formatValue,
  isReproduced,
  resultsBundle,
  resultsMarkdown,
} from "../lib/report.ts";

const row: Comparison = {
  metric: "train accuracy",
  seed: 0.8463,
  faithful: 0.8461,
  corrected: 0.8702,
  tolerance: 0.005,
};

Deno.test("resultsBundle() keeps metrics and comparisons and stores non-finite values as null", () => {
  const bundle = resultsBundle("03_relu", {
    metrics: { acc: 0.85, loss: NaN, big: Infinity },
    comparisons: [row],
    params: { seed: 1 },
    seedWallSeconds: 134.8,
  });
  assert.deepEqual(bundle.metrics, { acc: 0.85, loss: null, big: null });
  assert.deepEqual(bundle.comparisons, [row]);
  assert.deepEqual(bundle.params, { seed: 1 });
  assert.equal(bundle.seedWallSeconds, 134.8);
  assert.equal(bundle.schema, 1);
});

Deno.test("resultsBundle() turns missing comparison values into null", () => {
  const bundle = resultsBundle("x", {
    comparisons: [{ metric: "m", seed: 1 } as unknown as Comparison],
  });
  assert.deepEqual(bundle.comparisons[0], {
    metric: "m",
    seed: 1,
    faithful: null,
    corrected: null,
  });
});

Deno.test("resultsBundle() rejects bad input naming the field", async (t) => {
  await t.step("empty notebook name", () => {
    assert.throws(() => resultsBundle(" "), /Cannot record results: expected a notebook name/);
  });
  await t.step("metric that is not a number", () => {
    assert.throws(
      () => resultsBundle("x", { metrics: { acc: "0.9" as unknown as number } }),
      (error: Error) =>
        error instanceof TypeError &&
        /metric acc: expected a number, got string/.test(error.message),
    );
  });
  await t.step("comparison without a metric name", () => {
    assert.throws(
      () => resultsBundle("x", { comparisons: [{ ...row, metric: "" }] }),
      /comparison 0: expected a non-empty metric name/,
    );
  });
  await t.step("comparison value that is not a number", () => {
    assert.throws(
      () => resultsBundle("x", { comparisons: [{ ...row, seed: "97%" as unknown as number }] }),
      /comparison "train accuracy" seed: expected a number or null, got string/,
    );
  });
  await t.step("negative or infinite tolerance", () => {
    for (const tolerance of [-1, Infinity, NaN]) {
      assert.throws(
        () => resultsBundle("x", { comparisons: [{ ...row, tolerance }] }),
        (error: Error) => error instanceof RangeError && /tolerance >= 0/.test(error.message),
      );
    }
  });
});

Deno.test("isReproduced() compares the faithful value with the seed's within tolerance", async (t) => {
  await t.step("inside and outside", () => {
    assert.equal(isReproduced(row), true);
    assert.equal(isReproduced({ ...row, faithful: 0.8400 }), false);
  });
  await t.step("exactly at the tolerance counts, despite rounding", () => {
    assert.equal(
      isReproduced({ ...row, seed: 0.3, faithful: 0.1 + 0.2 - 0.1, tolerance: 0.1 }),
      true,
    );
    assert.equal(
      isReproduced({
        ...row,
        seed: 1.4708408874785344,
        faithful: 1.4708408874785344,
        tolerance: 0,
      }),
      true,
    );
  });
  await t.step("rows that cannot be judged give null", () => {
    assert.equal(isReproduced({ ...row, tolerance: undefined }), null);
    assert.equal(isReproduced({ ...row, seed: null }), null);
    assert.equal(isReproduced({ ...row, faithful: null }), null);
  });
  await t.step("over several runs: the seed's value inside the widened range", () => {
    const strict = { ...row, tolerance: 0.0001 };
    assert.equal(isReproduced(strict), false);
    assert.equal(isReproduced(strict, [0.8440, 0.8470, 0.8455]), true);
    assert.equal(isReproduced(strict, [0.8470, 0.8480]), false);
    assert.equal(isReproduced(strict, [0.8462, null]), true);
    assert.equal(isReproduced({ ...strict, faithful: null }, [null, null]), null);
  });
});

Deno.test("formatValue() prints four significant digits, integers exactly, units", () => {
  assert.equal(formatValue(0.98234567), "0.9823");
  assert.equal(formatValue(-2.5), "-2.5");
  assert.equal(formatValue(97.63, "%"), "97.63 %");
  assert.equal(formatValue(10000), "10000");
  assert.equal(formatValue(0.00001234), "1.234e-5");
  assert.equal(formatValue(123456789.5), "1.235e+8");
  assert.equal(formatValue(0.5), "0.5");
  assert.equal(formatValue(undefined, "s"), "—");
});

Deno.test("comparisonTable() writes one row per comparison with the verdict", async (t) => {
  await t.step("single run", () => {
    const md = comparisonTable([
      row,
      { metric: "loss", seed: 0.0958, faithful: 0.2, corrected: 0.09, tolerance: 0.01 },
      { metric: "seconds", seed: 134.8, faithful: 3.2, corrected: null, unit: "s" },
    ]);
    const lines = md.split("\n");
    assert.equal(lines.length, 5);
    assert.equal(
      lines[0],
      "| metric | seed's published | ours seed-faithful | ours corrected | reproduced? |",
    );
    assert.equal(lines[2], "| train accuracy | 0.8463 | 0.8461 | 0.8702 | yes (±0.005) |");
    assert.equal(lines[3], "| loss | 0.0958 | 0.2 | 0.09 | **no** (±0.01) |");
    assert.equal(lines[4], "| seconds | 134.8 s | 3.2 s | — | — |");
  });
  await t.step("several runs show min–max and judge by range", () => {
    const md = comparisonTable([{
      ...row,
      tolerance: 0.0001,
      faithfulRuns: [0.8470, 0.8440, 0.8455],
      correctedRuns: [0.87, 0.871, 0.869],
    }]);
    assert.match(
      md,
      /\| 0\.844–0\.847 \(3 runs\) \| 0\.869–0\.871 \(3 runs\) \| yes \(±0\.0001\) \|/,
    );
  });
  await t.step("pipes in names are escaped and notes shown", () => {
    const md = comparisonTable([{ ...row, metric: "a|b", note: "first 2,000" }]);
    assert.match(md, /\| a\\\|b \(first 2,000\) \|/);
  });
});

Deno.test("resultsMarkdown() holds the comparison table, metrics and the seed's wall time", () => {
  const md = resultsMarkdown(resultsBundle("01_sgd", {
    metrics: { sgdAcc: 0.91 },
    comparisons: [row],
    seedWallSeconds: 134.8,
    seedWallNote: "SGD cell",
  }));
  assert.match(md, /^\*\*Results of 01_sgd\*\*/);
  assert.match(md, /\| train accuracy \| 0\.8463 \|/);
  assert.match(md, /\| sgdAcc \| 0\.91 \|/);
  assert.match(md, /The seed's wall time: 134\.8 s \(SGD cell\)\./);
});
