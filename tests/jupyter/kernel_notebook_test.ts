// lib/jupyter/kernel.ts in the real Deno kernel, through Jupyter's nbclient (tools/nbexec.py,
// Debian's python3): a progress bar updated in place (display_data, then update_display_data with
// the same display_id), a results bundle and a named image all arrive in their cells before the
// cells are reported finished, with their metadata. One kernel, a few seconds.
import assert from "node:assert/strict";
import { join } from "node:path";
import { RESULTS_MIME } from "../../lib/report.ts";
import { runNotebook } from "../../tools/reproduce/run_notebook.ts";
import { ensureDenoKernelspec } from "../_helpers/jupyter_kernels.ts";
import { codeCell, notebookJson } from "../_helpers/notebook_json.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PLOT_MOD = new URL("../../lib/plot/mod.ts", import.meta.url).href;
const JUPYTER_MOD = new URL("../../lib/jupyter/mod.ts", import.meta.url).href;
const UPDATES = 30;

function probeNotebook() {
  return notebookJson([
    codeCell(
      `import { encodePng } from "${PLOT_MOD}";\n` +
        `import { displayImage, progressBar, recordResults } from "${JUPYTER_MOD}";`,
    ),
    codeCell(
      [
        `const bar = progressBar({ total: ${UPDATES}, label: "fit", unit: "epoch", minInterval: 0 });`,
        `for (let epoch = 1; epoch <= ${UPDATES}; epoch++) await bar.update(epoch, { loss: 1 / epoch });`,
        `await bar.finish();`,
      ].join("\n"),
    ),
    codeCell(`await recordResults("kernel_probe", { metrics: { answer: 42, sent: bar.sent } });`),
    codeCell(
      [
        `const rgba = new Uint8Array(4 * 3 * 4).fill(200);`,
        `await displayImage({ png: encodePng(rgba, { width: 4, height: 3 }), width: 4, height: 3 }, {`,
        `  name: "probe_image",`,
        `});`,
      ].join("\n"),
    ),
  ]);
}

// deno-lint-ignore no-explicit-any
type Output = { output_type: string; data?: Record<string, any>; metadata?: Record<string, any> };

Deno.test({
  name: "kernel.ts delivers progress updates in place, results and named images through nbclient",
  sanitizeResources: false,
  async fn() {
    await ensureDenoKernelspec();
    const dir = await Deno.makeTempDir({ prefix: "kernel_probe_" });
    try {
      const input = join(dir, "probe.ipynb");
      const output = join(dir, "probe.out.ipynb");
      await Deno.writeTextFile(input, JSON.stringify(probeNotebook()));
      const { code, summary, stderr } = await runNotebook(input, output, {
        cwd: ROOT,
        late: "recover",
        timeout: 180,
      });
      const why = `${JSON.stringify(summary)}\n${stderr}`;
      assert.equal(code, 0, why);
      assert.equal(summary.status, "ok", why);
      assert.deepEqual(summary.late, [], "outputs that arrive after idle are dropped by nbconvert");
      const cells: { outputs: Output[] }[] = JSON.parse(await Deno.readTextFile(output)).cells;

      const results = cells[2].outputs.find((o) => o.data?.[RESULTS_MIME]);
      const { metrics } = results?.data?.[RESULTS_MIME] ?? {};
      assert.deepEqual(metrics, { answer: 42, sent: UPDATES + 1 }, "one send per update + finish");

      const bar = cells[1].outputs;
      assert.equal(bar.length, 1, "the updates replaced the one display instead of adding outputs");
      assert.equal(bar[0].output_type, "display_data");
      const text = [bar[0].data?.["text/plain"]].flat().join("");
      assert.match(text, new RegExp(`epoch ${UPDATES}/${UPDATES} · loss 0\\.03333 .*done in`));
      assert.match([bar[0].data?.["text/html"]].flat().join(""), /data-status="finished"/);

      const image = cells[3].outputs.find((o) => o.output_type === "display_data");
      assert.equal(image?.metadata?.nnkit?.figure, "probe_image", "metadata survives the kernel");
      assert.deepEqual(image?.metadata?.["image/png"], { width: 4, height: 3 });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
