import assert from "node:assert/strict";
import { type Comparison, RESULTS_MIME, resultsBundle } from "../../lib/report.ts";
import { recordResults } from "../../lib/jupyter/results.ts";

const row: Comparison = {
  metric: "train accuracy",
  seed: 0.8463,
  faithful: 0.8461,
  corrected: 0.8702,
  tolerance: 0.005,
};

Deno.test("recordResults() displays one bundle with JSON and markdown and awaits it", async () => {
  const shown: [Record<string, unknown>, unknown][] = [];
  let displayed = false;
  await recordResults("02_tanh", {
    metrics: { acc: 0.98 },
    comparisons: [row],
    display: async (bundle, options) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      shown.push([bundle, options]);
      displayed = true;
    },
    settleMs: 1,
  });
  assert.ok(displayed, "recordResults returned before the display finished");
  assert.equal(shown.length, 1);
  const [bundle, options] = shown[0];
  assert.deepEqual(options, { raw: true });
  assert.deepEqual(
    bundle[RESULTS_MIME],
    resultsBundle("02_tanh", { metrics: { acc: 0.98 }, comparisons: [row] }),
  );
  assert.match(bundle["text/markdown"] as string, /\| train accuracy \|/);
});

Deno.test("recordResults() outside Jupyter prints the markdown instead of throwing", async () => {
  const logged: unknown[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => logged.push(...args);
  try {
    await recordResults("05_pretrained", { metrics: { correct: 9790 } });
  } finally {
    console.log = original;
  }
  assert.equal(logged.length, 1);
  assert.match(String(logged[0]), /\| correct \| 9790 \|/);
});

Deno.test("recordResults() validates before displaying anything", async () => {
  let calls = 0;
  await assert.rejects(
    recordResults("x", { metrics: { a: "1" as unknown as number }, display: () => calls++ }),
    TypeError,
  );
  assert.equal(calls, 0);
});
