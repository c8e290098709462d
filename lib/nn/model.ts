/**
 * The contract between models (`lib/nn`) and training loops (`lib/train`):
 * anything with paired parameters and gradients, a forward pass and a
 * forward + backward pass is a {@linkcode Model}.
 *
 * Batch-first: `X` is `[n, in]`, `Y` is one-hot `[n, k]` (for the binary
 * logistic case `k = 1` and `Y` holds 0/1), `yHat` is `[n, k]`.
 *
 * @module
 */

import type { Matrix } from "../tensor/matrix.ts";
import type { SparseInput, SparseRows } from "../tensor/sparse_rows.ts";

/**
 * Anything the training loops can train. Parameters and gradients are paired
 * by index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import type { Model } from "./model.ts";
 *
 * // y = w·x on one sample, loss ½(ŷ − y)², a one-parameter model written by hand.
 * const w = Matrix.from([[2]]), dw = Matrix.from([[0]]);
 * const model: Model = {
 *   params: [w],
 *   grads: [dw],
 *   outputSize: 1,
 *   predict: (X) => Matrix.from([[w.data[0] * X.data[0]]]),
 *   loss: (X, Y) => 0.5 * (w.data[0] * X.data[0] - Y.data[0]) ** 2,
 *   lossAndGrad(X, Y) {
 *     dw.data[0] = (w.data[0] * X.data[0] - Y.data[0]) * X.data[0];
 *     return this.loss(X, Y);
 *   },
 * };
 * assert.equal(model.lossAndGrad(Matrix.from([[1]]), Matrix.from([[3]])), 0.5);
 * assert.equal(dw.data[0], -1);
 * ```
 */
export interface Model {
  /** Trainable parameters, e.g. `[W1, b1, W2, b2]`; updated in place by optimizers. */
  readonly params: Matrix[];
  /** Gradients, same shapes and order as `params`; filled by `lossAndGrad`. */
  readonly grads: Matrix[];
  /** Output dimension (number of classes for classifiers). */
  readonly outputSize: number;
  /**
   * Forward pass for inference: `X [n, in] → yHat [n, out]`. May return a
   * reused workspace: copy it if you need it after the next call.
   */
  predict(X: Matrix): Matrix;
  /**
   * Loss of the batch (the model's configured loss and reduction, including
   * any L2 penalty).
   *
   * @param X Inputs `[n, in]`.
   * @param Y Targets `[n, out]` (one-hot for classifiers).
   */
  loss(X: Matrix, Y: Matrix): number;
  /**
   * Forward + backward on a batch: fills `grads`, returns the batch loss (the
   * same value as `loss()`).
   *
   * @param X Inputs `[n, in]`.
   * @param Y Targets `[n, out]` (one-hot for classifiers).
   */
  lossAndGrad(X: Matrix, Y: Matrix): number;
  /**
   * Optional: the output `yHat [n, out]` of the most recent forward pass
   * (`predict`, `loss` or `lossAndGrad`), a workspace the next forward pass
   * overwrites. Training loops read it right after `lossAndGrad` to score the
   * batch without a second forward pass (`lib/train/evaluate.ts`).
   */
  readonly lastOutput?: Matrix;
  /**
   * Optional fused SGD step: forward, backward and `θ −= learningRate·∂L/∂θ`
   * in one call, without materialising the weight gradients (each update is
   * one product straight into the parameter). Returns the batch loss before
   * the update, the value `lossAndGrad` would return. Afterwards `grads` are
   * unspecified and `lastOutput` holds the pre-update output. Loops may call
   * it instead of `lossAndGrad` + `sgdStep` when nothing else reads `grads`.
   *
   * @param X Inputs `[n, in]`.
   * @param Y Targets `[n, out]`.
   * @param learningRate Step size η.
   */
  trainStep?(X: Matrix, Y: Matrix, learningRate: number): number;
  /**
   * Optional: `true` when `predict`, `loss`, `lossAndGrad` and `trainStep`
   * also take the inputs as {@linkcode SparseRows} or a batch of them (see
   * {@linkcode SparseInputModel}); training loops then pass mostly-zero
   * inputs that way.
   */
  readonly acceptsSparseRows?: boolean;
  /**
   * Optional: how many rows of the batch of the most recent `loss`,
   * `lossAndGrad` or `trainStep` the model classified correctly (first
   * argmax; `> 0.5` for a single output), for a model whose fused pass
   * counts them without keeping its output. Loops and `evaluate` read it
   * instead of counting `lastOutput`.
   */
  readonly lastCorrect?: number;
}

/**
 * A {@linkcode Model} whose forward and backward passes also take the inputs
 * as {@linkcode SparseRows}, or a `SparseRowBatch` of them (a mini-batch read
 * in place; zeros skipped in the first layer's products): same results up to
 * the order of the first layer's sums.
 */
export interface SparseInputModel extends Model {
  readonly acceptsSparseRows: true;
  /** Units of the layer that reads the inputs: the width of the products that skip zeros. */
  readonly inputLayerUnits: number;
  predict(X: Matrix | SparseInput): Matrix;
  loss(X: Matrix | SparseInput, Y: Matrix): number;
  lossAndGrad(X: Matrix | SparseInput, Y: Matrix): number;
  trainStep?(X: Matrix | SparseInput, Y: Matrix, learningRate: number): number;
  /**
   * Optional: `true` when every pass of the model is a product with the
   * inputs (a one-layer model), so that skipping zeros pays at any batch
   * size, and dense inputs are converted to {@linkcode SparseRows} by the
   * model itself. Training loops then convert each set once (training and
   * validation) and score in that form too.
   */
  readonly prefersSparseRows?: boolean;
  /**
   * Optional fused per-sample SGD: `trainStep` on rows `start, …, end − 1`
   * of `X` one at a time, in order, in one call (one native loop instead of
   * a call per sample). Adds the rows' losses (each before its update) to
   * `totals[0]` and their correct predictions to `totals[1]`. Present only
   * when the model has such a loop for its configuration.
   */
  readonly trainRows?: TrainRows;
}

/**
 * A model's fused per-sample SGD over rows `start, …, end − 1` of `X`
 * (see `SparseInputModel.trainRows`).
 */
export type TrainRows = (
  X: SparseRows,
  Y: Matrix,
  start: number,
  end: number,
  learningRate: number,
  totals: Float64Array,
) => void;

/**
 * Whether `model` takes {@linkcode SparseRows} inputs.
 *
 * @param model Any {@linkcode Model}.
 */
export function acceptsSparseRows(model: Model): model is SparseInputModel {
  return model.acceptsSparseRows === true;
}

/**
 * Copies of a model's parameters, in `params` order (e.g. to keep the best
 * weights seen, or to restore a starting point).
 *
 * @param model Any {@linkcode Model}.
 * @returns New matrices, one per parameter.
 */
export function saveParams(model: Model): Matrix[] {
  return model.params.map((p) => p.clone());
}

/**
 * Copies `values` into a model's parameters (shapes must match, dtypes may
 * differ), e.g. pretrained weights or a {@linkcode saveParams} snapshot.
 *
 * @param model Any {@linkcode Model}.
 * @param values One matrix per parameter, same shapes as `model.params`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { loadParams, type Model, saveParams } from "./model.ts";
 *
 * const w = Matrix.from([[1, 2]]);
 * const model = { params: [w] } as unknown as Model;
 * const saved = saveParams(model);
 * w.set(0, 0, 9);
 * loadParams(model, saved);
 * assert.equal(w.get(0, 0), 1);
 * ```
 */
export function loadParams(model: Model, values: readonly Matrix[]): void {
  if (values.length !== model.params.length) {
    throw new RangeError(
      `Cannot load params: expected ${model.params.length} matrices, got ${values.length}`,
    );
  }
  model.params.forEach((p, i) => {
    const v = values[i];
    if (v.rows !== p.rows || v.cols !== p.cols) {
      throw new RangeError(
        `Cannot load params: parameter ${i} has shape [${p.rows}, ${p.cols}], got [${v.rows}, ${v.cols}]`,
      );
    }
    p.data.set(v.data);
  });
}
