/**
 * Stop rules: decide from the sequence of recorded losses whether training
 * should end before its epoch budget. A rule is a small object with a
 * `reason` (recorded in the history as `stoppedBy`) and a pure `shouldStop`
 * over the losses so far, so it can be tested on synthetic sequences.
 *
 * The training loop checks its rules every time it appends a loss to the
 * history: after each epoch in per-sample and mini-batch SGD, and in
 * full-batch GD after each iteration's loss is known but before that
 * iteration's update (so the final parameters are the ones the last recorded
 * loss was measured at, exactly as seed 003's `while` loop left them).
 *
 * @module
 */

/** A rule that ends training early; see {@linkcode lossChangeBelow} and {@linkcode lossRises}. */
export interface StopRule {
  /** Why training stopped, e.g. `"abs(Δloss) <= 0.00001"`; becomes `history.stoppedBy`. */
  readonly reason: string;
  /**
   * Whether to stop now, given every loss recorded so far (oldest first, the
   * newest last).
   *
   * @param losses The loss history, one value per epoch (per iteration in full-batch GD).
   */
  shouldStop(losses: ArrayLike<number>): boolean;
}

/**
 * Stops when the loss changes by at most `tol` between two consecutive
 * records: `|losses[t] − losses[t−1]| ≤ tol` (seed 003 Q1a trained `while
 * np.abs(loss[i] − loss[i+1]) > 1e-5`, i.e. it stopped at `≤`). Never fires
 * on the first record.
 *
 * @param tol Tolerance, a positive number (seed 003: `1e-5`).
 * @returns The rule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lossChangeBelow } from "./stop_rules.ts";
 *
 * const rule = lossChangeBelow(1e-5);
 * assert.equal(rule.shouldStop([0.5, 0.4]), false);
 * assert.equal(rule.shouldStop([0.5, 0.4, 0.400001]), true);
 * assert.equal(rule.reason, "abs(Δloss) <= 0.00001");
 * ```
 */
export function lossChangeBelow(tol: number): StopRule {
  if (!(tol > 0) || !Number.isFinite(tol)) {
    throw new RangeError(`Cannot create stop rule lossChangeBelow: tol must be > 0, got ${tol}`);
  }
  return {
    reason: `abs(Δloss) <= ${tol}`,
    shouldStop(losses: ArrayLike<number>): boolean {
      const t = losses.length - 1;
      return t >= 1 && Math.abs(losses[t] - losses[t - 1]) <= tol;
    },
  };
}

/**
 * Stops as soon as the loss rises: `losses[t] > losses[t−1]` (seed 004
 * ended after the first epoch whose summed loss exceeded the previous
 * epoch's; the parameters of that worse epoch are kept, as in the seed).
 * Equal losses do not stop. Never fires on the first record.
 *
 * @returns The rule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lossRises } from "./stop_rules.ts";
 *
 * const rule = lossRises();
 * assert.equal(rule.shouldStop([2888.9, 2857.9]), false);
 * assert.equal(rule.shouldStop([958.8, 951.7, 955.5]), true);
 * ```
 */
export function lossRises(): StopRule {
  return {
    reason: "loss rose",
    shouldStop(losses: ArrayLike<number>): boolean {
      const t = losses.length - 1;
      return t >= 1 && losses[t] > losses[t - 1];
    },
  };
}

/**
 * Stops when the loss is not finite (NaN or ±∞): a diverged run (e.g. seed
 * 003's learning rate 1) wastes no more epochs.
 *
 * @returns The rule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lossNotFinite } from "./stop_rules.ts";
 *
 * assert.equal(lossNotFinite().shouldStop([1.2, NaN]), true);
 * assert.equal(lossNotFinite().shouldStop([1.2, 0.8]), false);
 * ```
 */
export function lossNotFinite(): StopRule {
  return {
    reason: "loss not finite",
    shouldStop(losses: ArrayLike<number>): boolean {
      return losses.length > 0 && !Number.isFinite(losses[losses.length - 1]);
    },
  };
}
