/**
 * Scoring a model on a labelled set: its loss (the model's own loss,
 * reduction and L2 penalty) and its accuracy, from one forward pass when the
 * model keeps its last output.
 *
 * @module
 */

import type { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../dtypes.ts";
import type { Model, SparseInputModel } from "../nn/model.ts";
import type { SparseInput } from "../tensor/sparse_rows.ts";
import { countCorrect } from "./count_correct.ts";

/** Inputs and targets of one set: `X [n, in]`, `Y [n, k]` one-hot (0/1 when `k = 1`). */
export interface LabeledData {
  /** Inputs `[n, in]`. */
  readonly X: Matrix;
  /** Targets `[n, k]`, one-hot rows (0/1 for a single output). */
  readonly Y: Matrix;
}

/** A model's loss and accuracy on one set. */
export interface Evaluation {
  /** The model's loss on the set (its reduction, plus any L2 penalty). */
  loss: number;
  /** Fraction of rows classified correctly. */
  acc: number;
}

/**
 * The output of the forward pass the model just ran on `X` (by `loss` or
 * `lossAndGrad`), without running it again when the model exposes it as
 * `lastOutput` (a `[X.rows, outputSize]` matrix); otherwise `predict(X)`.
 * Call it before the parameters change, or the fallback sees new weights.
 *
 * @param model Any {@linkcode Model}, optionally with `lastOutput`.
 * @param X The inputs `[n, in]` of that forward pass (sparse ones for a
 *   {@linkcode SparseInputModel}).
 * @returns `yHat [n, outputSize]`, possibly a workspace of the model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import type { Model } from "../nn/model.ts";
 * import { forwardOutput } from "./evaluate.ts";
 *
 * const cached = Matrix.from([[0.2, 0.8]]);
 * const predict = () => Matrix.from([[1, 0]]);
 * const model = { outputSize: 2, lastOutput: cached, predict } as unknown as Model;
 * assert.equal(forwardOutput(model, Matrix.from([[5]])), cached);
 * ```
 */
export function forwardOutput(model: Model, X: Matrix): Matrix;
export function forwardOutput(model: SparseInputModel, X: Matrix | SparseInput): Matrix;
export function forwardOutput(model: Model, X: Matrix | SparseInput): Matrix {
  const last = (model as { readonly lastOutput?: Matrix }).lastOutput;
  if (last !== undefined && last.rows === X.rows && last.cols === model.outputSize) return last;
  // Sparse X only reaches here through the SparseInputModel overload.
  return (model as SparseInputModel).predict(X);
}

/**
 * Loss and accuracy of `model` on `data`, in one forward pass over the whole
 * set (two when the model lacks `lastOutput`). The model keeps workspaces
 * for that many rows.
 *
 * @param model Any {@linkcode Model}.
 * @param data `{ X: [n, in], Y: [n, k] }` with `n ≥ 1`.
 * @returns `{ loss, acc }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { mlp } from "../nn/mlp.ts";
 * import { evaluate } from "./evaluate.ts";
 *
 * const net = mlp({
 *   sizes: [2, 2],
 *   activations: ["softmax"],
 *   loss: "crossEntropy",
 *   init: { kind: "zeros" },
 *   prng: new Prng(0),
 * });
 * const { loss, acc } = evaluate(net, { X: Matrix.from([[1, 2]]), Y: Matrix.from([[0, 1]]) });
 * assert.ok(Math.abs(loss - Math.log(2)) < 1e-12);
 * assert.equal(acc, 0); // all-zero weights tie, and ties go to class 0
 * ```
 */
export function evaluate(model: Model, data: LabeledData): Evaluation;
export function evaluate(
  model: SparseInputModel,
  data: { readonly X: Matrix | SparseInput; readonly Y: Matrix },
): Evaluation;
export function evaluate(
  model: Model,
  data: { readonly X: Matrix | SparseInput; readonly Y: Matrix },
): Evaluation {
  const { X, Y } = data;
  if (X.rows !== Y.rows || X.rows === 0) {
    throw new RangeError(
      `Cannot evaluate model: X and Y must have the same positive number of rows, got ${
        formatShape(X.shape)
      } and ${formatShape(Y.shape)}`,
    );
  }
  // Sparse X only reaches here through the SparseInputModel overload.
  const loss = (model as SparseInputModel).loss(X, Y);
  const acc = correctOf(model as SparseInputModel, X, Y) / X.rows;
  return { loss, acc };
}

/**
 * How many rows of `X` the forward pass the model just ran (by `loss`,
 * `lossAndGrad` or `trainStep` on `X, Y`) classified correctly: the model's
 * own `lastCorrect` when its fused pass counted them, else
 * `countCorrect(forwardOutput(model, X), Y)`.
 *
 * @param model Any {@linkcode Model}.
 * @param X The inputs of that pass.
 * @param Y Their targets.
 * @returns The number of correct rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import type { Model } from "../nn/model.ts";
 * import { correctOf } from "./evaluate.ts";
 *
 * const Y = Matrix.from([[0, 1], [1, 0]]);
 * const counted = { outputSize: 2, lastCorrect: 7 } as unknown as Model;
 * assert.equal(correctOf(counted, Matrix.zeros(2, 3), Y), 7);
 * const kept = { outputSize: 2, lastOutput: Matrix.from([[0.2, 0.8], [0.3, 0.7]]) } as unknown as Model;
 * assert.equal(correctOf(kept, Matrix.zeros(2, 3), Y), 1);
 * ```
 */
export function correctOf(model: Model, X: Matrix, Y: Matrix): number;
export function correctOf(model: SparseInputModel, X: Matrix | SparseInput, Y: Matrix): number;
export function correctOf(model: Model, X: Matrix | SparseInput, Y: Matrix): number {
  const counted = model.lastCorrect;
  if (counted !== undefined) return counted;
  return countCorrect(forwardOutput(model as SparseInputModel, X), Y);
}
