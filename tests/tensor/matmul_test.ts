import assert from "node:assert/strict";
import { blasBackend, useBlasBackend } from "../../lib/blas/mod.ts";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { matmul } from "../../lib/tensor/matmul.ts";
import { transpose } from "../../lib/tensor/ops.ts";

function randomMatrix(
  rows: number,
  cols: number,
  dtype: "float32" | "float64",
  prng: Prng,
): Matrix {
  const M = Matrix.zeros(rows, cols, dtype);
  prng.fillUniform(M.data, -1, 1);
  return M;
}

/** Naive product of explicit (already transposed) operands, in double precision. */
function naiveProduct(A: Matrix, B: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < A.rows; i++) {
    const row: number[] = [];
    for (let j = 0; j < B.cols; j++) {
      let s = 0;
      for (let p = 0; p < A.cols; p++) s += A.get(i, p) * B.get(p, j);
      row.push(s);
    }
    out.push(row);
  }
  return out;
}

function assertClose(got: Matrix, want: number[][], tol: number, label: string): void {
  assert.deepEqual(got.shape, [want.length, want[0]?.length ?? got.cols], label);
  for (let i = 0; i < got.rows; i++) {
    for (let j = 0; j < got.cols; j++) {
      const d = Math.abs(got.get(i, j) - want[i][j]);
      assert.ok(d <= tol * (1 + Math.abs(want[i][j])), `${label}: [${i}, ${j}] off by ${d}`);
    }
  }
}

for (const backend of ["ts", "auto"] as const) {
  Deno.test(`matmul() (${backend}) computes op(A)·op(B) for every transpose flag without building transposes`, () => {
    const before = blasBackend().name;
    useBlasBackend(backend, { quiet: true });
    try {
      const prng = new Prng(41);
      for (const dtype of ["float32", "float64"] as const) {
        const tol = dtype === "float32" ? 1e-5 : 1e-12;
        const X = randomMatrix(37, 23, dtype, prng); // op(A) [37, 23]
        const W = randomMatrix(23, 11, dtype, prng); // op(B) [23, 11]
        const want = naiveProduct(X, W);
        const Xt = transpose(X), Wt = transpose(W);
        assertClose(matmul(X, W), want, tol, `${dtype} A·B`);
        assertClose(matmul(Xt, W, { transA: true }), want, tol, `${dtype} Aᵀ·B`);
        assertClose(matmul(X, Wt, { transB: true }), want, tol, `${dtype} A·Bᵀ`);
        assertClose(matmul(Xt, Wt, { transA: true, transB: true }), want, tol, `${dtype} Aᵀ·Bᵀ`);
        assert.equal(matmul(X, W).dtype, dtype);
      }
    } finally {
      useBlasBackend(before === "ts" ? "ts" : "auto", { quiet: true });
    }
  });
}

Deno.test("matmul() applies alpha and beta to a given out", () => {
  const A = Matrix.from([[1, 2], [3, 4]]);
  const out = Matrix.from([[1, 1], [1, 1]]);
  assert.equal(matmul(A, A, { alpha: 2, beta: -1, out }), out);
  assert.deepEqual(out.toArray(), [[13, 19], [29, 43]]);
  // beta defaults to 0: out's old values are dropped.
  matmul(A, A, { out });
  assert.deepEqual(out.toArray(), [[7, 10], [15, 22]]);
});

Deno.test("matmul() is a gradient step in place: W += -lr · Xᵀ·dZ", () => {
  const X = Matrix.from([[1, 2], [3, 4], [5, 6]]); // [3, 2]
  const dZ = Matrix.from([[1], [0], [-1]]); // [3, 1]
  const W = Matrix.from([[10], [20]]);
  matmul(X, dZ, { transA: true, alpha: -0.5, beta: 1, out: W });
  assert.deepEqual(W.toArray(), [[12], [22]]);
});

Deno.test("matmul() works on row-slice views (mini-batches) without copying", () => {
  const prng = new Prng(42);
  const X = randomMatrix(10, 6, "float32", prng);
  const W = randomMatrix(6, 4, "float32", prng);
  const batch = X.rowSlice(3, 8);
  const got = matmul(batch, W);
  assertClose(got, naiveProduct(batch, W), 1e-5, "view");
  // A per-sample row (1 × 6) through the gemv path.
  assertClose(matmul(X.rowSlice(9, 10), W), naiveProduct(X.rowSlice(9, 10), W), 1e-5, "one row");
});

Deno.test("matmul() handles degenerate shapes: 1×n, n×1, k = 1 and empty", () => {
  const row = Matrix.from([[1, 2, 3]]), col = Matrix.from([[4], [5], [6]]);
  assert.deepEqual(matmul(row, col).toArray(), [[32]]);
  assert.deepEqual(matmul(col, row).toArray(), [[4, 8, 12], [5, 10, 15], [6, 12, 18]]);
  // k = 0: an empty sum is zero.
  assert.deepEqual(matmul(Matrix.zeros(2, 0), Matrix.zeros(0, 3)).toArray(), [[0, 0, 0], [
    0,
    0,
    0,
  ]]);
  assert.deepEqual(matmul(Matrix.zeros(0, 4), Matrix.zeros(4, 3)).shape, [0, 3]);
  assert.deepEqual(matmul(Matrix.zeros(2, 4), Matrix.zeros(4, 0)).shape, [2, 0]);
});

Deno.test("matmul() errors print both shapes, with ᵀ on transposed operands", async (t) => {
  const A = Matrix.zeros(32, 784), B = Matrix.zeros(100, 10);
  await t.step("inner dimensions differ", () => {
    assert.throws(() => matmul(A, B), {
      name: "RangeError",
      message: "Cannot multiply matrices: inner dimensions differ, got [32, 784] and [100, 10]",
    });
    assert.throws(
      () => matmul(A, B, { transA: true, transB: true }),
      /inner dimensions differ, got \[32, 784\]ᵀ and \[100, 10\]ᵀ/,
    );
  });
  await t.step("dtypes differ", () => {
    assert.throws(() => matmul(Matrix.zeros(2, 3, "float32"), Matrix.zeros(3, 2)), {
      name: "TypeError",
      message: "Cannot multiply matrices: dtypes differ, got float32 [2, 3] and float64 [3, 2]",
    });
  });
  await t.step("out has the wrong shape or dtype", () => {
    const X = Matrix.zeros(2, 3), Y = Matrix.zeros(3, 4);
    assert.throws(() => matmul(X, Y, { out: Matrix.zeros(4, 2) }), {
      name: "RangeError",
      message: "Cannot multiply matrices: output must have shape [2, 4], got [4, 2]",
    });
    assert.throws(() => matmul(X, Y, { out: Matrix.zeros(2, 4, "float32") }), {
      name: "TypeError",
      message: "Cannot multiply matrices: output dtype float32 differs from float64",
    });
  });
  await t.step("out aliases an input", () => {
    const S = Matrix.from([[1, 2], [3, 4]]);
    assert.throws(() => matmul(S, S, { out: S }), /C overlaps A in memory/);
  });
});
