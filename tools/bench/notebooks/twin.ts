/**
 * The contract between `deno task bench notebooks` and one notebook's pair of
 * schedules: the notebook's computational work run through `lib/` (no
 * Jupyter, no figures) and a NumPy transcription of the same work, in
 * `tools/bench/notebooks/<case>.py`.
 *
 * Each `tools/bench/notebooks/<case>.ts` module exports `twin`, a
 * {@linkcode NotebookTwin}. The runner (`tools/bench/notebooks/run.ts`) runs
 * `ours(schedule)`, hands its `inputs` (initial weights, shuffle orders…) to
 * the Python module's `run(schedule, inputs)`, and compares the two
 * `metrics` with `tolerance` in the equivalence test (short schedule) and
 * their `seconds` in the benchmark (full schedule).
 *
 * @module
 */

/** `full`: the notebook's full configuration. `short`: a few seconds' worth, for the equivalence test. */
export type Schedule = "full" | "short";

/** Arrays the NumPy side needs to do the same work (its initial weights, the shuffle order…). */
export type TwinInputs = Record<string, Float64Array | Float32Array | Int32Array | Uint8Array>;

/** What one side of a twin returns. */
export interface TwinResult {
  /** Wall seconds of the schedule's work, data loading excluded. */
  seconds: number;
  /** Final numbers to compare between the sides (accuracies, losses…). */
  metrics: Record<string, number>;
}

/** What `ours` returns: its result and the inputs for the NumPy side. */
export interface OursResult extends TwinResult {
  /** Arrays handed to the NumPy side, drawn by `lib/` so both sides start alike. */
  inputs: TwinInputs;
}

/** One notebook's schedule through `lib/` and in NumPy. */
export interface NotebookTwin {
  /** Case name in `reports/bench_notebooks.json`, e.g. `01_sgd_vs_batch`. */
  case: string;
  /** Runs the schedule through `lib/`. */
  ours(schedule: Schedule): Promise<OursResult>;
  /** Path of the Python module whose `run(schedule, inputs)` returns `{seconds, metrics}`. */
  numpy: string;
  /** Largest absolute difference allowed per metric in the equivalence test. */
  tolerance: Record<string, number>;
}
