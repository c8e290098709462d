import assert from "node:assert/strict";
import { Matrix } from "../lib/tensor/matrix.ts";
import { oneHot } from "../lib/tensor/ops.ts";
import {
  accuracy,
  confusionMatrix,
  cosineSimilarity,
  perClassAccuracy,
  toClasses,
} from "../lib/metrics.ts";

Deno.test("accuracy() accepts indices, score matrices and one-hot labels", () => {
  const labels = [2, 0, 1, 1];
  assert.equal(accuracy([2, 0, 0, 1], labels), 0.75);
  const yHat = Matrix.from([[0, 0.1, 0.9], [0.8, 0.1, 0.1], [0.3, 0.3, 0.4], [0.2, 0.7, 0.1]]);
  assert.equal(accuracy(yHat, labels), 0.75);
  assert.equal(accuracy(yHat, oneHot(labels, 3)), 0.75);
});

Deno.test("accuracy() thresholds a single-column score at 0.5 (binary)", () => {
  const yHat = Matrix.from([[0.9], [0.4], [0.5], [0.51]]);
  assert.deepEqual(Array.from(toClasses(yHat)), [1, 0, 0, 1]);
  assert.equal(accuracy(yHat, Matrix.from([[1], [0], [1], [1]])), 0.75);
});

Deno.test("accuracy() of an empty set is NaN and lengths must match", () => {
  assert.ok(Number.isNaN(accuracy([], [])));
  assert.throws(
    () => accuracy([1, 2], [1]),
    /Cannot compute accuracy: labels and predictions differ in length, got \[1\] and \[2\]/,
  );
});

Deno.test("confusionMatrix() has actual classes as rows and predicted as columns", () => {
  const cm = confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3);
  assert.deepEqual(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
  const total = cm.flat().reduce((a, b) => a + b, 0);
  assert.equal(total, 6);
});

Deno.test("confusionMatrix() infers the class count and rejects out-of-range classes", () => {
  assert.equal(confusionMatrix([0, 3], [1, 0]).length, 4);
  assert.throws(
    () => confusionMatrix([0, 5], [0, 1], 3),
    /label at index 1 must be an integer in \[0, 3\), got 5/,
  );
});

Deno.test("perClassAccuracy() is the diagonal over row sums, NaN for absent classes", () => {
  const acc = perClassAccuracy([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 4);
  assert.deepEqual(acc.slice(0, 3), [0.5, 1, 2 / 3]);
  assert.ok(Number.isNaN(acc[3]));
});

Deno.test("cosineSimilarity() measures the angle between two matrices read as vectors", async (t) => {
  await t.step("same, opposite and orthogonal directions", () => {
    const a = Matrix.from([[1, -2], [3, 0.5]]);
    assert.equal(cosineSimilarity(a, a), 1);
    assert.equal(cosineSimilarity(a, Matrix.from([[-2, 4], [-6, -1]])), -1);
    assert.equal(cosineSimilarity(Matrix.from([[1, 1]]), Matrix.from([[1, -1]])), 0);
  });
  await t.step("a value checked by hand: (1·2 + 2·1) / (√5 · √5) = 0.8", () => {
    assert.ok(
      Math.abs(cosineSimilarity(Matrix.from([[1, 2]]), Matrix.from([[2, 1]])) - 0.8) < 1e-15,
    );
  });
  await t.step("independent of scale, float32 or float64", () => {
    const a = Matrix.from([[0.3, -0.1, 0.7]]), b = Matrix.from([[0.2, 0.4, 0.1]]);
    const expected = (0.06 - 0.04 + 0.07) / Math.sqrt((0.09 + 0.01 + 0.49) * (0.04 + 0.16 + 0.01));
    assert.ok(Math.abs(cosineSimilarity(a, b) - expected) < 1e-12);
    const b32 = Matrix.from([[200, 400, 100]], "float32");
    assert.ok(
      Math.abs(cosineSimilarity(Matrix.from([[3, -1, 7]], "float32"), b32) - expected) < 1e-6,
    );
  });
  await t.step("NaN for an all-zero matrix", () => {
    assert.ok(Number.isNaN(cosineSimilarity(Matrix.zeros(1, 2), Matrix.from([[1, 2]]))));
  });
  await t.step("rejects different shapes, naming both", () => {
    assert.throws(
      () => cosineSimilarity(Matrix.zeros(2, 3), Matrix.zeros(3, 2)),
      { name: "RangeError", message: /shapes differ, got \[2, 3\] and \[3, 2\]/ },
    );
  });
});
