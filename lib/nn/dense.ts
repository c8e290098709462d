/**
 * One fully connected (dense) layer, forward and backward side by side:
 * `Z = X·W + b` (or `Z = X·W` without bias, as seed 000). The MLP chains the
 * same formulas with reused workspaces; these functions show one layer on
 * its own (e.g. in a notebook's teaching cell).
 *
 * @module
 */

import type { Matrix } from "../tensor/matrix.ts";
import { formatShape } from "../dtypes.ts";
import { addRowVector, colSums } from "../tensor/ops.ts";
import { matmul } from "../tensor/matmul.ts";

/** Options of {@linkcode denseForward}. */
export interface DenseForwardOptions {
  /** Bias `b [1, out]`; omit for a layer without bias. */
  b?: Matrix;
  /** Output workspace `[n, out]`. */
  out?: Matrix;
}

/**
 * Forward pass of a dense layer: `Z = X·W + b`.
 *
 * @param X Inputs `[n, in]`.
 * @param W Weights `[in, out]`.
 * @returns `Z`, `[n, out]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { denseForward } from "./dense.ts";
 *
 * const Z = denseForward(Matrix.from([[1, 2]]), Matrix.from([[1, 0], [0, 1]]), {
 *   b: Matrix.from([[10, 20]]),
 * });
 * assert.deepEqual(Z.toArray(), [[11, 22]]);
 * ```
 */
export function denseForward(X: Matrix, W: Matrix, options: DenseForwardOptions = {}): Matrix {
  const Z = matmul(X, W, { out: options.out });
  if (options.b !== undefined) addRowVector(Z, options.b, Z);
  return Z;
}

/** Options of {@linkcode denseBackward}. */
export interface DenseBackwardOptions {
  /** Weights `[in, out]`; needed for the input gradient `dX`. */
  W?: Matrix;
  /** Whether the layer has a bias (then `db` is returned). Default `true`. */
  bias?: boolean;
  /** Workspace for `dW [in, out]`. */
  dW?: Matrix;
  /** Workspace for `db [1, out]`. */
  db?: Matrix;
  /** Workspace for `dX [n, in]`. */
  dX?: Matrix;
}

/** Gradients returned by {@linkcode denseBackward}. */
export interface DenseGradients {
  /** `∂L/∂W = Xᵀ·dZ`, `[in, out]`. */
  dW: Matrix;
  /** `∂L/∂b = Σᵢ dZᵢ`, `[1, out]` (with bias). */
  db?: Matrix;
  /** `∂L/∂X = dZ·Wᵀ`, `[n, in]` (when `W` is given). */
  dX?: Matrix;
}

/**
 * Backward pass of a dense layer from `dZ = ∂L/∂Z`: `dW = Xᵀ·dZ`,
 * `db = Σᵢ dZᵢ` (column sums), `dX = dZ·Wᵀ` — products with `transA`/`transB`,
 * no transposes built.
 *
 * @param X The layer's inputs `[n, in]`.
 * @param dZ Upstream gradient `[n, out]`.
 * @param options `W` (for `dX`), `bias`, workspaces.
 * @returns `{ dW, db?, dX? }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix } from "../tensor/matrix.ts";
 * import { denseBackward } from "./dense.ts";
 *
 * const X = Matrix.from([[1, 2], [3, 4]]), dZ = Matrix.from([[1], [1]]);
 * const { dW, db, dX } = denseBackward(X, dZ, { W: Matrix.from([[5], [6]]) });
 * assert.deepEqual(dW.toArray(), [[4], [6]]);
 * assert.deepEqual(db!.toArray(), [[2]]);
 * assert.deepEqual(dX!.toArray(), [[5, 6], [5, 6]]);
 * ```
 */
export function denseBackward(
  X: Matrix,
  dZ: Matrix,
  options: DenseBackwardOptions = {},
): DenseGradients {
  if (X.rows !== dZ.rows) {
    throw new RangeError(
      `Cannot back-propagate through dense layer: X and dZ differ in rows, got ${
        formatShape(X.shape)
      } and ${formatShape(dZ.shape)}`,
    );
  }
  const dW = matmul(X, dZ, { transA: true, out: options.dW });
  const grads: DenseGradients = { dW };
  if (options.bias ?? true) grads.db = colSums(dZ, options.db);
  if (options.W !== undefined) grads.dX = matmul(dZ, options.W, { transB: true, out: options.dX });
  return grads;
}
