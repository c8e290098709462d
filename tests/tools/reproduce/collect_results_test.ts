import assert from "node:assert/strict";
import {
  callsRecordResults,
  cellSource,
  mergeBundles,
  type NotebookJson,
  parametersSeed,
  resultBundles,
} from "../../../tools/reproduce/collect_results.ts";
import { RESULTS_MIME, resultsBundle } from "../../../lib/report.ts";

const FIXTURES = new URL("../../fixtures/notebooks/", import.meta.url).pathname;

function code(source: string | string[], extra: Partial<NotebookJson["cells"][number]> = {}) {
  return { cell_type: "code", source, metadata: {}, outputs: [], ...extra };
}

Deno.test("cellSource() joins nbformat's list-of-lines sources", () => {
  assert.equal(cellSource(code(["a\n", "b"])), "a\nb");
  assert.equal(cellSource(code("x")), "x");
});

Deno.test("resultBundles() finds every results output in order, also as JSON text", () => {
  const a = resultsBundle("n", { metrics: { a: 1 } });
  const b = resultsBundle("n", { metrics: { b: 2 } });
  const nb: NotebookJson = {
    cells: [
      { cell_type: "markdown", source: "# t" },
      code("", {
        outputs: [
          { output_type: "stream" },
          { output_type: "display_data", data: { "text/plain": "x", [RESULTS_MIME]: a } },
        ],
      }),
      code("", {
        outputs: [{ output_type: "display_data", data: { [RESULTS_MIME]: JSON.stringify(b) } }],
      }),
    ],
  };
  assert.deepEqual(resultBundles(nb), [a, b]);
  assert.deepEqual(resultBundles({ cells: [code("")] }), []);
});

Deno.test("mergeBundles() merges metrics later-wins and concatenates comparisons", () => {
  const row = { metric: "acc", seed: 1, faithful: 1, corrected: null };
  const merged = mergeBundles("nb", [
    resultsBundle("nb", { metrics: { a: 1, b: 2 }, comparisons: [row], seedWallSeconds: 5 }),
    resultsBundle("nb", { metrics: { b: 3 }, comparisons: [{ ...row, metric: "loss" }] }),
  ]);
  assert.deepEqual(merged?.metrics, { a: 1, b: 3 });
  assert.deepEqual(merged?.comparisons.map((c) => c.metric), ["acc", "loss"]);
  assert.equal(merged?.seedWallSeconds, 5);
  assert.equal(mergeBundles("nb", []), null);
});

Deno.test("parametersSeed() reads the seed from the cell tagged parameters only", () => {
  const tagged = { metadata: { tags: ["parameters"] } };
  assert.equal(parametersSeed({ cells: [code("parameters({ seed: 1234 })", tagged)] }), 1234);
  assert.equal(parametersSeed({ cells: [code("const p = { epochs: 3 }", tagged)] }), undefined);
  assert.equal(parametersSeed({ cells: [code("parameters({ seed: 5 })")] }), undefined);
  assert.equal(parametersSeed({ cells: [code("({ noiseSeed: 9, seed: 3 })", tagged)] }), 3);
  const fixture = JSON.parse(Deno.readTextFileSync(`${FIXTURES}01_pass.ipynb`));
  assert.equal(parametersSeed(fixture), 42);
});

Deno.test("callsRecordResults() ignores commented-out calls", () => {
  assert.equal(callsRecordResults({ cells: [code("await recordResults('x', {})")] }), true);
  assert.equal(callsRecordResults({ cells: [code("// recordResults('x', {})")] }), false);
  assert.equal(
    callsRecordResults({ cells: [{ cell_type: "markdown", source: "recordResults(" }] }),
    false,
  );
});
