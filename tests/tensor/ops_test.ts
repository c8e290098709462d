import assert from "node:assert/strict";
import { Matrix } from "../../lib/tensor/matrix.ts";
import {
  add,
  addColVector,
  addRowVector,
  addScalar,
  argmaxRows,
  axpy,
  colMax,
  colSums,
  copy,
  div,
  divColVector,
  ensureOut,
  gatherRows,
  map,
  maxAbsDiff,
  mean,
  mul,
  mulColVector,
  mulRowVector,
  oneHot,
  prependOnes,
  rowMax,
  rowSums,
  scale,
  sub,
  sum,
  transpose,
} from "../../lib/tensor/ops.ts";

const A = () => Matrix.from([[1, 2, 3], [4, 5, 6]]);
const B = () => Matrix.from([[10, 20, 30], [40, 50, 60]]);

Deno.test("elementwise add, sub, mul, div compute per element", () => {
  assert.deepEqual(add(A(), B()).toArray(), [[11, 22, 33], [44, 55, 66]]);
  assert.deepEqual(sub(B(), A()).toArray(), [[9, 18, 27], [36, 45, 54]]);
  assert.deepEqual(mul(A(), B()).toArray(), [[10, 40, 90], [160, 250, 360]]);
  assert.deepEqual(div(B(), A()).toArray(), [[10, 10, 10], [10, 10, 10]]);
  assert.deepEqual(div(Matrix.from([[1, -1, 0]]), Matrix.from([[0, 0, 0]])).data[0], Infinity);
  assert.ok(Number.isNaN(div(Matrix.from([[0]]), Matrix.from([[0]])).data[0]));
});

Deno.test("elementwise ops reject shape mismatches, printing both shapes", () => {
  const wrong = Matrix.zeros(3, 2);
  for (
    const [op, verb] of [
      [add, "add matrices"],
      [sub, "subtract matrices"],
      [mul, "multiply matrices elementwise"],
      [div, "divide matrices elementwise"],
    ] as const
  ) {
    assert.throws(() => op(A(), wrong), {
      name: "RangeError",
      message: `Cannot ${verb}: shapes differ, got [2, 3] and [3, 2]`,
    });
  }
  assert.throws(() => add(A(), B(), Matrix.zeros(3, 2)), {
    name: "RangeError",
    message: "Cannot add matrices: output must have shape [2, 3], got [3, 2]",
  });
});

Deno.test("ops write into out: a reused workspace, or the input itself for in-place", () => {
  const X = A();
  const out = Matrix.zeros(2, 3);
  assert.equal(add(X, B(), out), out);
  assert.deepEqual(out.toArray(), [[11, 22, 33], [44, 55, 66]]);
  assert.equal(mul(X, X, X), X);
  assert.deepEqual(X.toArray(), [[1, 4, 9], [16, 25, 36]]);
  const Y = A();
  sub(Y, B(), Y);
  assert.deepEqual(Y.toArray(), [[-9, -18, -27], [-36, -45, -54]]);
  const Z = A();
  scale(Z, 2, Z);
  addScalar(Z, 1, Z);
  assert.deepEqual(Z.toArray(), [[3, 5, 7], [9, 11, 13]]);
});

Deno.test("ops keep the input dtype and reject an output of another dtype", () => {
  const X = A().astype("float32");
  assert.equal(add(X, X).dtype, "float32");
  assert.equal(scale(X, 0.5).dtype, "float32");
  assert.throws(() => add(X, X, Matrix.zeros(2, 3, "float64")), {
    name: "TypeError",
    message: "Cannot add matrices: output dtype float64 differs from float32",
  });
  assert.throws(
    () => ensureOut("scale matrix", Matrix.zeros(1, 1, "float32"), 1, 1, "float64"),
    TypeError,
  );
  assert.equal(ensureOut("x", undefined, 2, 5, "float32").dtype, "float32");
});

Deno.test("scale, addScalar, axpy and map", () => {
  assert.deepEqual(scale(A(), -2).toArray(), [[-2, -4, -6], [-8, -10, -12]]);
  assert.deepEqual(addScalar(A(), 0.5).toArray(), [[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]]);
  const W = A();
  assert.equal(axpy(-0.5, B(), W), W);
  assert.deepEqual(W.toArray(), [[-4, -8, -12], [-16, -20, -24]]);
  assert.throws(
    () => axpy(1, Matrix.zeros(1, 3), W),
    /Cannot axpy: shapes differ, got \[1, 3\] and \[2, 3\]/,
  );
  assert.deepEqual(map(A(), (x) => x * x).toArray(), [[1, 4, 9], [16, 25, 36]]);
});

Deno.test("copy duplicates values into out", () => {
  const out = Matrix.zeros(2, 3);
  copy(A(), out);
  assert.deepEqual(out.toArray(), A().toArray());
  const fresh = copy(A());
  assert.notEqual(fresh.data, A().data);
  assert.throws(
    () => copy(A(), Matrix.zeros(3, 3)),
    /Cannot copy matrix: output must have shape \[2, 3\], got \[3, 3\]/,
  );
});

Deno.test("row-vector broadcasting adds or scales every row", async (t) => {
  await t.step("from a [1, cols] matrix", () => {
    assert.deepEqual(addRowVector(A(), Matrix.from([[1, 0, -1]])).toArray(), [[2, 2, 2], [
      5,
      5,
      5,
    ]]);
    assert.deepEqual(mulRowVector(A(), Matrix.from([[2, 0, 1]])).toArray(), [[2, 0, 3], [8, 0, 6]]);
  });
  await t.step("from a plain typed array", () => {
    assert.deepEqual(addRowVector(A(), new Float64Array([1, 1, 1])).toArray(), [[2, 3, 4], [
      5,
      6,
      7,
    ]]);
  });
  await t.step("in place", () => {
    const X = A();
    addRowVector(X, new Float64Array([10, 10, 10]), X);
    assert.deepEqual(X.toArray(), [[11, 12, 13], [14, 15, 16]]);
  });
  await t.step("rejects a vector of the wrong length or orientation", () => {
    assert.throws(() => addRowVector(A(), Matrix.from([[1, 2]])), {
      name: "RangeError",
      message:
        "Cannot add row vector: row vector must have 3 elements to match matrix [2, 3], got [1, 2]",
    });
    assert.throws(() => addRowVector(A(), Matrix.columnVector([1, 2, 3])), /got \[3, 1\]/);
    assert.throws(() => mulRowVector(A(), new Float64Array(2)), /got \[2\]/);
  });
});

Deno.test("column-vector broadcasting adds, scales or divides every column", () => {
  const v = Matrix.columnVector([1, 2]);
  assert.deepEqual(addColVector(A(), v).toArray(), [[2, 3, 4], [6, 7, 8]]);
  assert.deepEqual(mulColVector(A(), v).toArray(), [[1, 2, 3], [8, 10, 12]]);
  assert.deepEqual(divColVector(A(), new Float64Array([1, 4])).toArray(), [[1, 2, 3], [
    1,
    1.25,
    1.5,
  ]]);
  assert.throws(() => addColVector(A(), Matrix.rowVector([1, 2])), {
    name: "RangeError",
    message:
      "Cannot add column vector: column vector must have 2 elements to match matrix [2, 3], got [1, 2]",
  });
  assert.throws(() => divColVector(A(), new Float64Array(3)), /got \[3\]/);
});

Deno.test("sum, mean, colSums and rowSums reduce as documented", () => {
  assert.equal(sum(A()), 21);
  assert.equal(mean(A()), 3.5);
  assert.equal(sum(Matrix.zeros(0, 3)), 0);
  assert.deepEqual(colSums(A()).toArray(), [[5, 7, 9]]);
  assert.deepEqual(rowSums(A()).toArray(), [[6], [15]]);
  assert.deepEqual(colSums(Matrix.zeros(0, 2)).toArray(), [[0, 0]]);
  // colSums overwrites a reused output instead of accumulating into it.
  const out = Matrix.full(1, 3, 100);
  colSums(A(), out);
  assert.deepEqual(out.toArray(), [[5, 7, 9]]);
});

Deno.test("sum accumulates float32 data in double precision", () => {
  const X = Matrix.full(1, 1 << 20, 0.1, "float32");
  const exact = (1 << 20) * Math.fround(0.1);
  assert.ok(Math.abs(sum(X) - exact) < 1e-6 * exact);
});

Deno.test("mean of an empty matrix throws, printing its shape", () => {
  assert.throws(() => mean(Matrix.zeros(0, 5)), {
    name: "RangeError",
    message: "Cannot take mean of an empty matrix: shape [0, 5]",
  });
});

Deno.test("rowMax and colMax find maxima, including negatives and -Infinity", () => {
  const X = Matrix.from([[-3, -1, -2], [-Infinity, -5, -7]]);
  assert.deepEqual(rowMax(X).toArray(), [[-1], [-5]]);
  assert.deepEqual(colMax(X).toArray(), [[-3, -1, -2]]);
  assert.throws(() => rowMax(Matrix.zeros(2, 0)), /Cannot take row max of matrix \[2, 0\]/);
  assert.throws(() => colMax(Matrix.zeros(0, 2)), /Cannot take column max of matrix \[0, 2\]/);
});

Deno.test("argmaxRows returns the first index on ties and checks out's length", () => {
  const X = Matrix.from([[1, 3, 3], [7, 7, 7], [-1, -2, -0.5]]);
  assert.deepEqual(Array.from(argmaxRows(X)), [1, 0, 2]);
  const out = new Int32Array(3);
  assert.equal(argmaxRows(X, out), out);
  assert.throws(() => argmaxRows(X, new Int32Array(2)), {
    name: "RangeError",
    message: "Cannot take argmax: output must have 3 elements, got 2",
  });
  assert.throws(() => argmaxRows(Matrix.zeros(1, 0)), /Cannot take argmax of matrix \[1, 0\]/);
});

Deno.test("oneHot encodes labels and rejects labels outside [0, classes)", async (t) => {
  await t.step("encodes, in the requested dtype", () => {
    const Y = oneHot(new Uint8Array([2, 0, 1]), 3, "float32");
    assert.equal(Y.dtype, "float32");
    assert.deepEqual(Y.toArray(), [[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    assert.deepEqual(rowSums(Y).toArray(), [[1], [1], [1]]);
  });
  for (
    const [label, bad] of [["too large", 3], ["negative", -1], ["fractional", 1.5], [
      "NaN",
      NaN,
    ]] as const
  ) {
    await t.step(`rejects a ${label} label`, () => {
      assert.throws(() => oneHot([0, bad], 3), {
        name: "RangeError",
        message: `Cannot one-hot encode: label at index 1 must be an integer in [0, 3), got ${bad}`,
      });
    });
  }
});

Deno.test("gatherRows copies the chosen rows, in order, into a reusable out", () => {
  const X = Matrix.from([[0, 0], [1, 1], [2, 2], [3, 3]]);
  const batch = Matrix.zeros(3, 2);
  assert.equal(gatherRows(X, new Uint32Array([3, 0, 3]), batch), batch);
  assert.deepEqual(batch.toArray(), [[3, 3], [0, 0], [3, 3]]);
  gatherRows(X, [1, 2, 1], batch);
  assert.deepEqual(batch.toArray(), [[1, 1], [2, 2], [1, 1]]);
  assert.deepEqual(gatherRows(X, []).shape, [0, 2]);
  assert.throws(() => gatherRows(X, [0, 4]), {
    name: "RangeError",
    message: "Cannot gather rows: index 4 at position 1 is outside [0, 4) for matrix [4, 2]",
  });
  assert.throws(
    () => gatherRows(X, [0, 1], Matrix.zeros(3, 2)),
    /output must have shape \[2, 2\], got \[3, 2\]/,
  );
});

Deno.test("gatherRows refuses an out that shares storage with its input", () => {
  const X = Matrix.from([[0, 0], [1, 1]]);
  assert.throws(() => gatherRows(X, [1, 0], X), {
    name: "RangeError",
    message: "Cannot gather rows in place: pass a separate output matrix",
  });
  assert.throws(() => gatherRows(X, [1], X.rowSlice(0, 1)), /in place/);
});

Deno.test("transpose flips rows and columns and refuses in-place", () => {
  assert.deepEqual(transpose(A()).toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(transpose(Matrix.zeros(0, 3)).shape, [3, 0]);
  const S = Matrix.from([[1, 2], [3, 4]]);
  assert.throws(() => transpose(S, S), /Cannot transpose in place/);
  // A 1 × 1 matrix is its own transpose.
  const one = Matrix.from([[5]]);
  assert.deepEqual(transpose(one, one).toArray(), [[5]]);
});

Deno.test("prependOnes adds a leading ones column", () => {
  assert.deepEqual(prependOnes(Matrix.from([[2, 3], [4, 5]])).toArray(), [[1, 2, 3], [1, 4, 5]]);
  assert.deepEqual(prependOnes(Matrix.zeros(2, 0)).toArray(), [[1], [1]]);
});

Deno.test("maxAbsDiff finds the largest difference and propagates NaN", () => {
  assert.equal(maxAbsDiff(A(), Matrix.from([[1, 2, 3], [4, 5, 9]])), 3);
  assert.equal(maxAbsDiff(A(), A()), 0);
  assert.ok(Number.isNaN(maxAbsDiff(Matrix.from([[NaN, 0]]), Matrix.from([[0, 5]]))));
  assert.throws(
    () => maxAbsDiff(A(), Matrix.zeros(1, 1)),
    /Cannot compare matrices: shapes differ, got \[2, 3\] and \[1, 1\]/,
  );
});
