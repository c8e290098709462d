// lib/jupyter/result_hook.ts in the real Deno kernel, through nbclient with late-output recovery
// off and no barrier between cells (what a front end does): forty cells that end in a value each
// get their execute_result before the cell is reported idle, and a plotly figure left as the last
// expression arrives as a figure (plotly JSON, HTML, nnkit metadata). One kernel, ~15 s.
import assert from "node:assert/strict";
import { join } from "node:path";
import { NBEXEC_PATH, projectKernelspec } from "../../tools/reproduce/run_notebook.ts";
import { codeCell, notebookJson } from "../_helpers/notebook_json.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const JUPYTER_MOD = new URL("../../lib/jupyter/mod.ts", import.meta.url).href;
const PLOT_MOD = new URL("../../lib/plot/mod.ts", import.meta.url).href;
const VALUE_CELLS = 40;

// deno-lint-ignore no-explicit-any
type Output = { output_type: string; data?: Record<string, any>; metadata?: Record<string, any> };

Deno.test({
  name: "every cell's last value arrives before its cell goes idle, figures as figures",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "result_hook_probe_" });
    try {
      const cells = [
        codeCell(`import { lineChart } from "${PLOT_MOD}";\nimport "${JUPYTER_MOD}";`),
        ...Array.from(
          { length: VALUE_CELLS },
          (_, i) =>
            codeCell(`({ cell: ${i}, squares: Array.from({ length: 200 }, (_, k) => k * k) })`),
        ),
        codeCell(`lineChart([{ name: "loss", y: [3, 2, 1] }], { title: "Loss per epoch" })`),
      ];
      const input = join(dir, "probe.ipynb"), output = join(dir, "probe.out.ipynb");
      await Deno.writeTextFile(input, JSON.stringify(notebookJson(cells)));
      const jupyterPath = await projectKernelspec();
      const run = await new Deno.Command("/usr/bin/python3", {
        args: [
          NBEXEC_PATH,
          input,
          output,
          "--late",
          "fail",
          "--no-barrier",
          "--cwd",
          ROOT,
          "--timeout",
          "300",
          "--env",
          "NNKIT_DISPLAY_PNG=0",
        ],
        env: { JUPYTER_PATH: jupyterPath },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const decode = (b: Uint8Array) => new TextDecoder().decode(b);
      const summary = JSON.parse(decode(run.stdout).trim().split("\n").at(-1)!);
      const why = `${JSON.stringify(summary)}\n${decode(run.stderr).slice(-2000)}`;
      assert.deepEqual(summary.late, [], `late outputs: ${why}`);
      assert.equal(summary.status, "ok", why);
      const executed: { outputs: Output[] }[] = JSON.parse(await Deno.readTextFile(output)).cells;
      for (let i = 1; i <= VALUE_CELLS; i++) {
        const outputs = executed[i].outputs;
        assert.equal(outputs.length, 1, `cell ${i}: expected 1 output, found ${outputs.length}`);
        assert.equal(outputs[0].output_type, "execute_result");
        assert.match(
          [outputs[0].data?.["text/plain"]].flat().join(""),
          new RegExp(`cell: ${i - 1}`),
        );
      }
      const figure = executed[VALUE_CELLS + 1].outputs;
      assert.equal(figure.length, 1, JSON.stringify(figure).slice(0, 500));
      assert.equal(figure[0].output_type, "execute_result");
      assert.ok("application/vnd.plotly.v1+json" in (figure[0].data ?? {}));
      assert.match([figure[0].data?.["text/html"]].flat().join(""), /nnkit-figure/);
      assert.equal(figure[0].metadata?.nnkit?.figure, "loss_per_epoch");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
