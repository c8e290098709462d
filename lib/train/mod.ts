/**
 * Training: the SGD optimizer, one training loop for per-sample, mini-batch
 * and full-batch gradient descent, stop rules, the run history, and
 * evaluation helpers.
 *
 * @module
 */

export * from "./optimizer.ts";
export * from "./stop_rules.ts";
export * from "./history.ts";
export * from "./count_correct.ts";
export * from "./evaluate.ts";
export * from "./train.ts";
