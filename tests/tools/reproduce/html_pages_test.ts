// tools/reproduce/html_pages.ts with Debian's nbconvert: an executed notebook whose figure does not
// carry plotly.js becomes one page that carries it exactly once, with the figure's script and the
// image as PNG (not nbconvert's mangled inline SVG), written atomically.
import assert from "node:assert/strict";
import { figureMessage, imageMessage } from "../../../lib/jupyter/display.ts";
import { lineChart } from "../../../lib/plot/charts.ts";
import { writeHtmlPages } from "../../../tools/reproduce/html_pages.ts";
import { codeCell, notebookJson } from "../../_helpers/notebook_json.ts";

Deno.test("writeHtmlPages() writes one page per notebook with plotly.js once and images as PNG", async () => {
  const dir = await Deno.makeTempDir({ prefix: "html_pages_test_" });
  try {
    const fig = figureMessage(lineChart([{ name: "loss", y: [3, 2, 1] }], { title: "Loss" }), {
      name: "loss",
      includePlotlyJs: false,
    });
    const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
    const img = imageMessage({ png, svg: '<?xml version="1.0"?><svg/>', width: 2, height: 1 }, {
      name: "digits",
    });
    const cells = [codeCell("await display(fig);"), codeCell("await display(img);")];
    cells[0].outputs = [{ output_type: "display_data", ...fig }];
    cells[1].outputs = [{ output_type: "display_data", ...img }];
    const nb = notebookJson(cells);
    const input = `${dir}/07_demo.ipynb`;
    await Deno.writeTextFile(input, JSON.stringify(nb));
    const pages = await writeHtmlPages([input], `${dir}/html`);
    assert.equal(pages.length, 1);
    assert.equal(pages[0].path, `${dir}/html/07_demo.html`);
    const html = await Deno.readTextFile(pages[0].path);
    assert.equal(pages[0].bytes, new TextEncoder().encode(html).length);
    assert.equal(html.split("inlined by nnkit */").length - 1, 1, "plotly.js exactly once");
    assert.ok(
      html.indexOf("inlined by nnkit */") < html.indexOf("nnkit-figure"),
      "before the figure",
    );
    assert.match(html, /window\.Plotly\.newPlot/);
    assert.match(html, /<img src="data:image\/png;base64,iVBORw0KGgo=?/);
    assert.doesNotMatch(html, /data-mime-type="image\/svg\+xml"/);
    const left = [...Deno.readDirSync(`${dir}/html`)].map((e) => e.name);
    assert.deepEqual(left, ["07_demo.html"], "no temporary file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeHtmlPages() names the notebook when nbconvert fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "html_pages_test_" });
  try {
    const future = { cells: [], metadata: {}, nbformat: 99, nbformat_minor: 0 };
    await Deno.writeTextFile(`${dir}/future.ipynb`, JSON.stringify(future));
    await assert.rejects(
      writeHtmlPages([`${dir}/future.ipynb`], `${dir}/html`),
      /Cannot render .*future\.ipynb to HTML: nbconvert exited with code 1/,
    );
    await Deno.writeTextFile(`${dir}/broken.ipynb`, "{ not json");
    await assert.rejects(
      writeHtmlPages([`${dir}/broken.ipynb`], `${dir}/html`),
      /Cannot render .*broken\.ipynb to HTML: expected an executed notebook \(nbformat JSON\), got/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
