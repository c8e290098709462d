/**
 * Headless Chromium that renders plotly figures to PNG and SVG, the way
 * plotly's own exporter (kaleido) does: a browser page with plotly.js
 * loaded from `node_modules/plotly.js-dist-min` (never a CDN) calls
 * `Plotly.toImage`.
 *
 * The browser is Debian's `chromium`, driven by `playwright-core` with a
 * fresh temporary profile (playwright creates and deletes it), the flags in
 * {@linkcode CHROMIUM_ARGS} and timeouts on launch and on every render; it is
 * closed on any failure. Launching costs about half a second and loading
 * plotly.js a few seconds, so one renderer serves a whole export run
 * ({@linkcode launchRenderer}) or a whole kernel session
 * ({@linkcode sharedRenderer}).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import type { PlotlyFigure } from "../plot/charts.ts";

/** Where Chromium is looked for, in order, unless a path is given or `NNKIT_CHROMIUM` is set. */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/lib/chromium/chromium",
];

/**
 * Command-line flags besides `--headless` and `--no-sandbox` (which
 * playwright adds for `headless: true, chromiumSandbox: false`): no GPU, no
 * network chatter, no first-run or sync machinery.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
  "--disable-extensions",
  "--disable-dev-shm-usage",
  "--font-render-hinting=none",
  "--disable-breakpad",
  "--disable-crash-reporter",
];

/** The hint every "Chromium is missing" error ends with. */
export const CHROMIUM_INSTALL_HINT =
  "install the Debian package chromium (apt-get install -y --no-install-recommends chromium) or set NNKIT_CHROMIUM to a Chromium binary";

/** Image formats a renderer produces. */
export type ImageFormat = "png" | "svg";

/** Options of {@linkcode FigureRenderer.render}. */
export interface RenderOptions {
  /** Formats to produce; default both. */
  formats?: readonly ImageFormat[];
  /** PNG pixels per CSS pixel; default 2 (a 720 × 420 figure gives a 1440 × 840 PNG). */
  scale?: number;
}

/** What {@linkcode FigureRenderer.render} returns. */
export interface RenderedFigure {
  /** PNG bytes, `[height·scale, width·scale]` pixels, when `"png"` was asked for. */
  png?: Uint8Array;
  /** The SVG document (plotly's `main-svg`), when `"svg"` was asked for. */
  svg?: string;
  /** Figure width in CSS pixels (`layout.width`). */
  width: number;
  /** Figure height in CSS pixels (`layout.height`). */
  height: number;
  /** Milliseconds the render took. */
  ms: number;
}

/** A running headless Chromium with plotly.js loaded. */
export interface FigureRenderer {
  /** The Chromium binary in use. */
  readonly executablePath: string;
  /** Chromium's version, e.g. `"156.0.8078.79"`. */
  readonly version: string;
  /** Milliseconds from launch to plotly.js ready. */
  readonly launchMs: number;
  /** True once closed (explicitly, by a failure, or by a timeout). */
  readonly closed: boolean;
  /**
   * Renders one figure at `layout.width × layout.height`.
   *
   * @param figure A plotly figure `{ data, layout }`.
   * @param options Formats and PNG scale.
   */
  render(figure: PlotlyFigure, options?: RenderOptions): Promise<RenderedFigure>;
  /** Closes the browser; safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@linkcode launchRenderer}. */
export interface LaunchOptions {
  /** Chromium binary; default `NNKIT_CHROMIUM`, else the first of {@linkcode CHROMIUM_CANDIDATES}. */
  executablePath?: string;
  /** Milliseconds allowed for launch + loading plotly.js, and for each render; default 60,000. */
  timeoutMs?: number;
}

function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Finds the Chromium binary: `executablePath` if given, else the
 * `NNKIT_CHROMIUM` environment variable, else the first existing entry of
 * {@linkcode CHROMIUM_CANDIDATES}.
 *
 * @param options.executablePath An explicit binary to check.
 * @returns The path of an executable file.
 * @throws {Deno.errors.NotFound} Naming the Debian package `chromium` to install.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findChromium } from "./chromium.ts";
 *
 * assert.throws(
 *   () => findChromium({ executablePath: "/nonexistent/chromium" }),
 *   /Cannot find Chromium at \/nonexistent\/chromium: install the Debian package chromium/,
 * );
 * ```
 */
export function findChromium(options: { executablePath?: string } = {}): string {
  const explicit = options.executablePath ?? Deno.env.get("NNKIT_CHROMIUM");
  const candidates = explicit ? [explicit] : CHROMIUM_CANDIDATES;
  for (const path of candidates) if (isExecutableFile(path)) return path;
  throw new Deno.errors.NotFound(
    `Cannot find Chromium at ${candidates.join(", ")}: ${CHROMIUM_INSTALL_HINT}`,
  );
}

/**
 * The path of `plotly.min.js` in `node_modules/plotly.js-dist-min`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plotlyScriptPath } from "./chromium.ts";
 *
 * assert.match(plotlyScriptPath(), /plotly\.js-dist-min\/plotly\.min\.js$/);
 * ```
 */
export function plotlyScriptPath(): string {
  try {
    return createRequire(import.meta.url).resolve("plotly.js-dist-min");
  } catch (error) {
    throw new Error(
      "Cannot find plotly.js-dist-min in node_modules: run npm ci in the project folder",
      { cause: error },
    );
  }
}

let plotlySource: string | undefined;

/**
 * The plotly.js bundle's source text (read once, about 4.8 MB).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plotlyScript } from "./chromium.ts";
 *
 * assert.match(plotlyScript().slice(0, 200), /plotly\.js v\d+\.\d+\.\d+/);
 * ```
 */
export function plotlyScript(): string {
  plotlySource ??= Deno.readTextFileSync(plotlyScriptPath());
  return plotlySource;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Cannot ${what}: Chromium did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function checkFigureSize(figure: PlotlyFigure): { width: number; height: number } {
  const { width, height } = figure.layout ?? {};
  for (const [key, v] of [["width", width], ["height", height]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      throw new TypeError(
        `Cannot render figure: layout.${key} must be a positive number of pixels, got ${v}`,
      );
    }
  }
  return { width: width!, height: height! };
}

/**
 * Launches Chromium headless through `playwright-core` with the project's
 * flags ({@linkcode CHROMIUM_ARGS}, a fresh profile, no sandbox), leaving
 * SIGINT/SIGTERM/SIGHUP to the caller (playwright still kills the browser
 * when this process exits). Close it in `finally`.
 *
 * @param executablePath The browser, e.g. from {@linkcode findChromium}.
 * @param timeoutMs Milliseconds allowed for the launch.
 * @throws {Error} `Cannot launch Chromium <path>: <reason>`.
 */
export async function launchChromium(executablePath: string, timeoutMs: number): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  try {
    return await chromium.launch({
      executablePath,
      headless: true,
      chromiumSandbox: false,
      args: [...CHROMIUM_ARGS],
      timeout: timeoutMs,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    const first = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new Error(`Cannot launch Chromium ${executablePath}: ${first}`, { cause: error });
  }
}

/**
 * Launches headless Chromium, opens one page and loads plotly.js into it.
 * Close it when done (`await renderer.close()`); a failure during launch
 * closes the browser before the error is rethrown.
 *
 * @param options Binary and timeout.
 * @returns A ready renderer.
 * @throws {Deno.errors.NotFound} When Chromium is missing (names the package to install).
 * @throws {Error} When Chromium does not start or plotly.js does not load in time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { launchRenderer } from "./chromium.ts";
 * import { lineChart } from "../plot/charts.ts";
 *
 * const renderer = await launchRenderer();
 * try {
 *   const out = await renderer.render(lineChart([{ name: "cost", y: [3, 2, 1.5] }]), { scale: 1 });
 *   assert.deepEqual([...out.png!.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
 *   assert.match(out.svg!, /^<svg[^>]*class="main-svg"/);
 * } finally {
 *   await renderer.close();
 * }
 * ```
 */
export async function launchRenderer(options: LaunchOptions = {}): Promise<FigureRenderer> {
  const executablePath = findChromium(options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = performance.now();
  const browser = await launchChromium(executablePath, timeoutMs);
  let page: Page;
  try {
    page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    page.setDefaultTimeout(timeoutMs);
    await withTimeout(
      (async () => {
        await page.setContent("<!DOCTYPE html><html><head></head><body></body></html>");
        await page.addScriptTag({ content: plotlyScript() });
        const kind = await page.evaluate(() => typeof (globalThis as { Plotly?: unknown }).Plotly);
        if (kind !== "object") throw new Error(`window.Plotly is ${kind} after loading plotly.js`);
      })(),
      timeoutMs,
      "load plotly.js into Chromium",
    );
  } catch (error) {
    await browser.close().catch(() => {});
    throw error;
  }
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  const version = browser.version();
  const launchMs = performance.now() - started;
  browser.on("disconnected", () => {
    closed = true;
  });

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await browser.close().catch(() => {});
  }

  async function renderNow(
    figure: PlotlyFigure,
    renderOptions: RenderOptions,
  ): Promise<RenderedFigure> {
    if (closed) throw new Error("Cannot render figure: the Chromium renderer is closed");
    const { width, height } = checkFigureSize(figure);
    const formats = [...(renderOptions.formats ?? ["png", "svg"])];
    const scale = renderOptions.scale ?? 2;
    const t0 = performance.now();
    let urls: Record<string, string>;
    try {
      urls = await withTimeout(
        page.evaluate(
          async ({ figure, formats, scale, width, height }) => {
            // One plot per figure: plotly draws the SVG, and the PNG is that SVG
            // rasterized at `scale` (what Plotly.toImage does for PNG, without
            // plotting the figure a second time).
            // deno-lint-ignore no-explicit-any
            const g = globalThis as any;
            const out: Record<string, string> = {};
            const url: string = await g.Plotly.toImage(
              { data: figure.data, layout: figure.layout },
              { format: "svg", width, height },
            );
            const svg = decodeURIComponent(url.slice(url.indexOf(",") + 1));
            if (formats.includes("svg")) out.svg = svg;
            if (formats.includes("png")) {
              const blobUrl = g.URL.createObjectURL(new g.Blob([svg], { type: "image/svg+xml" }));
              try {
                const img = new g.Image();
                img.src = blobUrl;
                await img.decode();
                const canvas = g.document.createElement("canvas");
                canvas.width = Math.round(width * scale);
                canvas.height = Math.round(height * scale);
                canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
                out.png = canvas.toDataURL("image/png");
              } finally {
                g.URL.revokeObjectURL(blobUrl);
              }
            }
            return out;
          },
          { figure, formats, scale, width, height },
        ),
        timeoutMs,
        "render figure",
      );
    } catch (error) {
      await close(); // a hung or crashed page is not reused
      throw error;
    }
    const result: RenderedFigure = { width, height, ms: 0 };
    if (urls.png !== undefined) {
      const comma = urls.png.indexOf(",");
      result.png = new Uint8Array(Buffer.from(urls.png.slice(comma + 1), "base64"));
    }
    if (urls.svg !== undefined) result.svg = urls.svg;
    result.ms = performance.now() - t0;
    return result;
  }

  return {
    executablePath,
    version,
    launchMs,
    get closed() {
      return closed;
    },
    render(figure, renderOptions = {}) {
      const next = queue.then(() => renderNow(figure, renderOptions));
      queue = next.catch(() => {});
      return next;
    },
    close,
  };
}

let shared: Promise<FigureRenderer> | undefined;
let unloadHooked = false;

/**
 * One renderer per process (per Jupyter kernel), launched on first use and
 * relaunched if it was closed; closed when the process unloads (playwright
 * also kills it if the process exits first). The example is not run by
 * `deno test --doc` (a launch costs seconds); tests/export/chromium_test.ts
 * runs the same steps.
 *
 * @param options Binary and timeout, used when a browser is launched.
 * @returns The shared renderer.
 * @throws Whatever {@linkcode launchRenderer} throws; the next call tries again.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { closeSharedRenderer, sharedRenderer } from "./chromium.ts";
 *
 * const a = await sharedRenderer();
 * assert.equal(await sharedRenderer(), a);
 * await closeSharedRenderer();
 * assert.ok(a.closed);
 * ```
 */
export async function sharedRenderer(options: LaunchOptions = {}): Promise<FigureRenderer> {
  if (shared) {
    const renderer = await shared.catch(() => undefined);
    if (renderer && !renderer.closed) return renderer;
  }
  const launching = launchRenderer(options);
  shared = launching;
  launching.catch(() => {
    if (shared === launching) shared = undefined;
  });
  if (!unloadHooked) {
    unloadHooked = true;
    globalThis.addEventListener("unload", () => {
      void closeSharedRenderer();
    });
  }
  return await launching;
}

/**
 * Closes the shared renderer if one is running (tests, or to free memory in
 * a long kernel session); the next {@linkcode sharedRenderer} relaunches.
 */
export async function closeSharedRenderer(): Promise<void> {
  const current = shared;
  shared = undefined;
  const renderer = await current?.catch(() => undefined);
  await renderer?.close();
}
