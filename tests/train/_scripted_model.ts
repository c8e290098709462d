/**
 * A test double for the training loops: a {@linkcode Model} whose inputs are
 * sample ids (`X[i, 0] = i`), that records every batch it is given and
 * returns a scripted loss, so the loops' bookkeeping can be checked exactly.
 *
 * Its one parameter `w` starts at 0 and its gradient is always 1, so after
 * `u` SGD updates with learning rate η, `w = −u·η`: the parameter counts
 * the updates actually applied.
 *
 * @module
 */

import { Matrix } from "../../lib/tensor/matrix.ts";
import type { Model } from "../../lib/nn/model.ts";

/** Inputs `[n, 1]` holding the ids 0..n-1 and one-hot targets `[n, 2]` of parity. */
export function idData(n: number): { X: Matrix; Y: Matrix } {
  const X = Matrix.zeros(n, 1), Y = Matrix.zeros(n, 2);
  for (let i = 0; i < n; i++) {
    X.data[i] = i;
    Y.set(i, i % 2, 1);
  }
  return { X, Y };
}

/** What the scripted loss sees: the batch's sample ids and the updates made so far. */
export type LossScript = (ids: readonly number[], updates: number) => number;

/** See the module doc. */
export class ScriptedModel implements Model {
  readonly params: Matrix[] = [Matrix.zeros(1, 1)];
  readonly grads: Matrix[] = [Matrix.full(1, 1, 1)];
  readonly outputSize = 2;
  /** `"mean"` or `"sum"`, read by the loop's epoch-loss accounting. */
  readonly reduction: "mean" | "sum";
  /** Every `lossAndGrad` batch, as sample ids. */
  readonly batches: number[][] = [];
  /** Calls of `predict` and `loss`. */
  predictCalls = 0;
  lossCalls = 0;
  /** Without a cache the loop must call `predict` to score a batch. */
  readonly cacheOutput: boolean;
  #out: Matrix | undefined;
  readonly #script: LossScript;
  readonly #learningRate: number;

  constructor(
    script: LossScript,
    options: { reduction?: "mean" | "sum"; learningRate?: number; cacheOutput?: boolean } = {},
  ) {
    this.#script = script;
    this.reduction = options.reduction ?? "mean";
    this.#learningRate = options.learningRate ?? 1;
    this.cacheOutput = options.cacheOutput ?? true;
  }

  /** Updates applied so far (from `w = −updates·η`). */
  get updates(): number {
    return Math.round(-this.params[0].data[0] / this.#learningRate);
  }

  get lastOutput(): Matrix | undefined {
    return this.cacheOutput ? this.#out : undefined;
  }

  /** Predicts the parity class of each id, except ids that are multiples of 3 (class 0). */
  predict(X: Matrix): Matrix {
    this.predictCalls++;
    return this.#forward(X);
  }

  #forward(X: Matrix): Matrix {
    if (this.#out === undefined || this.#out.rows !== X.rows) {
      this.#out = Matrix.zeros(X.rows, 2);
    }
    const out = this.#out;
    out.data.fill(0);
    for (let i = 0; i < X.rows; i++) {
      const id = X.data[i];
      out.set(i, id % 3 === 0 ? 0 : id % 2, 1);
    }
    return out;
  }

  #ids(X: Matrix): number[] {
    return Array.from(X.data);
  }

  loss(X: Matrix, _Y: Matrix): number {
    this.lossCalls++;
    this.#forward(X);
    return this.#script(this.#ids(X), this.updates);
  }

  lossAndGrad(X: Matrix, _Y: Matrix): number {
    const ids = this.#ids(X);
    this.batches.push(ids);
    this.#forward(X);
    return this.#script(ids, this.updates);
  }
}
