// The notebooks as a user meets them: each of the six opened in Debian's classic Jupyter Notebook
// (jupyter-notebook, NB_QUICK=1) in headless Chromium, Run All, and compared cell by cell with the
// same notebook executed by nbclient — the same outputs under the same cell, no error output,
// every plotly figure drawn, every image loaded, progress bars at their final state — with a
// full-page screenshot per notebook in reports/browser/ (see tools/browser/check.ts).
//
// Skipped with one line when Chromium or jupyter-notebook is missing (bash tools/setup.sh
// installs both), or when NNKIT_SKIP_BROWSER=1. About a minute per notebook on a busy 2-core
// machine.
import assert from "node:assert/strict";
import { browserCheckUnavailable, checkInBrowser } from "../../tools/browser/check.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const skipped = Deno.env.get("NNKIT_SKIP_BROWSER") === "1"
  ? "NNKIT_SKIP_BROWSER=1"
  : browserCheckUnavailable();
if (skipped) console.log(`browser test skipped: ${skipped}`);

Deno.test({
  name: "every notebook after Run All in the classic notebook shows what nbclient records",
  ignore: skipped !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const result = await checkInBrowser({ out: `${ROOT}reports/browser` });
    assert.equal(result.runs.length, 6, `expected 6 notebooks run, found ${result.runs.length}`);
    for (const run of result.runs) {
      await t.step(run.notebook, async () => {
        assert.deepEqual(run.comparison.problems, [], run.comparison.problems.join("\n"));
        assert.ok(run.comparison.outputs > 0, `${run.notebook}: no outputs in the page`);
        const shot = result.screenshots[run.notebook];
        const info = await Deno.stat(shot);
        assert.ok(
          info.size > 10_000,
          `${shot}: expected a full-page PNG, found ${info.size} bytes`,
        );
      });
    }
    assert.deepEqual(result.problems, [], result.problems.join("\n"));
  },
});
