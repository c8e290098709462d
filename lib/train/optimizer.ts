/**
 * The optimizer of every seed: plain (stochastic) gradient descent,
 * `θ ← θ − η · ∂L/∂θ` for each parameter, in place.
 *
 * @module
 */

import { formatShape } from "../dtypes.ts";
import type { Model } from "../nn/model.ts";

/**
 * One gradient-descent step on every parameter of `model`:
 * `params[i] −= learningRate · grads[i]` (BLAS axpy), in place, allocating
 * nothing. Call it after `model.lossAndGrad(X, Y)` has filled the gradients.
 *
 * @param model Any {@linkcode Model}; `params[i]` and `grads[i]` share a shape.
 * @param learningRate Step size η (the seeds' `eta`, `alpha`, `lr`); any finite number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import type { Model } from "../nn/model.ts";
 * import { sgdStep } from "./optimizer.ts";
 *
 * const W = Matrix.from([[1, 2]]), dW = Matrix.from([[10, -10]]);
 * sgdStep({ params: [W], grads: [dW] } as unknown as Model, 0.1);
 * assert.deepEqual(W.toArray(), [[0, 3]]);
 * ```
 */
export function sgdStep(model: Model, learningRate: number): void {
  if (!Number.isFinite(learningRate)) {
    throw new RangeError(`Cannot take SGD step: learningRate must be finite, got ${learningRate}`);
  }
  const { params, grads } = model;
  if (params.length !== grads.length) {
    throw new RangeError(
      `Cannot take SGD step: model has ${params.length} params but ${grads.length} grads`,
    );
  }
  const alpha = -learningRate;
  for (let i = 0; i < params.length; i++) {
    const p = params[i].data, g = grads[i].data;
    if (p.length !== g.length) {
      throw new RangeError(
        `Cannot take SGD step: param ${i} has shape ${formatShape(params[i].shape)} but its grad ${
          formatShape(grads[i].shape)
        }`,
      );
    }
    if (p instanceof Float64Array && g instanceof Float64Array) axpy64(alpha, g, p);
    else if (p instanceof Float32Array && g instanceof Float32Array) axpy32(alpha, g, p);
    else axpyMixed(alpha, g, p);
  }
}

// Monomorphic loops: one element type each, so V8 keeps them tight.
function axpy64(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

function axpy32(alpha: number, x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

function axpyMixed(alpha: number, x: ArrayLike<number>, y: Float32Array | Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}
