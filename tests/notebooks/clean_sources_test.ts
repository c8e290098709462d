// Every notebooks/*.ipynb is committed clean (tools/check_notebooks.ts, also `deno task
// check-notebooks`): valid nbformat 4 (cross-checked with Jupyter's nbformat.validate), no outputs,
// null execution counts, the Deno kernelspec, the first code cell after the imports tagged
// `parameters`, and imports only from "../lib/mod.ts". Passes on whatever notebooks exist.
import assert from "node:assert/strict";
import { basename } from "node:path";
import { checkNotebooks, findNotebooks, formatProblem } from "../../tools/check_notebooks.ts";
import { HAS_NBFORMAT, nbformatErrors } from "../_helpers/nbformat_validate.ts";

const NOTEBOOKS = new URL("../../notebooks", import.meta.url).pathname;

Deno.test("every notebook source is committed clean", async (t) => {
  const { notebooks, problems } = checkNotebooks([NOTEBOOKS]);
  for (const notebook of notebooks) {
    await t.step(basename(notebook), () => {
      const lines = problems.filter((p) => p.notebook === notebook).map(formatProblem);
      assert.deepEqual(
        lines,
        [],
        `fix with Jupyter's "Clear All Outputs", then save:\n${lines.join("\n")}`,
      );
    });
  }
});

Deno.test({
  name: "every notebook source passes Jupyter's nbformat.validate",
  ignore: !HAS_NBFORMAT,
  async fn() {
    const notebooks = findNotebooks([NOTEBOOKS]);
    if (notebooks.length === 0) return;
    const errors = await nbformatErrors(notebooks);
    const invalid = [...errors].filter(([, error]) => error !== null);
    assert.deepEqual(invalid, [], invalid.map(([path, error]) => `${path}: ${error}`).join("\n"));
  },
});
