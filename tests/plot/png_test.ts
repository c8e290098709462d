import assert from "node:assert/strict";
import { crc32, encodePng } from "../../lib/plot/png.ts";
import { loadCanvasModule } from "../../lib/plot/fonts.ts";
import { Prng } from "../../lib/random.ts";

Deno.test("encodePng() round-trips random opaque pixels through Skia's PNG decoder", async () => {
  const width = 37, height = 23;
  const prng = new Prng(7);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = i % 4 === 3 ? 255 : prng.int(256);
  const png = encodePng(rgba, { width, height });
  const skia = loadCanvasModule();
  const image = await skia.loadImage(png);
  assert.equal(image.width, width);
  assert.equal(image.height, height);
  const canvas = skia.createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  assert.deepEqual(ctx.getImageData(0, 0, width, height).data, rgba);
});

Deno.test("encodePng() writes the size into IHDR with valid chunk CRCs", () => {
  const png = encodePng(new Uint8Array(5 * 3 * 4).fill(255), { width: 5, height: 3, level: 1 });
  const view = new DataView(png.buffer, png.byteOffset);
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
  assert.equal(view.getUint32(16), 5);
  assert.equal(view.getUint32(20), 3);
  let offset = 8;
  const types: string[] = [];
  while (offset < png.length) {
    const length = view.getUint32(offset);
    types.push(new TextDecoder().decode(png.subarray(offset + 4, offset + 8)));
    const crc = view.getUint32(offset + 8 + length);
    assert.equal(crc, crc32(png.subarray(offset + 4, offset + 8 + length)));
    offset += 12 + length;
  }
  assert.deepEqual(types, ["IHDR", "IDAT", "IEND"]);
});

Deno.test("encodePng() rejects a buffer that does not match the size", () => {
  assert.throws(
    () => encodePng(new Uint8Array(10), { width: 2, height: 2 }),
    /Cannot encode PNG: expected 2×2×4 = 16 bytes .* got 10 bytes/,
  );
});

Deno.test("crc32() of the empty input is 0", () => {
  assert.equal(crc32(new Uint8Array(0)), 0);
});
