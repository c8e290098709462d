import assert from "node:assert/strict";
import {
  compareWithReference,
  type NbformatNotebook,
  type PageCell,
} from "../../../tools/browser/compare.ts";

const result = (text: string) => ({
  output_type: "execute_result",
  data: { "text/plain": text },
  metadata: {},
});
const figure = (name: string) => ({
  output_type: "display_data",
  data: { "text/html": "<div>", "image/png": "iVBOR" },
  metadata: { nnkit: { figure: name, kind: "plotly" } },
});
const image = (name: string) => ({
  output_type: "display_data",
  data: { "image/png": "iVBOR" },
  metadata: { nnkit: { figure: name, kind: "image" } },
});
const progress = (status: string) => ({
  output_type: "display_data",
  data: { "text/html": `<div class="nnkit-progress" data-status="${status}">` },
  metadata: {},
});

function reference(...cells: object[][]): NbformatNotebook {
  return {
    cells: cells.map((outputs, i) => ({ cell_type: "code", source: `cell ${i}`, outputs })),
  } as NbformatNotebook;
}

function page(index: number, fields: Partial<PageCell> = {}): PageCell {
  const outputs = fields.outputs ?? [];
  return {
    index,
    outputs,
    domOutputs: fields.domOutputs ?? outputs.length,
    domErrors: 0,
    figures: [],
    images: [],
    progress: [],
    ...fields,
  };
}

Deno.test("compareWithReference() accepts a page that matches nbclient", () => {
  const ref = reference([result("1")], [figure("cost"), image("digits"), progress("finished")]);
  const shown = [
    page(0, { outputs: [{ type: "execute_result" }] }),
    page(1, {
      outputs: [
        { type: "display_data", kind: "plotly", figure: "cost" },
        { type: "display_data", kind: "image", figure: "digits" },
        { type: "display_data", progress: "finished" },
      ],
      figures: [{ drawn: true, width: 720, height: 420 }],
      images: [{ loaded: true, width: 515, height: 277, what: "img" }],
      progress: ["finished"],
    }),
  ];
  const c = compareWithReference("nb", shown, ref);
  assert.deepEqual(c.problems, []);
  assert.deepEqual([c.missing, c.misplaced, c.figures, c.images, c.progressBars], [0, 0, 1, 1, 1]);
});

Deno.test("compareWithReference() counts a result shown under the next cell as missing and misplaced", () => {
  const ref = reference([result("first")], [result("second")]);
  const shown = [
    page(0),
    page(1, { outputs: [{ type: "execute_result" }, { type: "execute_result" }] }),
  ];
  const c = compareWithReference("nb", shown, ref);
  assert.equal(c.missing, 1);
  assert.equal(c.misplaced, 1);
  assert.match(
    c.problems[0],
    /^nb: cell 0 \(cell 0\): expected 1 output\(s\) \[execute_result\], found 0 \[\]$/,
  );
  assert.match(c.problems[1], /^nb: cell 1 \(cell 1\): expected 1 output\(s\) .* found 2 /);
});

Deno.test("compareWithReference() names undrawn figures, unloaded images, unfinished bars and errors", async (t) => {
  const ref = reference([figure("cost"), image("digits"), progress("finished")]);
  const outputs = [
    { type: "display_data", kind: "plotly", figure: "cost" },
    { type: "display_data", kind: "image", figure: "digits" },
    { type: "display_data", progress: "finished" },
  ];
  await t.step("a figure whose SVG is missing", () => {
    const c = compareWithReference("nb", [page(0, {
      outputs,
      figures: [{ drawn: false, width: 0, height: 0 }],
      images: [{ loaded: true, width: 1, height: 1, what: "img" }],
      progress: ["finished"],
    })], ref);
    assert.deepEqual(c.problems, [
      "nb: cell 0 (cell 0): expected 1 plotly figure(s) drawn, found 0 drawn of 1",
    ]);
  });
  await t.step("an image that did not load", () => {
    const c = compareWithReference("nb", [page(0, {
      outputs,
      figures: [{ drawn: true, width: 1, height: 1 }],
      images: [{ loaded: false, width: 0, height: 0, what: "img digits" }],
      progress: ["finished"],
    })], ref);
    assert.match(
      c.problems.join("\n"),
      /expected every image loaded, found 1 not loaded \(img digits\)/,
    );
  });
  await t.step("a progress bar left running", () => {
    const c = compareWithReference("nb", [page(0, {
      outputs: [outputs[0], outputs[1], { type: "display_data", progress: "running" }],
      figures: [{ drawn: true, width: 1, height: 1 }],
      images: [{ loaded: true, width: 1, height: 1, what: "img" }],
      progress: ["running"],
    })], ref);
    assert.match(
      c.problems.join("\n"),
      /expected progress bar\(s\) at \[finished\], found \[running\]/,
    );
  });
  await t.step("an error output, and a model the DOM does not show", () => {
    const c = compareWithReference("nb", [page(0, {
      outputs: [...outputs, { type: "error" }],
      domOutputs: 3,
      domErrors: 1,
      figures: [{ drawn: true, width: 1, height: 1 }],
      images: [{ loaded: true, width: 1, height: 1, what: "img" }],
      progress: ["finished"],
    })], ref);
    const text = c.problems.join("\n");
    assert.match(text, /expected no error output, found 1/);
    assert.match(text, /the output model holds 4 output\(s\) but 3 are shown/);
  });
});

Deno.test("compareWithReference() merges consecutive stream outputs on both sides", () => {
  const stream = { output_type: "stream", name: "stdout", text: "a" };
  const ref = reference([stream, stream, result("x")]);
  const c = compareWithReference("nb", [
    page(0, { outputs: [{ type: "stream", name: "stdout" }, { type: "execute_result" }] }),
  ], ref);
  assert.deepEqual(c.problems, []);
});
