import assert from "node:assert/strict";
import { join } from "node:path";
import { barChart, confusionHeatmap, lineChart } from "../../lib/plot/charts.ts";
import { figureMessage, imageMessage } from "../../lib/jupyter/display.ts";
import { encodePng } from "../../lib/plot/png.ts";
import { exportNotebooks, main, notebookFigures, pngSize, svgWithPng } from "../../tools/export.ts";
import { ihdr, parseSvgFile } from "../_helpers/image_files.ts";

/** A 3 × 2 red/blue PNG made by the kit's encoder. */
function smallPng(): Uint8Array {
  const rgba = new Uint8Array(3 * 2 * 4);
  for (let p = 0; p < 6; p++) rgba.set(p % 2 ? [0, 0, 255, 255] : [255, 0, 0, 255], p * 4);
  return encodePng(rgba, { width: 3, height: 2 });
}

function output(message: { data: Record<string, unknown>; metadata: Record<string, unknown> }) {
  return { output_type: "display_data", ...message };
}

function notebook(cells: unknown[][]) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((outputs) => ({ cell_type: "code", source: "", metadata: {}, outputs })),
  };
}

/** An executed notebook as nbclient writes it: figures, an image, unnamed and stream outputs. */
function demoNotebook() {
  const png = smallPng();
  const cost = figureMessage(
    lineChart([{ name: "SGD", y: Float64Array.from({ length: 40_000 }, (_, i) => 1 / (1 + i)) }], {
      title: "Cost per iteration",
      logY: true,
    }),
    { name: "cost_vs_iteration", includePlotlyJs: false },
  );
  const confusion = figureMessage(confusionHeatmap([[50, 2], [3, 45]], { title: "Confusion" }), {
    name: "confusion",
  });
  const grid = imageMessage({ png, width: 6, height: 4 }, { name: "digits" });
  const gridWithSvg = imageMessage({
    png,
    svg: '<svg xmlns="http://www.w3.org/2000/svg"/>',
    width: 3,
    height: 2,
  }, {
    name: "weights",
  });
  // nbformat stores multi-line strings as lists of lines; base64 may be wrapped.
  (gridWithSvg.data as Record<string, unknown>)["image/svg+xml"] = [
    '<svg xmlns="http://www.w3.org/2000/svg">\n',
    "</svg>",
  ];
  const wrapped = (grid.data["image/png"] as string).replace(/(.{8})/g, "$1\n");
  grid.data["image/png"] = wrapped;
  return notebook([
    [{ output_type: "stream", name: "stdout", text: ["hello\n"] }],
    [output(cost)],
    [output(confusion), output({ data: { "text/plain": "unnamed" }, metadata: {} })],
    [output(grid), output(gridWithSvg)],
  ]);
}

Deno.test("pngSize() reads the IHDR and rejects other bytes", () => {
  assert.deepEqual(pngSize(smallPng()), { width: 3, height: 2 });
  assert.throws(
    () => pngSize(new Uint8Array([0x1f, 0x8b, 8, 8, 0, 0, 0, 0])),
    /Cannot read PNG size: expected the PNG signature and an IHDR chunk, got 1f 8b 08 08/,
  );
});

Deno.test("svgWithPng() embeds the PNG at its display size", () => {
  const svg = svgWithPng(smallPng(), { width: 30, height: 20 });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="30" height="20"/);
  assert.match(svg, /xlink:href="data:image\/png;base64,iVBORw0KGgo/);
});

Deno.test("notebookFigures() finds named outputs only, in cell order", () => {
  const figures = notebookFigures(demoNotebook(), "demo.ipynb");
  assert.deepEqual(
    figures.map((f) => [f.name, f.kind, f.cell]),
    [["cost_vs_iteration", "plotly", 1], ["confusion", "plotly", 2], ["digits", "image", 3], [
      "weights",
      "image",
      3,
    ]],
  );
  assert.deepEqual(figures[2].png, smallPng(), "wrapped base64 decodes to the same bytes");
  assert.equal(figures[3].svg, '<svg xmlns="http://www.w3.org/2000/svg">\n</svg>');
  assert.throws(() => notebookFigures({ worksheets: [] }, "old.ipynb"), /expected a "cells" array/);
  const bad = notebook([[
    output({ data: { "image/png": "" }, metadata: { nnkit: { figure: "../x" } } }),
  ]]);
  assert.throws(() => notebookFigures(bad, "bad.ipynb"), /cell 0 names a figure "\.\.\/x"/);
});

Deno.test("exportNotebooks() writes PNG and SVG per figure through real Chromium", async () => {
  const root = await Deno.makeTempDir();
  try {
    const inDir = join(root, "notebooks"), outDir = join(root, "figures");
    await Deno.mkdir(inDir);
    await Deno.writeTextFile(join(inDir, "01_demo.ipynb"), JSON.stringify(demoNotebook()));
    await Deno.writeTextFile(join(inDir, "notes.txt"), "not a notebook");
    await Deno.mkdir(join(outDir, "01_demo"), { recursive: true });
    await Deno.writeTextFile(join(outDir, "01_demo", "old_figure.png"), "stale");
    await Deno.writeTextFile(join(outDir, "01_demo", "README.md"), "kept");

    const lines: string[] = [];
    const report = await exportNotebooks(inDir, { outDir, log: (l) => lines.push(l) });

    const dir = join(outDir, "01_demo");
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "README.md",
      "confusion.png",
      "confusion.svg",
      "cost_vs_iteration.png",
      "cost_vs_iteration.svg",
      "digits.png",
      "digits.svg",
      "weights.png",
      "weights.svg",
    ]);
    assert.deepEqual(ihdr(Deno.readFileSync(join(dir, "cost_vs_iteration.png"))), [1440, 840]);
    assert.deepEqual(ihdr(Deno.readFileSync(join(dir, "confusion.png"))), [1200, 1120]);
    for (const name of ["cost_vs_iteration", "confusion"]) {
      assert.equal(
        await parseSvgFile(join(dir, `${name}.svg`)),
        "{http://www.w3.org/2000/svg}svg main-svg",
      );
    }
    assert.match(Deno.readTextFileSync(join(dir, "confusion.svg")), />45</);
    assert.deepEqual(Deno.readFileSync(join(dir, "digits.png")), smallPng(), "canvas PNG as is");
    assert.match(Deno.readTextFileSync(join(dir, "digits.svg")), /width="6" height="4"/);
    assert.equal(
      await parseSvgFile(join(dir, "digits.svg")),
      "{http://www.w3.org/2000/svg}svg None",
    );
    assert.equal(
      Deno.readTextFileSync(join(dir, "weights.svg")),
      '<svg xmlns="http://www.w3.org/2000/svg">\n</svg>',
    );

    assert.equal(report.figures.length, 4);
    assert.deepEqual(report.notebooks, [join(inDir, "01_demo.ipynb")]);
    assert.ok(report.launchMs > 0 && report.totalMs >= report.launchMs);
    assert.ok(report.figures.every((f) => f.ms >= 0 && f.notebook === "01_demo"));
    assert.ok(lines.some((l) => /removed stale .*old_figure\.png/.test(l)));
    assert.ok(lines.some((l) => /01_demo\/confusion\.png \+ \.svg {2}plotly {2}\d+ ms/.test(l)));
    assert.ok(![...Deno.readDirSync(dir)].some((e) => e.name.endsWith(".tmp")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("exportNotebooks() without Chromium names the package, but exports images without it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const plotlyNb = join(root, "plotly.ipynb"), imageNb = join(root, "images.ipynb");
    const fig = figureMessage(barChart([{ name: "acc", y: [0.9] }]), { name: "acc" });
    await Deno.writeTextFile(plotlyNb, JSON.stringify(notebook([[output(fig)]])));
    const img = imageMessage({ png: smallPng(), width: 3, height: 2 }, { name: "grid" });
    await Deno.writeTextFile(imageNb, JSON.stringify(notebook([[output(img)]])));
    const options = { outDir: join(root, "out"), executablePath: "/nonexistent/chromium" };
    await assert.rejects(
      exportNotebooks(plotlyNb, options),
      (e: unknown) =>
        e instanceof Deno.errors.NotFound &&
        /Cannot find Chromium at \/nonexistent\/chromium: install the Debian package chromium/.test(
          e.message,
        ),
    );
    const report = await exportNotebooks(imageNb, options);
    assert.deepEqual(report.figures.map((f) => f.name), ["grid"]);
    assert.equal(report.launchMs, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("export command line: usage errors exit 2, a missing input exits 1 with a hint", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void errors.push(args.join(" "));
  try {
    assert.equal(await main(["--bogus"]), 2);
    assert.equal(await main(["--in"]), 2);
    assert.equal(await main(["--in=/nonexistent/notebooks"]), 1);
  } finally {
    console.error = original;
  }
  assert.match(errors[0], /export: unknown argument --bogus/);
  assert.match(errors[1], /export: --in needs a value/);
  assert.match(errors[2], /\/nonexistent\/notebooks does not exist; run deno task reproduce first/);
});

Deno.test("a failed export leaves the figures folder as it was and names its partial output", async () => {
  const root = await Deno.makeTempDir();
  try {
    const outDir = join(root, "figures"), inDir = join(root, "notebooks");
    await Deno.mkdir(join(outDir, "01_demo"), { recursive: true });
    await Deno.mkdir(inDir);
    await Deno.writeTextFile(join(outDir, "01_demo", "confusion.png"), "the earlier export");
    // 01_demo's image is written first; 02_plotly then needs the missing Chromium.
    const img = imageMessage({ png: smallPng(), width: 3, height: 2 }, { name: "grid" });
    await Deno.writeTextFile(
      join(inDir, "01_demo.ipynb"),
      JSON.stringify(notebook([[output(img)]])),
    );
    const fig = figureMessage(barChart([{ name: "acc", y: [0.9] }]), { name: "acc" });
    await Deno.writeTextFile(
      join(inDir, "02_plotly.ipynb"),
      JSON.stringify(notebook([[output(fig)]])),
    );
    const lines: string[] = [];
    await assert.rejects(
      exportNotebooks(inDir, {
        outDir,
        executablePath: "/nonexistent/chromium",
        log: (l) => lines.push(l),
      }),
      /Cannot find Chromium/,
    );
    const entries = [...Deno.readDirSync(outDir)].map((e) => e.name).sort();
    assert.equal(entries.length, 2);
    assert.equal(entries[1], "01_demo");
    assert.match(entries[0], /^\.partial-\d{8}T\d{6}Z-\d+$/);
    assert.deepEqual([...Deno.readDirSync(join(outDir, "01_demo"))].map((e) => e.name), [
      "confusion.png",
    ]);
    assert.equal(
      Deno.readTextFileSync(join(outDir, "01_demo", "confusion.png")),
      "the earlier export",
    );
    assert.ok(Deno.statSync(join(outDir, entries[0], "01_demo", "grid.png")).isFile);
    assert.ok(
      lines.includes(
        `export stopped: ${outDir} left as it was; partial figures in ${join(outDir, entries[0])}`,
      ),
      lines.join("\n"),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
