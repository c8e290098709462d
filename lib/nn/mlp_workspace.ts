/**
 * The buffers an `Mlp` (mlp.ts) reuses for one batch size, so that its
 * forward and backward passes allocate nothing per call: pre-activations,
 * activations and deltas per layer, and the option objects of their matrix
 * products. Not part of the public surface.
 *
 * @module
 */

import { Matrix } from "../tensor/matrix.ts";
import type { DType } from "../dtypes.ts";
import type { MatmulOptions } from "../tensor/matmul.ts";
import type { SparseMatmulOptions, SparseTransposeMatmulOptions } from "../tensor/sparse_rows.ts";
import type { ActivationName } from "./activations.ts";

/** How many batch sizes' workspaces an `Mlp` keeps (train batches, evaluation, …). */
export const MAX_WORKSPACES = 4;

/** Per-batch-size buffers of an `Mlp`: activations, deltas and the products' options. */
export class MlpWorkspace {
  readonly n: number;
  /** Pre-activations per layer, `[n, sizes[l+1]]`. */
  readonly Z: Matrix[];
  /** Activations per layer (the same object as `Z` for `"linear"`). */
  readonly A: Matrix[];
  /** `{ out: Z[l] }` for the forward products. */
  readonly forwardOptions: MatmulOptions[];
  /** Deltas per layer, allocated on first backward. */
  dZ: Matrix[] | undefined;
  /** `{ transB: true, out: dZ[l-1] }` for `dA = dZ·Wᵀ`. */
  backOptions: MatmulOptions[] | undefined;
  /** `{ out: Z[0], bias }` for a sparse first-layer forward product. */
  readonly sparseForward: SparseMatmulOptions;
  /** `{ out, alpha, accumulate }` for a sparse first-layer `Xᵀ·dZ`. */
  readonly sparseBack: SparseTransposeMatmulOptions = {};

  constructor(
    n: number,
    sizes: readonly number[],
    activations: readonly ActivationName[],
    dtype: DType,
  ) {
    this.n = n;
    this.Z = [];
    this.A = [];
    this.forwardOptions = [];
    for (let l = 0; l < activations.length; l++) {
      const Z = Matrix.zeros(n, sizes[l + 1], dtype);
      this.Z.push(Z);
      this.A.push(activations[l] === "linear" ? Z : Matrix.zeros(n, sizes[l + 1], dtype));
      this.forwardOptions.push({ out: Z });
    }
    this.sparseForward = { out: this.Z[0] };
  }

  #updateOptions: MatmulOptions[] = [];

  /** `{ transA: true, alpha: −η, beta: 1, out: W }` for the fused update of layer `l`. */
  updateOptions(l: number, W: Matrix, alpha: number): MatmulOptions {
    let o = this.#updateOptions[l];
    if (o === undefined || o.out !== W) {
      o = { transA: true, alpha, beta: 1, out: W };
      this.#updateOptions[l] = o;
    }
    o.alpha = alpha;
    return o;
  }

  ensureBackward(dtype: DType): Matrix[] {
    if (this.dZ === undefined) {
      const dZ = this.Z.map((Z) => Matrix.zeros(this.n, Z.cols, dtype));
      this.backOptions = dZ.map((_, l) => ({ transB: true, out: l > 0 ? dZ[l - 1] : undefined }));
      this.dZ = dZ;
    }
    return this.dZ;
  }
}
