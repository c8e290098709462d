/**
 * Bridges the course's parameter layout (seed 003 Q2: `W [out, in]`, a layer
 * is `x · Wᵀ + b`) and the lib's batch-first {@linkcode Mlp} (`W [in, out]`,
 * `Z = A · W + b`): the same network, weights transposed.
 *
 * The course network is 784-200-100-10 with ReLU, ReLU, softmax, as in the
 * seed's inference code.
 *
 * @module
 */

import { type Mlp, mlp } from "../nn/mlp.ts";
import type { ActivationName } from "../nn/activations.ts";
import type { DType } from "../dtypes.ts";
import { copy, transpose } from "../tensor/ops.ts";
import type { CourseParams } from "../data/course_layout.ts";

/** Options of {@linkcode courseParamsToMlp}. */
export interface CourseParamsToMlpOptions {
  /** Parameter dtype of the network. Default `"float64"` (the seed's numpy). */
  dtype?: DType;
  /** Activation per layer. Default ReLU on hidden layers, softmax on the output. */
  activations?: readonly ActivationName[];
}

/**
 * Builds an {@linkcode Mlp} (cross-entropy loss) holding the course
 * parameters: `net.weights[l] = weights[l]ᵀ`, `net.biases[l] = biases[l]`.
 * `net.predict(X)` then computes the seed's forward pass.
 *
 * @param params Course parameters (`W [out, in]`, `b [1, out]`).
 * @param options dtype and activations.
 * @returns The network; `predict(X [n, 784])` gives softmax probabilities `[n, 10]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { courseParamsToMlp } from "./course_network.ts";
 *
 * // One softmax layer 2 → 2 stored [out, in]: output 0 reads input 1, output 1 reads input 0.
 * const net = courseParamsToMlp(
 *   { weights: [Matrix.from([[0, 5], [5, 0]])], biases: [Matrix.from([[0, 0]])] },
 *   { activations: ["softmax"] },
 * );
 * const P = net.predict(Matrix.from([[1, 0]]));
 * assert.ok(P.get(0, 1) > 0.99);
 * ```
 */
export function courseParamsToMlp(
  params: CourseParams,
  options: CourseParamsToMlpOptions = {},
): Mlp {
  const { weights, biases } = params;
  const L = weights.length;
  const activations = options.activations ??
    Array.from({ length: L }, (_, l): ActivationName => (l === L - 1 ? "softmax" : "relu"));
  const sizes = [weights[0].cols, ...weights.map((W) => W.rows)];
  const net = mlp({
    sizes,
    activations,
    loss: "crossEntropy",
    init: { kind: "zeros" },
    dtype: options.dtype ?? "float64",
  });
  for (let l = 0; l < L; l++) {
    const Wt = transpose(weights[l]);
    net.weights[l].data.set(Wt.data);
    net.biases[l].data.set(biases[l].data);
  }
  return net;
}

/**
 * The course layout of a batch-first network's parameters:
 * `weights[l] = net.weights[l]ᵀ` (`[out, in]`), `biases[l]` copied.
 *
 * @param net A network with biases (`W [in, out]`, `b [1, out]`).
 * @returns Course parameters, ready for `writeCourseParams`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "../random.ts";
 * import { mlp } from "../nn/mlp.ts";
 * import { mlpToCourseParams } from "./course_network.ts";
 *
 * const net = mlp({ sizes: [3, 2], activations: ["softmax"], loss: "crossEntropy",
 *   init: { kind: "he" }, prng: new Prng(1) });
 * const params = mlpToCourseParams(net);
 * assert.deepEqual(params.weights[0].shape, [2, 3]);
 * assert.equal(params.weights[0].get(1, 2), net.weights[0].get(2, 1));
 * ```
 */
export function mlpToCourseParams(net: Pick<Mlp, "weights" | "biases">): CourseParams {
  if (net.biases.length !== net.weights.length) {
    throw new RangeError(
      `Cannot convert network to course parameters: expected one bias per layer (${net.weights.length}), got ${net.biases.length}`,
    );
  }
  return {
    weights: net.weights.map((W) => transpose(W)),
    biases: net.biases.map((b) => copy(b)),
  };
}
