/**
 * The one check that notebook sources are committed clean, as d2l's CI does
 * (`deno task check-notebooks`, and `tests/tools/check_notebooks_test.ts`
 * runs it on `notebooks/`):
 *
 * - valid nbformat 4 JSON with the Deno kernelspec, a name like
 *   `01_sgd_vs_batch.ipynb`, a markdown title (`# …`) as the first cell;
 * - no outputs and no execution counts;
 * - one import cell, the first code cell, importing only from
 *   `"../lib/mod.ts"` (never `jsr:`, `npm:`, `https:`: unreachable here, and
 *   notebooks must not reach around the lib; no dynamic import elsewhere);
 * - the next code cell tagged `parameters`, calling `parameters(…)` and
 *   setting the seed: a `new Prng(…)`, or a parameter named `seed` or
 *   `…Seed` (notebook 04 draws its weights with NumPy's seeds); the last
 *   code cell calling `recordResults(…)`;
 * - code lines of at most {@linkcode MAX_COLUMNS} columns (`deno fmt`
 *   formats the code but cannot break long strings or comments).
 *
 * Usage: `deno task check-notebooks [PATH...]` (default `notebooks/`; a
 * path is a notebook or a folder of them). Prints one line per problem,
 * naming the notebook and the cell (0-based, as Jupyter's JSON and
 * `tools/nbexec.py` count), and exits 1 when there is any; else prints how
 * many notebooks are clean and exits 0.
 *
 * @module
 */

import { basename, join, relative, resolve } from "node:path";

const NOTEBOOKS_DIR = resolve(new URL("..", import.meta.url).pathname, "notebooks");

/** The one module a notebook may import from. */
export const LIB_IMPORT = "../lib/mod.ts";

/** The longest code line a notebook may hold, in characters: `deno fmt`'s `lineWidth`. */
export const MAX_COLUMNS = 100;

/** A notebook's file name: two digits, an underscore, lower-case words. */
export const NOTEBOOK_NAME = /^\d\d_[a-z0-9_]+\.ipynb$/;

/** The kernelspec of `deno jupyter --install`, which every notebook must name. */
export const DENO_KERNELSPEC = { name: "deno", display_name: "Deno", language: "typescript" };

/** One thing wrong with a notebook. */
export interface NotebookProblem {
  /** The notebook's path as given (or its name). */
  notebook: string;
  /** 0-based index of the cell in the notebook, or `null` for the notebook as a whole. */
  cell: number | null;
  /** The cell's first non-blank source line (shortened), when `cell` is a code cell. */
  line?: string;
  /** What is wrong: expected vs found. */
  message: string;
}

// deno-lint-ignore no-explicit-any
type Json = any;

const CELL_TYPES = ["code", "markdown", "raw"];
const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function sourceText(cell: Json): string {
  return Array.isArray(cell.source) ? cell.source.join("") : String(cell.source ?? "");
}

function firstLine(cell: Json): string {
  const line = sourceText(cell).split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

/**
 * The code with comments blanked out (strings, template literals and their
 * contents kept), so `// import x from "jsr:…"` does not count as an import.
 *
 * @param code TypeScript source.
 * @returns The same source with every comment replaced by spaces.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripComments } from "./check_notebooks.ts";
 *
 * assert.equal(stripComments('a; // b\nconst u = "https://x";'), 'a;     \nconst u = "https://x";');
 * ```
 */
export function stripComments(code: string): string {
  let out = "";
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < code.length && code[j] !== c) {
        if (code[j] === "\\") j++;
        else if (c !== "`" && code[j] === "\n") break; // unterminated: stop at the line end
        j++;
      }
      out += code.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && code[i + 1] === "/") {
      const end = code.indexOf("\n", i);
      const stop = end < 0 ? code.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (c === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      const stop = end < 0 ? code.length : end + 2;
      out += code.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const STATIC_IMPORT =
  /(?:^|[^\w$.])import(?![\w$])\s*(?:type\s+)?(?:[\w$*{}\s,]+?\s*from\s*)?(["'])([^"']*)\1/g;
const EXPORT_FROM =
  /(?:^|[^\w$.])export\s*(?:type\s+)?(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*(["'])([^"']*)\1/g;
const DYNAMIC_IMPORT = /(?:^|[^\w$.])import\s*\(\s*(?:(["'`])([^"'`]*)\1)?/g;

/**
 * The module specifiers a cell's code imports: static imports, `export …
 * from`, and dynamic `import("…")` (a computed one is listed as `null`).
 *
 * @param code TypeScript source of one cell.
 * @returns The specifiers in source order of their kind (static, re-export, dynamic).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importSpecifiers } from "./check_notebooks.ts";
 *
 * const code = 'import {\n  a,\n  type B,\n} from "../lib/mod.ts";\nconst m = await import("jsr:@std/x");';
 * assert.deepEqual(importSpecifiers(code), ["../lib/mod.ts", "jsr:@std/x"]);
 * ```
 */
export function importSpecifiers(code: string): (string | null)[] {
  const text = stripComments(code);
  const found: (string | null)[] = [];
  for (const match of text.matchAll(STATIC_IMPORT)) found.push(match[2]);
  for (const match of text.matchAll(EXPORT_FROM)) found.push(match[2]);
  for (const match of text.matchAll(DYNAMIC_IMPORT)) found.push(match[2] ?? null);
  return found;
}

/** Whether a cell's code has a static `import` or an `export … from` (an import cell). */
function hasStaticImport(code: string): boolean {
  const text = stripComments(code);
  return [...text.matchAll(STATIC_IMPORT), ...text.matchAll(EXPORT_FROM)].length > 0;
}

/** Whether a code cell holds nothing but import statements (and comments). */
function importsOnly(code: string): boolean {
  const rest = stripComments(code)
    .replace(STATIC_IMPORT, "")
    .replace(EXPORT_FROM, "")
    .replace(/[\s;]/g, "");
  return rest === "" && importSpecifiers(code).length > 0;
}

/** A parameter named `seed` or `…Seed` (`seed: 1`, `softmaxSeed: 0`), as the parameters cell sets it. */
const SEED_PARAMETER = /\b(?:seed|\w+Seed)\s*:/;

/** Whether the code (comments aside) calls `name(…)`, e.g. `calls(code, "new Prng")`. */
function calls(code: string, name: string): boolean {
  const pattern = name.replace(/ /g, "\\s+").replace(/\./g, "\\.");
  return new RegExp(`(?:^|[^\\w$.])${pattern}\\s*\\(`).test(stripComments(code));
}

/**
 * The lines of a cell's code longer than `max` characters (code points, so
 * `ŷ` or `·` count once), as `[line number (1-based), length]`.
 *
 * @param code The cell's source.
 * @param max The limit; default {@linkcode MAX_COLUMNS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { longLines } from "./check_notebooks.ts";
 *
 * assert.deepEqual(longLines("short\n" + "x".repeat(101) + "\n" + "ŷ".repeat(100)), [[2, 101]]);
 * ```
 */
export function longLines(code: string, max = MAX_COLUMNS): [number, number][] {
  const found: [number, number][] = [];
  code.split("\n").forEach((line, i) => {
    const length = [...line].length;
    if (length > max) found.push([i + 1, length]);
  });
  return found;
}

function checkStructure(nb: Json, problem: (cell: number | null, message: string) => void) {
  if (!isObject(nb)) {
    problem(null, `expected a JSON object, got ${Array.isArray(nb) ? "an array" : typeof nb}`);
    return false;
  }
  if (nb.nbformat !== 4) {
    problem(null, `expected nbformat 4, got ${JSON.stringify(nb.nbformat)}`);
    return false;
  }
  if (!Number.isInteger(nb.nbformat_minor) || (nb.nbformat_minor as number) < 0) {
    problem(
      null,
      `expected an integer nbformat_minor, got ${JSON.stringify(nb.nbformat_minor)}`,
    );
  }
  if (!isObject(nb.metadata)) problem(null, "expected a metadata object");
  if (!Array.isArray(nb.cells)) {
    problem(null, `expected a cells array, got ${JSON.stringify(nb.cells)?.slice(0, 40)}`);
    return false;
  }
  const ids = new Map<string, number>();
  let ok = true;
  nb.cells.forEach((cell: Json, i: number) => {
    if (!isObject(cell) || !CELL_TYPES.includes(cell.cell_type as string)) {
      problem(
        i,
        `expected a cell_type of code, markdown or raw, got ${
          JSON.stringify(isObject(cell) ? cell.cell_type : cell)
        }`,
      );
      ok = false;
      return;
    }
    const src = cell.source;
    if (
      typeof src !== "string" && !(Array.isArray(src) && src.every((l) => typeof l === "string"))
    ) {
      problem(i, "expected source as a string or a list of strings");
      ok = false;
    }
    if (!isObject(cell.metadata)) problem(i, "expected a metadata object");
    if ((nb.nbformat_minor as number) >= 5) {
      if (typeof cell.id !== "string" || !CELL_ID.test(cell.id)) {
        problem(
          i,
          `expected an id of 1 to 64 letters, digits, - or _, got ${JSON.stringify(cell.id)}`,
        );
      } else if (ids.has(cell.id)) {
        problem(
          i,
          `expected a unique id, got ${JSON.stringify(cell.id)} again (cell ${ids.get(cell.id)})`,
        );
      } else {
        ids.set(cell.id, i);
      }
    }
    if (cell.cell_type === "code") {
      if (!Array.isArray(cell.outputs)) problem(i, "expected an outputs array on a code cell");
      if (!("execution_count" in cell)) problem(i, "expected an execution_count on a code cell");
    } else {
      for (const key of ["outputs", "execution_count"]) {
        if (key in cell) problem(i, `expected no ${key} on a ${cell.cell_type} cell`);
      }
    }
  });
  return ok;
}

/**
 * Checks one notebook's JSON text; never throws for a bad notebook.
 *
 * @param text The `.ipynb` file's contents.
 * @param notebook The notebook's path or name, used in the problems.
 * @returns Every problem found, in cell order; empty when the notebook is clean.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkNotebookText } from "./check_notebooks.ts";
 *
 * const problems = checkNotebookText("{", "notebooks/01_x.ipynb");
 * assert.equal(problems.length, 1);
 * assert.match(problems[0].message, /^expected valid JSON/);
 * ```
 */
export function checkNotebookText(text: string, notebook: string): NotebookProblem[] {
  const problems: NotebookProblem[] = [];
  let nb: Json;
  const problem = (cell: number | null, message: string) => {
    const line = cell === null || nb?.cells?.[cell]?.cell_type !== "code"
      ? undefined
      : firstLine(nb.cells[cell]);
    problems.push(
      line === undefined ? { notebook, cell, message } : { notebook, cell, line, message },
    );
  };
  try {
    nb = JSON.parse(text);
  } catch (error) {
    problem(null, `expected valid JSON, got ${error instanceof Error ? error.message : error}`);
    return problems;
  }
  if (!checkStructure(nb, problem)) return problems;

  const spec = isObject(nb.metadata) ? nb.metadata.kernelspec : undefined;
  const found = isObject(spec)
    ? { name: spec.name, display_name: spec.display_name, language: spec.language }
    : spec;
  if (JSON.stringify(found) !== JSON.stringify(DENO_KERNELSPEC)) {
    problem(
      null,
      `expected the kernelspec ${JSON.stringify(DENO_KERNELSPEC)}, got ${JSON.stringify(found)}`,
    );
  }
  const name = basename(notebook);
  if (!NOTEBOOK_NAME.test(name)) {
    problem(null, `expected a name like 01_sgd_vs_batch.ipynb, got ${JSON.stringify(name)}`);
  }
  const title = nb.cells[0];
  if (title?.cell_type !== "markdown" || !sourceText(title).startsWith("# ")) {
    problem(
      title === undefined ? null : 0,
      `expected a markdown title "# …" as the first cell, got ${
        title === undefined
          ? "no cell"
          : `a ${title.cell_type} cell ${JSON.stringify(sourceText(title).slice(0, 30))}`
      }`,
    );
  }

  const code: [number, Json][] = nb.cells
    .map((cell: Json, i: number) => [i, cell])
    .filter(([, cell]: [number, Json]) => cell.cell_type === "code");
  for (const [i, cell] of code) {
    const outputs: Json[] = Array.isArray(cell.outputs) ? cell.outputs : [];
    if (outputs.length > 0) {
      const kinds = [...new Set(outputs.map((o) => o?.output_type))].join(", ");
      problem(
        i,
        `expected no outputs, found ${outputs.length} (${kinds}); clear outputs before committing`,
      );
    }
    if ("execution_count" in cell && cell.execution_count !== null) {
      problem(i, `expected a null execution_count, found ${cell.execution_count}`);
    }
    for (const specifier of importSpecifiers(sourceText(cell))) {
      if (specifier === LIB_IMPORT) continue;
      problem(
        i,
        `expected imports only from "${LIB_IMPORT}", found ${
          specifier === null
            ? "a dynamic import of a computed specifier"
            : JSON.stringify(specifier)
        }${
          specifier !== null && /^(jsr|npm|https?):/.test(specifier)
            ? " (jsr:, npm: and https: imports are unreachable here)"
            : ""
        }`,
      );
    }
    const long = longLines(sourceText(cell));
    if (long.length > 0) {
      problem(
        i,
        `expected code lines of at most ${MAX_COLUMNS} columns, found ${long.length} longer (${
          long.map(([line, length]) => `line ${line}: ${length}`).join(", ")
        }); run deno fmt, then split what it cannot`,
      );
    }
  }

  const importing = code.filter(([, cell]) => hasStaticImport(sourceText(cell)));
  if (importing.length === 0) {
    problem(
      code[0]?.[0] ?? null,
      `expected the first code cell to import from "${LIB_IMPORT}", found no import cell`,
    );
  } else if (importing[0][0] !== code[0][0]) {
    problem(
      importing[0][0],
      `expected the imports in the first code cell (cell ${code[0][0]}), found them at cell ${
        importing[0][0]
      }`,
    );
  }
  for (const [i] of importing.slice(1)) {
    problem(
      i,
      `expected one import cell, found imports here too (the first is cell ${importing[0][0]})`,
    );
  }

  const tagged = code.filter(([, cell]) => cell.metadata?.tags?.includes?.("parameters"));
  const first = code.find(([, cell]) => !importsOnly(sourceText(cell)));
  if (tagged.length === 0) {
    problem(
      first?.[0] ?? null,
      `expected the first code cell after the imports to be tagged "parameters", found none`,
    );
  } else if (tagged.length > 1) {
    problem(
      tagged[1][0],
      `expected one cell tagged "parameters", found ${tagged.length} (cells ${
        tagged.map(([i]) => i).join(", ")
      })`,
    );
  } else if (first !== undefined && tagged[0][0] !== first[0]) {
    problem(
      first[0],
      `expected the first code cell after the imports ` +
        `to be tagged "parameters", found it at cell ${tagged[0][0]}`,
    );
  }
  if (tagged.length === 1) {
    const params = sourceText(tagged[0][1]);
    const missing = [
      ...(calls(params, "parameters") ? [] : ["parameters(…)"]),
      ...(calls(params, "new Prng") || SEED_PARAMETER.test(stripComments(params)) ? [] : ["seed"]),
    ];
    if (missing.length > 0) {
      problem(
        tagged[0][0],
        `expected the parameters cell to call parameters(…) and set the seed (new Prng(…), or a ` +
          `seed parameter such as numpySeed), found no ${missing.join(" and no ")}`,
      );
    }
  }
  const last = code.at(-1);
  if (last !== undefined && !calls(sourceText(last[1]), "recordResults")) {
    problem(last[0], "expected the last code cell to call recordResults(…), found none");
  }
  return problems.sort((a, b) => (a.cell ?? -1) - (b.cell ?? -1));
}

/**
 * One problem as a line: `<notebook>: cell <i> ('<first line>'): <message>`,
 * or `<notebook>: <message>` for the notebook as a whole.
 *
 * @param problem From {@linkcode checkNotebookText}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatProblem } from "./check_notebooks.ts";
 *
 * assert.equal(
 *   formatProblem({ notebook: "01_x.ipynb", cell: 3, line: "show(x);", message: "expected no outputs" }),
 *   "01_x.ipynb: cell 3 ('show(x);'): expected no outputs",
 * );
 * ```
 */
export function formatProblem(problem: NotebookProblem): string {
  const line = problem.line === undefined ? "" : ` ('${problem.line}')`;
  const cell = problem.cell === null ? "" : `cell ${problem.cell}${line}: `;
  return `${problem.notebook}: ${cell}${problem.message}`;
}

/**
 * The notebooks under the given paths: each path is an `.ipynb` file or a
 * folder whose `*.ipynb` files (not below it) are taken, sorted by name.
 *
 * @param paths Files or folders.
 * @returns Notebook paths as given (joined with the folder).
 * @throws {Deno.errors.NotFound} When a path does not exist.
 */
export function findNotebooks(paths: readonly string[]): string[] {
  const found: string[] = [];
  for (const path of paths) {
    if (Deno.statSync(path).isDirectory) {
      const names = [...Deno.readDirSync(path)]
        .filter((e) => e.isFile && e.name.endsWith(".ipynb") && !e.name.startsWith("."))
        .map((e) => e.name)
        .sort();
      found.push(...names.map((name) => join(path, name)));
    } else {
      found.push(path);
    }
  }
  return found;
}

/**
 * Checks every notebook under `paths` (see {@linkcode findNotebooks}).
 *
 * @param paths Files or folders; default `["notebooks"]` of the project.
 * @returns The notebooks checked and every problem found.
 */
export function checkNotebooks(
  paths: readonly string[] = [NOTEBOOKS_DIR],
): { notebooks: string[]; problems: NotebookProblem[] } {
  const notebooks = findNotebooks(paths);
  const problems: NotebookProblem[] = [];
  for (const path of notebooks) {
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      problems.push({
        notebook: path,
        cell: null,
        message: `cannot read: ${error instanceof Error ? error.message : error}`,
      });
      continue;
    }
    problems.push(...checkNotebookText(text, path));
  }
  return { notebooks, problems };
}

/**
 * The command line: checks the notebooks under `args` (default
 * `notebooks/`), prints each problem to stderr and a summary to stdout.
 *
 * @param args Paths of notebooks or folders.
 * @returns The exit code: 0 all clean, 1 a problem (or no notebook found), 2 a missing path.
 */
export function main(args: readonly string[]): number {
  const paths = args.length > 0 ? [...args] : [relative(Deno.cwd(), NOTEBOOKS_DIR) || "."];
  let result;
  try {
    result = checkNotebooks(paths);
  } catch (error) {
    console.error(
      `Cannot check notebooks: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 2;
  }
  const { notebooks, problems } = result;
  if (notebooks.length === 0) {
    console.error(`Cannot check notebooks: no .ipynb file in ${paths.join(", ")}`);
    return 1;
  }
  for (const problem of problems) console.error(formatProblem(problem));
  const dirty = new Set(problems.map((p) => p.notebook));
  if (dirty.size > 0) {
    console.error(
      `${dirty.size} of ${notebooks.length} notebooks need fixing (${
        [...dirty].map((p) => basename(p)).join(", ")
      })`,
    );
    return 1;
  }
  console.log(
    `${notebooks.length} notebooks clean: ${notebooks.map((p) => basename(p)).join(", ")}`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(main(Deno.args));
