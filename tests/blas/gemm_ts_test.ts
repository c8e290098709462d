import assert from "node:assert/strict";
import { gemmTs, tsKernel } from "../../lib/blas/gemm_ts.ts";
import { Prng } from "../../lib/random.ts";
import { boundViolation, naiveGemm, stridedOperand } from "./naive_gemm.ts";

// Shapes straddling the kernel's blocking: 4 × 4 tiles, 128-row and 256-deep blocks,
// and the 32³ switch between direct and packed loops.
const SHAPES: [number, number, number][] = [
  [4, 4, 4],
  [3, 200, 50],
  [200, 3, 50],
  [32, 32, 32],
  [33, 32, 32],
  [129, 5, 7],
  [131, 67, 257],
  [64, 130, 513],
];

for (const kernel of ["wasm-simd", "scalar"] as const) {
  Deno.test(`gemmTs() (${kernel} kernel) matches the naive oracle across its block boundaries`, () => {
    const before = tsKernel();
    tsKernel(kernel);
    try {
      checkBlockBoundaries();
    } finally {
      tsKernel(before);
    }
  });
}

function checkBlockBoundaries(): void {
  const prng = new Prng(31);
  for (const float32 of [true, false]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const [m, n, k] of SHAPES) {
          const A = stridedOperand(transA ? k : m, transA ? m : k, { float32, pad: 1, prng });
          const B = stridedOperand(transB ? n : k, transB ? k : n, { float32, pad: 1, prng });
          const C = stridedOperand(m, n, { float32, pad: 1, prng });
          const want = naiveGemm(
            transA,
            transB,
            m,
            n,
            k,
            1.25,
            A.view,
            A.ld,
            B.view,
            B.ld,
            -0.5,
            C.view,
            C.ld,
          );
          gemmTs(transA, transB, m, n, k, 1.25, A.view, A.ld, B.view, B.ld, -0.5, C.view, C.ld);
          const { excess, at } = boundViolation(C.view, C.ld, want, m, n, k);
          assert.ok(
            excess <= 0,
            `${m}x${n}x${k} transA=${transA} transB=${transB} f32=${float32} at ${at}`,
          );
        }
      }
    }
  }
}

Deno.test("gemmTs() accumulates float32 products in double precision", () => {
  // 1 + 2⁻²⁴ + … : a float32 running sum would stall at 1; the double accumulator does not.
  const k = 4096, m = 8, n = 8;
  const a = new Float32Array(m * k).fill(2 ** -13);
  for (let i = 0; i < m; i++) a[i * k] = 1;
  const b = new Float32Array(k * n).fill(2 ** -13);
  for (let j = 0; j < n; j++) b[j] = 1;
  const c = new Float32Array(m * n);
  gemmTs(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
  assert.equal(c[0], Math.fround(1 + (k - 1) * 2 ** -26));
  assert.notEqual(c[0], 1);
});

Deno.test("gemmTs() with alpha = 0 scales C by beta without reading A or B", () => {
  const nan = new Float64Array(64).fill(NaN);
  const c = new Float64Array(64).fill(3);
  gemmTs(false, false, 8, 8, 8, 0, nan, 8, nan, 8, 2, c, 8);
  assert.ok(c.every((v) => v === 6));
});

Deno.test("wasm-simd and scalar kernels give bit-identical results", () => {
  const prng = new Prng(32);
  const m = 37, n = 29, k = 300;
  const a = new Float32Array(m * k), b = new Float32Array(k * n);
  prng.fillUniform(a, -1, 1);
  prng.fillUniform(b, -1, 1);
  const before = tsKernel();
  try {
    const results = (["wasm-simd", "scalar"] as const).map((kernel) => {
      tsKernel(kernel);
      const c = new Float32Array(m * n);
      gemmTs(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
      return c;
    });
    assert.deepEqual(results[0], results[1]);
  } finally {
    tsKernel(before);
  }
});
