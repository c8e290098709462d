import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { gatherRows, maxAbsDiff } from "../../lib/tensor/ops.ts";
import { SparseRowBatch, sparseRows } from "../../lib/tensor/sparse_rows.ts";
import { loadNativeKernels } from "../../lib/native/build.ts";
import { mlp } from "../../lib/nn/mlp.ts";
import { gradcheck } from "../../lib/nn/gradcheck.ts";
import {
  addBiasColumn,
  BiasColumnNet,
  biasColumnNet,
  initParams,
} from "../../lib/nn/bias_column_net.ts";

function data(n: number, nx: number, ny: number, prng: Prng) {
  const X = Matrix.zeros(n, nx);
  prng.fillNormal(X.data, 0, 1);
  const Y = Matrix.zeros(n, ny);
  for (let i = 0; i < n; i++) Y.set(i, prng.int(ny), 1);
  return { X: addBiasColumn(X), Y };
}

Deno.test("initParams() draws w1 [nh, nx+1] then w2 [ny, nh+1] from N(0, 0.3²)", () => {
  const { w1, w2 } = initParams(50, 40, 30, { prng: new Prng(1) });
  assert.deepEqual([w1.shape, w2.shape], [[40, 51], [30, 41]]);
  const all = [...w1.data, ...w2.data];
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
  assert.ok(Math.abs(mean) < 0.02 && Math.abs(std - 0.3) < 0.02, `mean ${mean} std ${std}`);
  const again = initParams(50, 40, 30, { prng: new Prng(1) });
  assert.deepEqual(again.w1.data, w1.data);
});

Deno.test("bias-column net equals a batch-first mlp with W = w[:, 1:]ᵀ and b = w[:, 0]", () => {
  const prng = new Prng(2);
  const { w1, w2 } = initParams(3, 4, 2, { prng });
  const net = new BiasColumnNet({ w1, w2 });
  const ref = mlp({
    sizes: [3, 4, 2],
    activations: ["tanh", "softmax"],
    loss: "crossEntropy",
    init: { kind: "zeros" },
  });
  const [W1, b1, W2, b2] = ref.params;
  for (let j = 0; j < 4; j++) {
    b1.set(0, j, w1.get(j, 0));
    for (let i = 0; i < 3; i++) W1.set(i, j, w1.get(j, i + 1));
  }
  for (let j = 0; j < 2; j++) {
    b2.set(0, j, w2.get(j, 0));
    for (let i = 0; i < 4; i++) W2.set(i, j, w2.get(j, i + 1));
  }
  const { X, Y } = data(5, 3, 2, prng);
  const Xplain = Matrix.from(X.toArray().map((r) => r.slice(1)));
  assert.ok(maxAbsDiff(net.predict(X), ref.predict(Xplain)) < 1e-15);
  assert.ok(Math.abs(net.lossAndGrad(X, Y) - ref.lossAndGrad(Xplain, Y)) < 1e-15);
  for (let j = 0; j < 4; j++) {
    assert.ok(Math.abs(net.dw1.get(j, 0) - ref.grads[1].get(0, j)) < 1e-15);
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs(net.dw1.get(j, i + 1) - ref.grads[0].get(i, j)) < 1e-15);
    }
  }
});

Deno.test("bias-column net passes the gradient check for mean and sum reductions", () => {
  for (const reduction of ["mean", "sum"] as const) {
    const prng = new Prng(3);
    const net = biasColumnNet({ nx: 4, nh: 3, ny: 3 }, { prng, reduction });
    const err = gradcheck(net, data(6, 4, 3, prng)).maxRelError;
    assert.ok(err <= 1e-6, `${reduction}: ${err}`);
  }
});

Deno.test("each seed 001 switch alone breaks the gradient check", () => {
  for (const seedFaithful of [{ softmaxPrimeFactor: true }, { sumGradientOfMeanLoss: true }]) {
    const prng = new Prng(4);
    const net = biasColumnNet({ nx: 4, nh: 3, ny: 3 }, { prng, seedFaithful });
    const err = gradcheck(net, data(6, 4, 3, prng)).maxRelError;
    assert.ok(err > 1e-2, `${JSON.stringify(seedFaithful)}: ${err}`);
  }
});

Deno.test("sumGradientOfMeanLoss gives m times the mean gradient", () => {
  const prng = new Prng(5);
  const params = initParams(4, 3, 3, { prng });
  const a = new BiasColumnNet({ w1: params.w1.clone(), w2: params.w2.clone() });
  const b = new BiasColumnNet(params, { seedFaithful: { sumGradientOfMeanLoss: true } });
  const { X, Y } = data(7, 4, 3, prng);
  a.lossAndGrad(X, Y);
  b.lossAndGrad(X, Y);
  for (let i = 0; i < a.dw1.size; i++) {
    assert.ok(Math.abs(7 * a.dw1.data[i] - b.dw1.data[i]) < 1e-14);
  }
});

Deno.test("bias-column net rejects inputs without the ones column and bad shapes", () => {
  const net = biasColumnNet({ nx: 2, nh: 2, ny: 2 }, { prng: new Prng(0) });
  assert.throws(
    () => net.predict(Matrix.from([[0.5, 1, 2]])),
    /column 0 of X must be the bias column of ones, got 0.5 in row 0/,
  );
  assert.throws(() => net.predict(Matrix.from([[1, 2]])), /X must have nx\+1 = 3 columns/);
  assert.throws(
    () => new BiasColumnNet({ w1: Matrix.zeros(2, 3), w2: Matrix.zeros(2, 4) }),
    /w2 must have nh\+1 = 3 columns for w1 \[2, 3\], got \[2, 4\]/,
  );
  assert.throws(() => initParams(2, 0, 2, { prng: new Prng(0) }), /nh must be a positive integer/);
});

Deno.test("bias-column trainStep() equals lossAndGrad + an SGD step (corrected and faithful)", () => {
  for (
    const seedFaithful of [undefined, { softmaxPrimeFactor: true, sumGradientOfMeanLoss: true }]
  ) {
    const prng = new Prng(6);
    const params = initParams(5, 4, 3, { prng });
    const a = new BiasColumnNet({ w1: params.w1.clone(), w2: params.w2.clone() }, { seedFaithful });
    const b = new BiasColumnNet(params, { seedFaithful });
    const { X, Y } = data(6, 5, 3, prng);
    for (const rows of [6, 1, 4]) {
      const x = X.rowSlice(0, rows), y = Y.rowSlice(0, rows);
      const la = a.lossAndGrad(x, y);
      a.params.forEach((p, i) => {
        for (let k = 0; k < p.size; k++) p.data[k] -= 0.1 * a.grads[i].data[k];
      });
      assert.equal(b.trainStep(x, y, 0.1), la);
      a.params.forEach((p, i) => assert.ok(maxAbsDiff(p, b.params[i]) < 1e-15));
    }
  }
});

/** `[1 | X]` with about 80 % of X exactly 0 and pixel values c/255, like MNIST rows. */
function pixelData(n: number, nx: number, ny: number, prng: Prng) {
  const X = Matrix.zeros(n, nx);
  for (let i = 0; i < X.data.length; i++) {
    X.data[i] = prng.random() < 0.8 ? 0 : (1 + prng.int(255)) / 255;
  }
  const Y = Matrix.zeros(n, ny);
  for (let i = 0; i < n; i++) Y.set(i, prng.int(ny), 1);
  return { X: addBiasColumn(X), Y };
}

Deno.test("bias-column net takes sparse inputs: the same outputs, gradients and steps as dense", async (t) => {
  await loadNativeKernels();
  const faithful = { softmaxPrimeFactor: true, sumGradientOfMeanLoss: true };
  for (const dtype of ["float64", "float32"] as const) {
    const tol = dtype === "float64" ? 1e-13 : 2e-6;
    for (const nh of [32, 5]) {
      for (const seedFaithful of [undefined, faithful]) {
        await t.step(
          `${dtype}, nh = ${nh}, ${seedFaithful ? "seed-faithful" : "corrected"}`,
          () => {
            const prng = new Prng(8);
            const { X: X64, Y: Y64 } = pixelData(40, 30, 10, prng);
            const X = X64.astype(dtype), Y = Y64.astype(dtype), A = sparseRows(X64);
            const order = Uint32Array.from({ length: 40 }, (_, i) => (i * 17) % 40);
            const batch = new SparseRowBatch(A, order).select(5, 24);
            const Xb = gatherRows(X, order.subarray(5, 29)),
              Yb = gatherRows(Y, order.subarray(5, 29));
            const params = initParams(30, nh, 10, { prng, dtype });
            const copy = () => ({ w1: params.w1.clone(), w2: params.w2.clone() });
            const dense = new BiasColumnNet(copy(), { seedFaithful });
            const sparse = new BiasColumnNet(copy(), { seedFaithful });
            assert.equal(sparse.inputLayerUnits, nh);
            assert.ok(maxAbsDiff(dense.predict(X).clone(), sparse.predict(A)) < tol);
            assert.ok(maxAbsDiff(dense.hidden(Xb).clone(), sparse.hidden(batch)) < tol);
            assert.ok(Math.abs(dense.loss(X, Y) - sparse.loss(A, Y)) < tol);
            assert.ok(Math.abs(dense.lossAndGrad(Xb, Yb) - sparse.lossAndGrad(batch, Yb)) < tol);
            dense.grads.forEach((g, i) =>
              assert.ok(maxAbsDiff(g, sparse.grads[i]) < tol, `grad ${i}`)
            );
            for (let step = 0; step < 3; step++) {
              assert.ok(
                Math.abs(dense.trainStep(Xb, Yb, 0.05) - sparse.trainStep(batch, Yb, 0.05)) < tol,
              );
              assert.ok(Math.abs(dense.trainStep(X, Y, 0.05) - sparse.trainStep(A, Y, 0.05)) < tol);
            }
            dense.params.forEach((p, i) =>
              assert.ok(maxAbsDiff(p, sparse.params[i]) < tol, `param ${i}`)
            );
          },
        );
      }
    }
  }
  await t.step("sparse inputs without the ones column or of the wrong width are named", () => {
    const net = biasColumnNet({ nx: 2, nh: 2, ny: 2 }, { prng: new Prng(0) });
    const noOnes = sparseRows(Matrix.from([[1, 2, 0], [0, 1, 2]]));
    assert.throws(
      () => net.predict(noOnes),
      /column 0 of X must be the bias column of ones, got 0 in row 1/,
    );
    assert.throws(
      () => net.predict(new SparseRowBatch(noOnes, new Uint32Array([0, 1])).select(1, 1)),
      /column 0 of X must be the bias column of ones, got 0 in row 0/,
    );
    assert.throws(
      () => net.predict(sparseRows(Matrix.from([[0.5, 1, 2]]))),
      /got 0.5 in row 0/,
    );
    assert.throws(
      () => net.predict(sparseRows(Matrix.from([[1, 2]]))),
      /X must have nx\+1 = 3 columns \(ones column first\), got \[1, 2\]/,
    );
  });
});
