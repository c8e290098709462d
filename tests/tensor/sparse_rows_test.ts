import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { matmul } from "../../lib/tensor/matmul.ts";
import { addRowVector, gatherRows, maxAbsDiff, transpose } from "../../lib/tensor/ops.ts";
import {
  denseRow,
  isSparseInput,
  sparseMatmul,
  SparseRowBatch,
  SparseRows,
  sparseRows,
  sparseTransposeMatmul,
} from "../../lib/tensor/sparse_rows.ts";
import { loadNativeKernels, useNativeBackend } from "../../lib/native/build.ts";

/** A float64 matrix with about `zeros` of its entries exactly 0, like MNIST rows. */
function sparseish(rows: number, cols: number, zeros: number, prng: Prng): Matrix {
  const M = Matrix.zeros(rows, cols);
  for (let i = 0; i < M.data.length; i++) {
    M.data[i] = prng.random() < zeros ? 0 : prng.uniform(-1, 1);
  }
  return M;
}

/** Like {@linkcode sparseish}, but with pixel values `c / 255` (so SparseRows keeps byte codes). */
function pixelish(rows: number, cols: number, zeros: number, prng: Prng): Matrix {
  const M = Matrix.zeros(rows, cols);
  for (let i = 0; i < M.data.length; i++) {
    M.data[i] = prng.random() < zeros ? 0 : (1 + Math.floor(prng.random() * 255)) / 255;
  }
  return M;
}

/** A shuffled `0 … n − 1`. */
function shuffled(n: number, prng: Prng): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(prng.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Rows `order[start .. start + rows)` of a dense matrix, copied. */
function gathered(X: Matrix, order: Uint32Array, start: number, rows: number): Matrix {
  return gatherRows(X, order.subarray(start, start + rows));
}

const native = (await loadNativeKernels()).name === "native";
const backends = native ? ["native", "ts"] as const : ["ts"] as const;

Deno.test("sparseRows() keeps exactly the non-zero entries and round-trips to dense", () => {
  const X = sparseish(37, 29, 0.8, new Prng(1));
  const A = sparseRows(X);
  let nonZero = 0;
  for (const v of X.data) if (v !== 0) nonZero++;
  assert.equal(A.nnz, nonZero);
  assert.ok(A.values.every((v) => v !== 0));
  assert.equal(A.density, nonZero / (37 * 29));
  assert.deepEqual(A.toDense().data, X.data);
  const cols = A.columns();
  assert.equal(cols.colStart[29], nonZero);
  assert.strictEqual(A.columns(), cols); // built once
});

Deno.test("sparseRows() widens float32 values exactly", () => {
  const X = Matrix.from([[0, 0.1, 0], [0.3, 0, 0]], "float32");
  const A = sparseRows(X);
  assert.deepEqual([...A.values], [X.data[1], X.data[3]]);
});

for (const backend of backends) {
  Deno.test(`sparseMatmul() equals the dense X·W + b (${backend})`, async (t) => {
    await useNativeBackend(backend);
    const prng = new Prng(2);
    const X = sparseish(300, 50, 0.8, prng);
    for (const k of [1, 10, 3]) {
      await t.step(`k = ${k}, all rows and a row range`, () => {
        const W = sparseish(50, k, 0, prng), b = sparseish(1, k, 0, prng);
        const dense = addRowVector(matmul(X, W), b);
        const Z = sparseMatmul(sparseRows(X), W, { bias: b });
        assert.ok(maxAbsDiff(Z, dense) < 1e-13);
        const part = sparseMatmul(sparseRows(X), W, { bias: b, start: 100, end: 130 });
        assert.ok(maxAbsDiff(part, dense.rowSlice(100, 130)) < 1e-13);
      });
    }
  });

  Deno.test(`sparseTransposeMatmul() equals the dense α·Xᵀ·R, by columns and by rows (${backend})`, async (t) => {
    await useNativeBackend(backend);
    const prng = new Prng(3);
    const X = sparseish(200, 40, 0.75, prng), A = sparseRows(X);
    for (const k of [1, 10, 3]) {
      await t.step(`k = ${k}`, () => {
        const R = sparseish(200, k, 0, prng);
        const dense = matmul(X, R, { transA: true, alpha: 0.25 });
        assert.ok(maxAbsDiff(sparseTransposeMatmul(A, R, { alpha: 0.25 }), dense) < 1e-13);
        // Rows [0, 120) then [120, 200) accumulated give the whole product.
        const G = sparseTransposeMatmul(A, R.rowSlice(0, 120), { alpha: 0.25, end: 120 });
        sparseTransposeMatmul(A, R.rowSlice(120, 200), {
          alpha: 0.25,
          start: 120,
          out: G,
          accumulate: true,
        });
        assert.ok(maxAbsDiff(G, dense) < 1e-13);
      });
    }
  });
}

Deno.test("sparse products: native kernels and TypeScript loops give the same bits", async (t) => {
  if (!native) {
    t.step({ name: "native build unavailable here", ignore: true, fn: () => {} });
    return;
  }
  const prng = new Prng(4);
  const X = sparseish(500, 60, 0.8, prng), A = sparseRows(X);
  const W = sparseish(60, 10, 0, prng), b = sparseish(1, 10, 0, prng);
  const R = sparseish(500, 10, 0, prng);
  const run = async (backend: "native" | "ts") => {
    await useNativeBackend(backend);
    return [
      sparseMatmul(A, W, { bias: b }),
      sparseTransposeMatmul(A, R, { alpha: 1 / 500 }),
      sparseTransposeMatmul(A, R.rowSlice(7, 300), { alpha: 0.5, start: 7, end: 300 }),
    ];
  };
  const fast = await run("native"), slow = await run("ts");
  for (let i = 0; i < fast.length; i++) assert.deepEqual(fast[i].data, slow[i].data);
  await useNativeBackend("native");
});

for (const backend of backends) {
  Deno.test(`sparse products in float32 equal the dense float32 products (${backend})`, async (t) => {
    await useNativeBackend(backend);
    const prng = new Prng(5);
    // 9,000 rows: three chunks in the chunked Xᵀ·R.
    const X = sparseish(9000, 30, 0.8, prng).astype("float32"), A = sparseRows(X);
    for (const k of [10, 7]) {
      await t.step(`k = ${k}`, () => {
        const W = sparseish(30, k, 0, prng).astype("float32");
        const b = sparseish(1, k, 0, prng).astype("float32");
        const R = sparseish(9000, k, 0, prng).astype("float32");
        const Z = sparseMatmul(A, W, { bias: b });
        assert.equal(Z.dtype, "float32");
        assert.ok(maxAbsDiff(Z, addRowVector(matmul(X, W), b)) < 1e-5);
        const G = sparseTransposeMatmul(A, R, { alpha: 0.5 });
        assert.equal(G.dtype, "float32");
        const dense = matmul(X.astype("float64"), R.astype("float64"), {
          transA: true,
          alpha: 0.5,
        });
        assert.ok(maxAbsDiff(G.astype("float64"), dense) < 1e-3 * Math.max(1, ...dense.data));
        // The fused update: W0 − 0.5·Xᵀ·R accumulated into W0.
        const W0 = sparseish(30, k, 0, prng).astype("float32"), before = W0.astype("float64");
        sparseTransposeMatmul(A, R, { alpha: -0.5, out: W0, accumulate: true });
        const expected = matmul(X.astype("float64"), R.astype("float64"), {
          transA: true,
          alpha: -0.5,
          beta: 1,
          out: before,
        });
        assert.ok(maxAbsDiff(W0.astype("float64"), expected) < 1e-3 * Math.max(1, ...dense.data));
      });
    }
  });

  Deno.test(`sparseTransposeMatmul() accumulates in float64 over chunks (${backend})`, async () => {
    await useNativeBackend(backend);
    const prng = new Prng(6);
    const X = sparseish(10000, 20, 0.8, prng), A = sparseRows(X);
    const R = sparseish(10000, 10, 0, prng), G = sparseish(20, 10, 0, prng);
    const expected = matmul(X, R, { transA: true, alpha: -0.1, beta: 1, out: G.clone() });
    sparseTransposeMatmul(A, R, { alpha: -0.1, out: G, accumulate: true });
    assert.ok(maxAbsDiff(G, expected) < 1e-12);
  });
}

Deno.test("float32 and chunked sparse products: native kernels and TypeScript loops give the same bits", async (t) => {
  if (!native) {
    t.step({ name: "native build unavailable here", ignore: true, fn: () => {} });
    return;
  }
  const prng = new Prng(7);
  const X = sparseish(9000, 40, 0.8, prng), A = sparseRows(X);
  const W = sparseish(40, 10, 0, prng).astype("float32");
  const b = sparseish(1, 10, 0, prng).astype("float32");
  const R64 = sparseish(9000, 10, 0, prng), R = R64.astype("float32");
  const run = async (backend: "native" | "ts") => {
    await useNativeBackend(backend);
    const W0 = W.clone(), G0 = W.astype("float64");
    sparseTransposeMatmul(A, R, { alpha: -0.1, out: W0, accumulate: true });
    sparseTransposeMatmul(A, R64, { alpha: -0.1, out: G0, accumulate: true });
    return [
      sparseMatmul(A, W, { bias: b }),
      sparseTransposeMatmul(A, R, { alpha: 1 / 9000 }),
      sparseTransposeMatmul(A, R.rowSlice(7, 300), { alpha: 0.5, start: 7, end: 300 }),
      W0,
      G0,
    ];
  };
  const fast = await run("native"), slow = await run("ts");
  for (let i = 0; i < fast.length; i++) {
    assert.deepEqual(fast[i].data, slow[i].data, `product ${i}`);
  }
  await useNativeBackend("native");
});

Deno.test("sparse products reject mismatched shapes, mixed dtypes and bad row ranges", () => {
  const A = sparseRows(Matrix.from([[0, 1], [2, 0]]));
  assert.throws(
    () => sparseMatmul(A, Matrix.zeros(3, 1)),
    /inner dimensions differ, got \[2, 2\] and \[3, 1\]/,
  );
  assert.throws(
    () => sparseMatmul(A, Matrix.zeros(2, 1, "float32"), { bias: Matrix.zeros(1, 1) }),
    /bias must be float32 like the dense operand, got float64/,
  );
  assert.throws(
    () => sparseTransposeMatmul(A, Matrix.zeros(2, 1, "float32"), { out: Matrix.zeros(2, 1) }),
    /out must be float32 like the dense operand, got float64/,
  );
  assert.throws(() => sparseMatmul(A, Matrix.zeros(2, 1), { start: 1, end: 3 }), /\[1, 3\)/);
  assert.throws(
    () => sparseMatmul(A, Matrix.zeros(2, 2), { bias: Matrix.zeros(1, 3) }),
    /bias must be \[1, 2\]/,
  );
  assert.throws(() => sparseTransposeMatmul(A, Matrix.zeros(3, 1)), /R must have 2 rows/);
  assert.throws(
    () => new SparseRows([2, 2], new Uint32Array([0, 1]), new Uint16Array(1), new Float64Array(1)),
    /expected rowStart \[3\]/,
  );
});

Deno.test("SparseRows keeps one byte per value when there are at most 256 distinct values", () => {
  const pixels = sparseRows(Matrix.from([[0, 3 / 255, 1], [128 / 255, 0, 3 / 255]]));
  assert.deepEqual([...pixels.codes!], [3, 255, 128, 3]);
  assert.deepEqual([...pixels.codes!].map((c) => pixels.codeValues![c]), [...pixels.values]);
  const float32 = sparseRows(Matrix.from([[0, 3 / 255, 1], [128 / 255, 0, 3 / 255]], "float32"));
  assert.deepEqual([...float32.codes!], [3, 255, 128, 3]);
  assert.deepEqual([...float32.codes!].map((c) => float32.codeValues![c]), [...float32.values]);
  const few = sparseRows(Matrix.from([[0.1, -2, 0.1], [0, 7, -2]]));
  assert.deepEqual([...few.codes!].map((c) => few.codeValues![c]), [0.1, -2, 0.1, 7, -2]);
  const many = sparseRows(
    new Matrix(1, 300, Float64Array.from({ length: 300 }, (_, i) => i + 0.5)),
  );
  assert.equal(many.codes, null);
  assert.equal(many.codeValues, null);
  // Codes a caller passes are checked against the values, not trusted.
  const { rowStart, colIndex, values } = pixels;
  const table = Float64Array.from({ length: 256 }, (_, c) => c / 255);
  const given = new SparseRows([2, 3], rowStart, colIndex, values, {
    codes: Uint8Array.from([3, 255, 128, 3]),
    table,
  });
  assert.deepEqual([...given.codes!], [3, 255, 128, 3]);
  assert.throws(
    () =>
      new SparseRows([2, 3], rowStart, colIndex, values, {
        codes: Uint8Array.from([3, 255, 127, 3]),
        table,
      }),
    /Cannot build SparseRows \[2, 3\]: the byte codes given do not give the values/,
  );
});

Deno.test("SparseRowBatch products equal those of the same rows copied out, bit for bit", async (t) => {
  const prng = new Prng(11);
  for (const backend of backends) {
    await useNativeBackend(backend);
    for (const values of ["pixels", "reals"] as const) {
      for (const dtype of ["float64", "float32"] as const) {
        for (const k of [1, 10, 32, 7]) {
          await t.step(`${backend}, ${values}, ${dtype}, k = ${k}`, () => {
            const X = (values === "pixels" ? pixelish : sparseish)(300, 50, 0.8, prng);
            const A = sparseRows(X), order = shuffled(300, prng);
            assert.equal(A.codes !== null, values === "pixels");
            const batch = new SparseRowBatch(A, order).select(37, 130);
            const copy = sparseRows(gathered(X, order, 37, 130));
            const W = sparseish(50, k, 0, prng).astype(dtype), b = sparseish(1, k, 0, prng);
            const R = sparseish(130, k, 0, prng).astype(dtype);
            const bias = b.astype(dtype);
            assert.deepEqual(
              sparseMatmul(batch, W, { bias }).data,
              sparseMatmul(copy, W, { bias }).data,
            );
            const G0 = W.clone(), G1 = W.clone();
            sparseTransposeMatmul(batch, R, { alpha: -0.1, out: G0, accumulate: true });
            sparseTransposeMatmul(copy, R, { alpha: -0.1, out: G1, accumulate: true });
            assert.deepEqual(G0.data, G1.data);
            // And close to the dense products of the gathered rows.
            const dense = gathered(X, order, 37, 130).astype(dtype);
            const tol = dtype === "float32" ? 1e-5 : 1e-12;
            const Z = addRowVector(matmul(dense, W), bias);
            assert.ok(maxAbsDiff(sparseMatmul(batch, W, { bias }), Z) < tol);
            const G = matmul(dense, R, { transA: true, alpha: 0.5 });
            assert.ok(maxAbsDiff(sparseTransposeMatmul(batch, R, { alpha: 0.5 }), G) < tol);
          });
        }
      }
    }
  }
  await useNativeBackend(native ? "native" : "ts");
});

Deno.test("an unshuffled SparseRowBatch gives the bits of its row range (and a shuffled one still its rows')", async (t) => {
  const prng = new Prng(12);
  for (const backend of backends) {
    await useNativeBackend(backend);
    await t.step(backend, () => {
      const X = pixelish(300, 50, 0.8, prng), A = sparseRows(X);
      const inOrder = new SparseRowBatch(A, Uint32Array.from({ length: 300 }, (_, i) => i));
      const W = sparseish(50, 10, 0, prng), b = sparseish(1, 10, 0, prng);
      const R = sparseish(100, 10, 0, prng);
      const batch = inOrder.select(120, 100);
      assert.deepEqual(
        sparseMatmul(batch, W, { bias: b }).data,
        sparseMatmul(A, W, { bias: b, start: 120, end: 220 }).data,
      );
      // float64 Xᵀ·R over a row range sums row by row (α·v·r); a batch of consecutive rows
      // reads as that range, so the sums are the same bits.
      assert.deepEqual(
        sparseTransposeMatmul(batch, R, { alpha: 0.01 }).data,
        sparseTransposeMatmul(A, R, { alpha: 0.01, start: 120, end: 220 }).data,
      );
      const order = shuffled(300, prng), mixed = new SparseRowBatch(A, order).select(120, 100);
      const dense = gathered(X, order, 120, 100);
      const G = matmul(dense, R, { transA: true, alpha: 0.01 });
      assert.ok(maxAbsDiff(sparseTransposeMatmul(mixed, R, { alpha: 0.01 }), G) < 1e-12);
    });
  }
  await useNativeBackend(native ? "native" : "ts");
});

Deno.test("sparse products with transB and outTransposed equal the plain ones transposed, exactly", async (t) => {
  const prng = new Prng(12);
  for (const backend of backends) {
    await useNativeBackend(backend);
    for (const dtype of ["float64", "float32"] as const) {
      await t.step(`${backend}, ${dtype}`, () => {
        const X = pixelish(200, 45, 0.8, prng), A = sparseRows(X);
        const batch = new SparseRowBatch(A, shuffled(200, prng)).select(10, 128);
        const W = sparseish(45, 32, 0, prng).astype(dtype), Wt = transpose(W);
        const R = sparseish(128, 32, 0, prng).astype(dtype);
        assert.deepEqual(
          sparseMatmul(batch, Wt, { transB: true }).data,
          sparseMatmul(batch, W).data,
        );
        const G = sparseTransposeMatmul(batch, R, { alpha: 0.25 });
        const Gt = sparseTransposeMatmul(batch, R, { alpha: 0.25, outTransposed: true });
        assert.deepEqual(Gt.shape, [32, 45]);
        assert.deepEqual(Gt.data, transpose(G).data);
        const U = W.clone(), Ut = Wt.clone();
        sparseTransposeMatmul(batch, R, { alpha: -0.1, out: U, accumulate: true });
        sparseTransposeMatmul(batch, R, {
          alpha: -0.1,
          out: Ut,
          accumulate: true,
          outTransposed: true,
        });
        assert.deepEqual(Ut.data, transpose(U).data);
        assert.throws(
          () => sparseTransposeMatmul(batch, R, { outTransposed: true, out: W }),
          /out must be \[32, 45\], got \[45, 32\]/,
        );
        assert.throws(
          () => sparseMatmul(batch, W, { transB: true }),
          /inner dimensions differ, got \[128, 45\] and \[45, 32\]ᵀ/,
        );
      });
    }
  }
  await useNativeBackend(native ? "native" : "ts");
});

Deno.test("batched, k = 32, coded and transposed sparse products: native kernels and TypeScript loops give the same bits", async (t) => {
  if (!native) {
    t.step({ name: "native build unavailable here", ignore: true, fn: () => {} });
    return;
  }
  const prng = new Prng(13);
  const X = pixelish(9000, 70, 0.8, prng), A = sparseRows(X), order = shuffled(9000, prng);
  const run = async (backend: "native" | "ts") => {
    await useNativeBackend(backend);
    const outs: Matrix[] = [];
    for (const dtype of ["float64", "float32"] as const) {
      for (const rows of [128, 8500]) {
        const batch = new SparseRowBatch(A, order).select(300, rows);
        const p = new Prng(rows);
        const W = sparseish(32, 70, 0, p).astype(dtype), b = sparseish(1, 32, 0, p).astype(dtype);
        const R = sparseish(rows, 32, 0, p).astype(dtype);
        outs.push(sparseMatmul(batch, W, { transB: true, bias: b }));
        outs.push(sparseMatmul(A, W, { transB: true, start: 5, end: 5 + rows }));
        const U = W.clone();
        sparseTransposeMatmul(batch, R, {
          alpha: -0.01,
          out: U,
          accumulate: true,
          outTransposed: true,
        });
        outs.push(U, sparseTransposeMatmul(batch, R, { alpha: 1 / rows }));
      }
    }
    return outs;
  };
  const fast = await run("native"), slow = await run("ts");
  for (let i = 0; i < fast.length; i++) {
    assert.deepEqual(fast[i].data, slow[i].data, `product ${i}`);
  }
  await useNativeBackend("native");
});

Deno.test("SparseRowBatch.select() checks its range and the rows it selects", () => {
  const A = sparseRows(Matrix.from([[0, 1], [2, 0], [0, 3]]));
  const batch = new SparseRowBatch(A, new Uint32Array([2, 0, 1]));
  assert.deepEqual(batch.shape, [3, 2]);
  assert.equal(batch.select(1, 2), batch);
  assert.deepEqual([batch.start, batch.rows, batch.cols], [1, 2, 2]);
  assert.deepEqual(denseRow(batch, 0, "float64").toArray(), [[0, 1]]);
  assert.deepEqual(denseRow(A, 2, "float32").toArray(), [[0, 3]]);
  assert.throws(() => denseRow(batch, 2, "float64"), /Cannot take row 2 of sparse rows \[2, 2\]/);
  assert.throws(() => batch.select(2, 2), /must lie in \[0, 3\], got start 2 and rows 2/);
  assert.throws(() => batch.select(-1, 1), /got start -1 and rows 1/);
  assert.throws(
    () => new SparseRowBatch(A, new Uint32Array([0, 3])),
    /order\[1\] must be a row of \[3, 2\], got 3/,
  );
  const reshuffled = new Uint32Array([0, 1, 2]);
  const view = new SparseRowBatch(A, reshuffled).select(0, 1);
  reshuffled[2] = 7; // not selected: allowed until it is
  assert.throws(() => view.select(1, 2), /order\[2\] must be a row of \[3, 2\], got 7/);
  assert.ok(isSparseInput(A) && isSparseInput(batch) && !isSparseInput(Matrix.zeros(1, 1)));
  assert.throws(
    () => sparseTransposeMatmul(view.select(0, 2), Matrix.zeros(3, 1)),
    /R must have 2 rows for the batch \[2, 2\], got \[3, 1\]/,
  );
});
