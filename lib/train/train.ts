/**
 * The training loop of every seed: per-sample SGD (`batchSize: 1`),
 * mini-batch SGD (`batchSize: 128`, reshuffled each epoch from a passed
 * `prng`) and full-batch gradient descent (`batchSize: "full"`), with stop
 * rules, a history per epoch (per iteration in full-batch GD), per-update
 * losses, evaluations every N samples seen, and an awaited progress callback.
 *
 * Each step is `loss = model.lossAndGrad(Xb, Yb)` then `sgdStep(model,
 * learningRate)`, or the model's fused `trainStep` when it has one (see
 * `fusedStep`); per-sample SGD in order runs whole runs of rows (up to the
 * next evaluation) through the model's `trainRows` when it has one (seed
 * 003's fused per-sample kernel). Batches are copied into workspaces allocated once, or, on
 * sparse inputs, read in place through the sample order (a
 * `SparseRowBatch`; the full batch is used in place), so after the first
 * epoch a step allocates nothing in this loop.
 *
 * Seed accounting that changes printed numbers is a named option:
 * `epochLoss: "seed001"` (seed 001 divided the sum of its 469 batch means by
 * 468), `epochLoss: "sum"` (seed 004's summed epoch loss),
 * `recordUpdates: "runningSum"` (seed 000's `ERR`), `evaluateEvery: 5000`
 * (seed 003 Q1c), `stop: lossChangeBelow(1e-5)` (seed 003 Q1a) and
 * `stop: lossRises()` (seed 004).
 *
 * @module
 */

import { acceptsSparseRows, type Model, type SparseInputModel } from "../nn/model.ts";
import { seed001EpochLoss } from "../nn/seed_bugs.ts";
import type { Prng } from "../random.ts";
import { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../dtypes.ts";
import { countNonZeros, SparseRowBatch, SparseRows, sparseRows } from "../tensor/sparse_rows.ts";
import { loadNativeKernels } from "../native/build.ts";
import { gatherRows } from "../native/gather.ts";
import { correctOf, evaluate, type Evaluation, type LabeledData } from "./evaluate.ts";
import { createHistory, type History } from "./history.ts";
import { sgdStep } from "./optimizer.ts";
import type { StopRule } from "./stop_rules.ts";

/**
 * How an epoch's `history.loss` is made from the batch losses `L_b` that
 * `lossAndGrad` returned (each measured just before its batch's update):
 *
 * - `"mean"` (default): the mean loss per sample over the epoch,
 *   `Σ_b n_b·L_b / N` for a model whose loss is a batch mean (`reduction`
 *   `"mean"` or none declared), `Σ_b L_b / N` for one that sums
 *   (`reduction: "sum"`). A last partial batch counts by its size.
 * - `"sum"`: the total over samples, `Σ_b n_b·L_b` (mean models) or `Σ_b L_b`
 *   (summing models) — seed 004's `loss_this_iter`, seed 000's epoch `ERR`.
 * - `"seed001"`: seed 001's accounting, the sum of the batch means over
 *   ⌊N / batchSize⌋ ({@linkcode seed001EpochLoss} in `lib/nn/seed_bugs.ts`
 *   says what the seed did and why it is wrong).
 */
export type EpochLoss = "mean" | "sum" | "seed001";

/** Which per-epoch loss the stop rules read. */
export type StopOn = "loss" | "trainLoss" | "valLoss";

/** What `train` passes to `onProgress`; `lib/jupyter/progress.ts`'s bars read it directly. */
export type TrainProgress = {
  /** `"batch"` inside an epoch, `"epoch"` once an epoch's record is in the history. */
  phase: "batch" | "epoch";
  /** Epochs completed (iterations in full-batch GD). */
  epoch: number;
  /** The epoch budget. */
  epochs: number;
  /** Fractional epochs completed, e.g. 3.25 a quarter into the fourth. */
  done: number;
  /** Batches completed in the current epoch. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Parameter updates so far. */
  iteration: number;
  /** Samples trained on so far. */
  samplesSeen: number;
  /** The current epoch's running loss so far (`epochLoss` accounting); at `"epoch"`, its record. */
  loss: number;
  /** The current epoch's running accuracy so far (NaN when `runningAcc` is off). */
  acc: number;
  /** At `"epoch"` with `validation`: the held-out loss of this record. */
  valLoss?: number;
  /** At `"epoch"` with `validation`: the held-out accuracy of this record. */
  valAcc?: number;
  /** The history so far (live; do not modify). */
  history: History;
};

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /** Epoch budget (iterations in full-batch GD), an integer ≥ 0. */
  epochs: number;
  /** Step size η of {@linkcode sgdStep}. */
  learningRate: number;
  /**
   * Samples per update: `1` is per-sample SGD, `n` a mini-batch, `"full"`
   * full-batch GD (the whole set, no copy, one update per iteration). A
   * number equal to the set size still runs as mini-batch SGD (shuffled,
   * recorded after the update).
   */
  batchSize: number | "full";
  /**
   * Reshuffle the sample order at the start of every epoch (needs `prng`).
   * Default `true` for numeric batch sizes; full-batch GD never shuffles.
   * `false` visits samples in order (seed 000's per-sample SGD).
   */
  shuffle?: boolean;
  /** Source of the shuffles (seeded, so a run repeats exactly). */
  prng?: Prng;
  /**
   * The last, smaller batch when `batchSize` does not divide the set: `"keep"`
   * (default) trains on it as one more update (seed 001: 468 batches of 128
   * and one of 96 per epoch; a mean-loss model takes a full-size step on
   * it), `"drop"` skips those samples this epoch (seed 003 Q1c's
   * `int(60000 / mini_batch)` batches; reshuffling rotates who is skipped).
   */
  lastBatch?: "keep" | "drop";
  /** Early stopping: the first rule that fires ends the run (see `stop_rules.ts`). */
  stop?: StopRule | readonly StopRule[];
  /** Which per-epoch loss the stop rules read; default `"loss"`. */
  stopOn?: StopOn;
  /** How the epoch loss is accounted; default `"mean"` (see {@linkcode EpochLoss}). */
  epochLoss?: EpochLoss;
  /**
   * Track the running training accuracy of the batch predictions (each made
   * just before its update, as seeds 001–003 printed it). Default `true`.
   * Free when the model exposes `lastOutput`; otherwise each batch also runs
   * `predict`.
   */
  runningAcc?: boolean;
  /** A held-out set scored at every epoch record (`history.valLoss`, `valAcc`). */
  validation?: LabeledData;
  /** Also score the whole training set at every epoch record (`trainLoss`, `trainAcc`). */
  evaluateTrain?: boolean;
  /**
   * Score the whole training set (and `validation`) every this many samples
   * seen, before the batch that follows, into `history.evaluations` (seed
   * 003 Q1c: 5,000; evaluations at 0, 5,000, 10,000 … when the batch size
   * divides it, else at the first batch boundary past each multiple). In
   * full-batch GD the training score is the iteration's own forward pass
   * (same parameters, same set) and the validation score its record's.
   */
  evaluateEvery?: number;
  /**
   * Record one value per update in `history.updateLoss`: `"loss"` (the batch
   * loss) or `"runningSum"` (the sum of batch losses since the epoch began,
   * seed 000's `ERR`, which it plotted as "cost vs iteration"). Allocates
   * `epochs × batches` doubles up front.
   */
  recordUpdates?: "loss" | "runningSum";
  /**
   * Called with the progress state after every epoch record, and after a
   * batch when `progressIntervalMs` have passed since the last call; a
   * returned promise is awaited (notebook displays must be awaited to reach
   * the front end). Throttle further in the callback (progress bars do).
   */
  onProgress?: (state: TrainProgress) => void | Promise<void>;
  /** Least ms between two mid-epoch `onProgress` calls; default 200 (0: every batch; Infinity: epochs only). */
  progressIntervalMs?: number;
  /** Ends the run after the current batch (`history.stoppedBy = "aborted"`), history kept. */
  signal?: AbortSignal;
  /**
   * Per-sample and mini-batch SGD call the model's fused `trainStep` (forward,
   * backward and update in one pass, no weight gradients materialised) when
   * it has one; the numbers are those of `lossAndGrad` + `sgdStep` up to
   * rounding. Default `true`; `false` forces `lossAndGrad` + `sgdStep`.
   * Full-batch GD always uses `lossAndGrad` + `sgdStep`, since it records and
   * checks the stop rules between the two.
   */
  fusedStep?: boolean;
  /**
   * Inputs without their zeros, for a model that takes {@linkcode SparseRows}
   * (an `Mlp`, seed 001's `BiasColumnNet`): the first layer's two products
   * per step then skip the zeros, and mini-batches are read in place through
   * the sample order instead of being copied. `"auto"` (default) converts
   * `data.X` once, at the start, when at most half its entries are non-zero
   * (MNIST: 19 %) and
   *
   * - full-batch GD: the first layer has at most 16 units (seed 002's
   *   784 → 10: 3× faster than OpenBLAS; for wider layers OpenBLAS wins:
   *   784 → 150 on 2,000 rows, 13 ms sparse against 5 ms dense);
   * - mini-batches: the first layer has at most 32 units, batches at least
   *   32 rows and the run at least 4 epochs. Measured (one MNIST epoch,
   *   float32, 2 cores): seed 001's 785 → 32 at batch 128, 74 ms sparse
   *   against 102 ms dense; 784 → 32 at batch 32, 105 against 116; 784 → 64
   *   even; 784 → 150 and batches of 8 or 1 lose (368 against 257 ms, 234
   *   against 158, 186 against 53 for 2,000 single samples). Converting
   *   MNIST's 60,000 × 785 takes about 0.1 s (2–4 epochs' saving).
   *
   * A model that `prefersSparseRows` (the one-layer `LinearModel`: every
   * product reads the inputs, and it reads a dense matrix by converting it)
   * gets them at any batch size and epoch count, and its `validation` set
   * too, so nothing is converted twice. Measured (6,000 MNIST rows, 784 →
   * 10, one thread, the conversion included): per-sample SGD 54 ms an epoch
   * against 85 ms as a dense `Mlp`; full batch 103 against 242 ms for 10
   * iterations; batches of 100 68 against 25 ms for one epoch, of which the
   * one conversion is 46 ms (22 ms of training: even from the second epoch).
   *
   * `true` always, `false` never. The results differ from the dense run
   * only in the order of the first layer's sums (rounding). Or the sparse
   * form itself (`sparseRows(X)`, built once for several runs on the same
   * data); it must have X's shape and hold X's values.
   */
  sparseInput?: "auto" | boolean | SparseRows;
}

/**
 * Trains `model` on `data` with SGD, in place, and returns what happened.
 *
 * Order of work in one epoch of per-sample or mini-batch SGD: (reshuffle) →
 * per batch: (evaluation if `evaluateEvery` is due) → `lossAndGrad` →
 * running accuracy → `sgdStep` → (progress) → after the last batch: the
 * epoch record (running loss and accuracy, `evaluateTrain`, `validation`) →
 * stop rules → progress. In full-batch GD an iteration records and checks
 * the stop rules BEFORE its update, so every record describes the
 * parameters it was measured at and a stop leaves exactly those (seed 003
 * Q1a); seed 002's "accuracy every 10 iterations" is `history.acc[i]`.
 *
 * @param model Any {@linkcode Model} (parameters updated in place).
 * @param data Training set `{ X: [n, in], Y: [n, k] }`, same dtype as the model.
 * @param options Epochs, learning rate, batch size and the rest of {@linkcode TrainOptions}.
 * @returns The {@linkcode History}.
 *
 * @example Mini-batch SGD on a tiny separable problem
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { mlp } from "../nn/mlp.ts";
 * import { train } from "./train.ts";
 *
 * const prng = new Prng(1);
 * const X = Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1], [0.1, 0.2], [0.9, 0.8]]);
 * const Y = Matrix.from([[1, 0], [1, 0], [0, 1], [0, 1], [1, 0], [0, 1]]);
 * const net = mlp({ sizes: [2, 2], activations: ["softmax"], loss: "crossEntropy", prng });
 * const history = await train(net, { X, Y }, { epochs: 200, batchSize: 4, learningRate: 1, prng });
 * assert.equal(history.loss.length, 200);
 * assert.equal(history.updates, 400); // 2 batches per epoch: 4 samples, then the last 2
 * assert.ok(history.loss[199] < history.loss[0]);
 * assert.equal(history.acc[199], 1);
 * ```
 */
export async function train(
  model: Model,
  data: LabeledData,
  options: TrainOptions,
): Promise<History> {
  const run = new Run(model, data, options);
  return await run.execute();
}

/** `sparseInput: "auto"` in full-batch GD converts only for first layers this narrow (see the option). */
const AUTO_SPARSE_MAX_UNITS = 16;
/** `sparseInput: "auto"` on mini-batches: the widest first layer, the smallest batch, the fewest epochs. */
const AUTO_SPARSE_BATCHES = { maxUnits: 32, minBatchSize: 32, minEpochs: 4 };

/** Whether the model reads sparse rows at any batch size (see `Model.prefersSparseRows`). */
function prefersSparseRows(model: Model): boolean {
  return acceptsSparseRows(model) && model.prefersSparseRows === true;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

/** One training run: validated options, workspaces and counters. */
class Run {
  readonly model: Model;
  readonly data: LabeledData;
  readonly X: Matrix;
  readonly Y: Matrix;
  readonly n: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly full: boolean;
  readonly batchSize: number;
  readonly batches: number;
  readonly epochSamples: number;
  readonly shuffle: boolean;
  readonly prng: Prng | undefined;
  readonly rules: readonly StopRule[];
  readonly stopOn: StopOn;
  readonly epochLoss: EpochLoss;
  /** Multiplier turning a batch loss into a per-sample total contribution: n_b (mean models) or 1. */
  readonly perSampleFactor: boolean;
  readonly runningAcc: boolean;
  readonly validation: LabeledData | undefined;
  readonly evaluateTrain: boolean;
  readonly evaluateEvery: number;
  readonly recordUpdates: "loss" | "runningSum" | undefined;
  readonly onProgress: ((state: TrainProgress) => void | Promise<void>) | undefined;
  readonly progressIntervalMs: number;
  readonly signal: AbortSignal | undefined;
  readonly fusedStep: boolean;
  readonly sparseInput: "auto" | boolean | SparseRows;
  readonly history: History;

  order: Uint32Array = new Uint32Array(0);
  updateBuffer: Float64Array = new Float64Array(0);
  nextEvaluation = 0;
  // Doubles start as non-integers so V8 gives these fields a double
  // representation from the outset (no field-type change in the hot loop).
  lastProgress = 0.5;
  /** Batch workspaces: full batches, and the last (partial) one. */
  Xb: Matrix = Matrix.zeros(0, 0);
  /** The mini-batches as a view of the sparse inputs (rows in `order`), when they are sparse. */
  sparseBatches: SparseRowBatch | undefined;
  /** The sets scored by evaluations: sparse for a model that `prefersSparseRows`. */
  trainSet: { readonly X: Matrix | SparseRows; readonly Y: Matrix };
  valSet: { readonly X: Matrix | SparseRows; readonly Y: Matrix } | undefined;
  /** Per-sample SGD in runs of rows through the model's `trainRows` (see `runRows`). */
  rowRuns = false;
  readonly rowTotals = new Float64Array(2);
  Yb: Matrix = Matrix.zeros(0, 0);
  Xr: Matrix = Matrix.zeros(0, 0);
  Yr: Matrix = Matrix.zeros(0, 0);
  rest = 0;
  fused = false;
  /** The current epoch's running sums: batch losses, per-sample total, correct, samples. */
  raw = 0.5;
  total = 0.5;
  correct = 0;
  seen = 0;

  constructor(model: Model, data: LabeledData, options: TrainOptions) {
    const where = "Cannot train";
    if (
      data === null || typeof data !== "object" || !(data.X instanceof Matrix) ||
      !(data.Y instanceof Matrix)
    ) {
      throw new TypeError(`${where}: data must be { X: Matrix, Y: Matrix }`);
    }
    const { X, Y } = data;
    if (X.rows !== Y.rows || X.rows === 0) {
      throw new RangeError(
        `${where}: X and Y must have the same positive number of rows, got ${
          formatShape(X.shape)
        } and ${formatShape(Y.shape)}`,
      );
    }
    if (Y.cols !== model.outputSize) {
      throw new RangeError(
        `${where}: Y must have ${model.outputSize} columns (the model's outputSize), got ${
          formatShape(Y.shape)
        }`,
      );
    }
    const { epochs, learningRate, batchSize } = options;
    if (!Number.isInteger(epochs) || epochs < 0) {
      throw new RangeError(`${where}: epochs must be an integer >= 0, got ${epochs}`);
    }
    if (!Number.isFinite(learningRate)) {
      throw new RangeError(`${where}: learningRate must be a finite number, got ${learningRate}`);
    }
    const n = X.rows;
    this.full = batchSize === "full";
    if (!this.full && (!Number.isInteger(batchSize) || (batchSize as number) < 1)) {
      throw new RangeError(
        `${where}: batchSize must be a positive integer or "full", got ${String(batchSize)}`,
      );
    }
    const bs = this.full ? n : Math.min(batchSize as number, n);
    const lastBatch = options.lastBatch ?? "keep";
    if (lastBatch !== "keep" && lastBatch !== "drop") {
      throw new TypeError(`${where}: lastBatch must be "keep" or "drop", got ${String(lastBatch)}`);
    }
    if (lastBatch === "drop" && !this.full && (batchSize as number) > n) {
      throw new RangeError(
        `${where}: lastBatch "drop" with batchSize ${batchSize} larger than the ${n} samples leaves no batch`,
      );
    }
    const drop = lastBatch === "drop";
    this.batches = this.full ? 1 : drop ? Math.floor(n / bs) : Math.ceil(n / bs);
    this.epochSamples = this.full ? n : drop ? this.batches * bs : n;
    this.shuffle = !this.full && (options.shuffle ?? true);
    if (this.shuffle && options.prng === undefined) {
      throw new TypeError(
        `${where}: shuffle needs a prng, pass { prng: new Prng(seed) } or { shuffle: false }`,
      );
    }
    const epochLoss = options.epochLoss ?? "mean";
    if (epochLoss !== "mean" && epochLoss !== "sum" && epochLoss !== "seed001") {
      throw new TypeError(
        `${where}: epochLoss must be "mean", "sum" or "seed001", got ${String(epochLoss)}`,
      );
    }
    if (epochLoss === "seed001" && !this.full && (batchSize as number) > n) {
      throw new RangeError(
        `${where}: epochLoss "seed001" divides by ⌊n / batchSize⌋, which is 0 for batchSize ${batchSize} and ${n} samples`,
      );
    }
    const stopOn = options.stopOn ?? "loss";
    if (stopOn !== "loss" && stopOn !== "trainLoss" && stopOn !== "valLoss") {
      throw new TypeError(
        `${where}: stopOn must be "loss", "trainLoss" or "valLoss", got ${String(stopOn)}`,
      );
    }
    if (stopOn === "valLoss" && options.validation === undefined) {
      throw new TypeError(`${where}: stopOn "valLoss" needs a validation set`);
    }
    if (stopOn === "trainLoss" && !options.evaluateTrain) {
      throw new TypeError(`${where}: stopOn "trainLoss" needs evaluateTrain: true`);
    }
    const validation = options.validation;
    if (validation !== undefined) {
      if (!(validation.X instanceof Matrix) || !(validation.Y instanceof Matrix)) {
        throw new TypeError(`${where}: validation must be { X: Matrix, Y: Matrix }`);
      }
      if (
        validation.X.rows !== validation.Y.rows || validation.X.rows === 0 ||
        validation.X.cols !== X.cols || validation.Y.cols !== Y.cols
      ) {
        throw new RangeError(
          `${where}: validation must be { X: [m, ${X.cols}], Y: [m, ${Y.cols}] } with m >= 1, got ${
            formatShape(validation.X.shape)
          } and ${formatShape(validation.Y.shape)}`,
        );
      }
    }
    const evaluateEvery = options.evaluateEvery ?? 0;
    if (
      options.evaluateEvery !== undefined && (!Number.isInteger(evaluateEvery) || evaluateEvery < 1)
    ) {
      throw new RangeError(
        `${where}: evaluateEvery must be a positive integer (samples), got ${options.evaluateEvery}`,
      );
    }
    const recordUpdates = options.recordUpdates;
    if (recordUpdates !== undefined && recordUpdates !== "loss" && recordUpdates !== "runningSum") {
      throw new TypeError(
        `${where}: recordUpdates must be "loss" or "runningSum", got ${String(recordUpdates)}`,
      );
    }
    const interval = options.progressIntervalMs ?? 200;
    if (!(interval >= 0)) {
      throw new RangeError(`${where}: progressIntervalMs must be >= 0, got ${interval}`);
    }
    const rules = options.stop === undefined
      ? []
      : Array.isArray(options.stop)
      ? [...options.stop as readonly StopRule[]]
      : [options.stop as StopRule];
    for (const rule of rules) {
      if (typeof rule?.shouldStop !== "function") {
        throw new TypeError(
          `${where}: stop must be a stop rule or a list of them (lossChangeBelow, lossRises, …)`,
        );
      }
    }

    this.model = model;
    this.data = { X, Y };
    this.X = X;
    this.Y = Y;
    this.n = n;
    this.epochs = epochs;
    this.learningRate = learningRate;
    this.batchSize = bs;
    this.prng = options.prng;
    this.rules = rules;
    this.stopOn = stopOn;
    this.epochLoss = epochLoss;
    this.perSampleFactor = (model as { readonly reduction?: string }).reduction !== "sum";
    this.runningAcc = options.runningAcc ?? true;
    this.validation = validation;
    this.evaluateTrain = options.evaluateTrain ?? false;
    this.evaluateEvery = evaluateEvery;
    this.recordUpdates = recordUpdates;
    this.onProgress = options.onProgress;
    this.progressIntervalMs = interval;
    this.signal = options.signal;
    this.fusedStep = options.fusedStep ?? true;
    const sparseInput = options.sparseInput ?? "auto";
    if (sparseInput instanceof SparseRows) {
      if (sparseInput.rows !== X.rows || sparseInput.cols !== X.cols) {
        throw new RangeError(
          `${where}: sparseInput must have X's shape ${formatShape(X.shape)}, got ${
            formatShape(sparseInput.shape)
          }`,
        );
      }
    } else if (sparseInput !== "auto" && typeof sparseInput !== "boolean") {
      throw new TypeError(
        `${where}: sparseInput must be "auto", true, false or SparseRows, got ${
          String(sparseInput)
        }`,
      );
    }
    this.sparseInput = sparseInput;
    this.history = createHistory();
    this.trainSet = this.data;
    this.valSet = validation;
  }

  async execute(): Promise<History> {
    // The native kernels (large activations, sparse products) when they build here, and the
    // inputs in the form the model trains on fastest: one-time preparation, outside `seconds`.
    await loadNativeKernels();
    const sparse = await this.sparseData();
    if (sparse !== undefined && prefersSparseRows(this.model)) {
      // Score in the form it trains on (the model would convert dense sets on every call).
      this.trainSet = { X: sparse, Y: this.Y };
      const v = this.validation;
      if (v !== undefined) this.valSet = { X: sparseRows(v.X), Y: v.Y };
    }
    const t0 = performance.now();
    this.lastProgress = t0;
    const history = this.history;
    if (this.recordUpdates !== undefined) {
      this.updateBuffer = new Float64Array(this.epochs * this.batches);
    }
    try {
      if (this.full) {
        await this.fullBatch(sparse);
      } else {
        this.prepareBatches(sparse);
        await this.miniBatch();
      }
    } finally {
      history.updateLoss = this.updateBuffer.subarray(0, history.updates);
      history.seconds = (performance.now() - t0) / 1000;
    }
    return history;
  }

  /** Turns a sum of batch losses (`raw`) and a per-sample total (`total`) into the epoch loss. */
  epochLossOf(raw: number, total: number, samples: number): number {
    switch (this.epochLoss) {
      case "mean":
        return total / samples;
      case "sum":
        return total;
      case "seed001":
        return seed001EpochLoss(raw, this.n, this.batchSize);
    }
  }

  /** Scores the training set (or one of `this.valSet`) at the current parameters. */
  score(set: { readonly X: Matrix | SparseRows; readonly Y: Matrix }): Evaluation {
    // Sparse sets only for models that take them (see execute).
    return evaluate(this.model as SparseInputModel, set);
  }

  /**
   * Appends an evaluation: the training set's score (`train` when already
   * known: full-batch GD's own forward pass) and validation's (`val`, when
   * already scored at these parameters).
   */
  evaluateDue(train?: Evaluation, val?: Evaluation): void {
    const { history } = this;
    const log = history.evaluations;
    const t = train ?? this.score(this.trainSet);
    log.samplesSeen.push(history.samplesSeen);
    log.trainLoss.push(t.loss);
    log.trainAcc.push(t.acc);
    if (this.valSet !== undefined) {
      const v = val ?? this.score(this.valSet);
      log.valLoss.push(v.loss);
      log.valAcc.push(v.acc);
    }
    const N = this.evaluateEvery;
    this.nextEvaluation = (Math.floor(history.samplesSeen / N) + 1) * N;
  }

  /** Appends an epoch record: `evaluateTrain`, `validation` and the running loss. */
  recordEvaluations(runningLoss: number): void {
    const { history } = this;
    if (this.evaluateTrain) {
      const t = this.score(this.trainSet);
      history.trainLoss.push(t.loss);
      history.trainAcc.push(t.acc);
    }
    if (this.valSet !== undefined) {
      const v = this.score(this.valSet);
      history.valLoss.push(v.loss);
      history.valAcc.push(v.acc);
    }
    history.loss.push(runningLoss);
  }

  /** The first stop rule that fires on the monitored series, or undefined. */
  stopReason(): string | undefined {
    const h = this.history;
    const series = this.stopOn === "loss"
      ? h.loss
      : this.stopOn === "trainLoss"
      ? h.trainLoss
      : h.valLoss;
    for (const rule of this.rules) if (rule.shouldStop(series)) return rule.reason;
    return undefined;
  }

  async progress(
    phase: "batch" | "epoch",
    batch: number,
    loss: number,
    acc: number,
  ): Promise<void> {
    const h = this.history;
    const state: TrainProgress = {
      phase,
      epoch: h.epochs,
      epochs: this.epochs,
      done: h.epochs + (phase === "batch" ? batch / this.batches : 0),
      batch,
      batches: this.batches,
      iteration: h.updates,
      samplesSeen: h.samplesSeen,
      loss,
      acc,
      history: h,
    };
    if (phase === "epoch" && this.validation !== undefined && h.valLoss.length > 0) {
      state.valLoss = h.valLoss[h.valLoss.length - 1];
      state.valAcc = h.valAcc[h.valAcc.length - 1];
    }
    const result = this.onProgress!(state);
    if (isThenable(result)) await result;
    this.lastProgress = performance.now();
  }

  /**
   * The inputs as {@linkcode SparseRows} when the model takes them and
   * `sparseInput` says so (see that option), else `undefined`.
   */
  async sparseData(): Promise<SparseRows | undefined> {
    if (!acceptsSparseRows(this.model) || this.sparseInput === false) return undefined;
    if (this.sparseInput instanceof SparseRows) {
      await loadNativeKernels();
      return this.sparseInput;
    }
    await loadNativeKernels();
    if (this.sparseInput === "auto" && !prefersSparseRows(this.model)) {
      const units = this.model.inputLayerUnits, auto = AUTO_SPARSE_BATCHES;
      const worth = this.full
        ? units <= AUTO_SPARSE_MAX_UNITS
        : units <= auto.maxUnits && this.batchSize >= auto.minBatchSize &&
          this.epochs >= auto.minEpochs;
      if (!worth || countNonZeros(this.X) > this.X.size / 2) return undefined;
    }
    return sparseRows(this.X);
  }

  async fullBatch(sparse: SparseRows | undefined): Promise<void> {
    const { model, X, Y, n, history } = this;
    const step = sparse !== undefined && acceptsSparseRows(model)
      ? () => model.lossAndGrad(sparse, Y)
      : () => model.lossAndGrad(X, Y);
    const factor = this.perSampleFactor ? n : 1;
    for (let it = 0; it < this.epochs; it++) {
      if (this.signal?.aborted) {
        history.stoppedBy = "aborted";
        return;
      }
      const L = step();
      // The whole set at the pre-update parameters is what lossAndGrad just scored.
      const due = this.evaluateEvery > 0 && history.samplesSeen >= this.nextEvaluation;
      const acc = this.runningAcc || this.evaluateTrain || due ? correctOf(model, X, Y) / n : NaN;
      const val = this.valSet !== undefined ? this.score(this.valSet) : undefined;
      if (due) this.evaluateDue({ loss: L, acc }, val);
      const loss = this.epochLossOf(L, L * factor, n);
      if (this.runningAcc) history.acc.push(acc);
      if (this.evaluateTrain) {
        history.trainLoss.push(L);
        history.trainAcc.push(acc);
      }
      if (val !== undefined) {
        history.valLoss.push(val.loss);
        history.valAcc.push(val.acc);
      }
      history.loss.push(loss);
      history.epochs++;
      const reason = this.stopReason();
      if (reason !== undefined) {
        history.stoppedBy = reason;
        if (this.onProgress !== undefined) await this.progress("epoch", 1, loss, acc);
        return;
      }
      sgdStep(model, this.learningRate);
      if (this.recordUpdates !== undefined) this.updateBuffer[history.updates] = L;
      history.updates++;
      history.samplesSeen += n;
      if (this.onProgress !== undefined) await this.progress("epoch", 1, loss, acc);
    }
  }

  async miniBatch(): Promise<void> {
    const { history, batches } = this;
    const onProgress = this.onProgress;
    for (let epoch = 0; epoch < this.epochs; epoch++) {
      if (this.shuffle) this.prng!.shuffle(this.order);
      this.raw =
        this.total =
        this.correct =
        this.seen =
          0;
      let b = 0;
      while (b < batches) {
        b = this.runBatches(b);
        if (b < 0) {
          history.stoppedBy = "aborted";
          return;
        }
        if (b < batches) {
          await this.progress(
            "batch",
            b,
            this.epochLossOf(this.raw, this.total, this.seen),
            this.epochAcc(),
          );
        }
      }
      const loss = this.epochLossOf(this.raw, this.total, this.seen);
      const acc = this.epochAcc();
      if (this.runningAcc) history.acc.push(acc);
      this.recordEvaluations(loss);
      history.epochs++;
      const reason = this.stopReason();
      if (reason !== undefined) history.stoppedBy = reason;
      if (onProgress !== undefined) await this.progress("epoch", batches, loss, acc);
      if (reason !== undefined) return;
    }
  }

  epochAcc(): number {
    return this.runningAcc ? this.correct / this.seen : NaN;
  }

  /**
   * Allocates the batch workspaces and the sample order (once per run); on
   * sparse inputs the X batches are a view of them instead of copies.
   */
  prepareBatches(sparse: SparseRows | undefined): void {
    const { X, Y, batchSize: bs, batches, n } = this;
    this.order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    this.rest = this.epochSamples - (batches - 1) * bs;
    if (sparse !== undefined) {
      this.sparseBatches = new SparseRowBatch(sparse, this.order);
    } else {
      this.Xb = Matrix.zeros(bs, X.cols, X.dtype);
      this.Xr = this.rest === bs ? this.Xb : Matrix.zeros(this.rest, X.cols, X.dtype);
    }
    this.Yb = Matrix.zeros(bs, Y.cols, Y.dtype);
    this.Yr = this.rest === bs ? this.Yb : Matrix.zeros(this.rest, Y.cols, Y.dtype);
    // The fused step updates before we could score the batch, so it needs
    // lastOutput (or its own count, lastCorrect) for that.
    const model = this.model;
    this.fused = this.fusedStep && typeof model.trainStep === "function" &&
      (!this.runningAcc || "lastOutput" in model || "lastCorrect" in model);
    // Per-sample SGD in order, nothing recorded per update: whole runs of rows in one call.
    this.rowRuns = this.fused && bs === 1 && !this.shuffle && sparse !== undefined &&
      this.recordUpdates === undefined && acceptsSparseRows(model) &&
      typeof model.trainRows === "function";
  }

  /**
   * The hot loop, synchronous (an async function would box its running sums
   * on every step): trains batches `from, from + 1, …` of the current epoch
   * until the epoch ends or a mid-epoch progress call is due.
   *
   * @returns The next batch index (`batches` at the end of the epoch), or −1 when aborted.
   */
  runBatches(from: number): number {
    if (this.rowRuns) return this.runRows(from);
    const { model, history, batchSize: bs, batches, rest, Xb, Yb, Xr, Yr, order } = this;
    // Sparse batches go only to models that take them (see sparseData), so
    // `step` may be called with either kind of batch.
    const sparse = this.sparseBatches, step = model as SparseInputModel;
    const xs = this.X.data, ys = this.Y.data, xc = this.X.cols, yc = this.Y.cols;
    const lr = this.learningRate, trackAcc = this.runningAcc, fused = this.fused;
    const perSample = this.perSampleFactor;
    const record = this.recordUpdates !== undefined, running = this.recordUpdates === "runningSum";
    const updates = this.updateBuffer, evaluateEvery = this.evaluateEvery, signal = this.signal;
    const progress = this.onProgress !== undefined, interval = this.progressIntervalMs;
    let raw = this.raw, total = this.total, correct = this.correct, seen = this.seen;
    let b = from;
    while (b < batches) {
      if (signal !== undefined && signal.aborted) {
        b = -1;
        break;
      }
      if (evaluateEvery > 0 && history.samplesSeen >= this.nextEvaluation) this.evaluateDue();
      const last = b === batches - 1;
      const rows = last ? rest : bs;
      const Ybatch = last ? Yr : Yb;
      let Xbatch: Matrix | SparseRowBatch;
      if (sparse !== undefined) {
        Xbatch = sparse.select(b * bs, rows);
      } else {
        Xbatch = last ? Xr : Xb;
        gatherRows(xs, xc, order, b * bs, rows, Xbatch.data);
      }
      gatherRows(ys, yc, order, b * bs, rows, Ybatch.data);
      let L: number;
      if (fused) {
        L = step.trainStep!(Xbatch, Ybatch, lr);
      } else {
        L = step.lossAndGrad(Xbatch, Ybatch);
      }
      if (trackAcc) correct += correctOf(step, Xbatch, Ybatch);
      if (!fused) sgdStep(model, lr);
      raw += L;
      total += perSample ? L * rows : L;
      seen += rows;
      if (record) updates[history.updates] = running ? raw : L;
      history.updates++;
      history.samplesSeen += rows;
      b++;
      if (progress && !last && performance.now() - this.lastProgress >= interval) break;
    }
    this.raw = raw;
    this.total = total;
    this.correct = correct;
    this.seen = seen;
    return b;
  }

  /**
   * {@linkcode runBatches} for per-sample SGD in order through the model's
   * fused `trainRows`: one call per run of rows up to the next evaluation
   * (or the epoch's end), so an abort or a progress call waits for the run.
   * The run's losses are summed by the model, then added to the epoch's.
   */
  runRows(from: number): number {
    const { history, batches } = this;
    const trainRows = (this.model as SparseInputModel).trainRows!,
      X = this.sparseBatches!.source,
      Y = this.Y;
    const totals = this.rowTotals, evaluateEvery = this.evaluateEvery;
    const progress = this.onProgress !== undefined, interval = this.progressIntervalMs;
    let b = from;
    while (b < batches) {
      if (this.signal !== undefined && this.signal.aborted) return -1;
      if (evaluateEvery > 0 && history.samplesSeen >= this.nextEvaluation) this.evaluateDue();
      const until = evaluateEvery > 0
        ? Math.min(batches, b + Math.max(1, this.nextEvaluation - history.samplesSeen))
        : batches;
      totals[0] = totals[1] = 0;
      trainRows(X, Y, b, until, this.learningRate, totals);
      this.raw += totals[0];
      this.total += totals[0];
      this.correct += totals[1];
      this.seen += until - b;
      history.updates += until - b;
      history.samplesSeen += until - b;
      b = until;
      if (progress && b < batches && performance.now() - this.lastProgress >= interval) break;
    }
    return b;
  }
}
