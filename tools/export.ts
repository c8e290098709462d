/**
 * Exports every named figure of executed notebooks to PNG and SVG:
 * `reports/figures/<notebook>/<figure>.png` and `.svg`.
 *
 * A figure is a notebook output whose metadata has `nnkit.figure` (what
 * `lib/jupyter/display.ts` sends). Plotly figures are rendered by one headless
 * Chromium for the whole run (PNG at 2× the layout size, SVG as plotly
 * writes it); canvas images are written as they are (their PNG, and their
 * `image/svg+xml` if the output has one, else an SVG that embeds the PNG).
 * The files are written into a fresh folder (`<out>/.partial-<time>-<pid>/`)
 * and moved into `<out>` only when every figure was exported, one rename per
 * file; PNG and SVG files in a notebook's figure folder that this run did not
 * write are then removed, so the folder always matches the notebook. A
 * failed export leaves `<out>` as it was and says where its partial output
 * is; so does a killed one, silently.
 *
 * Usage: `deno task export [--in reports/notebooks] [--out reports/figures]`
 * (`--in` may also name one `.ipynb` file).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { basename, join } from "node:path";
import { writeFileAtomic } from "../lib/data/atomic_write.ts";
import { moveInto, partialDir } from "./reproduce/staging.ts";
import type { PlotlyFigure } from "../lib/plot/charts.ts";
import { type FigureRenderer, launchRenderer } from "../lib/export/chromium.ts";
import { PLOTLY_MIME } from "../lib/jupyter/display.ts";

/** One named figure found in a notebook's outputs. */
export interface FigureOutput {
  /** The figure name (`metadata.nnkit.figure`), a safe file name. */
  name: string;
  /** `"plotly"` when the output carries a plotly figure, else `"image"`. */
  kind: "plotly" | "image";
  /** The plotly figure (kind `"plotly"`). */
  figure?: PlotlyFigure;
  /** PNG bytes from the output (kind `"image"`; plotly outputs may have one too). */
  png?: Uint8Array;
  /** The output's SVG text, if it has `image/svg+xml`. */
  svg?: string;
  /** Display size in CSS pixels, from the output's metadata when present. */
  width?: number;
  /** Display height in CSS pixels. */
  height?: number;
  /** 0-based index of the cell that produced it. */
  cell: number;
}

/** One exported figure. */
export interface ExportedFigure {
  /** Notebook file stem, e.g. `"01_sgd_vs_batch"`. */
  notebook: string;
  /** Figure name. */
  name: string;
  /** `"plotly"` or `"image"`. */
  kind: "plotly" | "image";
  /** Path of the written PNG. */
  png: string;
  /** Path of the written SVG. */
  svg: string;
  /** Milliseconds spent rendering and writing this figure. */
  ms: number;
}

/** Options of {@linkcode exportNotebooks}. */
export interface ExportOptions {
  /** Output folder; default `reports/figures`. */
  outDir?: string;
  /** A renderer to use (and not close); default: launch one on the first plotly figure. */
  renderer?: FigureRenderer;
  /** Chromium binary when launching; default as in `lib/export/chromium.ts`. */
  executablePath?: string;
  /** PNG pixels per CSS pixel for plotly figures; default 2. */
  scale?: number;
  /** Progress lines go here; default none. */
  log?: (line: string) => void;
}

/** What {@linkcode exportNotebooks} returns. */
export interface ExportReport {
  /** Every figure written, in notebook and output order. */
  figures: ExportedFigure[];
  /** Notebooks read. */
  notebooks: string[];
  /** Milliseconds for launching Chromium and loading plotly.js (0 when not launched). */
  launchMs: number;
  /** Milliseconds for the whole run. */
  totalMs: number;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * Width and height of a PNG, read from its IHDR chunk.
 *
 * @param bytes The PNG file's bytes.
 * @throws {TypeError} When the bytes are not a PNG.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pngSize } from "./export.ts";
 *
 * const png = new Uint8Array(24);
 * png.set([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 5, 160, 0, 0, 3, 72]);
 * assert.deepEqual(pngSize(png), { width: 1440, height: 840 });
 * ```
 */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  const isPng = bytes.length >= 24 && signature.every((b, i) => bytes[i] === b) &&
    String.fromCharCode(...bytes.subarray(12, 16)) === "IHDR";
  if (!isPng) {
    throw new TypeError(
      `Cannot read PNG size: expected the PNG signature and an IHDR chunk, got ${
        [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ")
      }`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * An SVG document that shows a PNG at a given display size (for raster
 * figures that have no SVG of their own).
 *
 * @param png PNG bytes.
 * @param options Display size in CSS pixels; default the PNG's pixel size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { svgWithPng } from "./export.ts";
 *
 * const png = new Uint8Array(24);
 * png.set([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 1]);
 * assert.match(svgWithPng(png), /^<svg [^>]*width="2" height="1"/);
 * ```
 */
export function svgWithPng(
  png: Uint8Array,
  options: { width?: number; height?: number } = {},
): string {
  const size = pngSize(png);
  const width = options.width ?? size.width;
  const height = options.height ?? size.height;
  const base64 = Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64");
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<image width="${width}" height="${height}" preserveAspectRatio="none" style="image-rendering:pixelated" xlink:href="data:image/png;base64,${base64}"/></svg>\n`;
}

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join("");
  return undefined;
}

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * The named figures among a notebook's outputs (`display_data` and
 * `execute_result` whose metadata has `nnkit.figure`), in cell order.
 *
 * @param notebook A parsed `.ipynb` (nbformat 4).
 * @param source The notebook's path, for error messages.
 * @throws {TypeError} When the notebook has no `cells` array, or a figure name is not a file name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notebookFigures } from "./export.ts";
 *
 * const nb = { cells: [{ cell_type: "code", outputs: [{
 *   output_type: "display_data",
 *   data: { "image/png": "iVBORw0KGgo=" },
 *   metadata: { nnkit: { figure: "digits" } },
 * }] }] };
 * const [fig] = notebookFigures(nb, "x.ipynb");
 * assert.equal(fig.name, "digits");
 * assert.equal(fig.kind, "image");
 * assert.equal(fig.png?.[1], 80);
 * ```
 */
export function notebookFigures(notebook: unknown, source: string): FigureOutput[] {
  const cells = (notebook as { cells?: unknown })?.cells;
  if (!Array.isArray(cells)) {
    throw new TypeError(`Cannot read notebook ${source}: expected a "cells" array (nbformat 4)`);
  }
  const found: FigureOutput[] = [];
  cells.forEach((cell, index) => {
    for (const output of (cell?.outputs ?? []) as Record<string, unknown>[]) {
      const type = output.output_type;
      if (type !== "display_data" && type !== "execute_result") continue;
      const metadata = (output.metadata ?? {}) as Record<string, unknown>;
      const nnkit = metadata.nnkit as { figure?: unknown } | undefined;
      if (nnkit?.figure === undefined) continue;
      const name = String(nnkit.figure);
      if (!NAME_PATTERN.test(name)) {
        throw new TypeError(
          `Cannot export notebook ${source}: cell ${index} names a figure ${
            JSON.stringify(name)
          }, expected letters, digits, "_", "-" or "."`,
        );
      }
      const data = (output.data ?? {}) as Record<string, unknown>;
      const size = (metadata["image/png"] ?? {}) as { width?: unknown; height?: unknown };
      const fig: FigureOutput = {
        name,
        kind: data[PLOTLY_MIME] !== undefined ? "plotly" : "image",
        cell: index,
        width: positive(size.width) ?? positive((nnkit as { width?: unknown }).width),
        height: positive(size.height) ?? positive((nnkit as { height?: unknown }).height),
      };
      if (fig.kind === "plotly") {
        let figure = data[PLOTLY_MIME];
        if (typeof figure === "string") figure = JSON.parse(figure);
        fig.figure = figure as PlotlyFigure;
      }
      const png = text(data["image/png"]);
      if (png !== undefined) {
        fig.png = new Uint8Array(Buffer.from(png.replace(/\s+/g, ""), "base64"));
      }
      fig.svg = text(data["image/svg+xml"]);
      if (fig.kind === "image" && fig.png === undefined) {
        throw new TypeError(
          `Cannot export notebook ${source}: figure ${name} in cell ${index} has neither ${PLOTLY_MIME} nor image/png`,
        );
      }
      found.push(fig);
    }
  });
  return found;
}

async function listNotebooks(inPath: string): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(inPath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `Cannot export figures: ${inPath} does not exist; run deno task reproduce first, or pass --in`,
      );
    }
    throw error;
  }
  if (info.isFile) return [inPath];
  const paths: string[] = [];
  for await (const entry of Deno.readDir(inPath)) {
    if (entry.isFile && entry.name.endsWith(".ipynb")) paths.push(join(inPath, entry.name));
  }
  return paths.sort();
}

/**
 * Exports the named figures of every `.ipynb` in `inPath` (or of the one
 * notebook `inPath` names) to `<outDir>/<notebook>/<figure>.png` and `.svg`,
 * through a fresh folder moved in at the end (see the module doc; on failure
 * `<outDir>` is left as it was and the partial folder is logged). Chromium is
 * launched once, on the first plotly figure, and closed at the end (also on
 * failure) unless `options.renderer` was given.
 *
 * @param inPath A folder of executed notebooks or one `.ipynb` file.
 * @param options Output folder, renderer, PNG scale, log.
 * @returns What was written and how long it took.
 * @throws {Deno.errors.NotFound} When `inPath` is missing, or Chromium is (naming the package).
 *
 * @example
 * ```ts ignore
 * import { exportNotebooks } from "./export.ts";
 *
 * const report = await exportNotebooks("reports/notebooks", { log: console.log });
 * console.log(report.figures.length, "figures in", report.totalMs, "ms");
 * ```
 */
export async function exportNotebooks(
  inPath: string,
  options: ExportOptions = {},
): Promise<ExportReport> {
  const started = performance.now();
  const outDir = options.outDir ?? "reports/figures";
  const log = options.log ?? (() => {});
  const scale = options.scale ?? 2;
  const notebooks = await listNotebooks(inPath);
  const stage = partialDir(outDir);
  await Deno.mkdir(stage, { recursive: true });
  const figures: ExportedFigure[] = [];
  let renderer = options.renderer;
  let launchMs = 0;
  const getRenderer = async (): Promise<FigureRenderer> => {
    if (!renderer) {
      renderer = await launchRenderer({ executablePath: options.executablePath });
      launchMs = renderer.launchMs;
      log(`Chromium ${renderer.version} ready in ${(launchMs / 1000).toFixed(1)} s`);
    }
    return renderer;
  };
  try {
    for (const path of notebooks) {
      const stem = basename(path).replace(/\.ipynb$/, "");
      let parsed: unknown;
      try {
        parsed = JSON.parse(await Deno.readTextFile(path));
      } catch (error) {
        throw new SyntaxError(
          `Cannot read notebook ${path}: ${error instanceof Error ? error.message : error}`,
          { cause: error },
        );
      }
      const outputs = notebookFigures(parsed, path);
      const dir = join(outDir, stem);
      await Deno.mkdir(join(stage, stem), { recursive: true });
      log(`${path}: ${outputs.length} figure${outputs.length === 1 ? "" : "s"}`);
      const written = new Set<string>();
      for (const fig of outputs) {
        let name = fig.name;
        for (let k = 2; written.has(`${name}.png`); k++) name = `${fig.name}-${k}`;
        if (name !== fig.name) {
          log(`  warning: figure name ${fig.name} repeats (cell ${fig.cell}); writing ${name}`);
        }
        const r0 = fig.kind === "plotly" ? await getRenderer() : undefined; // launch not timed here
        const t0 = performance.now();
        let png: Uint8Array, svg: string;
        if (r0) {
          const r = await r0.render(fig.figure!, { scale });
          png = r.png!;
          svg = r.svg!;
        } else {
          png = fig.png!;
          svg = fig.svg ?? svgWithPng(png, { width: fig.width, height: fig.height });
        }
        const pngPath = join(dir, `${name}.png`), svgPath = join(dir, `${name}.svg`);
        await writeFileAtomic(join(stage, stem, `${name}.png`), png);
        await writeFileAtomic(join(stage, stem, `${name}.svg`), svg);
        written.add(`${name}.png`).add(`${name}.svg`);
        const ms = performance.now() - t0;
        figures.push({ notebook: stem, name, kind: fig.kind, png: pngPath, svg: svgPath, ms });
        log(`  ${stem}/${name}.png + .svg  ${fig.kind}  ${ms.toFixed(0)} ms`);
      }
    }
  } catch (error) {
    log(`export stopped: ${outDir} left as it was; partial figures in ${stage}`);
    throw error;
  } finally {
    if (renderer && !options.renderer) await renderer.close();
  }
  // Every notebook folder now matches its notebook: figures it no longer has are stale.
  await moveInto(stage, outDir, {
    stale: (folder) => folder.includes("/") ? undefined : /\.(png|svg)$/,
    log,
  });
  const totalMs = performance.now() - started;
  return { figures, notebooks, launchMs, totalMs };
}

const USAGE = `Usage: deno task export [--in reports/notebooks] [--out reports/figures]

Writes <out>/<notebook>/<figure>.png and .svg for every named figure output
of the executed notebooks in --in (a folder, or one .ipynb file).`;

/**
 * The command line: parses `--in` and `--out`, exports, prints one line per
 * figure and the totals; returns the exit status.
 *
 * @param args Command-line arguments.
 */
export async function main(args: readonly string[]): Promise<number> {
  let inPath = "reports/notebooks", outDir = "reports/figures";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      return 0;
    }
    if (flag !== "--in" && flag !== "--out") {
      console.error(`export: unknown argument ${arg}\n${USAGE}`);
      return 2;
    }
    const value = inline ?? args[++i];
    if (value === undefined) {
      console.error(`export: ${flag} needs a value\n${USAGE}`);
      return 2;
    }
    if (flag === "--in") inPath = value;
    else outDir = value;
  }
  try {
    const report = await exportNotebooks(inPath, { outDir, log: (line) => console.log(line) });
    const plotly = report.figures.filter((f) => f.kind === "plotly");
    const perPlotly = plotly.length
      ? `, ${
        (plotly.reduce((s, f) => s + f.ms, 0) / plotly.length).toFixed(0)
      } ms per plotly figure`
      : "";
    console.log(
      `exported ${report.figures.length} figures from ${report.notebooks.length} notebooks to ${outDir} in ${
        (report.totalMs / 1000).toFixed(1)
      } s (Chromium launch ${(report.launchMs / 1000).toFixed(1)} s${perPlotly})`,
    );
    return 0;
  } catch (error) {
    console.error(`export failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
