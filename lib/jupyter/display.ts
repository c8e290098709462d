/**
 * Shows a plotly figure or a canvas image in a Jupyter notebook as one
 * display bundle that every front end can render, named so that
 * `tools/export.ts` can write it to `reports/figures/<notebook>/<name>.png`
 * and `.svg`.
 *
 * A plotly figure goes out as
 * - `application/vnd.plotly.v1+json`: the figure (VS Code, JupyterLab with
 *   the plotly extension);
 * - `text/html`: a div and a script that draw it with plotly.js, which the
 *   first figure of a kernel session carries inline from
 *   `node_modules/plotly.js-dist-min` (never a CDN, about 4.8 MB) and later
 *   figures reuse as `window.Plotly`. Inlining is a choice:
 *   `NNKIT_PLOTLY_JS=none` (what `deno task reproduce` sets) never inlines,
 *   and the HTML pages of the executed notebooks carry plotly.js once
 *   instead; `options.includePlotlyJs` decides per figure. When plotly.js is
 *   not in the page the script says so in one line;
 * - `image/png`: rendered by headless Chromium (one per kernel, see
 *   `lib/export/chromium.ts`), sent once: front ends that do not run the
 *   HTML's script (untrusted notebooks in Jupyter, GitHub, nbviewer) show
 *   it instead of the HTML. Without Chromium the PNG is skipped with one
 *   notice per session.
 *
 * The output's metadata carries `{"nnkit": {"figure": name}}`.
 *
 * Sending goes through `kernel.ts`: the kernel's display keeps that
 * metadata (`Deno.jupyter.display` would drop it), and {@linkcode display}
 * resolves only once the message has left the kernel (Deno's kernel can
 * report a cell finished while a large output is still queued, and
 * nbclient/nbconvert then drop it). Notebooks `await` it.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { isPlotlyFigure, type PlotlyFigure } from "../plot/charts.ts";
import { type FigureRenderer, plotlyScript, sharedRenderer } from "../export/chromium.ts";
import { type DisplayFunction, requireKernelDisplay, sendDisplay } from "./kernel.ts";

/** MIME type of a plotly figure in a display bundle. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** One Jupyter `display_data` message body: the MIME bundle and its metadata. */
export interface DisplayMessage {
  /** MIME type → content (`image/png` as base64, JSON types as objects). */
  data: Record<string, unknown>;
  /** Output metadata: `nnkit.figure` names the figure; `image/png` gives its display size. */
  metadata: Record<string, unknown>;
}

/** A raster image to display, e.g. a `CanvasImage` from `lib/plot/images.ts`. */
export interface ImageLike {
  /** PNG file bytes. */
  png: Uint8Array;
  /** An SVG version, if there is one (exported instead of wrapping the PNG). */
  svg?: string;
  /** Display width in CSS pixels. */
  width: number;
  /** Display height in CSS pixels. */
  height: number;
  /** Figure name, used when `options.name` is not given. */
  name?: string;
}

/** Options of {@linkcode display}. */
export interface FigureDisplayOptions {
  /**
   * Figure name, which export uses as the file name: letters, digits, `_`,
   * `-`, `.`; e.g. `"cost_vs_iteration"`. Required for plotly figures; images
   * may carry their own `name`.
   */
  name?: string;
  /**
   * Sends the message's `data` with its `metadata` in the options; default
   * the Deno kernel's (`kernelDisplay()` in `kernel.ts`), looked up at call
   * time.
   */
  display?: DisplayFunction;
  /**
   * Add a static `image/png` of a plotly figure. Default `true`, unless the
   * environment variable `NNKIT_DISPLAY_PNG` is `0`.
   */
  png?: boolean;
  /** Renders the PNG; default the kernel's shared Chromium renderer. */
  renderer?: Pick<FigureRenderer, "render">;
  /**
   * Inline plotly.js in this figure's HTML. Default: only in the first
   * figure of the session (see {@linkcode resetDisplaySession}), and never
   * when the environment variable `NNKIT_PLOTLY_JS` is `none`.
   */
  includePlotlyJs?: boolean;
  /** Include an image's SVG as `image/svg+xml`; default `true` when it has one. */
  svg?: boolean;
  /**
   * Milliseconds to wait after sending, instead of the default: in the
   * kernel, until the message has left it (`sendDisplay()` in `kernel.ts`),
   * else 100 ms plus 150 ms per MB. `0` for tests.
   */
  settleMs?: number;
  /**
   * The kernel IOPub port whose connections must carry the output before the wait ends, when a
   * `display` function of the kernel's own is passed (`result_hook.ts`); default none for a
   * passed `display`, the kernel's port otherwise.
   */
  iopubPort?: number | null;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

let plotlyInlined = false;
let pngDisabledReason: string | undefined;
let figureCounter = 0;

/**
 * Starts a new display session: the next plotly figure inlines plotly.js
 * again, and Chromium is tried again for PNGs. Call it after clearing all
 * outputs of a notebook without restarting the kernel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart } from "../plot/charts.ts";
 * import { display, resetDisplaySession } from "./display.ts";
 *
 * const sent: string[] = [];
 * const options = { name: "f", png: false, settleMs: 0, display: (data: Record<string, unknown>) => sent.push(data["text/html"] as string) };
 * resetDisplaySession();
 * await display(lineChart([{ name: "a", y: [1, 2] }]), options);
 * await display(lineChart([{ name: "a", y: [1, 2] }]), options);
 * assert.ok(sent[0].length > 1_000_000 && sent[1].length < 10_000);
 * ```
 */
export function resetDisplaySession(): void {
  plotlyInlined = false;
  pngDisabledReason = undefined;
}

function checkName(name: string | undefined, what: string): string {
  if (name === undefined) {
    throw new TypeError(
      `Cannot display ${what}: options.name is required (export names files by it)`,
    );
  }
  if (!NAME_PATTERN.test(name)) {
    throw new TypeError(
      `Cannot display ${what}: name must be 1 to 100 letters, digits, "_", "-" or "." starting with a letter or digit, got ${
        JSON.stringify(name)
      }`,
    );
  }
  return name;
}

function typedArrayReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  return value;
}

/** Makes text safe inside an HTML `<script>` element. */
function escapeForScript(text: string): string {
  return text.replace(/<(\/?script|!--)/gi, "\\x3C$1");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A `<script>` element that defines `window.Plotly` from
 * `node_modules/plotly.js-dist-min` (about 4.8 MB, no network), also in
 * pages that load require.js: the wrapper hides any page-level
 * `module`/`define`. A figure's HTML includes it when asked to
 * (`includePlotlyJs`); an HTML page of a notebook includes it once.
 *
 * @returns The script element's HTML.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plotlyScriptTag } from "./display.ts";
 *
 * const tag = plotlyScriptTag();
 * assert.ok(tag.startsWith("<script") && tag.endsWith("</script>") && tag.length > 3_000_000);
 * ```
 */
export function plotlyScriptTag(): string {
  return `<script type="text/javascript">/* plotly.js from node_modules/plotly.js-dist-min, inlined by nnkit */\n` +
    `(function (module, exports, define) {\n${
      escapeForScript(plotlyScript())
    }\n}).call(window);</script>`;
}

/** Options of {@linkcode figureHtml}. */
export interface FigureHtmlOptions {
  /** The `id` of the figure's div; default a fresh `nnkit-figure-<n>-<random>`. */
  divId?: string;
  /** Put plotly.js (about 4.8 MB) inline before the figure. Default `false`. */
  includePlotlyJs?: boolean;
  /** Base64 PNG shown until plotly.js draws, and kept when it cannot. */
  pngBase64?: string;
}

/**
 * The `text/html` of a plotly figure: an optional inline plotly.js, a div
 * that holds the static PNG (or a note) as a fallback, and a script that
 * replaces it with the live chart when `window.Plotly` exists, or otherwise
 * adds a one-line note saying why the chart is static. No network access.
 *
 * @param figure A plotly figure `{ data, layout }`.
 * @param options Div id, plotly.js inlining, PNG fallback.
 * @returns HTML text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart } from "../plot/charts.ts";
 * import { figureHtml } from "./display.ts";
 *
 * const html = figureHtml(lineChart([{ name: "a", y: [1, 2] }]), { divId: "fig1" });
 * assert.match(html, /<div id="fig1"/);
 * assert.match(html, /window\.Plotly/);
 * assert.ok(!html.includes("https://"));
 * ```
 */
export function figureHtml(figure: PlotlyFigure, options: FigureHtmlOptions = {}): string {
  const id = options.divId ??
    `nnkit-figure-${++figureCounter}-${Math.random().toString(36).slice(2, 10)}`;
  const { width, height } = figure.layout;
  const json = escapeForScript(JSON.stringify(figure, typedArrayReplacer));
  const fallback = options.pngBase64
    ? `<img src="data:image/png;base64,${options.pngBase64}" width="${width}" height="${height}" alt="${
      escapeHtml(id)
    }">`
    : "";
  const parts: string[] = [];
  if (options.includePlotlyJs) parts.push(plotlyScriptTag());
  parts.push(
    `<div id="${
      escapeHtml(id)
    }" class="nnkit-figure" style="width:${width}px;min-height:${height}px;">${fallback}</div>`,
    `<script type="text/javascript">
(function () {
  var el = document.getElementById(${JSON.stringify(id)});
  if (!el) return;
  var fig = ${json};
  if (window.Plotly && window.Plotly.newPlot) {
    el.innerHTML = "";
    window.Plotly.newPlot(el, fig.data, fig.layout, { displaylogo: false, responsive: false });
  } else {
    var note = document.createElement("p");
    note.style.cssText = "font: 12px sans-serif; color: #666; margin: 4px 0;";
    note.textContent = "Chart not drawn: plotly.js is not loaded in this page (the output that carried it was cleared or not run, or the notebook was executed with NNKIT_PLOTLY_JS=none). Re-run the notebook to get the interactive chart.";
    el.appendChild(note);
  }
})();
</script>`,
  );
  return parts.join("\n");
}

/** `false` when `NNKIT_PLOTLY_JS=none`: figures then never carry plotly.js. */
function plotlyInlineAllowed(): boolean {
  try {
    return Deno.env.get("NNKIT_PLOTLY_JS") !== "none";
  } catch {
    return true; // no env permission: keep the default
  }
}

function pngWanted(option: boolean | undefined): boolean {
  if (option !== undefined) return option;
  try {
    return Deno.env.get("NNKIT_DISPLAY_PNG") !== "0";
  } catch {
    return true; // no env permission: keep the default
  }
}

async function renderPng(
  figure: PlotlyFigure,
  name: string,
  renderer: Pick<FigureRenderer, "render"> | undefined,
): Promise<string | undefined> {
  if (pngDisabledReason !== undefined) return undefined;
  let r = renderer;
  if (!r) {
    try {
      r = await sharedRenderer();
    } catch (error) {
      pngDisabledReason = error instanceof Error ? error.message : String(error);
      console.warn(
        `nnkit: figures are shown without a static PNG this session (GitHub and nbviewer will not show them): ${pngDisabledReason}`,
      );
      return undefined;
    }
  }
  try {
    const { png } = await r.render(figure, { formats: ["png"], scale: 2 });
    return png
      ? Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64")
      : undefined;
  } catch (error) {
    console.warn(
      `nnkit: figure ${name} is shown without a static PNG: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
    return undefined;
  }
}

/**
 * Builds the display message of a plotly figure (no sending, no waiting):
 * the three MIME types plus `text/plain`, and `nnkit.figure` metadata.
 *
 * @param figure A plotly figure `{ data, layout }`.
 * @param options `name` (required), `pngBase64` (from a renderer), `includePlotlyJs`.
 * @returns The message {@linkcode display} would send.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart } from "../plot/charts.ts";
 * import { figureMessage, PLOTLY_MIME } from "./display.ts";
 *
 * const m = figureMessage(lineChart([{ name: "a", y: [1, 2] }], { title: "t" }), { name: "cost" });
 * assert.deepEqual(Object.keys(m.data).sort(), [PLOTLY_MIME, "text/html", "text/plain"]);
 * assert.deepEqual(m.metadata.nnkit, { figure: "cost", kind: "plotly", width: 720, height: 420 });
 * ```
 */
export function figureMessage(
  figure: PlotlyFigure,
  options: { name: string; pngBase64?: string; includePlotlyJs?: boolean },
): DisplayMessage {
  const name = checkName(options.name, "figure");
  const { width, height } = figure.layout;
  const data: Record<string, unknown> = {
    [PLOTLY_MIME]: JSON.parse(JSON.stringify(figure, typedArrayReplacer)),
    // The PNG goes out once, as image/png; the HTML does not repeat it.
    "text/html": figureHtml(figure, { includePlotlyJs: options.includePlotlyJs }),
    "text/plain": `<plotly figure ${name}${
      figure.layout.title?.text ? `: ${figure.layout.title.text}` : ""
    }, ${width}×${height}>`,
  };
  const metadata: Record<string, unknown> = {
    nnkit: { figure: name, kind: "plotly", width, height },
  };
  if (options.pngBase64 !== undefined) {
    data["image/png"] = options.pngBase64;
    metadata["image/png"] = { width, height };
  }
  return { data, metadata };
}

/**
 * Builds the display message of a raster image: `image/png`,
 * `image/svg+xml` when it has an SVG, `text/plain`, and `nnkit.figure`
 * metadata.
 *
 * @param image `{ png, svg?, width, height, name? }`, e.g. a `CanvasImage`.
 * @param options `name` (default `image.name`), `svg` (default `true`).
 * @returns The message {@linkcode display} would send.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageMessage } from "./display.ts";
 *
 * const m = imageMessage({ png: new Uint8Array([137, 80, 78, 71]), width: 2, height: 1 }, { name: "digits" });
 * assert.equal(m.data["image/png"], "iVBORw==");
 * assert.deepEqual(m.metadata["image/png"], { width: 2, height: 1 });
 * ```
 */
export function imageMessage(
  image: ImageLike,
  options: { name?: string; svg?: boolean } = {},
): DisplayMessage {
  const name = checkName(options.name ?? image.name, "image");
  if (!(image.png instanceof Uint8Array)) {
    throw new TypeError(`Cannot display image ${name}: png must be a Uint8Array of PNG bytes`);
  }
  const { width, height } = image;
  const data: Record<string, unknown> = {
    "image/png": Buffer.from(image.png.buffer, image.png.byteOffset, image.png.byteLength)
      .toString("base64"),
    "text/plain": `<image ${name}, ${width}×${height}>`,
  };
  if ((options.svg ?? true) && typeof image.svg === "string") {
    // Inline in a page, an XML declaration is noise, and nbconvert 6.5 fails on it.
    data["image/svg+xml"] = image.svg.replace(/^\s*<\?xml[^>]*\?>\s*/, "");
  }
  return {
    data,
    metadata: {
      "image/png": { width, height },
      nnkit: { figure: name, kind: "image", width, height },
    },
  };
}

/** Sends `message` through `kernel.ts`, waiting as `options.settleMs` says (default: until delivered). */
async function send(
  message: DisplayMessage,
  options: FigureDisplayOptions,
  what: string,
): Promise<void> {
  await sendDisplay(message.data, {
    display: options.display,
    metadata: message.metadata,
    settleMs: options.settleMs,
    iopubPort: options.iopubPort,
    what,
  });
}

/**
 * Displays a plotly figure or a raster image in the notebook and waits until
 * the output is safely on its way (`settleMs`). Always `await` it.
 *
 * @param item A plotly figure `{ data, layout }` or an image `{ png, svg?, width, height }`.
 * @param options `name` (the export file name), and `display`, `png`, `renderer`,
 *   `includePlotlyJs`, `svg`, `settleMs` (see {@linkcode FigureDisplayOptions}).
 * @throws {TypeError} When the name is missing or not a file name, or `item` is neither kind.
 * @throws {Error} Outside the Deno kernel when no `display` function is passed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart } from "../plot/charts.ts";
 * import { display, type DisplayMessage } from "./display.ts";
 *
 * const sent: DisplayMessage[] = [];
 * const fig = lineChart([{ name: "SGD", y: [2.3, 0.4] }], { title: "Cost" });
 * const fakePng = { render: () => Promise.resolve({ png: new Uint8Array([137, 80, 78, 71]), width: 720, height: 420, ms: 1 }) };
 * const collect = (data: Record<string, unknown>, { metadata = {} }) => sent.push({ data, metadata });
 * await display(fig, { name: "cost", display: collect, renderer: fakePng, settleMs: 0 });
 * assert.ok(["application/vnd.plotly.v1+json", "text/html", "image/png"].every((t) => t in sent[0].data));
 * ```
 */
export async function display(
  item: PlotlyFigure | ImageLike,
  options: FigureDisplayOptions = {},
): Promise<void> {
  if (isPlotlyFigure(item)) {
    const name = checkName(options.name, "figure");
    if (!options.display) requireKernelDisplay(`figure ${name}`); // fail before rendering
    const pngBase64 = pngWanted(options.png)
      ? await renderPng(item, name, options.renderer)
      : undefined;
    const includePlotlyJs = options.includePlotlyJs ??
      (!plotlyInlined && plotlyInlineAllowed());
    const message = figureMessage(item, { name, pngBase64, includePlotlyJs });
    await send(message, options, `figure ${name}`);
    if (includePlotlyJs) plotlyInlined = true;
    return;
  }
  if (item !== null && typeof item === "object" && "png" in item) {
    const message = imageMessage(item, options);
    const name = (message.metadata.nnkit as { figure: string }).figure;
    await send(message, options, `image ${name}`);
    return;
  }
  throw new TypeError(
    `Cannot display ${
      options.name ?? "item"
    }: expected a plotly figure { data, layout } or an image { png, width, height }, got ${
      item === null ? "null" : typeof item
    }`,
  );
}

/**
 * Displays a raster image (a `CanvasImage` from `lib/plot/images.ts`): the same as
 * {@linkcode display}, typed for images.
 *
 * @param image `{ png, svg?, width, height, name? }`.
 * @param options `name` (default `image.name`), `display`, `svg`, `settleMs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayImage, type DisplayMessage } from "./display.ts";
 *
 * const sent: DisplayMessage[] = [];
 * const image = { png: new Uint8Array([137, 80, 78, 71]), svg: "<svg/>", width: 1, height: 1, name: "grid" };
 * const collect = (data: Record<string, unknown>, { metadata = {} }) => sent.push({ data, metadata });
 * await displayImage(image, { display: collect, settleMs: 0 });
 * assert.deepEqual(Object.keys(sent[0].data).sort(), ["image/png", "image/svg+xml", "text/plain"]);
 * ```
 */
export async function displayImage(
  image: ImageLike,
  options: Omit<FigureDisplayOptions, "png" | "renderer" | "includePlotlyJs"> = {},
): Promise<void> {
  await display(image, options);
}
