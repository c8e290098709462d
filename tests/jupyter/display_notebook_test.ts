// Output-loss stress test for lib/jupyter/display.ts in the real Deno kernel, through Jupyter's
// nbclient (tools/nbexec.py, Debian's python3). A notebook with five large figures (40,000-point
// traces, every point kept: about 1.4 MB of JSON each, sent twice — as plotly JSON and inside the
// HTML — plus 4.8 MB of inlined plotly.js in the first) is executed several times, each in a
// fresh kernel, and every figure must arrive before its cell is reported finished: nbexec counts
// an output that arrives after the cell went idle as "late", which plain nbclient/nbconvert drop.
//
// Runs: NNKIT_STRESS_RUNS (default 2; e.g. 20 for a thorough check). The first
// NNKIT_STRESS_PNG_RUNS (default 1) runs also render each figure's PNG in the kernel through
// headless Chromium; the others set NNKIT_DISPLAY_PNG=0 to keep the test short.
// NNKIT_STRESS_SETTLE_MS replaces display()'s wait with a fixed one (0: no wait), to measure the
// kernel's loss without it: the test then fails and lists what came late or went missing.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runNotebook } from "../../tools/reproduce/run_notebook.ts";
import { ensureDenoKernelspec } from "../_helpers/jupyter_kernels.ts";
import { codeCell, notebookJson } from "../_helpers/notebook_json.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PLOT_MOD = new URL("../../lib/plot/mod.ts", import.meta.url).href;
const JUPYTER_MOD = new URL("../../lib/jupyter/mod.ts", import.meta.url).href;
const FIGURES = 5;
const POINTS = 40_000;
const RUNS = Number(Deno.env.get("NNKIT_STRESS_RUNS") ?? 2);
const SETTLE = Deno.env.get("NNKIT_STRESS_SETTLE_MS");
const PNG_RUNS = Number(Deno.env.get("NNKIT_STRESS_PNG_RUNS") ?? 1);

function stressNotebook(withPng: boolean) {
  const settle = SETTLE === undefined ? "" : `, settleMs: ${Number(SETTLE)}`;
  const cells = [
    codeCell(
      `import { lineChart } from "${PLOT_MOD}";\nimport { display } from "${JUPYTER_MOD}";`,
    ),
    ...Array.from({ length: FIGURES }, (_, k) =>
      codeCell(
        [
          `const y${k} = Float64Array.from({ length: ${POINTS} }, (_, i) =>`,
          `  Math.exp(-i / 9000) + 0.05 * Math.sin(i * ${k + 1}.37));`,
          `await display(`,
          `  lineChart([{ name: "cost", y: y${k} }], { title: "Figure ${k}", maxPoints: Infinity }),`,
          `  { name: "fig_${k}"${settle} },`,
          `);`,
        ].join("\n"),
        {
          tags: [
            "expect-display",
            "expect-mime=application/vnd.plotly.v1+json",
            "expect-mime=text/html",
            ...(withPng ? ["expect-mime=image/png"] : []),
          ],
        },
      )),
  ];
  return notebookJson(cells);
}

// deno-lint-ignore no-explicit-any
type Notebook = { cells: { source: string; outputs: any[] }[] };

/** What went wrong in one executed stress notebook; empty when every figure came on time. */
async function runProblems(
  output: string,
  withPng: boolean,
  result: Awaited<ReturnType<typeof runNotebook>>,
): Promise<string[]> {
  const { code, summary, stderr } = result;
  const problems = summary.late.map((l) => `late ${l.output_type} in cell ${l.cell}`);
  if (code !== 0 && summary.status !== "late-output") {
    const why = summary.errors.map((e) => e.message).join("; ").slice(0, 300);
    return [...problems, `nbexec ${summary.status}: ${why} ${stderr.slice(-300)}`];
  }
  const nb: Notebook = JSON.parse(await Deno.readTextFile(output));
  const expected = ["application/vnd.plotly.v1+json", "text/html", "text/plain"];
  if (withPng) expected.splice(1, 0, "image/png");
  for (let k = 0; k < FIGURES; k++) {
    const displays = nb.cells[k + 1].outputs.filter((o) => o.output_type === "display_data");
    if (displays.length !== 1) {
      problems.push(`cell ${k + 1} has ${displays.length} displays`);
      continue;
    }
    const [out] = displays;
    const html = [out.data["text/html"]].flat().join("");
    const checks: [boolean, string][] = [
      [out.metadata?.nnkit?.figure === `fig_${k}`, `names ${out.metadata?.nnkit?.figure}`],
      [
        JSON.stringify(Object.keys(out.data).sort()) === JSON.stringify(expected),
        `has ${Object.keys(out.data)}`,
      ],
      [out.data[expected[0]]?.data?.[0]?.y?.length === POINTS, "lacks the 40,000 points"],
      [html.includes("plotly.js v") === (k === 0), "inlines plotly.js in the wrong figure"],
    ];
    for (const [ok, what] of checks) if (!ok) problems.push(`cell ${k + 1} ${what}`);
  }
  return problems;
}

Deno.test({
  name: `display() loses no output: ${FIGURES} large figures × ${RUNS} kernels through nbclient`,
  sanitizeResources: false,
  async fn() {
    await ensureDenoKernelspec();
    const dir = await Deno.makeTempDir({ prefix: "display_stress_" });
    const problems: string[] = [];
    const lines: string[] = [];
    try {
      for (let run = 0; run < RUNS; run++) {
        const withPng = run < PNG_RUNS;
        const input = join(dir, `stress_${run}.ipynb`);
        const output = join(dir, `stress_${run}.out.ipynb`);
        await Deno.writeTextFile(input, JSON.stringify(stressNotebook(withPng)));
        const t0 = performance.now();
        const result = await runNotebook(input, output, {
          cwd: ROOT,
          late: "recover",
          timeout: 300,
          env: withPng ? {} : { NNKIT_DISPLAY_PNG: "0" },
        });
        const seconds = ((performance.now() - t0) / 1000).toFixed(1);
        const found = await runProblems(output, withPng, result);
        problems.push(...found.map((p) => `run ${run}: ${p}`));
        lines.push(
          `run ${run}${withPng ? " (with PNG)" : ""}: ${seconds} s, ${
            found.length ? found.join("; ") : `all ${FIGURES} figures on time`
          }`,
        );
      }
    } finally {
      console.log(`display stress (settle ${SETTLE ?? "default"}):\n  ${lines.join("\n  ")}`);
      await Deno.remove(dir, { recursive: true });
    }
    assert.deepEqual(problems, [], "late outputs are dropped by plain nbclient/nbconvert");
  },
});
