/**
 * Builds nbformat 4 notebooks for tests: code and markdown cells and a
 * notebook with the Deno kernelspec, committed clean unless told otherwise.
 *
 * @module
 */

/** One code cell as nbformat 4.5 stores it. */
export interface CodeCellJson {
  cell_type: "code";
  id: string;
  metadata: { tags?: string[] };
  execution_count: number | null;
  outputs: unknown[];
  source: string;
}

/** One markdown cell as nbformat 4.5 stores it. */
export interface MarkdownCellJson {
  cell_type: "markdown";
  id: string;
  metadata: Record<string, unknown>;
  source: string;
}

/** A notebook as nbformat 4.5 stores it. */
export interface NotebookJson {
  cells: (CodeCellJson | MarkdownCellJson)[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** The kernelspec `deno jupyter --install` registers. */
export const DENO_KERNELSPEC = { name: "deno", display_name: "Deno", language: "typescript" };

/**
 * A code cell: no outputs and no execution count unless given.
 *
 * @param source The cell's code.
 * @param options `tags` (e.g. `["parameters"]`), `outputs`, `executionCount`.
 */
export function codeCell(
  source: string,
  options: { tags?: string[]; outputs?: unknown[]; executionCount?: number | null } = {},
): CodeCellJson {
  return {
    cell_type: "code",
    id: crypto.randomUUID().slice(0, 8),
    metadata: options.tags === undefined ? {} : { tags: options.tags },
    execution_count: options.executionCount ?? null,
    outputs: options.outputs ?? [],
    source,
  };
}

/**
 * A markdown cell.
 *
 * @param source The cell's markdown.
 */
export function markdownCell(source: string): MarkdownCellJson {
  return { cell_type: "markdown", id: crypto.randomUUID().slice(0, 8), metadata: {}, source };
}

/**
 * A notebook with the Deno kernelspec and TypeScript language info.
 *
 * @param cells The cells, in order.
 */
export function notebookJson(cells: (CodeCellJson | MarkdownCellJson)[]): NotebookJson {
  return {
    cells,
    metadata: { kernelspec: { ...DENO_KERNELSPEC }, language_info: { name: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}
