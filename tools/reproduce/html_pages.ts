/**
 * One self-contained HTML page per executed notebook, for a person to open: Jupyter's own
 * `nbconvert --to html` (Debian's python3-nbconvert) renders the notebook, and plotly.js is
 * inlined once at the top of the page, so every figure draws with no network access (the
 * executed notebooks themselves do not carry plotly.js: `deno task reproduce` runs the kernels
 * with `NNKIT_PLOTLY_JS=none`). Images are PNG data in the page ({@linkcode pngOverSvg}).
 *
 * @module
 */

import { basename, join } from "node:path";
import { writeFileAtomic } from "../../lib/data/atomic_write.ts";
import { plotlyScriptTag } from "../../lib/jupyter/display.ts";
import { defaultPython } from "./run_notebook.ts";

/** One page written by {@linkcode writeHtmlPages}. */
export interface HtmlPage {
  /** The executed notebook it renders. */
  notebook: string;
  /** The page. */
  path: string;
  /** Its size in bytes. */
  bytes: number;
}

/**
 * Puts `script` (plotly.js) into an nbconvert page once, right after `<head>`; a page that
 * already defines it (an output that inlined plotly.js itself) is left as it is.
 *
 * @param html A page from nbconvert.
 * @param script The script element to add (default {@linkcode plotlyScriptTag}).
 * @returns The page with plotly.js in its head.
 * @throws {Error} When the page has no `<head>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withPlotly } from "./html_pages.ts";
 *
 * const page = withPlotly("<html><head><title>t</title></head><body></body></html>", "<script>P</script>");
 * assert.equal(page, "<html><head><script>P</script>\n<title>t</title></head><body></body></html>");
 * ```
 */
export function withPlotly(html: string, script: string = plotlyScriptTag()): string {
  if (html.includes("inlined by nnkit */")) return html;
  const head = /<head[^>]*>/i.exec(html);
  if (!head) {
    throw new Error("Cannot add plotly.js to the page: expected a <head> element, found none");
  }
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}${script}\n${html.slice(at)}`;
}

/** An nbformat notebook, as much as {@linkcode pngOverSvg} reads. */
interface NotebookLike {
  cells: { outputs?: { data?: Record<string, unknown> }[] }[];
}

/**
 * Drops `image/svg+xml` from outputs that also carry `image/png`: nbconvert 6.5 rewrites inline
 * SVG through an HTML parser that loses its namespaced parts (the digits' `<image>` tiles), while
 * the PNG shows exactly what the notebook showed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pngOverSvg } from "./html_pages.ts";
 *
 * const nb = { cells: [{ outputs: [{ data: { "image/png": "iVBOR", "image/svg+xml": "<svg/>" } }] }] };
 * assert.deepEqual(pngOverSvg(nb).cells[0].outputs?.[0].data, { "image/png": "iVBOR" });
 * ```
 */
export function pngOverSvg<T extends NotebookLike>(notebook: T): T {
  for (const cell of notebook.cells) {
    for (const output of cell.outputs ?? []) {
      if (output.data?.["image/png"] !== undefined) delete output.data["image/svg+xml"];
    }
  }
  return notebook;
}

/**
 * Renders each executed notebook to `outDir/<name>.html` (nbconvert, then plotly.js once).
 *
 * @param notebooks Paths of executed notebooks.
 * @param outDir Directory for the pages, e.g. `reports/html`.
 * @param options The python with nbconvert (default `$NNKIT_PYTHON` or `/usr/bin/python3`).
 * @returns The pages written, with their sizes.
 * @throws {Error} Naming the notebook, when nbconvert fails.
 */
export async function writeHtmlPages(
  notebooks: string[],
  outDir: string,
  options: { python?: string } = {},
): Promise<HtmlPage[]> {
  await Deno.mkdir(outDir, { recursive: true });
  const scratch = await Deno.makeTempDir({ prefix: "nnkit-html-" });
  const pages: HtmlPage[] = [];
  try {
    const script = plotlyScriptTag();
    for (const notebook of notebooks) {
      const name = basename(notebook).replace(/\.ipynb$/, "");
      const input = join(scratch, `${name}.ipynb`);
      let parsed: NotebookLike;
      try {
        parsed = JSON.parse(await Deno.readTextFile(notebook));
        if (!Array.isArray(parsed?.cells)) throw new TypeError("no cells array");
      } catch (error) {
        throw new Error(
          `Cannot render ${notebook} to HTML: expected an executed notebook (nbformat JSON), got ${
            error instanceof Error ? error.message : error
          }`,
        );
      }
      await Deno.writeTextFile(input, JSON.stringify(pngOverSvg(parsed)));
      const result = await new Deno.Command(options.python ?? defaultPython(), {
        args: [
          "-m",
          "nbconvert",
          "--to",
          "html",
          "--output-dir",
          scratch,
          "--output",
          name,
          input,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const rendered = join(scratch, `${name}.html`);
      if (result.code !== 0) {
        const stderr = new TextDecoder().decode(result.stderr).trim().split("\n").slice(-3).join(
          " | ",
        );
        throw new Error(
          `Cannot render ${notebook} to HTML: nbconvert exited with code ${result.code}: ${stderr}`,
        );
      }
      const html = withPlotly(await Deno.readTextFile(rendered), script);
      const path = join(outDir, `${name}.html`);
      await writeFileAtomic(path, html);
      pages.push({ notebook, path, bytes: new TextEncoder().encode(html).length });
    }
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
  return pages;
}
