import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { mul, sum } from "../../lib/tensor/ops.ts";
import { sigmoid, softmax } from "../../lib/nn/activations.ts";
import {
  binaryCrossEntropy,
  binaryCrossEntropyBackward,
  crossEntropy,
  crossEntropyBackward,
  l2Penalty,
  l2PenaltyBackward,
  sigmoidBinaryCrossEntropy,
  softmaxCrossEntropy,
  softmaxCrossEntropyBackward,
  squaredError,
  squaredErrorBackward,
} from "../../lib/nn/losses.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

function randomProbs(rows: number, cols: number, prng: Prng): Matrix {
  const Z = Matrix.zeros(rows, cols);
  prng.fillNormal(Z.data, 0, 1);
  return softmax(Z);
}

function oneHotRandom(rows: number, cols: number, prng: Prng): Matrix {
  const Y = Matrix.zeros(rows, cols);
  for (let i = 0; i < rows; i++) Y.set(i, prng.int(cols), 1);
  return Y;
}

/** max relative error of backward(P) vs central differences of loss(P). */
function fdCheck(
  loss: (P: Matrix) => number,
  grad: Matrix,
  P: Matrix,
  eps = 1e-7,
): number {
  let worst = 0;
  for (let i = 0; i < P.size; i++) {
    const s = P.data[i];
    P.data[i] = s + eps;
    const up = loss(P);
    P.data[i] = s - eps;
    const down = loss(P);
    P.data[i] = s;
    const num = (up - down) / (2 * eps);
    worst = Math.max(
      worst,
      Math.abs(num - grad.data[i]) / Math.max(Math.abs(num) + Math.abs(grad.data[i]), 1e-8),
    );
  }
  return worst;
}

Deno.test("squaredError() sums units and averages (or sums) samples", () => {
  const yHat = Matrix.from([[0.5, 0.5], [1, 0]]), Y = Matrix.from([[1, 0], [1, 0]]);
  close(squaredError(yHat, Y, { reduction: "sum" }), 0.25);
  close(squaredError(yHat, Y, { reduction: "mean" }), 0.125);
});

Deno.test("loss backwards match central differences for both reductions", async (t) => {
  const prng = new Prng(4);
  for (const reduction of ["mean", "sum"] as const) {
    await t.step(`squaredError ${reduction}`, () => {
      const P = randomProbs(3, 4, prng), Y = oneHotRandom(3, 4, prng);
      const g = squaredErrorBackward(P, Y, { reduction });
      assert.ok(fdCheck((p) => squaredError(p, Y, { reduction }), g, P) < 1e-6);
    });
    await t.step(`crossEntropy ${reduction}`, () => {
      const P = randomProbs(3, 4, prng), Y = oneHotRandom(3, 4, prng);
      const g = crossEntropyBackward(P, Y, { reduction });
      assert.ok(fdCheck((p) => crossEntropy(p, Y, { reduction }), g, P) < 1e-6);
    });
    await t.step(`binaryCrossEntropy ${reduction}`, () => {
      const Z = Matrix.zeros(5, 1);
      prng.fillNormal(Z.data, 0, 1);
      const P = sigmoid(Z), Y = Matrix.from([[1], [0], [1], [1], [0]]);
      const g = binaryCrossEntropyBackward(P, Y, { reduction });
      assert.ok(fdCheck((p) => binaryCrossEntropy(p, Y, { reduction }), g, P) < 1e-6);
    });
  }
});

Deno.test("softmaxCrossEntropy() from logits equals crossEntropy(softmax(Z)) and its gradient is P − Y", () => {
  const prng = new Prng(8);
  const Z = Matrix.zeros(4, 5);
  prng.fillNormal(Z.data, 0, 2);
  const Y = oneHotRandom(4, 5, prng);
  close(softmaxCrossEntropy(Z, Y), crossEntropy(softmax(Z), Y));
  const dZ = softmaxCrossEntropyBackward(softmax(Z), Y);
  const err = fdCheck((z) => softmaxCrossEntropy(z, Y), dZ, Z, 1e-6);
  assert.ok(err < 1e-6, `relative error ${err}`);
});

Deno.test("softmaxCrossEntropy() stays finite where the probability underflows to 0", () => {
  const Z = Matrix.from([[1000, -1000, 0]]), Y = Matrix.from([[0, 1, 0]]);
  assert.equal(crossEntropy(softmax(Z), Y), Infinity);
  close(softmaxCrossEntropy(Z, Y), 2000);
});

Deno.test("sigmoidBinaryCrossEntropy() from logits equals binaryCrossEntropy(σ(Z)) and stays finite", () => {
  const Z = Matrix.from([[0.3], [-1.2], [2.5]]), Y = Matrix.from([[1], [0], [0]]);
  close(sigmoidBinaryCrossEntropy(Z, Y), binaryCrossEntropy(sigmoid(Z), Y));
  const big = Matrix.from([[800]]), zero = Matrix.from([[0]]);
  assert.equal(binaryCrossEntropy(sigmoid(big), zero), Infinity);
  close(sigmoidBinaryCrossEntropy(big, zero), 800);
});

Deno.test("logEpsilon caps each sample's loss at −log ε as the seeds did", () => {
  const P = Matrix.from([[0], [1]]), Y = Matrix.from([[1], [0]]);
  close(binaryCrossEntropy(P, Y, { logEpsilon: 1e-40, reduction: "sum" }), -2 * Math.log(1e-40));
  const Q = Matrix.from([[0, 1]]), T = Matrix.from([[1, 0]]);
  close(crossEntropy(Q, T, { logEpsilon: 1e-39 }), -Math.log(1e-39));
});

Deno.test("l2Penalty() is λΣW² over every matrix and its gradient 2λW", () => {
  const W1 = Matrix.from([[1, -2]]), W2 = Matrix.from([[3]]);
  close(l2Penalty([W1, W2], 0.1), 1.4);
  const dW = Matrix.from([[10, 10]]);
  l2PenaltyBackward(W1, 0.1, dW);
  assert.deepEqual(dW.toArray()[0].map((x) => +x.toFixed(12)), [10.2, 9.6]);
  const num = (l2Penalty([Matrix.from([[1 + 1e-6, -2]])], 0.1) -
    l2Penalty([Matrix.from([[1 - 1e-6, -2]])], 0.1)) / 2e-6;
  close(num, 0.2, 1e-8);
});

Deno.test("losses reject mismatched shapes with both shapes in the message", () => {
  assert.throws(
    () => squaredError(Matrix.zeros(2, 10), Matrix.zeros(3, 10)),
    /Cannot compute squared error: predictions and targets differ in shape, got \[2, 10\] and \[3, 10\]/,
  );
  assert.throws(() => crossEntropy(Matrix.zeros(1, 2), Matrix.zeros(1, 3)), RangeError);
  assert.throws(
    () => squaredError(Matrix.zeros(1, 1), Matrix.zeros(1, 1), { reduction: "avg" as "mean" }),
    /expected "mean" or "sum", got avg/,
  );
});

Deno.test("crossEntropyBackward() is −Y/P: zero where the target is zero", () => {
  const g = crossEntropyBackward(Matrix.from([[0.25, 0.75]]), Matrix.from([[0, 1]]), {
    reduction: "sum",
  });
  assert.deepEqual(g.toArray(), [[0, -4 / 3]]);
  assert.equal(sum(mul(g, Matrix.from([[0.25, 0.75]]))), -1);
});

Deno.test("softmaxCrossEntropy() with the probabilities given equals the logit form", async (t) => {
  await t.step("on random logits, float64 and float32", () => {
    const prng = new Prng(11);
    for (const dtype of ["float64", "float32"] as const) {
      const Z = Matrix.zeros(50, 10, dtype), Y = Matrix.zeros(50, 10, dtype);
      prng.fillNormal(Z.data, 0, 3);
      for (let i = 0; i < 50; i++) Y.set(i, prng.int(10), 1);
      const exact = softmaxCrossEntropy(Z, Y);
      const fromP = softmaxCrossEntropy(Z, Y, { probabilities: softmax(Z) });
      assert.ok(Math.abs(fromP - exact) <= (dtype === "float64" ? 1e-13 : 1e-6), `${dtype}`);
    }
  });
  await t.step("rows whose target probability underflows fall back to the logits", () => {
    const Z = Matrix.from([[0, 800], [2, 1]]), Y = Matrix.from([[1, 0], [1, 0]]);
    const P = softmax(Z); // P[0][0] = e^-800 = 0
    assert.equal(P.get(0, 0), 0);
    close(
      softmaxCrossEntropy(Z, Y, { probabilities: P, reduction: "sum" }),
      800 + Math.log1p(Math.exp(-1)),
    );
  });
  await t.step("probabilities of another shape are refused", () => {
    assert.throws(
      () =>
        softmaxCrossEntropy(Matrix.zeros(2, 3), Matrix.zeros(2, 3), {
          probabilities: Matrix.zeros(3, 2),
        }),
      /Cannot compute softmax cross-entropy: predictions and targets differ in shape, got \[3, 2\] and \[2, 3\]/,
    );
  });
});
