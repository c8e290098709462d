/**
 * Progress bars for long training runs: in a Jupyter notebook one display
 * updated in place (a `display_id`), in a terminal one line on stderr
 * rewritten with `\r`. Each shows the step count (e.g. `epoch 21/50`), the
 * loss, samples/s and the time left.
 *
 * Updates are throttled (default at most one every 250 ms, ~4/s), every sent
 * update is awaited, the final state is always sent by `finish()`, and
 * `fail()` marks the bar red with the error's message. In the kernel the
 * final send also waits until it has left the kernel (`sendDisplay()` in
 * `kernel.ts`; the Deno kernel can otherwise report the cell finished first
 * and the output is dropped); the kernel sends in order, so the earlier
 * updates have left by then too. The kernel is looked up when a bar is
 * created, never at import (`Deno.jupyter` throws outside the kernel).
 *
 * @example Wrap a training loop's progress callback
 * ```ts
 * import assert from "node:assert/strict";
 * import { withProgress } from "./progress.ts";
 *
 * const lines: string[] = [];
 * const result = await withProgress(
 *   { total: 3, label: "SGD", unit: "epoch", write: (text) => lines.push(text) },
 *   async (onProgress) => {
 *     for (let epoch = 1; epoch <= 3; epoch++) await onProgress({ epoch, loss: 1 / epoch });
 *     return "trained";
 *   },
 * );
 * assert.equal(result, "trained");
 * assert.match(lines.join(""), /epoch 3\/3 · loss 0\.3333/);
 * ```
 *
 * @module
 */

import type { Model } from "../nn/model.ts";
import type { LabeledData } from "../train/evaluate.ts";
import type { History } from "../train/history.ts";
import { train, type TrainOptions } from "../train/train.ts";
import { interruptSignal } from "./interrupt.ts";
import { type DisplayFunction, kernelDisplay, sendDisplay } from "./kernel.ts";

/** Numbers (or short texts) shown next to the bar, e.g. `{ loss: 0.21, acc: 0.93 }`. */
export interface ProgressInfo {
  /** Current loss. */
  loss?: number;
  /** Samples processed so far (for samples/s); default `done · samplesPerUnit`. */
  samples?: number;
  /** Any other value to show, by name. */
  [key: string]: number | string | undefined;
}

/**
 * What a training loop passes to its `onProgress` callback (the fields the
 * bar reads); `lib/train`'s `TrainProgress` is one.
 */
export interface TrainingProgress {
  /** Steps completed so far, possibly fractional (`lib/train`: 3.25 epochs). */
  done?: number;
  /** Epochs completed. */
  epoch?: number;
  /** Iterations (updates) completed. */
  iteration?: number;
  /** Samples processed so far. */
  samplesSeen?: number;
  /** Current loss. */
  loss?: number;
  /** Anything else; finite numbers whose name holds `acc` or `loss` (`valAcc`, `valLoss`) are shown. */
  [key: string]: unknown;
}

/** Options of {@linkcode progressBar}. */
export interface ProgressBarOptions {
  /** Number of steps (epochs, iterations, …) when complete; a positive integer. */
  total: number;
  /** Name shown before the bar; default `"progress"`. */
  label?: string;
  /** What a step is, e.g. `"epoch"` or `"iteration"`; default `"step"`. */
  unit?: string;
  /** Samples per step, for samples/s when updates don't pass `samples`. */
  samplesPerUnit?: number;
  /**
   * Send bundles here instead of to the kernel (tests, custom front ends):
   * the first with `update: false`, the others with `update: true`, all
   * with the bar's `display_id`.
   */
  display?: DisplayFunction<Record<string, string>>;
  /** Write terminal text here instead of stderr (selects terminal mode unless `display` is given). */
  write?: (text: string) => unknown;
  /** Clock in milliseconds; default `performance.now`. */
  now?: () => number;
  /** Least time between two sent updates, in ms; default 250 (10,000 when stderr is not a terminal). */
  minInterval?: number;
  /**
   * Ms to wait after the final send (finish/fail), instead of the default:
   * in the kernel, until the output has left it (`sendDisplay()` in
   * `kernel.ts`; the Deno kernel can report a cell idle before its outputs
   * are sent, and nbconvert then drops them), else 0.
   */
  settle?: number;
  /** Maps a training loop's progress state to `[done, info]`; default reads `done ?? epoch ?? iteration`. */
  progressOf?: (state: TrainingProgress) => [done: number, info: ProgressInfo];
}

/** A live progress bar; see {@linkcode progressBar}. */
export interface ProgressBar {
  /** Where it draws: `"notebook"` (a display updated in place) or `"terminal"`. */
  readonly mode: "notebook" | "terminal";
  /** Number of renders sent so far (throttled updates are not sent). */
  readonly sent: number;
  /**
   * Records `done` steps (and the info shown); sends it unless the last send
   * was less than `minInterval` ago. Resolves when the send is complete.
   */
  update(done: number, info?: ProgressInfo): Promise<void>;
  /** Marks the bar complete (green) and always sends the final state. */
  finish(info?: ProgressInfo): Promise<void>;
  /** Marks the bar failed (red, with the error's message) and sends it. */
  fail(error?: unknown): Promise<void>;
  /** A training loop callback: `onProgress(state)` → `update(...progressOf(state))`. */
  readonly onProgress: (state: TrainingProgress) => Promise<void>;
}

type Status = "running" | "finished" | "failed";

const COLORS: Record<Status, string> = {
  running: "#1f77b4",
  finished: "#2ca02c",
  failed: "#d62728",
};

/**
 * Formats a duration in seconds as `m:ss` or `h:mm:ss`.
 *
 * @param seconds A non-negative duration; anything else gives `"?"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./progress.ts";
 *
 * assert.equal(formatDuration(62.4), "1:02");
 * assert.equal(formatDuration(3723), "1:02:03");
 * assert.equal(formatDuration(Infinity), "?");
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const ss = String(r).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return x.toExponential(3);
  return x.toPrecision(4);
}

function formatRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (x >= 1e3) return `${(x / 1e3).toPrecision(3)}k`;
  return x >= 10 ? x.toFixed(0) : x.toPrecision(2);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function defaultProgressOf(state: TrainingProgress): [number, ProgressInfo] {
  const done = [state.done, state.epoch, state.iteration].find((v) => typeof v === "number");
  if (done === undefined) {
    throw new TypeError(
      `Cannot update progress bar: the progress state has no numeric done, epoch or iteration, got keys ${
        JSON.stringify(Object.keys(state))
      }; pass progressOf`,
    );
  }
  const info: ProgressInfo = {};
  if (typeof state.samplesSeen === "number") info.samples = state.samplesSeen;
  for (const [key, value] of Object.entries(state)) {
    if (/acc|loss/i.test(key) && typeof value === "number" && Number.isFinite(value)) {
      info[key] = value; // loss first: state keys keep their order
    }
  }
  return [done as number, info];
}

/**
 * Creates a progress bar: a display updated in place inside the Deno Jupyter
 * kernel (or with `options.display`), else one line on stderr (or
 * `options.write`) rewritten with `\r`.
 *
 * @param options `total` steps, `label`, `unit`, `samplesPerUnit`, `display`,
 *   `write`, `now`, `minInterval`, `progressOf`.
 * @returns The bar; await its methods.
 * @throws {RangeError} When `total` is not a positive integer or `minInterval` is negative.
 *
 * @example Notebook mode with a display function
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressBar } from "./progress.ts";
 *
 * const sent: Array<[Record<string, string>, { update?: boolean }]> = [];
 * let t = 0;
 * const bar = progressBar({
 *   total: 10,
 *   label: "GD",
 *   unit: "iteration",
 *   display: (bundle, options) => sent.push([bundle, options]),
 *   now: () => t,
 * });
 * for (let i = 1; i <= 10; i++, t += 100) await bar.update(i, { loss: 1 / i });
 * await bar.finish();
 * assert.equal(bar.mode, "notebook");
 * assert.ok(sent.length < 10); // throttled to one send per 250 ms of the fake clock
 * assert.equal(sent[0][1].update, false);
 * assert.match(sent.at(-1)![0]["text/plain"], /iteration 10\/10/);
 * ```
 */
export function progressBar(options: ProgressBarOptions): ProgressBar {
  const {
    total,
    label = "progress",
    unit = "step",
    samplesPerUnit,
    now = () => performance.now(),
    progressOf = defaultProgressOf,
  } = options;
  if (!Number.isInteger(total) || total < 1) {
    throw new RangeError(
      `Cannot create progress bar: total must be a positive integer, got ${total}`,
    );
  }
  const notebook = options.display !== undefined ||
    (options.write === undefined && kernelDisplay() !== undefined);
  // undefined: in the kernel, wait until the final output has left it (see kernel.ts)
  const settle = options.settle ?? (notebook && !options.display ? undefined : 0);
  let write = options.write;
  let rewrite = true; // terminal: rewrite one line with \r; else one line per send
  let columns = Infinity;
  if (!notebook && !write) {
    const stderr = Deno.stderr;
    rewrite = stderr.isTerminal();
    if (rewrite) {
      try {
        columns = Deno.consoleSize().columns - 1;
      } catch {
        // not a console after all: keep full lines
      }
    }
    const encoder = new TextEncoder();
    write = (text: string) => {
      const bytes = encoder.encode(text);
      for (let n = 0; n < bytes.length;) n += stderr.writeSync(bytes.subarray(n));
    };
  }
  const minInterval = options.minInterval ?? (rewrite || notebook ? 250 : 10_000);
  if (!(minInterval >= 0)) {
    throw new RangeError(
      `Cannot create progress bar: minInterval must be a non-negative number of ms, got ${minInterval}`,
    );
  }
  const displayId = `nnkit-progress-${crypto.randomUUID()}`;
  const start = now();
  let done = 0;
  let info: ProgressInfo = {};
  let status: Status = "running";
  let message = "";
  let sent = 0;
  let lastSentAt = -Infinity;
  let lastLength = 0;
  let queue: Promise<void> = Promise.resolve();

  function details(elapsed: number): string {
    const parts = [`${unit} ${Number.isInteger(done) ? done : done.toFixed(2)}/${total}`];
    for (const [key, value] of Object.entries(info)) {
      if (key === "samples" || value === undefined) continue;
      parts.push(`${key} ${typeof value === "number" ? formatNumber(value) : value}`);
    }
    const samples = info.samples ??
      (samplesPerUnit === undefined ? undefined : done * samplesPerUnit);
    const seconds = elapsed / 1000;
    if (seconds > 0 && done > 0) {
      if (samples !== undefined) parts.push(`${formatRate(samples / seconds)} samples/s`);
      else if (done / seconds >= 1) parts.push(`${formatRate(done / seconds)} ${unit}/s`);
      else parts.push(`${formatRate(seconds / done)} s/${unit}`);
    }
    if (status === "running") {
      const eta = done > 0 ? (seconds / done) * Math.max(0, total - done) : NaN;
      parts.push(`${formatDuration(seconds)} elapsed`, `ETA ${formatDuration(eta)}`);
    } else if (status === "finished") {
      parts.push(`done in ${formatDuration(seconds)}`);
    } else {
      parts.push(`failed after ${formatDuration(seconds)}: ${message}`);
    }
    return parts.join(" · ");
  }

  function render(): { text: string; html: string } {
    const fraction = Math.min(1, Math.max(0, done / total));
    const percent = Math.floor(fraction * 100);
    const width = 20, filled = Math.round(fraction * width);
    const text = `${label} ${"█".repeat(filled)}${"░".repeat(width - filled)} ${
      String(percent).padStart(3)
    }% ${details(now() - start)}`;
    const color = COLORS[status];
    const html = `<div class="nnkit-progress" data-status="${status}" ` +
      `style="font:12px/1.6 'DejaVu Sans Mono',Menlo,Consolas,monospace;display:flex;` +
      `align-items:center;gap:0.6em;flex-wrap:wrap">` +
      `<b>${escapeHtml(label)}</b>` +
      `<span style="display:inline-block;width:16em;height:0.9em;background:#e6e6e6;` +
      `border-radius:3px;overflow:hidden"><span style="display:block;height:100%;` +
      `width:${(fraction * 100).toFixed(1)}%;background:${color}"></span></span>` +
      `<span>${percent}%</span>` +
      `<span style="color:${status === "failed" ? color : "inherit"}">` +
      `${escapeHtml(details(now() - start))}</span></div>`;
    return { text, html };
  }

  async function emit(text: string, html: string, final: boolean): Promise<void> {
    if (notebook) {
      await sendDisplay({ "text/html": html, "text/plain": text }, {
        display: options.display, // undefined: the kernel's
        displayId,
        update: sent > 0,
        settleMs: final ? settle : 0,
        what: `progress bar ${label}`,
      });
      sent++;
      return;
    }
    let line = text.length > columns ? `${text.slice(0, columns - 1)}…` : text;
    if (rewrite) {
      const padding = " ".repeat(Math.max(0, lastLength - line.length));
      lastLength = line.length;
      line = `\r${line}${padding}${final ? "\n" : ""}`;
    } else {
      line = `${line}\n`;
    }
    await write!(line);
    sent++;
    if (final && (settle ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, settle));
  }

  /** Renders the state now and queues it behind the sends still in flight. */
  function send(): Promise<void> {
    lastSentAt = now();
    const { text, html } = render();
    const final = status !== "running";
    const sending = queue.then(() => emit(text, html, final));
    queue = sending.catch(() => {});
    return sending;
  }

  const bar: ProgressBar = {
    get mode() {
      return notebook ? "notebook" : "terminal";
    },
    get sent() {
      return sent;
    },
    update(steps: number, extra: ProgressInfo = {}): Promise<void> {
      if (status !== "running") {
        return Promise.reject(
          new Error(`Cannot update progress bar ${label}: it has already ${status}`),
        );
      }
      if (!Number.isFinite(steps) || steps < 0) {
        return Promise.reject(
          new RangeError(
            `Cannot update progress bar ${label}: done must be a non-negative number, got ${steps}`,
          ),
        );
      }
      done = steps;
      info = { ...info, ...extra };
      if (sent === 0 || done >= total || now() - lastSentAt >= minInterval) return send();
      return queue;
    },
    finish(extra: ProgressInfo = {}): Promise<void> {
      if (status !== "running") return queue;
      info = { ...info, ...extra };
      status = "finished";
      return send();
    },
    fail(error?: unknown): Promise<void> {
      if (status !== "running") return queue;
      status = "failed";
      message = error instanceof Error ? error.message : error === undefined ? "" : String(error);
      return send();
    },
    onProgress: async (state: TrainingProgress) => await bar.update(...progressOf(state)),
  };
  return bar;
}

/**
 * Runs `run(onProgress, bar)` with a progress bar: finishes the bar when it
 * returns, marks it failed and rethrows when it throws.
 *
 * @param options The bar's options (see {@linkcode progressBar}).
 * @param run The training, given the bar's `onProgress` callback.
 * @returns What `run` returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withProgress } from "./progress.ts";
 *
 * const out: string[] = [];
 * await assert.rejects(
 *   withProgress({ total: 5, write: (text) => out.push(text) }, () => {
 *     throw new Error("loss is NaN");
 *   }),
 *   /loss is NaN/,
 * );
 * assert.match(out.join(""), /failed after 0:00: loss is NaN\n$/);
 * ```
 */
export async function withProgress<T>(
  options: ProgressBarOptions,
  run: (onProgress: ProgressBar["onProgress"], bar: ProgressBar) => T | Promise<T>,
): Promise<T> {
  const bar = progressBar(options);
  let result: T;
  try {
    result = await run(bar.onProgress, bar);
  } catch (error) {
    await bar.fail(error).catch(() => {}); // the training's error matters more than the display's
    throw error;
  }
  await bar.finish();
  return result;
}

/** Options of {@linkcode trainWithProgress}: {@linkcode train}'s, plus the bar's label. */
export interface TrainWithProgressOptions extends TrainOptions {
  /** Name shown before the bar, e.g. `"per-sample SGD"`; default `"training"`. */
  label?: string;
  /**
   * Stop after the batch that passes this many seconds (`history.stoppedBy === "aborted"`,
   * history kept); default none.
   */
  timeBudgetSeconds?: number;
  /**
   * Stop on Kernel → Interrupt (see `interrupt.ts`); default `true`. Combined with `signal`
   * and `timeBudgetSeconds`: whichever comes first.
   */
  interruptible?: boolean;
}

/**
 * {@linkcode train} with a progress bar: one bar per run, sized from
 * `epochs` (iterations in full-batch GD), finished when training returns and
 * marked failed when it throws. An `onProgress` in the options is called
 * first, then the bar's.
 *
 * @param model Any model {@linkcode train} takes.
 * @param data Training set `{ X: [n, in], Y: [n, k] }`.
 * @param options {@linkcode train}'s options, the bar's `label`, `timeBudgetSeconds` and
 *   `interruptible` (Kernel → Interrupt stops the run; default `true`).
 * @returns The run's {@linkcode History}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { mlp } from "../nn/mlp.ts";
 * import { trainWithProgress } from "./progress.ts";
 *
 * const X = Matrix.from([[0, 1], [1, 0]]), Y = Matrix.from([[1, 0], [0, 1]]);
 * const net = mlp({ sizes: [2, 2], activations: ["softmax"], loss: "crossEntropy", prng: new Prng(1) });
 * const history = await trainWithProgress(net, { X, Y }, {
 *   epochs: 3, learningRate: 0.5, batchSize: "full", label: "tiny",
 * });
 * assert.equal(history.epochs, 3);
 * ```
 */
export async function trainWithProgress(
  model: Model,
  data: LabeledData,
  options: TrainWithProgressOptions,
): Promise<History> {
  const {
    label = "training",
    onProgress: own,
    timeBudgetSeconds,
    interruptible = true,
    ...trainOptions
  } = options;
  if (timeBudgetSeconds !== undefined && !(timeBudgetSeconds > 0)) {
    throw new RangeError(
      `Cannot train ${label}: timeBudgetSeconds must be a positive number of seconds, got ${timeBudgetSeconds}`,
    );
  }
  // The budget is checked against the clock at each progress call: a timer (AbortSignal.timeout)
  // would not fire while training yields only to microtasks.
  const budget = new AbortController();
  const deadline = timeBudgetSeconds === undefined
    ? Infinity
    : performance.now() + timeBudgetSeconds * 1000;
  const signals = [
    trainOptions.signal,
    interruptible ? interruptSignal() : undefined,
    budget.signal,
  ]
    .filter((s): s is AbortSignal => s !== undefined);
  trainOptions.signal = AbortSignal.any(signals);
  let lastYield = performance.now();
  const checkpoint = async () => {
    const now = performance.now();
    if (now >= deadline) {
      budget.abort(
        new DOMException(`Time budget of ${timeBudgetSeconds} s used`, "TimeoutError"),
      );
    }
    // Let the event loop run now and then, so that a SIGINT (Kernel → Interrupt) is seen.
    if (interruptible && now - lastYield >= 100) {
      lastYield = now;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  const full = trainOptions.batchSize === "full";
  const bar = {
    total: Math.max(1, trainOptions.epochs),
    label,
    unit: full ? "iteration" : "epoch",
    samplesPerUnit: data.X.rows,
  };
  return await withProgress(bar, (onProgress) =>
    train(model, data, {
      ...trainOptions,
      onProgress: async (state) => {
        if (own !== undefined) await own(state);
        await onProgress(state);
        await checkpoint();
      },
    }));
}
