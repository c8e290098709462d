/**
 * Raster figures drawn with the Skia canvas (`@napi-rs/canvas`): grids of
 * digits with "pred / true" captions (wrong ones in red), one digit shown
 * large (seed 002's `test_prediction`), and first-layer weights as tiles.
 *
 * Each builder returns a {@linkcode CanvasImage}: PNG bytes (encoded by
 * `png.ts`, ~4× faster than Skia's encoder), an SVG (drawn again on Skia's
 * SVG canvas on first read of `.svg`: text as paths, digits as embedded
 * PNGs drawn pixelated) and a `Symbol.for("Jupyter.display")` method, so the
 * image shows when it is a cell's last expression; notebooks display it
 * explicitly (and await it) through `lib/jupyter/display.ts`'s `display()`.
 *
 * The first call loads the native addon (needs `--allow-ffi`) and registers
 * DejaVu Sans from Debian's `fonts-dejavu-core` (see `fonts.ts`).
 *
 * Digits are drawn as `plt.gray()` draws them: 0 black, 1 white, each pixel
 * a `scale × scale` block (nearest neighbour, no smoothing).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { SKRSContext2D } from "@napi-rs/canvas";
import type { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../dtypes.ts";
import { loadCanvasModule, registerFonts } from "./fonts.ts";
import { encodePng } from "./png.ts";

/** The key Deno's Jupyter kernel looks up to display an object. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** Where one tile's pixels sit in an image, in pixels from the top left. */
export interface TileBox {
  /** Left edge of the tile's pixels. */
  x: number;
  /** Top edge of the tile's pixels. */
  y: number;
  /** Width and height of the tile (`side × scale`). */
  size: number;
  /** Top of the caption band under the tile (its height is `captionHeight`). */
  captionY: number;
  /** Height of the caption band; 0 when there are no captions. */
  captionHeight: number;
}

/** A rendered canvas figure: PNG bytes, optional SVG text, and where its tiles are. */
export interface CanvasImage {
  /** Always `"image"`, to tell it from a plotly figure. */
  kind: "image";
  /** Figure name used for exported files, e.g. `"wrong_digits"`. */
  name?: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** The PNG file's bytes. */
  png: Uint8Array;
  /**
   * The SVG document (text as paths, digits as embedded PNGs drawn
   * pixelated); drawn on first read and kept; absent with `svg: false`.
   */
  readonly svg?: string;
  /** Where each tile's pixels are, in input order (for tests and overlays). */
  tiles: TileBox[];
  /** The MIME bundle Deno's kernel shows: `image/png` (base64) and `text/plain`. */
  [JUPYTER_DISPLAY](): Record<string, string>;
}

/** Options shared by every image builder. */
export interface ImageOptions {
  /** Figure name for export (files are named after it). */
  name?: string;
  /** Title drawn in bold above the tiles. */
  title?: string;
  /** Offer the SVG version (drawn on first read of `image.svg`); default `true`. */
  svg?: boolean;
}

/** Options of {@linkcode digitGrid}. */
export interface DigitGridOptions extends ImageOptions {
  /** True class of each image, `[n]`; captions say `true 7`. */
  labels?: ArrayLike<number>;
  /** Predicted class of each image, `[n]`; captions say `pred 7`; wrong ones are red. */
  predictions?: ArrayLike<number>;
  /** Tiles per row; default `min(n, 10)`. */
  columns?: number;
  /** Screen pixels per image pixel; default `round(84 / side)` (3 for 28×28, 11 for 8×8). */
  scale?: number;
  /** Pixel values that map to black and white; default `[0, 1]` (use `[0, 255]` for raw bytes). */
  range?: readonly [number, number];
  /** Draw dark ink on white instead of white on black; default `false`. */
  invert?: boolean;
}

/** Options of {@linkcode digitView}. */
export interface DigitViewOptions extends ImageOptions {
  /** Predicted class. */
  prediction?: number;
  /** True class. */
  label?: number;
  /** Screen pixels per image pixel; default `round(280 / side)` (10 for 28×28). */
  scale?: number;
  /** Pixel values that map to black and white; default `[0, 1]`. */
  range?: readonly [number, number];
  /** Draw dark ink on white instead of white on black; default `false`. */
  invert?: boolean;
}

/** Options of {@linkcode weightTiles}. */
export interface WeightTilesOptions extends ImageOptions {
  /** Tiles per row; default `min(units, 10)`. */
  columns?: number;
  /** Screen pixels per weight; default `round(84 / side)`. */
  scale?: number;
  /** Which hidden units (columns of `W`) to draw; default all. */
  units?: ArrayLike<number>;
  /** One colour scale for all tiles (the largest `|w|` overall) instead of one per tile; default `false`. */
  shared?: boolean;
  /** Caption each tile with its unit index; default `true`. */
  captions?: boolean;
}

/** Red of wrong predictions (matplotlib's and plotly's default red). */
export const WRONG_COLOR = "#d62728";
const CAPTION_COLOR = "#222222";
const FRAME_COLOR = "#d0d0d0";
const BACKGROUND = "#ffffff";
const MARGIN = 10;
const GAP = 10;
const FRAME = 3;

/** ColorBrewer RdBu, reversed: −1 dark blue, 0 near white, +1 dark red. */
const DIVERGING: readonly (readonly [number, number, number])[] = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

/**
 * The diverging colour of `t` in `[-1, 1]` (clamped): dark blue at −1, near
 * white at 0, dark red at +1 (ColorBrewer RdBu, reversed), linearly interpolated.
 *
 * @param t A normalised value; NaN is drawn as 0.
 * @returns `[r, g, b]`, each 0..255.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { divergingColor } from "./images.ts";
 *
 * assert.deepEqual(divergingColor(0), [247, 247, 247]);
 * assert.deepEqual(divergingColor(1), [103, 0, 31]);
 * assert.deepEqual(divergingColor(-5), [5, 48, 97]);
 * ```
 */
export function divergingColor(t: number): [number, number, number] {
  const out = new Uint8ClampedArray(3);
  writeDiverging(t, out, 0);
  return [out[0], out[1], out[2]];
}

const DIVERGING_FLAT = new Float64Array(DIVERGING.flat());
const DIVERGING_STEPS = DIVERGING.length - 1;

/** Writes {@linkcode divergingColor}`(t)` as r, g, b at `out[offset..offset + 3)`. */
function writeDiverging(t: number, out: Uint8ClampedArray, offset: number): void {
  const u = t !== t ? 0.5 : (Math.min(1, Math.max(-1, t)) + 1) / 2; // t !== t: NaN
  const pos = u * DIVERGING_STEPS;
  const i = Math.min(DIVERGING_STEPS - 1, Math.floor(pos));
  const f = pos - i, a = 3 * i, c = DIVERGING_FLAT;
  out[offset] = c[a] + (c[a + 3] - c[a]) * f; // Uint8ClampedArray rounds
  out[offset + 1] = c[a + 1] + (c[a + 4] - c[a + 1]) * f;
  out[offset + 2] = c[a + 2] + (c[a + 5] - c[a + 2]) * f;
}

/** One tile to draw: its pixels at 1× and its caption. */
interface Tile {
  rgba: Uint8ClampedArray;
  caption?: string;
  wrong: boolean;
}

interface Style {
  side: number;
  scale: number;
  columns: number;
  fontSize: number;
  title?: string;
  name?: string;
  svg: boolean;
}

function sideOf(what: string, values: number, context: string, shape: string): number {
  const side = Math.round(Math.sqrt(values));
  if (values < 1 || side * side !== values) {
    throw new RangeError(
      `Cannot draw ${context}: ${what} must be a square number of pixels (784 = 28×28 or 64 = 8×8), got ${shape}`,
    );
  }
  return side;
}

function positiveInteger(value: number, what: string, context: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot draw ${context}: ${what} must be a positive integer, got ${value}`,
    );
  }
  return value;
}

function checkLength(
  values: ArrayLike<number> | undefined,
  what: string,
  n: number,
  context: string,
) {
  if (values !== undefined && values.length !== n) {
    throw new RangeError(
      `Cannot draw ${context}: ${what} has ${values.length} entries but images has ${n} rows`,
    );
  }
}

function checkRange(range: readonly [number, number], context: string): void {
  if (!(Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[1] > range[0])) {
    throw new RangeError(
      `Cannot draw ${context}: range must be two finite numbers [black, white] with black < white, got [${
        range.join(", ")
      }]`,
    );
  }
}

/** Grey pixels of one image, `values[offset .. offset + side²)`, as RGBA. */
function grayTile(
  values: ArrayLike<number>,
  offset: number,
  pixels: number,
  range: readonly [number, number],
  invert: boolean,
): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(pixels * 4);
  const lo = range[0], k = 255 / (range[1] - range[0]);
  for (let p = 0; p < pixels; p++) {
    let g = (values[offset + p] - lo) * k; // Uint8ClampedArray clamps, rounds, and maps NaN to 0
    if (invert) g = 255 - g;
    rgba[4 * p] = g;
    rgba[4 * p + 1] = g;
    rgba[4 * p + 2] = g;
    rgba[4 * p + 3] = 255;
  }
  return rgba;
}

/** Nearest-neighbour upscale of a `side × side` RGBA tile by an integer factor. */
function upscale(rgba: Uint8ClampedArray, side: number, scale: number): Uint8ClampedArray {
  const size = side * scale;
  const out = new Uint8ClampedArray(size * size * 4);
  const src = new Uint32Array(rgba.buffer, rgba.byteOffset, side * side);
  const dst = new Uint32Array(out.buffer);
  for (let r = 0; r < side; r++) {
    const rowStart = r * scale * size;
    for (let c = 0; c < side; c++) {
      dst.fill(src[r * side + c], rowStart + c * scale, rowStart + (c + 1) * scale);
    }
    for (let k = 1; k < scale; k++) dst.copyWithin(rowStart + k * size, rowStart, rowStart + size);
  }
  return out;
}

interface Layout {
  width: number;
  height: number;
  titleHeight: number;
  boxes: TileBox[];
  cellWidth: number;
}

function layout(ctx: SKRSContext2D, tiles: Tile[], style: Style, family: string): Layout {
  const size = style.side * style.scale;
  const hasCaptions = tiles.some((t) => t.caption !== undefined);
  ctx.font = `${style.fontSize}px "${family}"`;
  let captionWidth = 0;
  for (const t of tiles) {
    if (t.caption !== undefined) {
      captionWidth = Math.max(captionWidth, Math.ceil(ctx.measureText(t.caption).width));
    }
  }
  const captionHeight = hasCaptions ? Math.round(style.fontSize * 1.6) : 0;
  const cellWidth = Math.max(size + 2 * FRAME, captionWidth + 4);
  const cellHeight = size + 2 * FRAME + captionHeight;
  const titleHeight = style.title ? Math.round(style.fontSize * 2.4) : 0;
  const columns = Math.min(style.columns, tiles.length);
  const rows = Math.ceil(tiles.length / columns);
  const boxes = tiles.map((_, i) => {
    const cx = MARGIN + (i % columns) * (cellWidth + GAP);
    const cy = MARGIN + titleHeight + Math.floor(i / columns) * (cellHeight + GAP);
    const x = cx + Math.floor((cellWidth - size) / 2);
    return { x, y: cy + FRAME, size, captionY: cy + size + 2 * FRAME, captionHeight };
  });
  return {
    width: 2 * MARGIN + columns * cellWidth + (columns - 1) * GAP,
    height: 2 * MARGIN + titleHeight + rows * cellHeight + (rows - 1) * GAP,
    titleHeight,
    boxes,
    cellWidth,
  };
}

/** Draws everything on `ctx`; `drawTile` puts one tile's pixels at its box. */
function paint(
  ctx: SKRSContext2D,
  tiles: Tile[],
  plan: Layout,
  style: Style,
  family: string,
  drawTile: (tile: Tile, box: TileBox) => void,
): void {
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, plan.width, plan.height);
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  if (style.title) {
    ctx.fillStyle = CAPTION_COLOR;
    ctx.font = `bold ${Math.round(style.fontSize * 1.25)}px "${family}"`;
    ctx.fillText(style.title, plan.width / 2, MARGIN + plan.titleHeight / 2 - 2);
  }
  ctx.font = `${style.fontSize}px "${family}"`;
  tiles.forEach((tile, i) => {
    const box = plan.boxes[i];
    ctx.fillStyle = tile.wrong ? WRONG_COLOR : FRAME_COLOR;
    ctx.fillRect(box.x - FRAME, box.y - FRAME, box.size + 2 * FRAME, box.size + 2 * FRAME);
    drawTile(tile, box);
    if (tile.caption !== undefined) {
      ctx.fillStyle = tile.wrong ? WRONG_COLOR : CAPTION_COLOR;
      ctx.fillText(tile.caption, box.x + box.size / 2, box.captionY + box.captionHeight / 2);
    }
  });
}

function render(tiles: Tile[], style: Style): CanvasImage {
  const skia = loadCanvasModule();
  const family = registerFonts();
  const plan = layout(skia.createCanvas(1, 1).getContext("2d"), tiles, style, family);
  const canvas = skia.createCanvas(plan.width, plan.height);
  const ctx = canvas.getContext("2d");
  paint(ctx, tiles, plan, style, family, (tile, box) => {
    const image = ctx.createImageData(box.size, box.size);
    image.data.set(upscale(tile.rgba, style.side, style.scale));
    ctx.putImageData(image, box.x, box.y);
  });
  const pixels = ctx.getImageData(0, 0, plan.width, plan.height).data;
  const png = encodePng(pixels, { width: plan.width, height: plan.height });

  const svg = style.svg
    ? () => {
      const vector = skia.createCanvas(
        plan.width,
        plan.height,
        skia.SvgExportFlag.ConvertTextToPaths,
      );
      const vctx = vector.getContext("2d");
      const tileCanvas = skia.createCanvas(style.side, style.side);
      const pctx = tileCanvas.getContext("2d");
      vctx.imageSmoothingEnabled = false;
      paint(vctx, tiles, plan, style, family, (tile, box) => {
        const image = pctx.createImageData(style.side, style.side);
        image.data.set(tile.rgba);
        pctx.putImageData(image, 0, 0);
        vctx.drawImage(tileCanvas, box.x, box.y, box.size, box.size);
      });
      // Browsers smooth upscaled <image>s unless told otherwise; digits are pixel art.
      // Glyph outlines to 0.1 px (Skia writes 8 digits): the file shrinks by ~40 %.
      return new TextDecoder().decode(vector.getContent())
        .replace("<svg ", '<svg image-rendering="optimizeSpeed" style="image-rendering:pixelated" ')
        .replace(/(\d\.\d)\d+/g, "$1");
    }
    : undefined;
  return canvasImage({
    name: style.name,
    width: plan.width,
    height: plan.height,
    png,
    svg,
    tiles: plan.boxes,
  });
}

/**
 * Wraps PNG bytes (and optional SVG) as a {@linkcode CanvasImage} that Deno's
 * Jupyter kernel can show. An `svg` given as a function is called on the
 * first read of `image.svg` and its result kept, so an image that is never
 * exported never pays for its SVG.
 *
 * @param fields `width`, `height`, `png`, and optionally `name`, `svg` (text
 *   or a function making it), `tiles`.
 * @returns The image object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canvasImage, JUPYTER_DISPLAY } from "./images.ts";
 *
 * const image = canvasImage({ width: 1, height: 1, png: new Uint8Array([137, 80]) });
 * assert.equal(image[JUPYTER_DISPLAY]()["image/png"], "iVA=");
 * ```
 */
export function canvasImage(fields: {
  width: number;
  height: number;
  png: Uint8Array;
  name?: string;
  svg?: string | (() => string);
  tiles?: TileBox[];
}): CanvasImage {
  const { name, width, height, png, svg, tiles = [] } = fields;
  const image: CanvasImage = {
    kind: "image",
    ...(name === undefined ? {} : { name }),
    width,
    height,
    png,
    tiles,
    [JUPYTER_DISPLAY]() {
      return {
        "image/png": Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64"),
        "text/plain": `<image${name ? ` ${name}` : ""} ${width}×${height} px>`,
      };
    },
  };
  if (svg !== undefined) {
    let text = typeof svg === "string" ? svg : undefined;
    Object.defineProperty(image, "svg", {
      enumerable: true,
      get: () => text ??= (svg as () => string)(),
    });
  }
  return image;
}

function caption(prediction: number | undefined, label: number | undefined): string | undefined {
  if (prediction !== undefined && label !== undefined) return `pred ${prediction} / true ${label}`;
  if (prediction !== undefined) return `pred ${prediction}`;
  if (label !== undefined) return `true ${label}`;
  return undefined;
}

/**
 * Draws digits in a grid, each captioned `pred 7 / true 7`; a wrong
 * prediction gets a red frame and a red caption.
 *
 * @param images The digits, `[n, side²]`: `[n, 784]` for MNIST, `[n, 64]`
 *   for the 8×8 digits; values in `options.range` (default `[0, 1]`).
 * @param options Labels `[n]`, predictions `[n]`, `columns`, `scale`, `title`, `name`, …
 * @returns The rendered image.
 * @throws {RangeError} When `images` is not `[n, side²]` with n ≥ 1, or
 *   `labels`/`predictions` do not have n entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { digitGrid } from "./images.ts";
 *
 * const images = Matrix.zeros(3, 64);
 * const grid = digitGrid(images, { labels: [1, 2, 3], predictions: [1, 2, 4], columns: 2 });
 * assert.equal(grid.tiles.length, 3);
 * assert.equal(grid.tiles[0].size, 8 * 11);
 * assert.deepEqual([...grid.png.subarray(1, 4)], [80, 78, 71]); // "PNG"
 * ```
 */
export function digitGrid(images: Matrix, options: DigitGridOptions = {}): CanvasImage {
  const context = "digit grid";
  const n = images.rows;
  if (n < 1) {
    throw new RangeError(
      `Cannot draw ${context}: images must have at least one row, got ${formatShape(images.shape)}`,
    );
  }
  const side = sideOf("images' row", images.cols, context, formatShape(images.shape));
  const { labels, predictions, range = [0, 1], invert = false } = options;
  checkLength(labels, "labels", n, context);
  checkLength(predictions, "predictions", n, context);
  checkRange(range, context);
  const scale = positiveInteger(
    options.scale ?? Math.max(1, Math.round(84 / side)),
    "scale",
    context,
  );
  const columns = positiveInteger(options.columns ?? Math.min(n, 10), "columns", context);
  const pixels = side * side;
  const tiles: Tile[] = [];
  for (let i = 0; i < n; i++) {
    const prediction = predictions?.[i], label = labels?.[i];
    tiles.push({
      rgba: grayTile(images.data, i * pixels, pixels, range, invert),
      caption: caption(prediction, label),
      wrong: prediction !== undefined && label !== undefined && prediction !== label,
    });
  }
  return render(tiles, {
    side,
    scale,
    columns,
    fontSize: 12,
    title: options.title,
    name: options.name,
    svg: options.svg ?? true,
  });
}

/**
 * Draws one digit large with its prediction and label, as seed 002's
 * `test_prediction` did with `plt.imshow`; a wrong prediction is framed in red.
 *
 * @param image One digit: a `[1, side²]` matrix or `side²` numbers (e.g. `X.row(i)`).
 * @param options `prediction`, `label`, `scale` (default 10 for 28×28), `range`, `title`, `name`.
 * @returns The rendered image.
 * @throws {RangeError} When `image` is not one row of a square number of pixels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digitView } from "./images.ts";
 *
 * const view = digitView(new Float32Array(784), { prediction: 7, label: 7 });
 * assert.equal(view.tiles[0].size, 280);
 * ```
 */
export function digitView(
  image: Matrix | ArrayLike<number>,
  options: DigitViewOptions = {},
): CanvasImage {
  const context = "digit view";
  let values: ArrayLike<number>;
  if ("shape" in image && "data" in image) {
    if (image.rows !== 1) {
      throw new RangeError(
        `Cannot draw ${context}: image must be one row, got ${
          formatShape(image.shape)
        }; pass images.row(i)`,
      );
    }
    values = image.data;
  } else {
    values = image;
  }
  const side = sideOf("image", values.length, context, `${values.length} values`);
  const { prediction, label, range = [0, 1], invert = false } = options;
  checkRange(range, context);
  const scale = positiveInteger(
    options.scale ?? Math.max(1, Math.round(280 / side)),
    "scale",
    context,
  );
  const text = prediction !== undefined && label !== undefined
    ? `prediction ${prediction} / label ${label}`
    : prediction !== undefined
    ? `prediction ${prediction}`
    : label !== undefined
    ? `label ${label}`
    : undefined;
  return render([{
    rgba: grayTile(values, 0, side * side, range, invert),
    caption: text,
    wrong: prediction !== undefined && label !== undefined && prediction !== label,
  }], {
    side,
    scale,
    columns: 1,
    fontSize: 16,
    title: options.title,
    name: options.name,
    svg: options.svg ?? true,
  });
}

/**
 * Draws first-layer weights as one tile per hidden unit: column `j` of `W`
 * reshaped to `side × side`, coloured blue (negative) – white (0) – red
 * (positive), each tile scaled to its own largest `|w|` (or one scale for all
 * with `shared: true`).
 *
 * @param W First-layer weights, `[side², hidden]` (batch-first `[in, out]`,
 *   e.g. `[784, 32]`); a seed's `[out, in]` matrix must be transposed first.
 * @param options `columns`, `scale`, `units` (which columns), `shared`, `captions`, `title`, `name`.
 * @returns The rendered image.
 * @throws {RangeError} When `W` does not have a square number of rows, or a unit index is out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { weightTiles } from "./images.ts";
 *
 * const W = Matrix.full(784, 4, 0.1);
 * const tiles = weightTiles(W, { columns: 2, svg: false });
 * assert.equal(tiles.tiles.length, 4);
 * assert.equal(tiles.svg, undefined);
 * ```
 */
export function weightTiles(W: Matrix, options: WeightTilesOptions = {}): CanvasImage {
  const context = "weight tiles";
  const shape = formatShape(W.shape);
  let side: number;
  try {
    side = sideOf("W's row count", W.rows, context, shape);
  } catch (error) {
    const hint = Number.isInteger(Math.sqrt(W.cols)) && W.cols > 1
      ? `; W looks like [out, in]: transpose it to [in, out]`
      : "";
    throw new RangeError(`${(error as Error).message}${hint}`);
  }
  const units = options.units ?? Array.from({ length: W.cols }, (_, j) => j);
  if (units.length < 1) {
    throw new RangeError(`Cannot draw ${context}: no units to draw, W is ${shape}`);
  }
  for (let u = 0; u < units.length; u++) {
    const j = units[u];
    if (!Number.isInteger(j) || j < 0 || j >= W.cols) {
      throw new RangeError(
        `Cannot draw ${context}: units[${u}] must be a column index of W in [0, ${W.cols}), got ${j}`,
      );
    }
  }
  const scale = positiveInteger(
    options.scale ?? Math.max(1, Math.round(84 / side)),
    "scale",
    context,
  );
  const columns = positiveInteger(
    options.columns ?? Math.min(units.length, 10),
    "columns",
    context,
  );
  const pixels = side * side, stride = W.cols, data = W.data;
  const maxAbs = (j: number): number => {
    let m = 0;
    for (let p = 0; p < pixels; p++) {
      const a = Math.abs(data[p * stride + j]);
      if (a > m) m = a; // NaN never wins
    }
    return m;
  };
  let sharedMax = 0;
  if (options.shared) {
    for (let u = 0; u < units.length; u++) sharedMax = Math.max(sharedMax, maxAbs(units[u]));
  }
  const tiles: Tile[] = [];
  for (let u = 0; u < units.length; u++) {
    const j = units[u];
    const m = options.shared ? sharedMax : maxAbs(j);
    const inv = m > 0 ? 1 / m : 0;
    const rgba = new Uint8ClampedArray(pixels * 4);
    for (let p = 0; p < pixels; p++) {
      writeDiverging(data[p * stride + j] * inv, rgba, 4 * p);
      rgba[4 * p + 3] = 255;
    }
    tiles.push({
      rgba,
      caption: options.captions === false ? undefined : `unit ${j}`,
      wrong: false,
    });
  }
  return render(tiles, {
    side,
    scale,
    columns,
    fontSize: 11,
    title: options.title,
    name: options.name,
    svg: options.svg ?? true,
  });
}
