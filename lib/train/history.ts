/**
 * What a training run records: one value per epoch (per iteration in
 * full-batch GD) for the training loss and accuracy, optional held-out and
 * full-training-set evaluations, optional per-update losses, evaluations
 * every N samples seen, and how and why the run ended. Plain arrays, ready
 * for a chart.
 *
 * @module
 */

/** Loss and accuracy measured every N samples seen (seed 003 Q1c). */
export interface EvaluationLog {
  /** Samples seen (trained on) when each evaluation was taken: 0, N, 2N, … */
  samplesSeen: number[];
  /** Loss on the whole training set at that moment. */
  trainLoss: number[];
  /** Accuracy on the whole training set. */
  trainAcc: number[];
  /** Loss on the held-out set (empty without `validation`). */
  valLoss: number[];
  /** Accuracy on the held-out set (empty without `validation`). */
  valAcc: number[];
}

/**
 * The record of one training run, returned by `train`.
 *
 * Per-epoch arrays have one entry per completed epoch (in full-batch GD one
 * per iteration). `loss` and `acc` are running values: each batch's loss and
 * predictions come from the forward pass of its own update, i.e. measured
 * just before that update (the way every seed printed them), combined as
 * `epochLoss` says. `trainLoss`/`trainAcc` (with `evaluateTrain`) and
 * `valLoss`/`valAcc` (with `validation`) are a separate forward pass over the
 * whole set after the epoch's updates (in full-batch GD: at the parameters
 * the iteration's `loss` was measured at, before its update).
 */
export interface History {
  /** Training loss per epoch (running; see `epochLoss`). */
  loss: number[];
  /** Training accuracy per epoch (running; empty when `runningAcc` is off). */
  acc: number[];
  /** Loss on the whole training set per epoch (with `evaluateTrain`, else empty). */
  trainLoss: number[];
  /** Accuracy on the whole training set per epoch (with `evaluateTrain`, else empty). */
  trainAcc: number[];
  /** Loss on `validation` per epoch (empty without it). */
  valLoss: number[];
  /** Accuracy on `validation` per epoch (empty without it). */
  valAcc: number[];
  /**
   * One value per update with `recordUpdates` (empty otherwise): the batch
   * loss (`"loss"`) or the running sum of batch losses since the epoch began
   * (`"runningSum"`, seed 000's `ERR`).
   */
  updateLoss: Float64Array;
  /** Evaluations every `evaluateEvery` samples (empty arrays without it). */
  evaluations: EvaluationLog;
  /** Epochs completed (iterations in full-batch GD). */
  epochs: number;
  /** Parameter updates made. */
  updates: number;
  /** Samples trained on, counting repeats across epochs. */
  samplesSeen: number;
  /** Why the run ended: `"epochs"` (budget used), a stop rule's `reason`, or `"aborted"`. */
  stoppedBy: string;
  /**
   * Wall-clock seconds of the run, evaluations and progress callbacks included; the one-time
   * preparation of the inputs (their sparse form, see `sparseInput`) is not.
   */
  seconds: number;
}

/**
 * An empty history, filled in by the training loop.
 *
 * @returns A history with empty arrays and zero counters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHistory } from "./history.ts";
 *
 * const history = createHistory();
 * assert.deepEqual(history.loss, []);
 * assert.equal(history.updateLoss.length, 0);
 * assert.equal(history.stoppedBy, "epochs");
 * ```
 */
export function createHistory(): History {
  return {
    loss: [],
    acc: [],
    trainLoss: [],
    trainAcc: [],
    valLoss: [],
    valAcc: [],
    updateLoss: new Float64Array(0),
    evaluations: { samplesSeen: [], trainLoss: [], trainAcc: [], valLoss: [], valAcc: [] },
    epochs: 0,
    updates: 0,
    samplesSeen: 0,
    stoppedBy: "epochs",
    seconds: 0,
  };
}

/** The last epoch record of a {@linkcode History} (see {@linkcode lastRecord}). */
export interface LastRecord {
  /** `history.loss` of the last epoch (iteration in full-batch GD). */
  loss: number;
  /** `history.acc` of the last epoch (NaN when running accuracy was off). */
  acc: number;
  /** `history.valLoss` of the last epoch (NaN without validation). */
  valLoss: number;
  /** `history.valAcc` of the last epoch (NaN without validation). */
  valAcc: number;
}

/**
 * The last epoch record: the final training loss and accuracy and, with
 * validation, the final held-out loss and accuracy.
 *
 * @param history A run's history with at least one epoch.
 * @returns `{ loss, acc, valLoss, valAcc }` (NaN for what was not recorded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHistory, lastRecord } from "./history.ts";
 *
 * const history = createHistory();
 * history.loss.push(0.9, 0.5);
 * history.acc.push(0.6, 0.8);
 * assert.deepEqual(lastRecord(history), { loss: 0.5, acc: 0.8, valLoss: NaN, valAcc: NaN });
 * ```
 */
export function lastRecord(history: History): LastRecord {
  const n = history.loss.length;
  if (n === 0) throw new RangeError("Cannot take the last record: the history has no epochs");
  const at = (values: number[]) => values.length === n ? values[n - 1] : NaN;
  return {
    loss: at(history.loss),
    acc: at(history.acc),
    valLoss: at(history.valLoss),
    valAcc: at(history.valAcc),
  };
}

/** The last entry of a {@linkcode History}'s evaluation log (see {@linkcode lastEvaluation}). */
export interface LastEvaluation {
  /** Samples seen when it was taken. */
  samplesSeen: number;
  /** Loss on the whole training set. */
  trainLoss: number;
  /** Accuracy on the whole training set. */
  trainAcc: number;
  /** Held-out loss (NaN without validation). */
  valLoss: number;
  /** Held-out accuracy (NaN without validation). */
  valAcc: number;
}

/**
 * The last of the evaluations taken every `evaluateEvery` samples.
 *
 * @param history A run's history with at least one evaluation.
 * @returns `{ samplesSeen, trainLoss, trainAcc, valLoss, valAcc }` (NaN for no validation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHistory, lastEvaluation } from "./history.ts";
 *
 * const history = createHistory();
 * const log = history.evaluations;
 * log.samplesSeen.push(0, 5000);
 * log.trainLoss.push(2.3, 0.7);
 * log.trainAcc.push(0.1, 0.8);
 * log.valLoss.push(2.4, 0.8);
 * log.valAcc.push(0.1, 0.75);
 * assert.deepEqual(lastEvaluation(history), {
 *   samplesSeen: 5000,
 *   trainLoss: 0.7,
 *   trainAcc: 0.8,
 *   valLoss: 0.8,
 *   valAcc: 0.75,
 * });
 * ```
 */
export function lastEvaluation(history: History): LastEvaluation {
  const log = history.evaluations, n = log.samplesSeen.length;
  if (n === 0) {
    throw new RangeError(
      "Cannot take the last evaluation: the history has none (train with evaluateEvery)",
    );
  }
  const at = (values: number[]) => values.length === n ? values[n - 1] : NaN;
  return {
    samplesSeen: log.samplesSeen[n - 1],
    trainLoss: at(log.trainLoss),
    trainAcc: at(log.trainAcc),
    valLoss: at(log.valLoss),
    valAcc: at(log.valAcc),
  };
}

/** Final scores of a seed-faithful run beside its corrected twin (see {@linkcode faithfulVsCorrected}). */
export interface FaithfulVsCorrected {
  /** What was run, e.g. `"full batch, 1,000 epochs"`. */
  run: string;
  /** Last evaluation's held-out accuracy of the seed-faithful run, 4 decimals. */
  testAccFaithful: number;
  /** The same for the corrected run. */
  testAccCorrected: number;
  /** Last evaluation's training loss of the seed-faithful run, 3 decimals. */
  trainLossFaithful: number;
  /** The same for the corrected run. */
  trainLossCorrected: number;
}

/**
 * One row of a "what the seed got wrong" table: the last evaluations (test
 * accuracy to 4 decimals, training loss to 3) of a seed-faithful run and of
 * its corrected twin.
 *
 * @param run The row's label.
 * @param faithful History of the seed-faithful run (with evaluations).
 * @param corrected History of the corrected run (with evaluations).
 * @returns The table row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHistory, faithfulVsCorrected } from "./history.ts";
 *
 * const run = (valAcc: number, trainLoss: number) => {
 *   const h = createHistory(), log = h.evaluations;
 *   log.samplesSeen.push(0);
 *   log.trainLoss.push(trainLoss);
 *   log.trainAcc.push(0);
 *   log.valLoss.push(0);
 *   log.valAcc.push(valAcc);
 *   return h;
 * };
 * assert.deepEqual(faithfulVsCorrected("full batch", run(0.06123, 75.61), run(0.91449, 0.3142)), {
 *   run: "full batch",
 *   testAccFaithful: 0.0612,
 *   testAccCorrected: 0.9145,
 *   trainLossFaithful: 75.61,
 *   trainLossCorrected: 0.314,
 * });
 * ```
 */
export function faithfulVsCorrected(
  run: string,
  faithful: History,
  corrected: History,
): FaithfulVsCorrected {
  const f = lastEvaluation(faithful), c = lastEvaluation(corrected);
  const round = (v: number, digits: number) => Number(v.toFixed(digits));
  return {
    run,
    testAccFaithful: round(f.valAcc, 4),
    testAccCorrected: round(c.valAcc, 4),
    trainLossFaithful: round(f.trainLoss, 3),
    trainLossCorrected: round(c.trainLoss, 3),
  };
}
