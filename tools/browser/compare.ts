/**
 * What a notebook looks like after Run All, cell by cell, in the classic notebook page and in the
 * same notebook executed by nbclient, and the check that compares them: the same outputs under
 * the same cell, no error output, every plotly figure drawn, every image loaded, every progress
 * bar at its final state.
 *
 * The page side ({@linkcode PageCell}) is read from the front end's own output model
 * (`cell.output_area.outputs`) and the DOM under each cell by `tools/browser/run_in_browser.ts`;
 * the reference side is an nbformat notebook. Consecutive stream outputs of one stream are
 * counted as one on both sides (front ends and nbclient merge them differently).
 *
 * @module
 */

/** One output as the comparison sees it. */
export interface OutputSummary {
  /** `stream`, `display_data`, `execute_result` or `error`. */
  type: string;
  /** Stream name (`stdout`, `stderr`) for streams. */
  name?: string;
  /** `nnkit.kind` of the output's metadata: `plotly`, `image`, or absent. */
  kind?: string;
  /** `nnkit.figure`: the figure's name. */
  figure?: string;
  /** For progress bars: the `data-status` of the final state (`finished`, `failed`, `running`). */
  progress?: string;
}

/** One code cell of the page after the run. */
export interface PageCell {
  /** 0-based index among all cells of the notebook. */
  index: number;
  /** The front end's output model, summarised. */
  outputs: OutputSummary[];
  /** `.output_area` elements under the cell. */
  domOutputs: number;
  /** Error outputs shown (`.output_error` elements). */
  domErrors: number;
  /** Plotly figures (`.nnkit-figure`), each: drawn (`svg.main-svg` present, non-empty size). */
  figures: { drawn: boolean; width: number; height: number }[];
  /** Images (`img` elements and inline `svg` images outside figures): loaded, with their size. */
  images: { loaded: boolean; width: number; height: number; what: string }[];
  /** Progress bars (`.nnkit-progress`): their `data-status`. */
  progress: string[];
}

/** An nbformat v4 notebook, as much as the comparison reads. */
export interface NbformatNotebook {
  cells: {
    cell_type: string;
    source: string | string[];
    outputs?: {
      output_type: string;
      name?: string;
      data?: Record<string, unknown>;
      metadata?: Record<string, unknown>;
    }[];
  }[];
}

const PROGRESS_STATUS = /class="nnkit-progress" data-status="([a-z]+)"/;

/**
 * Summarises one nbformat output (reference side).
 *
 * @param output An output of an executed notebook.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summariseOutput } from "./compare.ts";
 *
 * const out = summariseOutput({
 *   output_type: "display_data",
 *   data: { "text/html": '<div class="nnkit-progress" data-status="finished">' },
 *   metadata: {},
 * });
 * assert.deepEqual(out, { type: "display_data", progress: "finished" });
 * ```
 */
export function summariseOutput(output: {
  output_type: string;
  name?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}): OutputSummary {
  const summary: OutputSummary = { type: output.output_type };
  if (output.output_type === "stream" && output.name) summary.name = output.name;
  const nnkit = output.metadata?.nnkit as { kind?: string; figure?: string } | undefined;
  if (nnkit?.kind) summary.kind = nnkit.kind;
  if (nnkit?.figure) summary.figure = nnkit.figure;
  const html = output.data?.["text/html"];
  const text = Array.isArray(html) ? html.join("") : typeof html === "string" ? html : "";
  const progress = PROGRESS_STATUS.exec(text);
  if (progress) summary.progress = progress[1];
  return summary;
}

/**
 * Merges runs of consecutive stream outputs of one stream into one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeStreams } from "./compare.ts";
 *
 * const merged = mergeStreams([
 *   { type: "stream", name: "stdout" }, { type: "stream", name: "stdout" },
 *   { type: "stream", name: "stderr" },
 * ]);
 * assert.equal(merged.length, 2);
 * ```
 */
export function mergeStreams(outputs: OutputSummary[]): OutputSummary[] {
  const merged: OutputSummary[] = [];
  for (const output of outputs) {
    const last = merged.at(-1);
    if (output.type === "stream" && last?.type === "stream" && last.name === output.name) continue;
    merged.push(output);
  }
  return merged;
}

function describe(output: OutputSummary): string {
  return output.type === "stream"
    ? `stream ${output.name}`
    : `${output.type}${output.figure ? ` ${output.kind ?? "figure"} ${output.figure}` : ""}${
      output.progress ? ` progress(${output.progress})` : ""
    }`;
}

function firstLine(source: string | string[]): string {
  const text = Array.isArray(source) ? source.join("") : source;
  const line = text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/** The outcome of {@linkcode compareWithReference}. */
export interface Comparison {
  /** One line per problem, naming the notebook, the cell, what was expected and what was found. */
  problems: string[];
  /** Outputs the reference has and the page lacks (summed over cells). */
  missing: number;
  /** Outputs under another cell, or of another kind, than in the reference (summed over cells). */
  misplaced: number;
  /** Outputs in the page compared (after merging streams). */
  outputs: number;
  /** Figures drawn, images loaded, progress bars seen. */
  figures: number;
  images: number;
  progressBars: number;
}

/**
 * Compares the page after Run All with the same notebook executed by nbclient.
 *
 * @param notebook Name for the messages, e.g. `"01_sgd_vs_batch"`.
 * @param page The page's code cells (see {@linkcode PageCell}).
 * @param reference The executed notebook (nbformat).
 * @returns Problems (empty when the page matches) and counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareWithReference } from "./compare.ts";
 *
 * const reference = { cells: [{ cell_type: "code", source: "1 + 1", outputs: [
 *   { output_type: "execute_result", data: { "text/plain": "2" }, metadata: {} }] }] };
 * const page = [{ index: 0, outputs: [], domOutputs: 0, domErrors: 0, figures: [], images: [], progress: [] }];
 * const { problems, missing } = compareWithReference("nb", page, reference);
 * assert.equal(missing, 1);
 * assert.match(problems[0], /nb: cell 0 \(1 \+ 1\): expected 1 output\(s\) \[execute_result\], found 0 \[\]/);
 * ```
 */
export function compareWithReference(
  notebook: string,
  page: PageCell[],
  reference: NbformatNotebook,
): Comparison {
  const problems: string[] = [];
  let missing = 0, misplaced = 0, outputs = 0, figures = 0, images = 0, progressBars = 0;
  const byIndex = new Map(page.map((cell) => [cell.index, cell]));
  reference.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const where = `${notebook}: cell ${index} (${firstLine(cell.source)})`;
    const expected = mergeStreams((cell.outputs ?? []).map(summariseOutput));
    const shown = byIndex.get(index);
    if (shown === undefined) {
      problems.push(`${where}: the page has no code cell at this index`);
      missing += expected.length;
      return;
    }
    const found = mergeStreams(shown.outputs);
    outputs += found.length;
    const want = expected.map(describe), got = found.map(describe);
    if (want.join("|") !== got.join("|")) {
      problems.push(
        `${where}: expected ${expected.length} output(s) [${
          want.join(", ")
        }], found ${found.length} [${got.join(", ")}]`,
      );
      // Outputs of the reference not found in order count as missing; extra ones as misplaced.
      const remaining = [...got];
      for (const w of want) {
        const at = remaining.indexOf(w);
        if (at >= 0) remaining.splice(at, 1);
        else missing++;
      }
      misplaced += remaining.length;
    }
    if (shown.domOutputs !== shown.outputs.length) {
      problems.push(
        `${where}: the output model holds ${shown.outputs.length} output(s) but ${shown.domOutputs} are shown`,
      );
    }
    const errors = shown.outputs.filter((o) => o.type === "error").length;
    if (errors > 0 || shown.domErrors > 0) {
      problems.push(
        `${where}: expected no error output, found ${Math.max(errors, shown.domErrors)}`,
      );
    }
    const wantFigures = expected.filter((o) => o.kind === "plotly").length;
    const drawn = shown.figures.filter((f) => f.drawn && f.width > 0 && f.height > 0).length;
    figures += drawn;
    if (drawn !== wantFigures || shown.figures.length !== wantFigures) {
      problems.push(
        `${where}: expected ${wantFigures} plotly figure(s) drawn, found ${drawn} drawn of ${shown.figures.length}`,
      );
    }
    const wantImages = expected.filter((o) => o.kind === "image").length;
    const loaded = shown.images.filter((i) => i.loaded && i.width > 0 && i.height > 0);
    images += loaded.length;
    const broken = shown.images.filter((i) => !(i.loaded && i.width > 0 && i.height > 0));
    if (broken.length > 0) {
      problems.push(
        `${where}: expected every image loaded, found ${broken.length} not loaded (${
          broken.map((i) => i.what).join(", ")
        })`,
      );
    }
    if (loaded.length < wantImages) {
      problems.push(`${where}: expected ${wantImages} image(s) loaded, found ${loaded.length}`);
    }
    const wantProgress = expected.filter((o) => o.progress).map((o) => o.progress!);
    progressBars += shown.progress.length;
    if (wantProgress.join(",") !== shown.progress.join(",")) {
      problems.push(
        `${where}: expected progress bar(s) at [${wantProgress.join(", ")}], found [${
          shown.progress.join(", ")
        }]`,
      );
    }
  });
  return { problems, missing, misplaced, outputs, figures, images, progressBars };
}
