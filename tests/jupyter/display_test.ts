import assert from "node:assert/strict";
import { barChart, confusionHeatmap, lineChart } from "../../lib/plot/charts.ts";
import type { FigureRenderer, RenderOptions } from "../../lib/export/chromium.ts";
import {
  display,
  displayImage,
  type DisplayMessage,
  figureHtml,
  figureMessage,
  imageMessage,
  PLOTLY_MIME,
  resetDisplaySession,
} from "../../lib/jupyter/display.ts";
import type { DisplayFunction } from "../../lib/jupyter/kernel.ts";

const PNG_BYTES = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]);

/** A renderer that returns fixed PNG bytes and records what it was asked. */
function fakeRenderer(): Pick<FigureRenderer, "render"> & { calls: RenderOptions[] } {
  const calls: RenderOptions[] = [];
  return {
    calls,
    render(figure, options = {}) {
      calls.push(options);
      return Promise.resolve({
        png: PNG_BYTES,
        width: figure.layout.width,
        height: figure.layout.height,
        ms: 1,
      });
    },
  };
}

/** A display function that records each message (its data and its metadata). */
function collector(): { sent: DisplayMessage[]; display: DisplayFunction } {
  const sent: DisplayMessage[] = [];
  return { sent, display: (data, { metadata = {} }) => void sent.push({ data, metadata }) };
}

/** Captures console.warn while `fn` runs. */
async function capturingWarnings(fn: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.warn = original;
  }
  return warnings;
}

Deno.test("display() sends one bundle with plotly JSON, HTML and PNG, named in metadata", async () => {
  resetDisplaySession();
  const { sent, display: fn } = collector();
  const renderer = fakeRenderer();
  const fig = lineChart([{ name: "SGD", y: [2.3, 1.2, 0.4] }], { title: "Cost per iteration" });
  await display(fig, { name: "cost_vs_iteration", display: fn, renderer, settleMs: 0 });
  assert.equal(sent.length, 1);
  const { data, metadata } = sent[0];
  assert.deepEqual(Object.keys(data).sort(), [
    PLOTLY_MIME,
    "image/png",
    "text/html",
    "text/plain",
  ]);
  assert.deepEqual(data[PLOTLY_MIME], JSON.parse(JSON.stringify(fig)));
  assert.equal(data["image/png"], btoa(String.fromCharCode(...PNG_BYTES)));
  assert.deepEqual(metadata.nnkit, {
    figure: "cost_vs_iteration",
    kind: "plotly",
    width: 720,
    height: 420,
  });
  assert.deepEqual(metadata["image/png"], { width: 720, height: 420 });
  assert.match(data["text/plain"] as string, /cost_vs_iteration: Cost per iteration/);
  assert.deepEqual(renderer.calls, [{ formats: ["png"], scale: 2 }]);
});

Deno.test("display() inlines plotly.js in the first figure of a session only", async () => {
  resetDisplaySession();
  const { sent, display: fn } = collector();
  const options = { display: fn, png: false, settleMs: 0 };
  await display(lineChart([{ name: "a", y: [1, 2] }]), { ...options, name: "first" });
  await display(barChart([{ name: "a", y: [1, 2] }]), { ...options, name: "second" });
  await display(barChart([{ name: "a", y: [1] }]), {
    ...options,
    name: "forced",
    includePlotlyJs: true,
  });
  const html = sent.map((m) => m.data["text/html"] as string);
  assert.ok(html[0].includes("plotly.js v"), "first figure carries the library");
  assert.ok(html[0].length > 3_000_000, `first HTML is ${html[0].length} chars`);
  assert.ok(!html[1].includes("plotly.js v") && html[1].length < 20_000);
  assert.ok(html[2].includes("plotly.js v"));
  for (const h of html) assert.ok(!/src=["']https?:/.test(h), "no CDN or network script");
  assert.ok(sent.every((m) => !("image/png" in m.data)), "png: false sends no PNG");
  resetDisplaySession();
  await display(lineChart([{ name: "a", y: [1, 2] }]), { ...options, name: "after_reset" });
  assert.ok((sent[3].data["text/html"] as string).includes("plotly.js v"));
});

Deno.test("display() skips the PNG with one notice per session when Chromium is missing", async () => {
  resetDisplaySession();
  const saved = Deno.env.get("NNKIT_CHROMIUM");
  Deno.env.set("NNKIT_CHROMIUM", "/nonexistent/chromium");
  const { sent, display: fn } = collector();
  try {
    const warnings = await capturingWarnings(async () => {
      for (const name of ["a", "b", "c"]) {
        await display(lineChart([{ name, y: [1, 2] }]), { name, display: fn, settleMs: 0 });
      }
    });
    assert.equal(sent.length, 3);
    assert.ok(sent.every((m) => !("image/png" in m.data) && PLOTLY_MIME in m.data));
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0], /without a static PNG.*install the Debian package chromium/);
  } finally {
    if (saved === undefined) Deno.env.delete("NNKIT_CHROMIUM");
    else Deno.env.set("NNKIT_CHROMIUM", saved);
    resetDisplaySession();
  }
});

Deno.test("display() keeps showing the figure when one PNG render fails", async () => {
  resetDisplaySession();
  const { sent, display: fn } = collector();
  const failing = { render: () => Promise.reject(new Error("page crashed")) };
  const warnings = await capturingWarnings(() =>
    display(lineChart([{ name: "a", y: [1] }]), {
      name: "x",
      display: fn,
      renderer: failing,
      settleMs: 0,
    })
  );
  assert.equal(sent.length, 1);
  assert.ok(!("image/png" in sent[0].data));
  assert.match(warnings.join("\n"), /figure x is shown without a static PNG: page crashed/);
});

Deno.test("display() waits settleMs after sending and awaits an async display function", async () => {
  let delivered = false;
  const slowDisplay = async () => {
    await new Promise((r) => setTimeout(r, 20));
    delivered = true;
  };
  const t0 = performance.now();
  await display(lineChart([{ name: "a", y: [1] }]), {
    name: "wait",
    display: slowDisplay,
    png: false,
    settleMs: 60,
  });
  assert.ok(delivered);
  assert.ok(performance.now() - t0 >= 79, "resolves only after the display and the settle wait");
});

Deno.test("display() shows canvas images with PNG, SVG and their own name", async () => {
  const { sent, display: fn } = collector();
  const image = { png: PNG_BYTES, svg: "<svg></svg>", width: 280, height: 120, name: "digits" };
  await display(image, { display: fn, settleMs: 0 });
  await displayImage(image, { name: "renamed", svg: false, display: fn, settleMs: 0 });
  assert.deepEqual(Object.keys(sent[0].data).sort(), ["image/png", "image/svg+xml", "text/plain"]);
  assert.deepEqual(sent[0].metadata.nnkit, {
    figure: "digits",
    kind: "image",
    width: 280,
    height: 120,
  });
  assert.deepEqual(sent[0].metadata["image/png"], { width: 280, height: 120 });
  assert.deepEqual(Object.keys(sent[1].data).sort(), ["image/png", "text/plain"]);
  assert.equal((sent[1].metadata.nnkit as { figure: string }).figure, "renamed");
});

Deno.test("display() rejects missing or unsafe names and unknown items", async (t) => {
  const options = { display: () => {}, png: false, settleMs: 0 };
  const fig = lineChart([{ name: "a", y: [1] }]);
  await t.step("missing name", async () => {
    await assert.rejects(display(fig, options), /Cannot display figure: options\.name is required/);
  });
  for (const bad of ["../x", "a/b", "", ".hidden", "a b"]) {
    await t.step(`name ${JSON.stringify(bad)}`, async () => {
      await assert.rejects(
        display(fig, { ...options, name: bad }),
        (e: unknown) => e instanceof TypeError && /name must be 1 to 100 letters/.test(e.message),
      );
    });
  }
  await t.step("not a figure or image", async () => {
    await assert.rejects(
      display(42 as never, { ...options, name: "n" }),
      /expected a plotly figure \{ data, layout \} or an image/,
    );
  });
});

Deno.test("display() outside the kernel without a display function says how to fix it", async () => {
  await assert.rejects(
    display(lineChart([{ name: "a", y: [1] }]), { name: "n", png: false, settleMs: 0 }),
    /Cannot display figure n: Deno\.jupyter is only available in the Deno Jupyter kernel; pass options\.display/,
  );
});

Deno.test("figureMessage() serializes typed arrays in hand-made figures as plain arrays", () => {
  const fig = {
    data: [{ type: "scatter" as const, mode: "lines" as const, name: "t", x: [0, 1], y: [0, 1] }],
    layout: { width: 300, height: 200 },
  };
  (fig.data[0] as { y: unknown }).y = new Float32Array([0.5, 0.25]);
  const m = figureMessage(fig, { name: "typed" });
  assert.deepEqual((m.data[PLOTLY_MIME] as typeof fig).data[0].y, [0.5, 0.25]);
  assert.match(m.data["text/html"] as string, /"y":\[0\.5,0\.25\]/);
});

Deno.test("figureHtml() cannot be broken out of by text in the figure and falls back to the PNG", () => {
  const fig = confusionHeatmap([[1, 0], [0, 1]], { title: "</script><script>alert(1)</script>" });
  const html = figureHtml(fig, { divId: "f1", pngBase64: "AAAA" });
  assert.equal(html.match(/<\/script>/g)?.length, 1, "only the figure script's own end tag");
  assert.match(
    html,
    /<div id="f1"[^>]*><img src="data:image\/png;base64,AAAA" width="600" height="560"/,
  );
  assert.match(html, /if \(window\.Plotly && window\.Plotly\.newPlot\)/);
  assert.match(html, /plotly\.js is not loaded in this page/);
});

Deno.test("imageMessage() rejects an image without PNG bytes", () => {
  assert.throws(
    () =>
      imageMessage({ png: "iVBOR" as unknown as Uint8Array, width: 1, height: 1 }, { name: "x" }),
    /Cannot display image x: png must be a Uint8Array/,
  );
});

Deno.test("display() sends a figure's PNG once: as image/png, not again inside the HTML", async () => {
  resetDisplaySession();
  const { sent, display: fn } = collector();
  const renderer = fakeRenderer();
  await display(lineChart([{ name: "a", y: [1, 2] }]), {
    name: "once",
    display: fn,
    renderer,
    includePlotlyJs: false,
    settleMs: 0,
  });
  const png = sent[0].data["image/png"] as string;
  assert.ok(png.length > 0, "image/png is sent");
  assert.ok(!(sent[0].data["text/html"] as string).includes(png), "the HTML does not repeat it");
  assert.ok(!(sent[0].data["text/html"] as string).includes("data:image/png"));
});

Deno.test("display() never inlines plotly.js with NNKIT_PLOTLY_JS=none", async () => {
  resetDisplaySession();
  const saved = Deno.env.get("NNKIT_PLOTLY_JS");
  Deno.env.set("NNKIT_PLOTLY_JS", "none");
  const { sent, display: fn } = collector();
  try {
    await display(lineChart([{ name: "a", y: [1, 2] }]), {
      name: "first",
      display: fn,
      png: false,
      settleMs: 0,
    });
  } finally {
    if (saved === undefined) Deno.env.delete("NNKIT_PLOTLY_JS");
    else Deno.env.set("NNKIT_PLOTLY_JS", saved);
    resetDisplaySession();
  }
  const html = sent[0].data["text/html"] as string;
  assert.ok(!html.includes("plotly.js v") && html.length < 20_000, `HTML is ${html.length} chars`);
});
