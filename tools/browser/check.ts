/**
 * The browser check behind `deno task test-browser` and `tools/browser.ts`: each notebook executed
 * by nbclient (`tools/nbexec.py`, the reference), then opened in Debian's classic Jupyter Notebook
 * in headless Chromium, Run All, and compared cell by cell (`compare.ts`); a full-page screenshot
 * per notebook goes to `reports/browser/<name>.png` and the counts to
 * `reports/browser/summary.json`. The references are executed as `deno task reproduce` executes
 * them (`NNKIT_PLOTLY_JS=none`) and rendered to HTML pages the same way
 * (`tools/reproduce/html_pages.ts`, to `reports/browser/html/`); each page is opened from disk with
 * every network request refused and must draw all its figures and load all its images; the
 * reference is kept as `reports/browser/nbclient/<name>.ipynb`.
 *
 * The server and the browser are stopped in every case: on success, on failure, and on SIGINT or
 * SIGTERM while running (then the process exits with 130 / 143).
 *
 * @module
 */

import type { Browser } from "playwright-core";
import { writeFileAtomic } from "../../lib/data/atomic_write.ts";
import { findChromium } from "../../lib/export/chromium.ts";
import { writeHtmlPages } from "../reproduce/html_pages.ts";
import { runNotebook } from "../reproduce/run_notebook.ts";
import { compareWithReference, type Comparison, type NbformatNotebook } from "./compare.ts";
import { findNotebookServer, startNotebookServer } from "./notebook_server.ts";
import {
  checkHtmlPage,
  type HtmlPageCheck,
  launchBrowser,
  runAllInPage,
} from "./run_in_browser.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Options of {@linkcode checkInBrowser}. */
export interface BrowserCheckOptions {
  /** Notebook names or prefixes (`"02"`); default all of `notebooks/`. */
  names?: string[];
  /** Run-All repeats per notebook in the browser (one nbclient reference each); default 1. */
  repeat?: number;
  /** Also run nbclient with late-output recovery off per repeat and count late outputs. */
  nbclientRepeats?: boolean;
  /** Output directory for screenshots and summary; default `reports/browser`. */
  out?: string;
  /** Environment of the kernels; default `{ NB_QUICK: "1" }`. */
  env?: Record<string, string>;
  /** Progress lines (default: to stderr). */
  log?: (line: string) => void;
}

/** One Run All of one notebook in the browser. */
export interface BrowserRun {
  notebook: string;
  repeat: number;
  runSeconds: number;
  afterIdle: number;
  comparison: Comparison;
  consoleErrors: string[];
  /** Late outputs nbclient saw with recovery off in the same repeat (when asked for). */
  nbclientLate?: number;
  /** execute_results nbclient saw under another cell in the same repeat (when asked for). */
  nbclientMisplaced?: number;
}

/** What {@linkcode checkInBrowser} returns (and writes to `summary.json`). */
export interface BrowserCheckResult {
  runs: BrowserRun[];
  /** Screenshot per notebook (the last repeat's). */
  screenshots: Record<string, string>;
  /** Problems of all runs, one line each. */
  problems: string[];
  /** The HTML page of each notebook's (last) reference and what the browser found in it. */
  htmlPages: Record<
    string,
    HtmlPageCheck & { path: string; bytes: number; expectedFigures: number }
  >;
}

/** Why the browser check cannot run here, or `undefined` when it can. */
export function browserCheckUnavailable(): string | undefined {
  try {
    findChromium();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (findNotebookServer() === undefined) {
    return "jupyter-notebook is not installed (apt-get install --no-install-recommends jupyter-notebook, or bash tools/setup.sh)";
  }
  return undefined;
}

/** Notebook file names (`NN_name.ipynb`) matching `names` (prefixes), in order. */
export function selectNotebooks(names: string[] | undefined): string[] {
  const all = [...Deno.readDirSync(`${ROOT}notebooks`)]
    .filter((e) => e.isFile && /^\d\d_.*\.ipynb$/.test(e.name))
    .map((e) => e.name)
    .sort();
  if (!names || names.length === 0) return all;
  return names.map((name) => {
    const found = all.filter((file) => file.startsWith(name));
    if (found.length !== 1) {
      throw new Error(
        `Cannot select notebook ${JSON.stringify(name)}: expected one match in notebooks/, found ${
          found.length ? found.join(", ") : "none"
        }`,
      );
    }
    return found[0];
  });
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Runs the browser check: see the module doc.
 *
 * @param options Notebooks, repeats, output directory, kernel environment.
 * @returns Every run's comparison, the screenshots and all problems.
 * @throws {Error} When the server, the browser or a reference run cannot start.
 */
export async function checkInBrowser(
  options: BrowserCheckOptions = {},
): Promise<BrowserCheckResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const files = selectNotebooks(options.names);
  const repeat = options.repeat ?? 1;
  const out = options.out ?? `${ROOT}reports/browser`;
  const env = options.env ?? { NB_QUICK: "1" };
  await Deno.mkdir(out, { recursive: true });
  const scratch = await Deno.makeTempDir({ prefix: "nnkit-browser-check-" });
  const hashes = new Map<string, string>();
  for (const file of files) hashes.set(file, await sha256(`${ROOT}notebooks/${file}`));

  let server: Awaited<ReturnType<typeof startNotebookServer>> | undefined;
  let browser: Browser | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  };
  const onSignal = (signal: Deno.Signal, code: number) => () => {
    log(`browser check: ${signal}: stopping the notebook server and the browser`);
    cleanup().finally(() => Deno.exit(code));
  };
  const handlers: [Deno.Signal, () => void][] = [
    ["SIGINT", onSignal("SIGINT", 130)],
    ["SIGTERM", onSignal("SIGTERM", 143)],
  ];
  for (const [signal, handler] of handlers) Deno.addSignalListener(signal, handler);

  const runs: BrowserRun[] = [];
  const problems: string[] = [];
  const screenshots: Record<string, string> = {};
  const htmlPages: BrowserCheckResult["htmlPages"] = {};
  try {
    server = await startNotebookServer({
      root: `${ROOT}notebooks`,
      env: { NO_COLOR: "1", ...env },
    });
    browser = await launchBrowser();
    for (const file of files) {
      const name = file.replace(/\.ipynb$/, "");
      for (let r = 1; r <= repeat; r++) {
        await Deno.mkdir(`${scratch}/r${r}`, { recursive: true });
        const referencePath = `${scratch}/r${r}/${name}.ipynb`;
        const reference = await runNotebook(`${ROOT}notebooks/${file}`, referencePath, {
          env: { ...env, NNKIT_PLOTLY_JS: "none" },
          late: options.nbclientRepeats ? "drop" : "recover",
          timeout: 900,
        });
        if (reference.summary.status !== "ok") {
          throw new Error(
            `Cannot check ${name} in the browser: its nbclient reference run failed (${reference.summary.status}): ${
              reference.summary.errors.map((e) => e.message).join("; ") ||
              reference.stderr.slice(-500)
            }`,
          );
        }
        let referenceNb = JSON.parse(await Deno.readTextFile(referencePath)) as NbformatNotebook;
        if (options.nbclientRepeats && reference.summary.late.length > 0) {
          // With recovery off the dropped outputs are missing from the reference; run once more
          // with recovery on for the cell-by-cell comparison.
          const full = await runNotebook(`${ROOT}notebooks/${file}`, referencePath, {
            env,
            timeout: 900,
          });
          if (full.summary.status !== "ok") {
            throw new Error(
              `Cannot check ${name}: its second nbclient run failed (${full.summary.status})`,
            );
          }
          referenceNb = JSON.parse(await Deno.readTextFile(referencePath)) as NbformatNotebook;
        }
        const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
        const page = await context.newPage();
        const screenshot = `${out}/${name}.png`;
        try {
          const run = await runAllInPage(page, server.notebookUrl(file), { screenshot });
          const comparison = compareWithReference(name, run.cells, referenceNb);
          runs.push({
            notebook: name,
            repeat: r,
            runSeconds: Math.round(run.runSeconds * 10) / 10,
            afterIdle: run.afterIdle,
            comparison,
            consoleErrors: run.consoleErrors,
            nbclientLate: options.nbclientRepeats ? reference.summary.late.length : undefined,
            nbclientMisplaced: options.nbclientRepeats
              ? (reference.summary.misplaced ?? []).length
              : undefined,
          });
          problems.push(...comparison.problems.map((p) => `repeat ${r}: ${p}`));
          screenshots[name] = screenshot;
          log(
            `browser: ${name} #${r}: ${comparison.outputs} outputs, ${comparison.figures} figures, ${comparison.images} images, ${comparison.progressBars} progress bars; missing ${comparison.missing}, misplaced ${comparison.misplaced}; ${run.afterIdle} after idle; run ${
              run.runSeconds.toFixed(1)
            } s${
              options.nbclientRepeats
                ? `; nbclient late ${reference.summary.late.length}, misplaced ${
                  (reference.summary.misplaced ?? []).length
                }`
                : ""
            }`,
          );
        } finally {
          await context.close().catch(() => {});
          for (const id of await server.kernels().catch(() => [] as string[])) {
            await fetch(`${server.url}api/kernels/${id}`, {
              method: "DELETE",
              headers: { Authorization: `token ${server.token}` },
              signal: AbortSignal.timeout(10_000),
            }).then((r) => r.body?.cancel()).catch(() => {});
          }
        }
      }
      if (await sha256(`${ROOT}notebooks/${file}`) !== hashes.get(file)) {
        problems.push(`${name}: the browser run changed notebooks/${file} (it must never save)`);
      }
      // The last reference as a person opens it: its HTML page, from disk, no network.
      const referencePath = `${scratch}/r${repeat}/${name}.ipynb`;
      let html;
      try {
        [html] = await writeHtmlPages([referencePath], `${out}/html`);
      } catch (error) {
        problems.push(`${name}: ${error instanceof Error ? error.message : error}`);
        continue;
      }
      const finalPath = html.path;
      // Keep the executed reference beside its page (its size is the executed notebook's size).
      await Deno.mkdir(`${out}/nbclient`, { recursive: true });
      await writeFileAtomic(`${out}/nbclient/${name}.ipynb`, await Deno.readFile(referencePath));
      const reference = JSON.parse(await Deno.readTextFile(referencePath)) as NbformatNotebook;
      const expectedFigures = reference.cells.flatMap((c) => c.outputs ?? [])
        .filter((o) => (o.metadata?.nnkit as { kind?: string } | undefined)?.kind === "plotly")
        .length;
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      try {
        const found = await checkHtmlPage(await context.newPage(), finalPath);
        htmlPages[name] = { ...found, path: finalPath, bytes: html.bytes, expectedFigures };
        if (found.drawn !== expectedFigures || found.figures !== expectedFigures) {
          problems.push(
            `${name}: HTML page ${finalPath}: expected ${expectedFigures} figure(s) drawn with no network, found ${found.drawn} drawn of ${found.figures}`,
          );
        }
        if (found.loaded !== found.images) {
          problems.push(
            `${name}: HTML page ${finalPath}: expected every image loaded, found ${found.loaded} of ${found.images}`,
          );
        }
        log(
          `browser: ${name}: HTML page ${
            (html.bytes / 1e6).toFixed(1)
          } MB, ${found.drawn}/${expectedFigures} figures drawn, ${found.loaded}/${found.images} images, ${found.blocked.length} network requests refused`,
        );
      } finally {
        await context.close().catch(() => {});
      }
    }
  } finally {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
    await cleanup();
  }
  const result = { runs, screenshots, problems, htmlPages };
  await writeFileAtomic(`${out}/summary.json`, JSON.stringify(result, null, 2) + "\n");
  return result;
}
