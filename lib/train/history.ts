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
  /** Wall-clock seconds of the run, evaluations and progress callbacks included. */
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
