import assert from "node:assert/strict";
import { allocate, dtypeOf, formatShape, Matrix } from "../../lib/tensor/matrix.ts";

Deno.test("Matrix constructor wraps data without copying and checks its length and type", () => {
  const data = new Float32Array([1, 2, 3, 4, 5, 6]);
  const A = new Matrix(2, 3, data);
  assert.equal(A.data, data);
  assert.deepEqual(A.shape, [2, 3]);
  assert.equal(A.size, 6);
  assert.equal(A.dtype, "float32");
  assert.throws(() => new Matrix(2, 2, data), {
    name: "RangeError",
    message: "Cannot create matrix of shape [2, 2]: expected 4 elements, got 6",
  });
  assert.throws(
    () => new Matrix(-1, 2, new Float64Array(0)),
    /rows must be a non-negative integer, got -1/,
  );
  assert.throws(
    () => new Matrix(1, 1.5, new Float64Array(1)),
    /cols must be a non-negative integer, got 1.5/,
  );
  assert.throws(
    // @ts-expect-error: checking the run-time guard
    () => new Matrix(1, 2, [1, 2]),
    {
      name: "TypeError",
      message: "Cannot create matrix: data must be a Float32Array or Float64Array, got Array",
    },
  );
  assert.throws(
    // @ts-expect-error: checking the run-time guard
    () => new Matrix(1, 2, new Int32Array(2)),
    /got Int32Array/,
  );
});

Deno.test("Matrix.zeros, full and zerosLike allocate the requested dtype", () => {
  const Z = Matrix.zeros(2, 3);
  assert.equal(Z.dtype, "float64");
  assert.ok(Z.data.every((v) => v === 0));
  const F = Matrix.full(3, 2, 7, "float32");
  assert.ok(F.data instanceof Float32Array);
  assert.deepEqual(F.toArray(), [[7, 7], [7, 7], [7, 7]]);
  const L = Matrix.zerosLike(F);
  assert.deepEqual(L.shape, [3, 2]);
  assert.equal(L.dtype, "float32");
  assert.notEqual(L.data, F.data);
  assert.deepEqual(Matrix.zeros(0, 5).shape, [0, 5]);
  assert.throws(() => Matrix.zeros(2, -3), /cols must be a non-negative integer, got -3/);
});

Deno.test("Matrix.from copies nested rows and rejects ragged input", () => {
  const rows = [[1, 2], [3, 4], [5, 6]];
  const A = Matrix.from(rows, "float32");
  rows[0][0] = 100;
  assert.deepEqual(A.toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.equal(A.dtype, "float32");
  assert.deepEqual(Matrix.from([]).shape, [0, 0]);
  assert.deepEqual(Matrix.from([[]]).shape, [1, 0]);
  assert.throws(() => Matrix.from([[1, 2], [3]]), {
    name: "RangeError",
    message: "Cannot create matrix from nested arrays: row 0 has 2 values, row 1 has 1",
  });
});

Deno.test("Matrix.rowVector and columnVector orient their values", () => {
  assert.deepEqual(Matrix.rowVector([1, 2, 3]).shape, [1, 3]);
  const c = Matrix.columnVector(new Float32Array([1, 2]), "float32");
  assert.deepEqual(c.shape, [2, 1]);
  assert.deepEqual(c.toArray(), [[1], [2]]);
});

Deno.test("Matrix get/set address row-major storage", () => {
  const A = Matrix.zeros(2, 3);
  A.set(1, 2, 9);
  assert.equal(A.data[5], 9);
  assert.equal(A.get(1, 2), 9);
  A.data[1] = 4;
  assert.equal(A.get(0, 1), 4);
});

Deno.test("Matrix.row and rowSlice are views sharing storage", async (t) => {
  const A = Matrix.from([[1, 2], [3, 4], [5, 6]], "float32");
  await t.step("row(i) is a live view of row i", () => {
    const r = A.row(1);
    assert.deepEqual(Array.from(r), [3, 4]);
    r[0] = 30;
    assert.equal(A.get(1, 0), 30);
    assert.equal(r.buffer, A.data.buffer);
  });
  await t.step("row(i) rejects out-of-range and fractional indices", () => {
    assert.throws(() => A.row(3), {
      name: "RangeError",
      message: "Cannot take row 3 of matrix [3, 2]: index out of range",
    });
    assert.throws(() => A.row(-1), /row -1/);
    assert.throws(() => A.row(0.5), /row 0.5/);
  });
  await t.step("rowSlice(start, end) views rows [start, end) with the same dtype", () => {
    const S = A.rowSlice(1, 3);
    assert.deepEqual(S.shape, [2, 2]);
    assert.equal(S.dtype, "float32");
    S.set(1, 1, 60);
    assert.equal(A.get(2, 1), 60);
    assert.equal(S.data.byteOffset, 2 * 4);
    assert.deepEqual(A.rowSlice(2).shape, [1, 2]);
    assert.deepEqual(A.rowSlice(3, 3).shape, [0, 2]);
  });
  await t.step("rowSlice rejects bad ranges with the matrix shape", () => {
    assert.throws(() => A.rowSlice(2, 1), {
      name: "RangeError",
      message: "Cannot slice rows 2..1 of matrix [3, 2]: out of range",
    });
    assert.throws(() => A.rowSlice(0, 4), /rows 0..4 of matrix \[3, 2\]/);
    assert.throws(() => A.rowSlice(-1, 2), RangeError);
  });
});

Deno.test("Matrix clone, astype and reshape copy or share storage as documented", () => {
  const A = Matrix.from([[1.5, 2], [3, 4]]);
  const C = A.clone();
  C.set(0, 0, 0);
  assert.equal(A.get(0, 0), 1.5);
  const F = A.astype("float32");
  assert.equal(F.dtype, "float32");
  assert.deepEqual(F.toArray(), [[1.5, 2], [3, 4]]);
  const same = A.astype("float64");
  assert.notEqual(same.data, A.data);
  // float64 → float32 rounds to the nearest float32.
  assert.equal(Matrix.from([[0.1]]).astype("float32").get(0, 0), Math.fround(0.1));
  const R = A.reshape(1, 4);
  assert.deepEqual(R.toArray(), [[1.5, 2, 3, 4]]);
  R.set(0, 3, 40);
  assert.equal(A.get(1, 1), 40);
  assert.throws(() => A.reshape(3, 1), {
    name: "RangeError",
    message: "Cannot reshape matrix [2, 2] to [3, 1]: element counts differ (4 vs 3)",
  });
});

Deno.test("Matrix toString, formatShape, allocate and dtypeOf describe storage", () => {
  assert.equal(Matrix.zeros(60000, 784, "float32").toString(), "Matrix(float32 [60000, 784])");
  assert.equal(formatShape([32, 784]), "[32, 784]");
  assert.ok(allocate("float32", 3) instanceof Float32Array);
  assert.equal(allocate("float64", 3).length, 3);
  assert.equal(dtypeOf(new Float64Array(1)), "float64");
  assert.equal(dtypeOf(new Float32Array(1)), "float32");
});
