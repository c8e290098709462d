/**
 * The layering check of `lib/`: the layer order as the README's Layout
 * section writes it, the imports of every file in `lib/`, and the imports
 * that break the order (an import of a layer higher up the list or of
 * another layer on the same line) or close a cycle between layers.
 *
 * @module
 */

/** A layer: a folder under `lib/` (`"native/"`) or a top-level file (`"dtypes.ts"`). */
export type Layer = string;

/** One import of a file: its specifier and the `lib/`-relative path it resolves to. */
export interface FileImport {
  /** The specifier as written, e.g. `"../tensor/matrix.ts"`. */
  specifier: string;
  /** The target relative to `lib/`, e.g. `"tensor/matrix.ts"`; `null` for a package or URL. */
  target: string | null;
}

/**
 * The layer order of the README's Layout section: the first fenced block
 * after `## Layout`, one row per line, bottom first; a row names its layers
 * (`lib/x/` or `lib/x.ts`) separated by `, ` and ends in two spaces before
 * its description.
 *
 * @param readme The README's text.
 * @returns The rows, bottom first, each a list of layers (`lib/` stripped).
 * @throws {Error} When the section, its block or a row cannot be read.
 */
export function parseLayerOrder(readme: string): Layer[][] {
  const section = readme.split(/^## /m).find((s) => s.startsWith("Layout\n"));
  if (section === undefined) {
    throw new Error('Cannot read the layer order: README has no "## Layout" section');
  }
  const block = section.match(/^```[^\n]*\n([\s\S]*?)^```/m);
  if (block === null) {
    throw new Error("Cannot read the layer order: the Layout section has no fenced block");
  }
  const rows: Layer[][] = [];
  for (const line of block[1].split("\n")) {
    if (line.trim() === "") continue;
    const m = line.match(/^(lib\/\S+?(?:, lib\/\S+?)*)(?: {2,}.*)?$/);
    if (m === null) {
      throw new Error(
        `Cannot read the layer order: expected "lib/a/, lib/b.ts  description", got "${line}"`,
      );
    }
    rows.push(m[1].split(", ").map((name) => name.slice("lib/".length)));
  }
  return rows;
}

/** Removes comments (keeping line breaks) so that imports in doc examples are not read. */
function stripComments(source: string): string {
  return source.replace(
    /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\[\s\S])*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g,
    (match, literal) => literal ?? match.replace(/[^\n]/g, " "),
  );
}

const STATIC_IMPORT =
  /^[ \t]*(?:import|export)\b(?:[^;"'`]|\n)*?\bfrom\s*["']([^"']+)["']|^[ \t]*import\s*["']([^"']+)["']/gm;

/**
 * The specifiers a TypeScript source imports statically: `import … from`,
 * `import type … from`, `export … from` and `import "…"` (comments skipped).
 *
 * @param source A module's text.
 */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of stripComments(source).matchAll(STATIC_IMPORT)) out.push(m[1] ?? m[2]);
  return out;
}

/**
 * Where a specifier of `lib/<file>` points, relative to `lib/` (`null` for
 * packages and URLs; a path leaving `lib/` starts with `../`, a layer of
 * none); `@/` is the import map's `lib/`.
 *
 * @param file The importing file, relative to `lib/`.
 * @param specifier As written.
 */
export function resolveInLib(file: string, specifier: string): string | null {
  let path: string;
  if (specifier.startsWith("@/")) path = specifier.slice(2);
  else if (specifier.startsWith("./") || specifier.startsWith("../")) {
    path = [...file.split("/").slice(0, -1), ...specifier.split("/")].join("/");
  } else return null;
  const parts: string[] = [];
  let up = 0; // levels above lib/ (a path outside lib/, in no layer)
  for (const part of path.split("/")) {
    if (part === "." || part === "") continue;
    if (part !== "..") parts.push(part);
    else if (parts.length > 0) parts.pop();
    else up++;
  }
  return "../".repeat(up) + parts.join("/");
}

/**
 * The layer of a file under `lib/`: its top folder (`"nn/"`) or itself.
 *
 * @param file Path relative to `lib/`.
 */
export function layerOf(file: string): Layer {
  const slash = file.indexOf("/");
  return slash === -1 ? file : file.slice(0, slash + 1);
}

/**
 * Every import that breaks the layer order, one message each naming file
 * and import: an import of a layer higher up the list or on the same row,
 * of a file in no layer, and (as their own messages) each cycle between
 * layers with the imports that close it. Imports within a layer are free.
 *
 * @param rows The layer order, bottom first ({@linkcode parseLayerOrder}).
 * @param imports Each file (relative to `lib/`) and its imports.
 * @returns The messages, empty when the layering holds.
 */
export function layeringViolations(
  rows: readonly (readonly Layer[])[],
  imports: ReadonlyMap<string, readonly FileImport[]>,
): string[] {
  const rowOf = new Map<Layer, number>();
  rows.forEach((row, i) => row.forEach((layer) => rowOf.set(layer, i)));
  const messages: string[] = [];
  const edges = new Map<Layer, Map<Layer, string>>(); // layer → layer → first import seen
  for (const [file, list] of [...imports].sort(([a], [b]) => a.localeCompare(b))) {
    const from = layerOf(file);
    const fromRow = rowOf.get(from);
    if (fromRow === undefined) {
      messages.push(`lib/${file}: its layer ${from} is not in the README's Layout list`);
      continue;
    }
    for (const { specifier, target } of list) {
      if (target === null) continue;
      const to = layerOf(target);
      if (to === from) continue;
      const where = `lib/${file} imports "${specifier}" (lib/${target})`;
      const toRow = rowOf.get(to);
      if (toRow === undefined) {
        messages.push(`${where}: layer ${to} is not in the README's Layout list`);
        continue;
      }
      if (toRow > fromRow) messages.push(`${where}: ${from} may not import ${to}, a higher layer`);
      else if (toRow === fromRow) {
        messages.push(`${where}: ${from} may not import ${to}, a layer on its own row`);
      }
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, where);
    }
  }
  for (const cycle of layerCycles(edges)) {
    const steps = cycle.map((layer, i) => edges.get(layer)!.get(cycle[(i + 1) % cycle.length])!);
    messages.push(
      `cycle between layers ${[...cycle, cycle[0]].join(" → ")}: ${steps.join("; ")}`,
    );
  }
  return messages;
}

/** One cycle through each strongly connected group of layers (Tarjan), as a list of layers. */
function layerCycles(edges: ReadonlyMap<Layer, ReadonlyMap<Layer, string>>): Layer[][] {
  const index = new Map<Layer, number>(), low = new Map<Layer, number>();
  const stack: Layer[] = [], onStack = new Set<Layer>(), groups: Layer[][] = [];
  const visit = (v: Layer) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of [...(edges.get(v)?.keys() ?? [])].sort()) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: Layer[] = [];
      let w: Layer;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group);
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  // A cycle inside each group: walk edges within the group from its first layer until one repeats.
  return groups.map((group) => {
    const inGroup = new Set(group);
    const path = [[...group].sort()[0]];
    for (;;) {
      const next = [...edges.get(path[path.length - 1])!.keys()].sort().find((w) =>
        inGroup.has(w)
      )!;
      const seen = path.indexOf(next);
      if (seen !== -1) return path.slice(seen);
      path.push(next);
    }
  });
}

/**
 * The static imports of every `.ts` file under a `lib/` folder.
 *
 * @param libDir Path of `lib/`.
 * @returns Each file (relative to `lib/`) and its imports.
 */
export async function readLibImports(libDir: string): Promise<Map<string, FileImport[]>> {
  const out = new Map<string, FileImport[]>();
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(`${libDir}/${dir}`)) {
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts")) {
        const source = await Deno.readTextFile(`${libDir}/${path}`);
        out.set(
          path,
          importSpecifiers(source).map((specifier) => ({
            specifier,
            target: resolveInLib(path, specifier),
          })),
        );
      }
    }
  };
  await walk("");
  return out;
}
