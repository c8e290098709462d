import assert from "node:assert/strict";
import {
  barChart,
  confusionHeatmap,
  DEFAULT_SIZE,
  downsample,
  HEATMAP_SIZE,
  type HeatmapTrace,
  isPlotlyFigure,
  legendRows,
  lineChart,
  NNKIT_TEMPLATE,
  type ScatterTrace,
} from "../../lib/plot/charts.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { Prng } from "../../lib/random.ts";

Deno.test("lineChart() makes one scatter trace per series with names, titles and a legend", () => {
  const fig = lineChart(
    [
      { name: "seed-faithful", x: [0, 10, 20], y: [3, 2, 1] },
      { name: "corrected", x: [0, 10, 20], y: [3, 1, 0.5], dash: "dash" },
      { name: "batch", x: [0, 10, 20], y: [3, 2.5, 2.2] },
    ],
    { title: "Cost per epoch", xTitle: "epoch", yTitle: "cost" },
  );
  assert.equal(fig.data.length, 3);
  assert.deepEqual(fig.data.map((t) => (t as ScatterTrace).name), [
    "seed-faithful",
    "corrected",
    "batch",
  ]);
  assert.ok(fig.data.every((t) => t.type === "scatter" && t.mode === "lines"));
  assert.equal((fig.data[1] as ScatterTrace).line?.dash, "dash");
  assert.equal(fig.layout.title?.text, "Cost per epoch");
  assert.equal(fig.layout.xaxis?.title?.text, "epoch");
  assert.equal(fig.layout.yaxis?.title?.text, "cost");
  assert.equal(fig.layout.showlegend, true);
  assert.equal(fig.layout.yaxis?.type, undefined);
  assert.equal(fig.layout.width, DEFAULT_SIZE.width);
  assert.equal(fig.layout.height, DEFAULT_SIZE.height);
  assert.equal(fig.layout.template, NNKIT_TEMPLATE);
});

Deno.test("lineChart() hides the legend for one series and honours logY, markers and size", () => {
  const fig = lineChart([{ name: "cost", y: [1, 0.1, 0.01] }], {
    logY: true,
    markers: true,
    width: 400,
    height: 300,
  });
  assert.equal(fig.layout.showlegend, false);
  assert.equal(fig.layout.yaxis?.type, "log");
  assert.equal((fig.data[0] as ScatterTrace).mode, "lines+markers");
  assert.deepEqual([fig.layout.width, fig.layout.height], [400, 300]);
  assert.equal(fig.layout.title, undefined);
});

Deno.test("lineChart() turns typed arrays into plain arrays and numbers x from 1", () => {
  const fig = lineChart([{ name: "acc", y: new Float32Array([0.5, 0.75]) }]);
  const trace = fig.data[0] as ScatterTrace;
  assert.ok(Array.isArray(trace.x) && Array.isArray(trace.y));
  assert.deepEqual(trace.x, [1, 2]);
  assert.deepEqual(trace.y, [0.5, 0.75]);
  // JSON must be plain arrays, not {"0":…} objects.
  assert.match(JSON.stringify(fig.data[0]), /"y":\[0\.5,0\.75\]/);
});

Deno.test("lineChart() rejects an empty series list and mismatched x/y lengths", () => {
  assert.throws(() => lineChart([]), /Cannot build line chart: series is empty/);
  assert.throws(
    () => lineChart([{ name: "bad", x: [1, 2, 3], y: [1, 2] }]),
    (e: unknown) =>
      e instanceof RangeError && /series 0 \("bad"\) has 3 x values and 2 y/.test(e.message),
  );
  assert.throws(
    () => lineChart([{ name: "a", y: [1] }], { width: 10 }),
    /width must be 50 to 5000/,
  );
});

Deno.test("lineChart() thins a 40,000-point trace to maxPoints and keeps the extremes", async (t) => {
  const prng = new Prng(7);
  const n = 40_000;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.exp(-i / 8000) + 0.2 * prng.random();
  y[12_345] = 5; // one spike
  await t.step("default cap", () => {
    const trace = lineChart([{ name: "cost", y }]).data[0] as ScatterTrace;
    assert.ok(trace.y.length <= 4002 && trace.y.length > 3000, `got ${trace.y.length} points`);
    assert.equal(Math.max(...trace.y), 5);
    assert.equal(trace.x[trace.y.indexOf(5)], 12_346);
    assert.equal(Math.min(...trace.y), Math.min(...y));
    assert.equal(trace.x[0], 1);
    assert.equal(trace.x.at(-1), n);
    for (let i = 1; i < trace.x.length; i++) assert.ok(trace.x[i] > trace.x[i - 1]);
  });
  await t.step("maxPoints: Infinity keeps every point", () => {
    const trace = lineChart([{ name: "cost", y }], { maxPoints: Infinity }).data[0] as ScatterTrace;
    assert.equal(trace.y.length, n);
  });
});

Deno.test("downsample() keeps gaps, short traces and rejects bad arguments", async (t) => {
  await t.step("short traces come back unchanged", () => {
    assert.deepEqual(downsample([1, 2, 3], [4, 5, 6], 10), { x: [1, 2, 3], y: [4, 5, 6] });
  });
  await t.step("a run of NaN stays a gap", () => {
    const y = Float64Array.from({ length: 1000 }, (_, i) => (i >= 400 && i < 600 ? NaN : i));
    const x = Float64Array.from(y, (_, i) => i);
    const thin = downsample(x, y, 20);
    assert.ok(thin.y.some((v) => Number.isNaN(v)));
    assert.ok(thin.y.length <= 22);
  });
  await t.step("errors", () => {
    assert.throws(() => downsample([1], [1, 2], 10), /x and y lengths differ, got 1 and 2/);
    assert.throws(() => downsample([1], [1], 2), /maxPoints must be at least 4, got 2/);
  });
});

Deno.test("confusionHeatmap() has z equal to the matrix, one annotation per cell, row 0 on top", () => {
  const prng = new Prng(3);
  const counts = Array.from({ length: 10 }, () => Array.from({ length: 10 }, () => prng.int(200)));
  const fig = confusionHeatmap(counts, { title: "Test set (10,000)" });
  assert.equal(fig.data.length, 1);
  const trace = fig.data[0] as HeatmapTrace;
  assert.equal(trace.type, "heatmap");
  assert.deepEqual(trace.z, counts);
  assert.deepEqual(trace.x, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.equal(fig.layout.annotations?.length, 100);
  const cell = fig.layout.annotations!.find((a) => a.x === "7" && a.y === "2")!;
  assert.equal(cell.text, String(counts[2][7]));
  assert.equal(fig.layout.yaxis?.autorange, "reversed");
  assert.equal(fig.layout.xaxis?.title?.text, "predicted");
  assert.equal(fig.layout.yaxis?.title?.text, "actual");
  assert.equal(fig.layout.title?.text, "Test set (10,000)");
  assert.deepEqual([fig.layout.width, fig.layout.height], [
    HEATMAP_SIZE.width,
    HEATMAP_SIZE.height,
  ]);
});

Deno.test("confusionHeatmap() reads a Matrix and custom labels, and contrasts text on dark cells", () => {
  const m = Matrix.from([[90, 10], [0, 100]]);
  const fig = confusionHeatmap(m, { labels: ["not 2", "2"] });
  assert.deepEqual((fig.data[0] as HeatmapTrace).z, [[90, 10], [0, 100]]);
  const colours = Object.fromEntries(fig.layout.annotations!.map((a) => [a.text, a.font?.color]));
  assert.equal(colours["100"], "white");
  assert.equal(colours["10"], "#222");
  assert.equal(fig.layout.annotations![1].x, "2");
  assert.equal(fig.layout.annotations![1].y, "not 2");
});

Deno.test("confusionHeatmap() rejects non-square matrices and wrong label counts", () => {
  assert.throws(
    () => confusionHeatmap([[1, 2, 3], [4, 5, 6]]),
    /expected a square non-empty matrix, got \[2, 3\]/,
  );
  assert.throws(() => confusionHeatmap([]), /square non-empty/);
  assert.throws(() => confusionHeatmap([[1, 2], [3]]), /row 1 has 1 entries, expected 2/);
  assert.throws(
    () => confusionHeatmap([[1]], { labels: ["a", "b"] }),
    /labels has 2 entries, expected 1/,
  );
});

Deno.test("barChart() makes one bar trace per series over the class labels", () => {
  const fig = barChart(
    [
      { name: "seed-faithful", y: [0.9, 0.8, 0.7] },
      { name: "corrected", y: [0.95, 0.9, 0.85] },
    ],
    { title: "Per-class accuracy", yTitle: "accuracy", yFormat: ".0%", yRange: [0, 1] },
  );
  assert.equal(fig.data.length, 2);
  assert.ok(fig.data.every((t) => t.type === "bar"));
  assert.deepEqual(fig.data[1].type === "bar" && fig.data[1].x, ["0", "1", "2"]);
  assert.deepEqual(fig.data[1].type === "bar" && fig.data[1].y, [0.95, 0.9, 0.85]);
  assert.equal(fig.layout.showlegend, true);
  assert.equal(fig.layout.barmode, "group");
  assert.equal(fig.layout.yaxis?.tickformat, ".0%");
  assert.deepEqual(fig.layout.yaxis?.range, [0, 1]);
  assert.equal(fig.data[0].type === "bar" && fig.data[0].texttemplate, undefined);
});

Deno.test("barChart() labels single-series bars and rejects length mismatches", () => {
  const fig = barChart([{ name: "acc", y: new Float64Array([0.5, 0.25]) }], { labels: ["a", "b"] });
  assert.equal(fig.data[0].type === "bar" && fig.data[0].texttemplate, "%{y:.4~g}");
  assert.throws(() => barChart([]), /series is empty/);
  assert.throws(
    () => barChart([{ name: "acc", y: [1, 2, 3] }], { labels: ["a", "b"] }),
    /series 0 \("acc"\) has 3 values, expected 2/,
  );
});

Deno.test("isPlotlyFigure() tells figures from images and junk", () => {
  assert.ok(isPlotlyFigure(barChart([{ name: "a", y: [1] }])));
  assert.ok(!isPlotlyFigure(null));
  assert.ok(!isPlotlyFigure("figure"));
  assert.ok(!isPlotlyFigure({ data: [], layout: null }));
  assert.ok(!isPlotlyFigure({ png: new Uint8Array(), width: 1, height: 1 }));
});

Deno.test("lineChart() leaves room above the plot for every row of a long legend", () => {
  const names = ["seed's printed train accuracy", "seed-faithful, train", "seed-faithful, dev"];
  const long = names.concat(["corrected, train", "corrected, dev"]);
  const short = lineChart([{ name: "SGD", y: [1, 2] }, { name: "batch", y: [2, 1] }], {
    title: "t",
  });
  const tall = lineChart(long.map((name) => ({ name, y: [1, 2] })), { title: "t" });
  assert.equal(legendRows(long, 620), 3);
  assert.equal((short.layout.margin as { t: number }).t, 84); // title + one legend row
  assert.equal((tall.layout.margin as { t: number }).t, 64 + 3 * 20);
  const untitled = lineChart(long.map((name) => ({ name, y: [1, 2] })), { width: 1400 });
  assert.equal((untitled.layout.margin as { t: number }).t, 20 + 20 * legendRows(long, 1300));
});
