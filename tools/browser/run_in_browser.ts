/// <reference lib="dom" />
/**
 * Drives the classic notebook page in headless Chromium (Debian's, through `playwright-core`):
 * opens a notebook, waits for its kernel, clicks Cell → Run All, waits until the kernel is idle
 * with no cell queued and then until outputs stop arriving, reads every code cell's outputs
 * (the front end's model and the DOM under the cell) and saves a full-page screenshot.
 *
 * @module
 */

import type { Browser, Page } from "playwright-core";
import { findChromium, launchChromium } from "../../lib/export/chromium.ts";
import type { PageCell } from "./compare.ts";

/** Launches Debian's Chromium headless (fresh profile, the project's flags); close it in `finally`. */
export async function launchBrowser(timeoutMs = 60_000): Promise<Browser> {
  return await launchChromium(findChromium(), timeoutMs);
}

/** Options of {@linkcode runAllInPage}. */
export interface RunAllOptions {
  /** Milliseconds allowed for the kernel to start; default 90,000. */
  kernelTimeoutMs?: number;
  /** Milliseconds allowed for Run All until idle; default 900,000. */
  runTimeoutMs?: number;
  /** Milliseconds without a new output after idle before the page is read; default 3,000. */
  quietMs?: number;
  /** Upper bound of that wait; default 30,000. */
  quietTimeoutMs?: number;
  /** Where to save a full-page PNG screenshot (written to a temporary file, then renamed). */
  screenshot?: string;
}

/** What {@linkcode runAllInPage} returns. */
export interface PageRun {
  /** Code cells, read after the outputs stopped arriving. */
  cells: PageCell[];
  /** Seconds from Run All to idle with no cell queued. */
  runSeconds: number;
  /** Outputs that arrived after the kernel went idle (the page kept them). */
  afterIdle: number;
  /** Console errors of the page (JavaScript errors in outputs among them). */
  consoleErrors: string[];
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | false>,
  everyMs = 250,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (true) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await delay(everyMs);
  }
}

// The functions below run in the page, where the classic notebook's `Jupyter` global lives.
// deno-lint-ignore no-explicit-any
type Any = any;

/** In the page: `"idle"`, `"busy"`, … of the kernel, or `undefined` before it is connected. */
function pageKernelState(): string | undefined {
  const J = (globalThis as Any).Jupyter;
  const kernel = J?.notebook?.kernel;
  if (!J?.notebook?._fully_loaded || !kernel || !kernel.is_connected()) return undefined;
  const icon = document.querySelector("#kernel_indicator_icon");
  if (icon?.classList.contains("kernel_idle_icon")) return "idle";
  if (icon?.classList.contains("kernel_busy_icon")) return "busy";
  return "other";
}

/** In the page: whether Run All has finished (idle, nothing queued or running). */
function pageRunState(): { idle: boolean; pending: number; executed: number } {
  const J = (globalThis as Any).Jupyter;
  const cells = J.notebook.get_cells().filter((c: Any) => c.cell_type === "code");
  const pending = cells.filter((c: Any) => c.input_prompt_number === "*").length;
  const executed = cells.filter((c: Any) => typeof c.input_prompt_number === "number").length;
  const icon = document.querySelector("#kernel_indicator_icon");
  return { idle: !!icon?.classList.contains("kernel_idle_icon"), pending, executed };
}

/** In the page: a fingerprint of all outputs (changes when any output arrives or updates). */
function pageOutputFingerprint(): string {
  const J = (globalThis as Any).Jupyter;
  let count = 0, size = 0;
  for (const cell of J.notebook.get_cells()) {
    if (cell.cell_type !== "code") continue;
    for (const output of cell.output_area.outputs) {
      count++;
      size += JSON.stringify(output).length;
    }
  }
  return `${count}:${size}`;
}

/** In the page: every code cell's outputs, model and DOM. */
function pageCells(): PageCell[] {
  const J = (globalThis as Any).Jupyter;
  const out: PageCell[] = [];
  J.notebook.get_cells().forEach((cell: Any, index: number) => {
    if (cell.cell_type !== "code") return;
    const root: HTMLElement = cell.output_area.element[0];
    const outputs = cell.output_area.outputs.map((o: Any) => {
      const summary: Record<string, unknown> = { type: o.output_type };
      if (o.output_type === "stream") summary.name = o.name;
      const nnkit = o.metadata?.nnkit;
      if (nnkit?.kind) summary.kind = nnkit.kind;
      if (nnkit?.figure) summary.figure = nnkit.figure;
      const html = o.data?.["text/html"];
      const m = typeof html === "string"
        ? /class="nnkit-progress" data-status="([a-z]+)"/.exec(html)
        : null;
      if (m) summary.progress = m[1];
      return summary;
    });
    const figures = [...root.querySelectorAll(".nnkit-figure")].map((el) => {
      const svg = el.querySelector("svg.main-svg");
      const box = svg?.getBoundingClientRect();
      return { drawn: !!svg, width: box?.width ?? 0, height: box?.height ?? 0 };
    });
    const images: PageCell["images"] = [];
    for (const img of root.querySelectorAll("img")) {
      if (img.closest(".nnkit-figure")) continue; // a figure's static fallback, replaced when drawn
      images.push({
        loaded: img.complete && img.naturalWidth > 0,
        width: img.naturalWidth,
        height: img.naturalHeight,
        what: `img ${img.alt || img.src.slice(0, 40)}`,
      });
    }
    for (const svg of root.querySelectorAll(".output_svg svg")) {
      const box = svg.getBoundingClientRect();
      images.push({ loaded: true, width: box.width, height: box.height, what: "inline svg" });
    }
    out.push({
      index,
      outputs: outputs as PageCell["outputs"],
      domOutputs: root.querySelectorAll(".output_area").length,
      domErrors: root.querySelectorAll(".output_error").length,
      figures,
      images,
      progress: [...root.querySelectorAll(".nnkit-progress")].map((el) =>
        el.getAttribute("data-status") ?? ""
      ),
    });
  });
  return out;
}

/** In the page: lets the document grow to its full height, so a full-page screenshot shows all. */
function pageUnclip(): number {
  const style = document.createElement("style");
  style.textContent = `html, body { height: auto !important; overflow: visible !important; }
#site { height: auto !important; overflow: visible !important; display: block !important; }
#header { position: static !important; }`;
  document.head.appendChild(style);
  return document.documentElement.scrollHeight;
}

/**
 * Opens `url` (a notebook in the classic UI), runs all cells and reads the outputs.
 *
 * @param page A fresh page of {@linkcode launchBrowser}'s browser.
 * @param url The notebook's URL, token included.
 * @param options Timeouts and the screenshot path.
 * @returns The page's cells and timings.
 * @throws {Error} On a timeout, naming what was waited for.
 */
export async function runAllInPage(
  page: Page,
  url: string,
  options: RunAllOptions = {},
): Promise<PageRun> {
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text().slice(0, 300));
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error).slice(0, 300)));
  await page.goto(url, { waitUntil: "load", timeout: options.kernelTimeoutMs ?? 90_000 });
  await until(
    `the kernel of ${url.replace(/\?token=.*/, "")} to be idle`,
    options.kernelTimeoutMs ?? 90_000,
    async () => (await page.evaluate(pageKernelState)) === "idle",
  );
  const started = performance.now();
  await page.locator("#celllink").click();
  await page.locator("#run_all_cells > a").click();
  const runTimeout = options.runTimeoutMs ?? 900_000;
  // Run All queues every cell at once; it is done when nothing is queued and the kernel is idle.
  await until("Run All to start", 30_000, async () => {
    const s = await page.evaluate(pageRunState);
    return s.pending > 0 || s.executed > 0;
  }, 50);
  let idleFor = 0;
  await until("Run All to finish (kernel idle, no cell queued)", runTimeout, async () => {
    const s = await page.evaluate(pageRunState);
    idleFor = s.idle && s.pending === 0 ? idleFor + 1 : 0;
    return idleFor >= 2; // idle on two consecutive polls, 250 ms apart
  });
  const runSeconds = (performance.now() - started) / 1000;
  const atIdle = await page.evaluate(pageOutputFingerprint);
  let last = atIdle, lastChange = performance.now();
  const quietMs = options.quietMs ?? 3_000;
  await until("outputs to stop arriving", options.quietTimeoutMs ?? 30_000, async () => {
    const now = await page.evaluate(pageOutputFingerprint);
    if (now !== last) {
      last = now;
      lastChange = performance.now();
    }
    return performance.now() - lastChange >= quietMs;
  });
  const afterIdle = Number(last.split(":")[0]) - Number(atIdle.split(":")[0]);
  const cells = await page.evaluate(pageCells);
  if (options.screenshot) {
    const height = await page.evaluate(pageUnclip);
    await page.setViewportSize({ width: 1200, height: Math.min(Math.max(height, 600), 16_000) });
    const tmp = `${options.screenshot}.${crypto.randomUUID().slice(0, 8)}.tmp.png`;
    await page.screenshot({ path: tmp, fullPage: true, timeout: 120_000 });
    await Deno.rename(tmp, options.screenshot);
  }
  return { cells, runSeconds, afterIdle, consoleErrors };
}

/** What {@linkcode checkHtmlPage} finds in a notebook's HTML page. */
export interface HtmlPageCheck {
  /** Plotly figures (`.nnkit-figure`) in the page. */
  figures: number;
  /** Of those, drawn by plotly.js (`svg.main-svg` with a non-empty size). */
  drawn: number;
  /** Images (`img`, outside figures) and how many loaded (natural width > 0). */
  images: number;
  loaded: number;
  /** Requests the page tried to make off the local file (all refused). */
  blocked: string[];
}

/** In the page: figures drawn and images loaded. */
function pageFigures(): Omit<HtmlPageCheck, "blocked"> {
  const figures = [...document.querySelectorAll(".nnkit-figure")];
  const drawn = figures.filter((el) => {
    const box = el.querySelector("svg.main-svg")?.getBoundingClientRect();
    return !!box && box.width > 0 && box.height > 0;
  }).length;
  const images = [...document.querySelectorAll("img")].filter((img) =>
    !img.closest(".nnkit-figure")
  );
  return {
    figures: figures.length,
    drawn,
    images: images.length,
    loaded: images.filter((img) => img.complete && img.naturalWidth > 0).length,
  };
}

/**
 * Opens a self-contained HTML page (`file://`) with every network request refused, waits until
 * its figures are drawn (or `timeoutMs`), and counts figures and images.
 *
 * @param page A fresh page.
 * @param path The HTML file.
 * @param timeoutMs How long to wait for every figure to be drawn; default 60,000.
 */
export async function checkHtmlPage(
  page: Page,
  path: string,
  timeoutMs = 60_000,
): Promise<HtmlPageCheck> {
  const blocked: string[] = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file://") || url.startsWith("data:")) return route.continue();
    blocked.push(url.slice(0, 120));
    return route.abort();
  });
  await page.goto(`file://${path}`, { waitUntil: "load", timeout: timeoutMs });
  const deadline = performance.now() + timeoutMs;
  let found = await page.evaluate(pageFigures);
  while (found.drawn < found.figures && performance.now() < deadline) {
    await delay(250);
    found = await page.evaluate(pageFigures);
  }
  return { ...found, blocked };
}
