import assert from "node:assert/strict";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { accuracy } from "../../lib/metrics.ts";
import { Prng } from "../../lib/random.ts";
import { countCorrect } from "../../lib/train/count_correct.ts";

Deno.test("countCorrect() compares row arg-maxes, ties to the first column", () => {
  const yHat = Matrix.from([[0.5, 0.5, 0], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]);
  const Y = Matrix.from([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  assert.equal(countCorrect(yHat, Y), 2);
});

Deno.test("countCorrect() with one output thresholds at 0.5 (seed 003's y > 0.5)", () => {
  const yHat = Matrix.from([[0.5], [0.51], [0.2], [0.9]]);
  const Y = Matrix.from([[0], [1], [1], [0]]);
  assert.equal(countCorrect(yHat, Y), 2);
});

Deno.test("countCorrect() agrees with metrics.accuracy on random scores, both dtypes", () => {
  const prng = new Prng(3);
  for (const dtype of ["float32", "float64"] as const) {
    const yHat = Matrix.zeros(200, 10, dtype), Y = Matrix.zeros(200, 10, dtype);
    prng.fillUniform(yHat.data);
    for (let i = 0; i < 200; i++) Y.set(i, prng.int(10), 1);
    assert.equal(countCorrect(yHat, Y) / 200, accuracy(yHat, Y));
  }
});

Deno.test("countCorrect() on empty matrices is 0; shape mismatch throws", () => {
  assert.equal(countCorrect(Matrix.zeros(0, 10), Matrix.zeros(0, 10)), 0);
  assert.throws(() => countCorrect(Matrix.zeros(2, 3), Matrix.zeros(3, 3)), {
    name: "RangeError",
    message: "Cannot count correct predictions: yHat and Y shapes differ, got [2, 3] and [3, 3]",
  });
});
