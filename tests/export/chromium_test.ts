import assert from "node:assert/strict";
import { barChart, confusionHeatmap, lineChart } from "../../lib/plot/charts.ts";
import {
  closeSharedRenderer,
  findChromium,
  launchRenderer,
  sharedRenderer,
} from "../../lib/export/chromium.ts";
import { ihdr, parseSvg } from "../_helpers/image_files.ts";

Deno.test("findChromium() names the Debian package when the binary is missing", async (t) => {
  await t.step("explicit path", () => {
    assert.throws(
      () => findChromium({ executablePath: "/nonexistent/chromium" }),
      (e: unknown) =>
        e instanceof Deno.errors.NotFound &&
        /Cannot find Chromium at \/nonexistent\/chromium: install the Debian package chromium \(apt-get install -y --no-install-recommends chromium\)/
          .test(e.message),
    );
  });
  await t.step("a file that is not executable", () => {
    const path = Deno.makeTempFileSync();
    try {
      assert.throws(() => findChromium({ executablePath: path }), /Cannot find Chromium/);
    } finally {
      Deno.removeSync(path);
    }
  });
  await t.step("NNKIT_CHROMIUM is honoured", () => {
    const saved = Deno.env.get("NNKIT_CHROMIUM");
    Deno.env.set("NNKIT_CHROMIUM", "/nonexistent/from-env");
    try {
      assert.throws(() => findChromium(), /Cannot find Chromium at \/nonexistent\/from-env/);
    } finally {
      if (saved === undefined) Deno.env.delete("NNKIT_CHROMIUM");
      else Deno.env.set("NNKIT_CHROMIUM", saved);
    }
  });
  await t.step("launchRenderer() rejects before starting anything", async () => {
    await assert.rejects(
      launchRenderer({ executablePath: "/nonexistent/chromium" }),
      Deno.errors.NotFound,
    );
  });
});

Deno.test("renderer draws PNGs at layout size × scale and SVGs that parse, through real Chromium", async (t) => {
  const renderer = await sharedRenderer();
  try {
    assert.equal(await sharedRenderer(), renderer, "one browser per process");
    assert.match(renderer.version, /^\d+\./);

    await t.step("line chart, 40,000 points, PNG at scale 2 and SVG", async () => {
      const y = Float64Array.from({ length: 40_000 }, (_, i) => Math.exp(-i / 9000));
      const fig = lineChart([{ name: "cost", y }], { title: "Cost", xTitle: "iteration" });
      const out = await renderer.render(fig);
      assert.deepEqual(ihdr(out.png!), [1440, 840]);
      assert.equal(await parseSvg(out.svg!), "{http://www.w3.org/2000/svg}svg main-svg");
      assert.match(out.svg!, /width="720" height="420"/);
      assert.match(out.svg!, />Cost</);
      assert.deepEqual([out.width, out.height], [720, 420]);
    });

    await t.step("heatmap with counts, custom size, scale 1, SVG only when asked", async () => {
      const fig = confusionHeatmap([[973, 7], [12, 1135]], { width: 300, height: 280 });
      const svgOnly = await renderer.render(fig, { formats: ["svg"] });
      assert.equal(svgOnly.png, undefined);
      assert.match(svgOnly.svg!, />1135</);
      assert.match(svgOnly.svg!, />predicted</);
      const pngOnly = await renderer.render(fig, { formats: ["png"], scale: 1 });
      assert.equal(pngOnly.svg, undefined);
      assert.deepEqual(ihdr(pngOnly.png!), [300, 280]);
    });

    await t.step("a figure without a size is refused", async () => {
      const fig = barChart([{ name: "a", y: [1] }]);
      (fig.layout as { width?: number }).width = undefined;
      await assert.rejects(renderer.render(fig), /layout\.width must be a positive number/);
      assert.ok(!renderer.closed, "a bad figure does not close the browser");
    });
  } finally {
    await closeSharedRenderer();
  }
  assert.ok(renderer.closed);
  await assert.rejects(
    renderer.render(lineChart([{ name: "a", y: [1] }])),
    /the Chromium renderer is closed/,
  );
});
