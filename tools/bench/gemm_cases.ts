/**
 * Gemm benchmark cases: `matmul(A, B)` against NumPy's `a @ b` on the same
 * shapes (m×k×n), float32 and float64, at 1024³ and at the project's shapes;
 * plus the pure-TypeScript kernel at 1024³ float32 (target ≥ 2 GFLOPS).
 *
 * | shape (m×k×n)  | where it comes from                              |
 * | -------------- | ------------------------------------------------ |
 * | 1024×1024×1024 | the classic square reference                     |
 * | 60000×784×32   | seed 001: all of MNIST through the 32-unit layer |
 * | 128×785×32     | seed 001: one mini-batch (with the ones column)  |
 * | 55000×784×10   | seed 002: the full-batch forward pass            |
 * | 2000×784×150   | seed 000: batch GD on the first 2,000 images     |
 * | 1×784×150      | seed 000: one per-sample SGD forward step        |
 *
 * @module
 */

import { Prng } from "../../lib/random.ts";
import { type DType, Matrix } from "../../lib/tensor/matrix.ts";
import { matmul } from "../../lib/tensor/matmul.ts";
import { registerBench } from "./registry.ts";

/** The gemm shapes, `[m, k, n]`. */
export const GEMM_SHAPES: readonly [number, number, number][] = [
  [1024, 1024, 1024],
  [60000, 784, 32],
  [128, 785, 32],
  [55000, 784, 10],
  [2000, 784, 150],
  [1, 784, 150],
];

function randomMatrix(rows: number, cols: number, dtype: DType, prng: Prng): Matrix {
  const M = Matrix.zeros(rows, cols, dtype);
  prng.fillUniform(M.data, 0, 1);
  return M;
}

function numpySetup(m: number, k: number, n: number, dtype: DType): string {
  return [
    "rng = np.random.default_rng(0)",
    `a = rng.random((${m}, ${k}), dtype=np.${dtype})`,
    `b = rng.random((${k}, ${n}), dtype=np.${dtype})`,
  ].join("\n");
}

function gemmCase(m: number, k: number, n: number, dtype: DType, blas?: "ts") {
  return {
    name: `${blas === "ts" ? "gemm_ts_" : "gemm_"}${m}x${k}x${n}`,
    dtype,
    description: `${blas === "ts" ? "pure-TS " : ""}matmul(A, B) vs a @ b, m×k×n = ${m}×${k}×${n}`,
    flops: 2 * m * n * k,
    ...(blas === "ts" ? { blas, targetGflops: 2, repeats: 3 } : {}),
    setup() {
      const prng = new Prng(m * 7 + n);
      const A = randomMatrix(m, k, dtype, prng);
      const B = randomMatrix(k, n, dtype, prng);
      return () => matmul(A, B);
    },
    numpy: { setup: numpySetup(m, k, n, dtype), stmt: "a @ b" },
  };
}

for (const [m, k, n] of GEMM_SHAPES) {
  for (const dtype of ["float32", "float64"] as const) registerBench(gemmCase(m, k, n, dtype));
}
registerBench(gemmCase(1024, 1024, 1024, "float32", "ts"));
