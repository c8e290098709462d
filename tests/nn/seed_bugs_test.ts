import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { sparseRows } from "../../lib/tensor/sparse_rows.ts";
import { squaredError } from "../../lib/nn/losses.ts";
import { mlp } from "../../lib/nn/mlp.ts";
import { biasColumnNet } from "../../lib/nn/bias_column_net.ts";
import {
  checkMlpSeedFaithful,
  divisorGradientScale,
  doubleSoftmaxDelta,
  meanErrorThroughLastSample,
  mulSoftmaxPrime,
  scalarBiasGradient,
  seed000RunningErrorCost,
  seed001EpochLoss,
  softmaxOverBatch,
  softmaxPrimeFactorDelta,
  summedLossGradientScale,
} from "../../lib/nn/seed_bugs.ts";

function close(actual: number, expected: number, tol = 1e-15): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} vs ${expected}`);
}

function closeRows(actual: Matrix, expected: number[][], tol = 1e-15): void {
  assert.deepEqual(actual.shape, [expected.length, expected[0].length]);
  expected.forEach((row, i) => row.forEach((v, j) => close(actual.get(i, j), v, tol)));
}

const sigma = (z: number) => 1 / (1 + Math.exp(-z));

Deno.test("seed000RunningErrorCost() squares a running sum of errors (seed 000's LES)", async (t) => {
  await t.step("hand-made: errors (+1, −2) then (−1, +2) cancel in the running sum", () => {
    const yHat = Matrix.from([[1, 0], [0, 2]]), Y = Matrix.from([[0, 2], [1, 0]]);
    // running sums (1, −2) then (0, 0): LES = 1 + 4 + 0 + 0 = 5, over 2n = 4
    assert.equal(seed000RunningErrorCost(yHat, Y), 5 / 4);
    // the squared error of the same batch: ½(1 + 4 + 1 + 4) / 2 = 2.5
    assert.equal(squaredError(yHat, Y), 2.5);
  });
  await t.step("a literal transcription of the seed's loop", () => {
    const prng = new Prng(3);
    const yHat = Matrix.zeros(6, 3), Y = Matrix.zeros(6, 3);
    prng.fillUniform(yHat.data, 0, 1);
    for (let i = 0; i < 6; i++) Y.set(i, i % 3, 1);
    let local = [0, 0, 0], les = [0, 0, 0];
    for (let s = 0; s < 6; s++) {
      local = local.map((e, j) => e + (yHat.get(s, j) - Y.get(s, j)));
      les = les.map((v, j) => v + local[j] ** 2);
    }
    close(seed000RunningErrorCost(yHat, Y), (1 / (2 * 6)) * les.reduce((a, b) => a + b, 0), 1e-12);
  });
  await t.step("an empty batch costs 0; mismatched shapes are named", () => {
    assert.equal(seed000RunningErrorCost(Matrix.zeros(0, 2), Matrix.zeros(0, 2)), 0);
    assert.throws(
      () => seed000RunningErrorCost(Matrix.zeros(2, 3), Matrix.zeros(2, 2)),
      /differ in shape, got \[2, 3\] and \[2, 2\]/,
    );
  });
});

/** Seed 000's batch update for a 2-1-1 sigmoid net without bias, written out by hand. */
function seed000ByHand(x: number[][], y: number[], w1: number[], w2: number) {
  const n = x.length;
  const z1 = x.map((r) => r[0] * w1[0] + r[1] * w1[1]), a1 = z1.map(sigma);
  const a2 = a1.map((a) => sigma(a * w2));
  let e = 0;
  for (let i = 0; i < n; i++) e += (1 / n) * (a2[i] - y[i]);
  const last = n - 1;
  const d2 = e * a2[last] * (1 - a2[last]);
  const dW2 = a1[last] * d2;
  const d1 = d2 * w2 * a1[last] * (1 - a1[last]);
  return { dW1: [x[last][0] * d1, x[last][1] * d1], dW2 };
}

Deno.test("meanErrorThroughLastSample() sends the mean error through the last sample only", async (t) => {
  const x = [[0.5, -1], [2, 0.25], [-0.75, 1.5]], y = [1, 0, 1], w1 = [0.3, -0.6], w2 = 0.8;
  const want = seed000ByHand(x, y, w1, w2);
  const build = () => {
    const net = mlp({
      sizes: [2, 1, 1],
      activations: ["sigmoid", "sigmoid"],
      loss: "squaredError",
      bias: false,
      init: { kind: "zeros" },
      seedFaithful: { batchErrorThroughLastSample: true },
    });
    net.weights[0].data.set(w1);
    net.weights[1].data.set([w2]);
    return net;
  };
  const X = Matrix.from(x), Y = Matrix.from(y.map((v) => [v]));
  await t.step("called directly on a forward pass", () => {
    const net = build();
    const Z1 = Matrix.from(x.map((r) => [r[0] * w1[0] + r[1] * w1[1]]));
    const A1 = Matrix.from(Z1.toArray().map(([z]) => [sigma(z)]));
    const Z2 = Matrix.from(A1.toArray().map(([a]) => [a * w2]));
    const A2 = Matrix.from(Z2.toArray().map(([z]) => [sigma(z)]));
    meanErrorThroughLastSample(net, {
      X,
      Z: [Z1, Z2],
      A: [A1, A2],
      Y,
      scale: 1 / 3,
      biasGrad: () => assert.fail("no bias"),
      hiddenDelta: (_l, _Z, A, dZ) => {
        dZ.data[0] *= A.data[0] * (1 - A.data[0]);
      },
    });
    closeRows(net.weightGrads[0], [[want.dW1[0]], [want.dW1[1]]], 1e-15);
    closeRows(net.weightGrads[1], [[want.dW2]], 1e-15);
  });
  await t.step("through Mlp's batchErrorThroughLastSample, dense and sparse rows", () => {
    for (const input of [X, sparseRows(X)]) {
      const net = build();
      net.lossAndGrad(input, Y);
      closeRows(net.weightGrads[0], [[want.dW1[0]], [want.dW1[1]]], 1e-15);
      closeRows(net.weightGrads[1], [[want.dW2]], 1e-15);
    }
  });
  await t.step("an empty batch is refused", () => {
    const net = build();
    assert.throws(
      () =>
        meanErrorThroughLastSample(net, {
          X: Matrix.zeros(0, 2),
          Z: [],
          A: [],
          Y: Matrix.zeros(0, 1),
          scale: 0,
          biasGrad: () => {},
          hiddenDelta: () => {},
        }),
      /the batch is empty/,
    );
  });
});

Deno.test("softmaxPrimeFactorDelta() multiplies s(P − Y) by P(1 − P) (seed 001)", () => {
  const dZ = Matrix.zeros(2, 2);
  softmaxPrimeFactorDelta(
    Matrix.from([[0.25, 0.75], [0.5, 0.5]]),
    Matrix.from([[0, 1], [1, 0]]),
    0.5,
    dZ,
  );
  // row 0: 0.5·(0.25)·0.25·0.75 = 0.0234375, 0.5·(−0.25)·0.75·0.25 = −0.0234375
  // row 1: 0.5·(−0.5)·0.5·0.5 = −0.0625, 0.5·0.5·0.5·0.5 = 0.0625
  assert.deepEqual(dZ.toArray(), [[0.0234375, -0.0234375], [-0.0625, 0.0625]]);
});

Deno.test("summedLossGradientScale() is 1: seed 001's gradients are m times the mean's", () => {
  for (const n of [1, 128, 60000]) assert.equal(summedLossGradientScale(n), 1);
  const make = (sumGradientOfMeanLoss: boolean) =>
    biasColumnNet({ nx: 2, nh: 3, ny: 2 }, {
      prng: new Prng(4),
      seedFaithful: { sumGradientOfMeanLoss },
    });
  const X = Matrix.from([[1, 0.5, -0.5], [1, -1, 2], [1, 0.25, 0.75], [1, 2, -1]]);
  const Y = Matrix.from([[1, 0], [0, 1], [0, 1], [1, 0]]);
  const seed = make(true), mean = make(false);
  seed.lossAndGrad(X, Y);
  mean.lossAndGrad(X, Y);
  for (let p = 0; p < 2; p++) {
    for (let i = 0; i < seed.grads[p].size; i++) {
      close(seed.grads[p].data[i], 4 * mean.grads[p].data[i], 1e-14);
    }
  }
});

Deno.test("seed001EpochLoss() divides the sum of batch means by ⌊N / batchSize⌋", () => {
  // MNIST at batch 128: 469 batch means (the last of 96 samples) over 468.
  assert.equal(seed001EpochLoss(469, 60000, 128), 469 / 468);
  // 3 batch means of 1, 2 and 4 (batches of 2, 2 and 1 of 5 samples): 7 / 2, not 7 / 3.
  assert.equal(seed001EpochLoss(1 + 2 + 4, 5, 2), 3.5);
});

Deno.test("divisorGradientScale() is 1/m: seed 002's gradients are n/m of the mean's", () => {
  assert.equal(divisorGradientScale(60000), 1 / 60000);
  const make = (gradientDivisor?: number) =>
    mlp({
      sizes: [3, 2, 2],
      activations: ["relu", "softmax"],
      loss: "crossEntropy",
      init: { kind: "uniform", low: -0.5, high: 0.5 },
      biasInit: { kind: "uniform", low: -0.5, high: 0.5 },
      prng: new Prng(9),
      seedFaithful: gradientDivisor === undefined ? undefined : { gradientDivisor },
    });
  const X = Matrix.from([[1, 2, 3], [0.5, -1, 0], [2, 0, -2], [1, 1, 1]]);
  const Y = Matrix.from([[1, 0], [0, 1], [0, 1], [1, 0]]);
  const seed = make(10), mean = make();
  seed.lossAndGrad(X, Y);
  mean.lossAndGrad(X, Y);
  for (let p = 0; p < seed.grads.length; p++) {
    for (let i = 0; i < seed.grads[p].size; i++) {
      close(seed.grads[p].data[i], (4 / 10) * mean.grads[p].data[i], 1e-15);
    }
  }
});

Deno.test("scalarBiasGradient() writes the sum over samples and units to every unit (seed 002)", () => {
  const db = Matrix.zeros(1, 3);
  scalarBiasGradient(Matrix.from([[1, -2, 3], [4, 5, -6]]), db);
  assert.deepEqual(db.toArray(), [[5, 5, 5]]); // the correct column sums: [5, 3, −3]
});

Deno.test("softmaxOverBatch() divides every entry by the sum over the whole batch (seed 003)", () => {
  // rows shifted by their max: e = [1/3, 1] and [1, 1]; total 10/3
  const P = softmaxOverBatch(Matrix.from([[0, Math.log(3)], [7, 7]]));
  closeRows(P, [[0.1, 0.3], [0.3, 0.3]]);
  const out = Matrix.zeros(2, 2);
  assert.equal(softmaxOverBatch(Matrix.from([[0, 0], [0, 0]]), out), out);
  assert.deepEqual(out.toArray(), [[0.25, 0.25], [0.25, 0.25]]);
});

Deno.test("doubleSoftmaxDelta() takes a second softmax, subtracts 1 where it equals the label's, divides by k (seed 004)", () => {
  const dZ = Matrix.zeros(2, 2);
  // row 0: softmax([0, ln 3]) = [¼, ¾], label 0: [¼ − 1, ¾] / 2 · scale 2 = [−¾, ¾]
  // row 1: softmax([½, ½]) = [½, ½], label 1: both entries equal the label's: [−½, −½] / 2 · 2
  doubleSoftmaxDelta(
    Matrix.from([[0, Math.log(3)], [0.5, 0.5]]),
    Matrix.from([[1, 0], [0, 1]]),
    dZ,
    2,
  );
  closeRows(dZ, [[-0.75, 0.75], [-0.5, -0.5]]);
});

Deno.test("mulSoftmaxPrime() multiplies by s(1 − s) of the row softmax (seed 004)", () => {
  // s = [¼, ¾] → s(1 − s) = 3/16 both; s = [½, ½] → ¼
  const dA = Matrix.from([[1, 2], [4, -8]]);
  mulSoftmaxPrime(Matrix.from([[0, Math.log(3)], [1, 1]]), dA);
  closeRows(dA, [[3 / 16, 6 / 16], [1, -2]]);
});

Deno.test("checkMlpSeedFaithful() names the unknown switch and what a switch needs", () => {
  const net = { loss: "crossEntropy", activations: ["relu", "softmax"] as const, bias: true };
  assert.throws(
    () => checkMlpSeedFaithful({ softmaxOverBtch: true } as never, net, "Cannot build mlp"),
    /Cannot build mlp: unknown seedFaithful option softmaxOverBtch, expected one of/,
  );
  assert.throws(
    () => checkMlpSeedFaithful({ logEpsilon: 0 }, net, "Cannot build mlp"),
    /seedFaithful.logEpsilon needs a positive number, got 0/,
  );
  assert.throws(
    () => checkMlpSeedFaithful({ runningErrorSumCost: true }, net, "Cannot build mlp"),
    /seedFaithful.runningErrorSumCost needs loss squaredError, got crossEntropy/,
  );
  checkMlpSeedFaithful({ doubleSoftmaxDelta: true, softmaxPrimeLastHidden: true }, net, "x");
});
