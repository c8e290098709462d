import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { loadCanvasModule } from "../../lib/plot/fonts.ts";
import {
  type CanvasImage,
  digitGrid,
  digitView,
  divergingColor,
  JUPYTER_DISPLAY,
  type TileBox,
  weightTiles,
  WRONG_COLOR,
} from "../../lib/plot/images.ts";

interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Decodes a PNG with Skia's decoder (independent of the kit's encoder). */
async function decode(png: Uint8Array): Promise<Pixels> {
  const skia = loadCanvasModule();
  const image = await skia.loadImage(png);
  const canvas = skia.createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  return {
    width: image.width,
    height: image.height,
    data: ctx.getImageData(0, 0, image.width, image.height).data,
  };
}

function rgb(p: Pixels, x: number, y: number): [number, number, number] {
  const i = 4 * (y * p.width + x);
  return [p.data[i], p.data[i + 1], p.data[i + 2]];
}

function hex(color: string): [number, number, number] {
  const n = parseInt(color.slice(1), 16);
  return [n >> 16, (n >> 8) & 255, n & 255];
}

/** Counts the caption band's pixels for which `test(r, g, b)` holds. */
function countInCaption(
  p: Pixels,
  box: TileBox,
  test: (r: number, g: number, b: number) => boolean,
): number {
  let count = 0;
  for (let y = box.captionY; y < box.captionY + box.captionHeight; y++) {
    for (let x = box.x - 3; x < box.x + box.size + 3; x++) {
      if (test(...rgb(p, x, y))) count++;
    }
  }
  return count;
}

const isDark = (r: number, g: number, b: number) => r < 110 && g < 110 && b < 110;
const isRed = (r: number, g: number, b: number) => r > 150 && g < 110 && b < 110;

/** A 28×28 digit that is black except a white square at rows 10..17, columns 5..12. */
function squareDigit(): Float64Array {
  const image = new Float64Array(784);
  for (let r = 10; r < 18; r++) for (let c = 5; c < 13; c++) image[r * 28 + c] = 1;
  return image;
}

Deno.test("digitGrid() draws each image pixel as a scale × scale block at its tile", async () => {
  const images = Matrix.zeros(2, 784);
  images.data.set(squareDigit(), 0);
  images.data.set(squareDigit().map((v) => 1 - v), 784); // the negative in tile 1
  const grid = digitGrid(images, { labels: [1, 2], scale: 3, svg: false });
  const pixels = await decode(grid.png);
  assert.equal(pixels.width, grid.width);
  assert.equal(pixels.height, grid.height);
  for (const [t, box] of grid.tiles.entries()) {
    assert.equal(box.size, 84);
    for (let y = 0; y < box.size; y++) {
      for (let x = 0; x < box.size; x++) {
        const v = images.get(t, Math.floor(y / 3) * 28 + Math.floor(x / 3));
        const g = Math.round(v * 255);
        assert.deepEqual(rgb(pixels, box.x + x, box.y + y), [g, g, g], `tile ${t} at ${x},${y}`);
      }
    }
  }
});

Deno.test("digitGrid() maps options.range to black..white and inverts on request", async () => {
  const images = Matrix.full(1, 64, 100);
  const raw = await decode(digitGrid(images, { range: [0, 255], svg: false }).png);
  const inverted = await decode(
    digitGrid(images, { range: [0, 255], invert: true, svg: false }).png,
  );
  const box = digitGrid(images, { range: [0, 255], svg: false }).tiles[0];
  assert.deepEqual(rgb(raw, box.x + 5, box.y + 5), [100, 100, 100]);
  assert.deepEqual(rgb(inverted, box.x + 5, box.y + 5), [155, 155, 155]);
});

Deno.test("digitGrid() infers 8×8 digits from 64 columns and lays out columns", () => {
  const grid = digitGrid(Matrix.zeros(5, 64), { columns: 2, svg: false });
  assert.equal(grid.tiles.length, 5);
  assert.equal(grid.tiles[0].size, 88); // default scale round(84 / 8) = 11
  assert.equal(grid.tiles[0].y, grid.tiles[1].y); // same row
  assert.ok(grid.tiles[2].y > grid.tiles[0].y); // third tile starts the second row
  assert.equal(grid.tiles[2].x, grid.tiles[0].x);
  assert.equal(grid.tiles[0].captionHeight, 0); // neither labels nor predictions: no captions
});

Deno.test("digitGrid() captions every tile; a wrong one has a red frame and red caption", async () => {
  const images = Matrix.zeros(3, 784);
  const grid = digitGrid(images, { labels: [7, 2, 1], predictions: [7, 3, 1], svg: false });
  const pixels = await decode(grid.png);
  const [right, wrong] = grid.tiles;
  assert.ok(right.captionHeight > 0);
  assert.ok(countInCaption(pixels, right, isDark) > 20, "dark caption under a right prediction");
  assert.equal(countInCaption(pixels, right, isRed), 0);
  assert.ok(countInCaption(pixels, wrong, isRed) > 20, "red caption under a wrong prediction");
  assert.equal(countInCaption(pixels, wrong, isDark), 0);
  const red = hex(WRONG_COLOR);
  for (const [x, y] of [[-2, 40], [wrong.size + 1, 40], [40, -2], [40, wrong.size + 1]]) {
    assert.deepEqual(rgb(pixels, wrong.x + x, wrong.y + y), red, `wrong frame at ${x},${y}`);
    assert.notDeepEqual(rgb(pixels, right.x + x, right.y + y), red, `right frame at ${x},${y}`);
  }
});

Deno.test("digitGrid() with a title is taller and starts the tiles lower", () => {
  const images = Matrix.zeros(1, 784);
  const plain = digitGrid(images, { svg: false });
  const titled = digitGrid(images, { title: "Test digits", svg: false });
  assert.ok(titled.height > plain.height);
  assert.equal(titled.height - plain.height, titled.tiles[0].y - plain.tiles[0].y);
});

Deno.test("digitGrid() rejects bad shapes and options, naming the argument", async (t) => {
  await t.step("a row that is not a square image", () => {
    assert.throws(
      () => digitGrid(Matrix.zeros(2, 99)),
      (e: Error) =>
        e instanceof RangeError && /images' row must be a square/.test(e.message) &&
        e.message.includes("[2, 99]"),
    );
  });
  await t.step("no rows", () => {
    assert.throws(() => digitGrid(Matrix.zeros(0, 784)), /images must have at least one row/);
  });
  await t.step("labels of the wrong length", () => {
    assert.throws(
      () => digitGrid(Matrix.zeros(2, 784), { labels: [1] }),
      /labels has 1 entries but images has 2 rows/,
    );
  });
  await t.step("predictions of the wrong length", () => {
    assert.throws(
      () => digitGrid(Matrix.zeros(2, 784), { predictions: [1, 2, 3] }),
      /predictions has 3 entries but images has 2 rows/,
    );
  });
  await t.step("scale and columns must be positive integers", () => {
    assert.throws(() => digitGrid(Matrix.zeros(1, 64), { scale: 0 }), /scale must be a positive/);
    assert.throws(() => digitGrid(Matrix.zeros(1, 64), { columns: 1.5 }), /columns must be/);
  });
  await t.step("an empty range", () => {
    assert.throws(() => digitGrid(Matrix.zeros(1, 64), { range: [1, 1] }), /range must be/);
  });
});

Deno.test("digitView() draws one digit large with a red frame when wrong", async () => {
  const image = squareDigit();
  const right = digitView(image, { prediction: 3, label: 3, svg: false });
  const wrong = digitView(Matrix.from([Array.from(image)]), {
    prediction: 5,
    label: 3,
    svg: false,
  });
  const box = wrong.tiles[0];
  assert.equal(box.size, 280);
  const pixels = await decode(wrong.png);
  assert.deepEqual(rgb(pixels, box.x + 6 * 10 + 5, box.y + 12 * 10 + 5), [255, 255, 255]);
  assert.deepEqual(rgb(pixels, box.x + 5, box.y + 5), [0, 0, 0]);
  assert.deepEqual(rgb(pixels, box.x - 2, box.y + 100), hex(WRONG_COLOR));
  const rightPixels = await decode(right.png);
  assert.notDeepEqual(rgb(rightPixels, box.x - 2, box.y + 100), hex(WRONG_COLOR));
  assert.ok(countInCaption(pixels, box, isRed) > 20);
});

Deno.test("digitView() rejects a matrix of several rows or a non-square length", () => {
  assert.throws(() => digitView(Matrix.zeros(2, 784)), /image must be one row, got \[2, 784\]/);
  assert.throws(() => digitView(new Float32Array(50)), /image must be a square.*got 50 values/);
});

Deno.test("weightTiles() colours each unit's weights symmetrically around 0", async () => {
  const W = Matrix.zeros(784, 3);
  // unit 0: +2 at pixel (0, 0), −2 at (0, 1); unit 1: the same ×0.01; unit 2: +1 at (0, 0), −0.5 at (0, 1)
  W.set(0, 0, 2), W.set(1, 0, -2), W.set(0, 1, 0.02), W.set(1, 1, -0.02);
  W.set(0, 2, 1), W.set(1, 2, -0.5);
  const own = weightTiles(W, { svg: false });
  const shared = weightTiles(W, { shared: true, svg: false });
  const p = await decode(own.png), q = await decode(shared.png);
  const at = (img: Pixels, box: TileBox, r: number, c: number) =>
    rgb(img, box.x + c * 3 + 1, box.y + r * 3 + 1);
  const [t0, t1, t2] = own.tiles;
  assert.deepEqual(at(p, t0, 0, 0), divergingColor(1));
  assert.deepEqual(at(p, t0, 0, 1), divergingColor(-1));
  assert.deepEqual(at(p, t0, 5, 5), divergingColor(0));
  assert.deepEqual(at(p, t1, 0, 0), divergingColor(1)); // own scale: the small unit is as vivid
  assert.deepEqual(at(p, t2, 0, 1), divergingColor(-0.5));
  assert.deepEqual(at(q, shared.tiles[1], 0, 0), divergingColor(0.01)); // shared scale: pale
  assert.deepEqual(divergingColor(1), [103, 0, 31]);
  assert.deepEqual(divergingColor(-1), [5, 48, 97]);
});

Deno.test("weightTiles() draws only the chosen units and checks W's orientation", () => {
  const W = Matrix.zeros(784, 10);
  assert.equal(weightTiles(W, { units: [3, 7], svg: false }).tiles.length, 2);
  assert.throws(() => weightTiles(W, { units: [10] }), /units\[0\] must be a column index of W/);
  assert.throws(
    () => weightTiles(Matrix.zeros(10, 784)),
    /W's row count must be a square.*\[10, 784\].*transpose it to \[in, out\]/,
  );
});

Deno.test("a canvas image's Jupyter bundle carries the PNG in base64 and a text fallback", () => {
  const image: CanvasImage = digitGrid(Matrix.zeros(1, 64), { name: "zeros", svg: false });
  const bundle = image[JUPYTER_DISPLAY]();
  assert.deepEqual(new Uint8Array(Buffer.from(bundle["image/png"], "base64")), image.png);
  assert.equal(bundle["text/plain"], `<image zeros ${image.width}×${image.height} px>`);
  assert.equal(image.kind, "image");
  assert.equal(image.svg, undefined);
});

Deno.test("a canvas image's SVG has its size, pixelated digits and text as paths", () => {
  const image = digitGrid(Matrix.zeros(2, 784), { labels: [1, 2], title: "Two" });
  const svg = image.svg!;
  assert.ok(svg.startsWith("<?xml"));
  const root = svg.match(/<svg [^>]*>/)?.[0] ?? "";
  assert.match(root, new RegExp(`width="${image.width}"`));
  assert.match(root, new RegExp(`height="${image.height}"`));
  assert.match(root, /image-rendering:pixelated/);
  assert.ok(/<image /.test(svg), "digits embedded as images");
  assert.ok(!/<text/.test(svg), "text converted to paths");
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.equal(image.svg, svg); // drawn once, kept
});
