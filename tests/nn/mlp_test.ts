import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { maxAbsDiff } from "../../lib/tensor/ops.ts";
import type { ActivationName } from "../../lib/nn/activations.ts";
import { gradcheck } from "../../lib/nn/gradcheck.ts";
import { type LossName, mlp, type MlpOptions } from "../../lib/nn/mlp.ts";
import type { MlpSeedFaithful } from "../../lib/nn/seed_bugs.ts";

const TOL = 1e-6;

function randomMatrix(rows: number, cols: number, prng: Prng, std = 1): Matrix {
  const M = Matrix.zeros(rows, cols);
  prng.fillNormal(M.data, 0, std);
  return M;
}

function targets(loss: LossName, n: number, k: number, prng: Prng): Matrix {
  const Y = Matrix.zeros(n, k);
  if (loss === "squaredError") {
    prng.fillUniform(Y.data, 0, 1);
  } else if (k === 1) {
    for (let i = 0; i < n; i++) Y.data[i] = prng.int(2);
  } else {
    for (let i = 0; i < n; i++) Y.set(i, prng.int(k), 1);
  }
  return Y;
}

function smallNet(
  options: Partial<MlpOptions> & Pick<MlpOptions, "activations" | "loss">,
  seed = 1,
) {
  const prng = new Prng(seed);
  return mlp({
    sizes: options.sizes ?? [3, 4, 3],
    init: { kind: "normal", std: 0.8 },
    biasInit: { kind: "normal", std: 0.3 },
    prng,
    ...options,
  });
}

const OUTPUTS: readonly ActivationName[] = ["sigmoid", "tanh", "relu", "softmax", "linear"];
const HIDDEN: readonly ActivationName[] = ["sigmoid", "tanh", "relu", "linear", "softmax"];
const LOSSES: readonly LossName[] = ["squaredError", "crossEntropy", "binaryCrossEntropy"];

Deno.test("mlp gradients pass the gradient check for every activation × loss × layer form", async (t) => {
  const prng = new Prng(123);
  let worst = 0;
  for (const [h, hidden] of HIDDEN.entries()) {
    for (const out of OUTPUTS) {
      for (const loss of LOSSES) {
        if (loss !== "squaredError" && out !== "softmax" && out !== "sigmoid") continue;
        for (const bias of [true, false]) {
          const reduction = bias ? "mean" : "sum";
          const name = `${hidden} → ${out}, ${loss}, bias ${bias}, ${reduction}`;
          await t.step(name, () => {
            const net = smallNet({ activations: [hidden, out], loss, bias, reduction }, h + 7);
            const X = randomMatrix(5, 3, prng), Y = targets(loss, 5, 3, prng);
            const err = gradcheck(net, { X, Y }).maxRelError;
            worst = Math.max(worst, err);
            assert.ok(err <= TOL, `${name}: relative error ${err}`);
          });
        }
      }
    }
  }
  console.log(`worst relative error over the matrix: ${worst.toExponential(2)}`);
});

Deno.test("mlp gradients pass the gradient check with an L2 penalty and a binary output", () => {
  const prng = new Prng(5);
  const net = mlp({
    sizes: [6, 1],
    activations: ["sigmoid"],
    loss: "binaryCrossEntropy",
    l2: 0.1,
    init: { kind: "normal", std: 0.5 },
    biasInit: { kind: "normal", std: 1 },
    prng,
  });
  const X = randomMatrix(8, 6, prng), Y = targets("binaryCrossEntropy", 8, 1, prng);
  assert.ok(gradcheck(net, { X, Y }).maxRelError <= TOL);
});

Deno.test("mlp gradients pass the gradient check on a deep net with three hidden layers", () => {
  const prng = new Prng(6);
  const net = mlp({
    sizes: [5, 6, 5, 4, 3],
    activations: ["relu", "tanh", "sigmoid", "softmax"],
    loss: "crossEntropy",
    init: { kind: "he" },
    biasInit: { kind: "normal", std: 0.1 },
    prng,
  });
  const X = randomMatrix(7, 5, prng), Y = targets("crossEntropy", 7, 3, prng);
  assert.ok(gradcheck(net, { X, Y }).maxRelError <= TOL);
});

const FAITHFUL: {
  name: string;
  options: Partial<MlpOptions> & Pick<MlpOptions, "activations" | "loss">;
  faithful: MlpSeedFaithful;
}[] = [
  {
    name: "seed 000 batchErrorThroughLastSample",
    options: { activations: ["sigmoid", "sigmoid"], loss: "squaredError", bias: false },
    faithful: { batchErrorThroughLastSample: true },
  },
  {
    name: "seed 000 runningErrorSumCost",
    options: { activations: ["sigmoid", "sigmoid"], loss: "squaredError", bias: false },
    faithful: { runningErrorSumCost: true },
  },
  {
    name: "seed 002 gradientDivisor 60000",
    options: { activations: ["relu", "softmax"], loss: "crossEntropy" },
    faithful: { gradientDivisor: 60000 },
  },
  {
    name: "seed 002 scalarBiasGradient",
    options: { activations: ["relu", "softmax"], loss: "crossEntropy" },
    faithful: { scalarBiasGradient: true },
  },
  {
    name: "seed 003 softmaxOverBatch",
    options: { sizes: [3, 3], activations: ["softmax"], loss: "crossEntropy" },
    faithful: { softmaxOverBatch: true },
  },
  {
    name: "seed 004 doubleSoftmaxDelta",
    options: { activations: ["relu", "softmax"], loss: "crossEntropy", reduction: "sum" },
    faithful: { doubleSoftmaxDelta: true },
  },
  {
    name: "seed 004 softmaxPrimeLastHidden",
    options: { activations: ["relu", "softmax"], loss: "crossEntropy", reduction: "sum" },
    faithful: { softmaxPrimeLastHidden: true },
  },
];

Deno.test("each seed-faithful variant fails the gradient check; the same net without it passes", async (t) => {
  for (const { name, options, faithful } of FAITHFUL) {
    await t.step(name, () => {
      const prng = new Prng(77);
      const X = randomMatrix(6, options.sizes?.[0] ?? 3, prng),
        Y = targets(options.loss, 6, 3, prng);
      const bad =
        gradcheck(smallNet({ ...options, seedFaithful: faithful }, 3), { X, Y }).maxRelError;
      const good = gradcheck(smallNet(options, 3), { X, Y }).maxRelError;
      console.log(`${name}: faithful ${bad.toExponential(2)}, corrected ${good.toExponential(2)}`);
      assert.ok(bad > 1e-2, `${name}: faithful error only ${bad}`);
      assert.ok(good <= TOL, `${name}: corrected error ${good}`);
    });
  }
});

// ---- Seed-faithful variants against literal transcriptions of the seeds' code ----

/** Column vector helpers for the transcriptions (plain arrays, seed orientation). */
const sig = (x: number) => 1 / (1 + Math.exp(-x));

Deno.test("batchErrorThroughLastSample reproduces seed 000's batch cell", () => {
  const prng = new Prng(21);
  const net = smallNet({
    sizes: [4, 3, 2],
    activations: ["sigmoid", "sigmoid"],
    loss: "squaredError",
    bias: false,
    seedFaithful: { batchErrorThroughLastSample: true, runningErrorSumCost: true },
  });
  const X = randomMatrix(5, 4, prng), Y = targets("crossEntropy", 5, 2, prng);
  const [W1, W2] = net.weights.map((W) => W.toArray());
  // Seed: LOCAL_ERROR accumulates Σ(Z2 − y); LES += LOCAL_ERROR²; backprop uses the last sample.
  let local = [0, 0], les = [0, 0];
  let z1: number[] = [], z2: number[] = [], ip: number[] = [];
  for (let s = 0; s < 5; s++) {
    ip = X.toArray()[s];
    z1 = [0, 1, 2].map((j) => sig(ip.reduce((a, x, i) => a + W1[i][j] * x, 0)));
    z2 = [0, 1].map((j) => sig(z1.reduce((a, x, i) => a + W2[i][j] * x, 0)));
    local = local.map((e, j) => e + z2[j] - Y.get(s, j));
    les = les.map((v, j) => v + local[j] ** 2);
  }
  const e = local.map((v) => v / 5);
  const cost = (1 / (2 * 5)) * (les[0] + les[1]);
  const temp1 = z2.map((z) => z * (1 - z));
  const dW2 = z1.map((a) => [0, 1].map((j) => e[j] * temp1[j] * a));
  const B = [0, 1, 2].map((i) => [0, 1].reduce((a, j) => a + e[j] * W2[i][j] * temp1[j], 0));
  const temp2 = z1.map((z) => z * (1 - z));
  const dW1 = ip.map((x) => [0, 1, 2].map((j) => B[j] * temp2[j] * x));

  const loss = net.lossAndGrad(X, Y);
  assert.ok(Math.abs(loss - cost) < 1e-14, `cost ${loss} vs ${cost}`);
  assert.ok(maxAbsDiff(net.grads[0], Matrix.from(dW1)) < 1e-15);
  assert.ok(maxAbsDiff(net.grads[1], Matrix.from(dW2)) < 1e-15);
});

Deno.test("gradientDivisor and scalarBiasGradient reproduce seed 002's backward_prop", () => {
  const prng = new Prng(22);
  const m = 60000;
  const net = smallNet({
    sizes: [4, 3, 3],
    activations: ["relu", "softmax"],
    loss: "crossEntropy",
    seedFaithful: { gradientDivisor: m, scalarBiasGradient: true },
  });
  const n = 6;
  const X = randomMatrix(n, 4, prng), Y = targets("crossEntropy", n, 3, prng);
  const [W1, b1, W2, b2] = net.params.map((p) => p.toArray());
  const x = X.toArray();
  // Forward per sample, seed formulas (column-major in the seed; per-sample here).
  const Z1 = x.map((r) => [0, 1, 2].map((j) => r.reduce((a, v, i) => a + v * W1[i][j], b1[0][j])));
  const A1 = Z1.map((r) => r.map((z) => Math.max(z, 0)));
  const Z2 = A1.map((r) => [0, 1, 2].map((j) => r.reduce((a, v, i) => a + v * W2[i][j], b2[0][j])));
  const A2 = Z2.map((r) => {
    const e = r.map(Math.exp), s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
  const dZ2 = A2.map((r, i) => r.map((p, j) => p - Y.get(i, j)));
  const dW2 = [0, 1, 2].map((i) =>
    [0, 1, 2].map((j) => A1.reduce((a, r, s) => a + r[i] * dZ2[s][j], 0) / m)
  );
  const db2 = dZ2.flat().reduce((a, b) => a + b, 0) / m;
  const dZ1 = dZ2.map((r, s) =>
    [0, 1, 2].map((i) => (Z1[s][i] > 0 ? 1 : 0) * r.reduce((a, d, j) => a + W2[i][j] * d, 0))
  );
  const dW1 = [0, 1, 2, 3].map((i) =>
    [0, 1, 2].map((j) => x.reduce((a, r, s) => a + r[i] * dZ1[s][j], 0) / m)
  );
  const db1 = dZ1.flat().reduce((a, b) => a + b, 0) / m;

  net.lossAndGrad(X, Y);
  const [gW1, gb1, gW2, gb2] = net.grads;
  assert.ok(maxAbsDiff(gW1, Matrix.from(dW1)) < 1e-15);
  assert.ok(maxAbsDiff(gW2, Matrix.from(dW2)) < 1e-15);
  assert.ok(maxAbsDiff(gb1, Matrix.from([[db1, db1, db1]])) < 1e-15);
  assert.ok(maxAbsDiff(gb2, Matrix.from([[db2, db2, db2]])) < 1e-15);
});

Deno.test("softmaxOverBatch reproduces seed 003 Q1b's update and reported loss", () => {
  const prng = new Prng(23);
  const net = smallNet({
    sizes: [4, 3],
    activations: ["softmax"],
    loss: "crossEntropy",
    logEpsilon: 1e-39,
    seedFaithful: { softmaxOverBatch: true },
  });
  const B = 5;
  const X = randomMatrix(B, 4, prng), Y = targets("crossEntropy", B, 3, prng);
  const [w, b] = net.params.map((p) => p.toArray());
  const x = X.toArray();
  const lin = x.map((r) => [0, 1, 2].map((j) => r.reduce((a, v, i) => a + v * w[i][j], b[0][j])));
  const a = lin.map((r) => {
    const m = Math.max(...r);
    return r.map((v) => Math.exp(v - m));
  });
  const total = a.flat().reduce((s, v) => s + v, 0);
  const P = a.map((r) => r.map((v) => v / total));
  const loss = -(1 / B) *
    P.reduce((s, r, i) => s + Math.log(r.reduce((t, p, j) => t + p * Y.get(i, j), 0) + 1e-39), 0);
  // Seed: dw = (1/B) xᵀ(y − P); w = w + lr·dw, i.e. our gradient is −dw.
  const dw = [0, 1, 2, 3].map((i) =>
    [0, 1, 2].map((j) => x.reduce((s, r, k) => s + r[i] * (Y.get(k, j) - P[k][j]), 0) / B)
  );
  const db = [[0, 1, 2].map((j) => P.reduce((s, r, k) => s + (Y.get(k, j) - r[j]), 0) / B)];

  const got = net.lossAndGrad(X, Y);
  assert.ok(Math.abs(got - loss) < 1e-12, `loss ${got} vs ${loss}`);
  assert.ok(maxAbsDiff(net.grads[0], Matrix.from(dw.map((r) => r.map((v) => -v)))) < 1e-15);
  assert.ok(maxAbsDiff(net.grads[1], Matrix.from(db.map((r) => r.map((v) => -v)))) < 1e-15);
});

Deno.test("doubleSoftmaxDelta and softmaxPrimeLastHidden reproduce seed 004's backprop step", () => {
  const prng = new Prng(24);
  const net = smallNet({
    sizes: [4, 5, 3, 3],
    activations: ["relu", "relu", "softmax"],
    loss: "crossEntropy",
    reduction: "sum",
    seedFaithful: { doubleSoftmaxDelta: true, softmaxPrimeLastHidden: true },
  });
  const X = randomMatrix(1, 4, prng), Y = Matrix.from([[0, 0, 1]]);
  const [W1, b1, W2, b2, W3, b3] = net.params.map((p) => p.toArray());
  const softmaxV = (v: number[]) => {
    const e = v.map(Math.exp), s = e.reduce((a, c) => a + c, 0);
    return e.map((x) => x / s);
  };
  const affine = (a: number[], W: number[][], b: number[][]) =>
    b[0].map((bj, j) => a.reduce((s, v, i) => s + v * W[i][j], bj));
  const a0 = X.toArray()[0];
  const z1 = affine(a0, W1, b1), a1 = z1.map((z) => Math.max(0, z));
  const z2 = affine(a1, W2, b2), a2 = z2.map((z) => Math.max(0, z));
  const z3 = affine(a2, W3, b3), a3 = softmaxV(z3);
  const loss = -Math.log(a3[2]);
  // delta_cross_entropy(y, a3): grad = softmax(a3); grad[label] −= 1; grad /= 10 → here k = 3.
  const g = softmaxV(a3);
  const d3 = g.map((v) => (v === g[2] ? v - 1 : v) / 3);
  // delta2 = softmax_der(z2) ⊙ W3·d3; delta1 = relu_der(z1) ⊙ W2·d2.
  const sp = softmaxV(z2).map((s) => s * (1 - s));
  const d2 = sp.map((s, i) => s * d3.reduce((t, d, j) => t + W3[i][j] * d, 0));
  const d1 = z1.map((z, i) => (z > 0 ? 1 : 0) * d2.reduce((t, d, j) => t + W2[i][j] * d, 0));
  const outer = (a: number[], d: number[]) => a.map((x) => d.map((y) => x * y));

  const got = net.lossAndGrad(X, Y);
  assert.ok(Math.abs(got - loss) < 1e-14);
  const want = [outer(a0, d1), [d1], outer(a1, d2), [d2], outer(a2, d3), [d3]];
  net.grads.forEach((G, i) => assert.ok(maxAbsDiff(G, Matrix.from(want[i])) < 1e-15, `grad ${i}`));
});

// ---- Behaviour of the implementation ----

Deno.test("mlp predict() reuses its workspace and agrees row by row with single-sample calls", () => {
  const prng = new Prng(9);
  const net = smallNet({
    sizes: [4, 6, 3],
    activations: ["tanh", "softmax"],
    loss: "crossEntropy",
  });
  const X = randomMatrix(5, 4, prng);
  const P = net.predict(X);
  assert.equal(net.predict(X), P, "same batch size returns the same workspace");
  const batch = P.clone();
  for (let i = 0; i < 5; i++) {
    const row = net.predict(X.rowSlice(i, i + 1));
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(row.get(0, j) - batch.get(i, j)) < 1e-15);
  }
  assert.notEqual(net.predict(X.rowSlice(0, 2)), P);
});

Deno.test("mlp lossAndGrad() returns loss() and the batch gradient is the mean of per-sample gradients", () => {
  const prng = new Prng(10);
  const net = smallNet({
    sizes: [3, 4, 2],
    activations: ["sigmoid", "sigmoid"],
    loss: "squaredError",
  });
  const X = randomMatrix(4, 3, prng), Y = targets("squaredError", 4, 2, prng);
  assert.equal(net.lossAndGrad(X, Y), net.loss(X, Y));
  const batchGrads = net.grads.map((g) => g.clone());
  const mean = net.grads.map((g) => Matrix.zerosLike(g));
  for (let i = 0; i < 4; i++) {
    net.lossAndGrad(X.rowSlice(i, i + 1), Y.rowSlice(i, i + 1));
    net.grads.forEach((g, p) => g.data.forEach((v, k) => (mean[p].data[k] += v / 4)));
  }
  batchGrads.forEach((g, p) => assert.ok(maxAbsDiff(g, mean[p]) < 1e-15));
});

Deno.test("mlp in float32 tracks the float64 net", () => {
  const prng = new Prng(12);
  const make = (dtype: "float32" | "float64") =>
    mlp({
      sizes: [8, 6, 4],
      activations: ["relu", "softmax"],
      loss: "crossEntropy",
      init: { kind: "he" },
      prng: new Prng(4),
      dtype,
    });
  const n64 = make("float64"), n32 = make("float32");
  const X = randomMatrix(3, 8, prng), Y = targets("crossEntropy", 3, 4, prng);
  const l64 = n64.lossAndGrad(X, Y), l32 = n32.lossAndGrad(X.astype("float32"), Y);
  assert.ok(Math.abs(l64 - l32) < 1e-5);
  n64.grads.forEach((g, i) => assert.ok(maxAbsDiff(g, n32.grads[i].astype("float64")) < 1e-5));
});

Deno.test("mlp softmax cross-entropy loss stays finite for saturated logits", () => {
  const net = mlp({
    sizes: [2, 2],
    activations: ["softmax"],
    loss: "crossEntropy",
    init: { kind: "normal", std: 1000 },
    prng: new Prng(1),
  });
  const X = Matrix.from([[1, 1], [-1, -1]]), Y = Matrix.from([[1, 0], [0, 1]]);
  const loss = net.lossAndGrad(X, Y);
  assert.ok(Number.isFinite(loss) && loss >= 0);
  assert.ok(net.grads.every((g) => Array.from(g.data).every(Number.isFinite)));
});

Deno.test("mlp rejects bad inputs with the shapes in the message", async (t) => {
  const net = smallNet({
    sizes: [3, 4, 2],
    activations: ["relu", "softmax"],
    loss: "crossEntropy",
  });
  await t.step("wrong input width", () => {
    assert.throws(
      () => net.predict(Matrix.zeros(2, 5)),
      /Cannot predict: X must have 3 columns, got \[2, 5\]/,
    );
  });
  await t.step("wrong target shape", () => {
    assert.throws(
      () => net.lossAndGrad(Matrix.zeros(2, 3), Matrix.zeros(2, 3)),
      /Y must have shape \[2, 2\] for X \[2, 3\], got \[2, 3\]/,
    );
  });
  await t.step("dtype mismatch", () => {
    assert.throws(
      () => net.predict(Matrix.zeros(1, 3, "float32")),
      /X dtype float32 differs from the parameters' float64/,
    );
  });
});

Deno.test("mlp rejects inconsistent configurations", async (t) => {
  const base = { prng: new Prng(0) };
  await t.step("activation count", () => {
    assert.throws(
      () => mlp({ ...base, sizes: [3, 4, 2], activations: ["relu"], loss: "squaredError" }),
      /expected 2 activations for sizes \[3, 4, 2\], got 1/,
    );
  });
  await t.step("cross-entropy on a relu output", () => {
    assert.throws(
      () => mlp({ ...base, sizes: [3, 2], activations: ["relu"], loss: "crossEntropy" }),
      /loss crossEntropy needs a softmax or sigmoid output, got relu/,
    );
  });
  await t.step("unknown seedFaithful switch", () => {
    assert.throws(
      () =>
        mlp({
          ...base,
          sizes: [3, 2],
          activations: ["softmax"],
          loss: "crossEntropy",
          seedFaithful: { softmaxOverBtch: true } as MlpSeedFaithful,
        }),
      /unknown seedFaithful option softmaxOverBtch/,
    );
  });
  await t.step("switch that does not fit the model", () => {
    assert.throws(
      () =>
        mlp({
          ...base,
          sizes: [3, 2],
          activations: ["sigmoid"],
          loss: "squaredError",
          bias: false,
          seedFaithful: { scalarBiasGradient: true },
        }),
      /seedFaithful.scalarBiasGradient needs bias: true/,
    );
  });
  await t.step("logEpsilon given twice with different values", () => {
    assert.throws(
      () =>
        mlp({
          ...base,
          sizes: [3, 2],
          activations: ["softmax"],
          loss: "crossEntropy",
          logEpsilon: 1e-39,
          seedFaithful: { logEpsilon: 1e-40 },
        }),
      /logEpsilon 1e-39 differs from seedFaithful.logEpsilon 1e-40/,
    );
  });
  await t.step("random init without prng", () => {
    assert.throws(
      () => mlp({ sizes: [3, 2], activations: ["sigmoid"], loss: "squaredError" }),
      /option prng is required/,
    );
  });
});

// ---- One-row batches and the fused trainStep ----

/** Inputs with about 70 % exact zeros, like MNIST pixels. */
function sparseInputs(rows: number, cols: number, prng: Prng): Matrix {
  const X = Matrix.zeros(rows, cols);
  for (let i = 0; i < X.size; i++) X.data[i] = prng.random() < 0.7 ? 0 : prng.random();
  return X;
}

Deno.test("mlp one-row forward and gradients match the batch path on sparse inputs", () => {
  const prng = new Prng(31);
  const net = smallNet({
    sizes: [12, 5, 3],
    activations: ["relu", "softmax"],
    loss: "crossEntropy",
  });
  const X = sparseInputs(4, 12, prng), Y = targets("crossEntropy", 4, 3, prng);
  const batch = net.predict(X).clone();
  for (let i = 0; i < 4; i++) {
    const x = X.rowSlice(i, i + 1), y = Y.rowSlice(i, i + 1);
    const row = net.predict(x);
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(row.get(0, j) - batch.get(i, j)) < 1e-15);
    net.lossAndGrad(x, y);
    const one = net.grads.map((g) => g.clone());
    // The same sample as a 2-row batch of itself has the same mean gradient.
    const x2 = Matrix.from([x.toArray()[0], x.toArray()[0]]);
    const y2 = Matrix.from([y.toArray()[0], y.toArray()[0]]);
    net.lossAndGrad(x2, y2);
    one.forEach((g, p) => assert.ok(maxAbsDiff(g, net.grads[p]) < 1e-15, `param ${p}`));
  }
  assert.ok(gradcheck(net, { X: X.rowSlice(1, 2), Y: Y.rowSlice(1, 2) }).maxRelError <= TOL);
});

Deno.test("mlp trainStep() equals lossAndGrad + an SGD step, for one row and for batches", async (t) => {
  const configs: {
    name: string;
    options: Partial<MlpOptions> & Pick<MlpOptions, "activations" | "loss">;
  }[] = [
    {
      name: "sigmoid, no bias (seed 000)",
      options: {
        sizes: [12, 5, 3],
        activations: ["sigmoid", "sigmoid"],
        loss: "squaredError",
        bias: false,
      },
    },
    {
      name: "relu/softmax with L2",
      options: {
        sizes: [12, 5, 3],
        activations: ["relu", "softmax"],
        loss: "crossEntropy",
        l2: 0.05,
      },
    },
    {
      name: "seed 002 faithful",
      options: {
        sizes: [12, 5, 3],
        activations: ["relu", "softmax"],
        loss: "crossEntropy",
        seedFaithful: { gradientDivisor: 50, scalarBiasGradient: true },
      },
    },
    {
      name: "seed 004 faithful, sum",
      options: {
        sizes: [12, 6, 5, 3],
        activations: ["relu", "relu", "softmax"],
        loss: "crossEntropy",
        reduction: "sum",
        seedFaithful: { doubleSoftmaxDelta: true, softmaxPrimeLastHidden: true },
      },
    },
    {
      name: "seed 000 batch faithful",
      options: {
        sizes: [12, 5, 3],
        activations: ["sigmoid", "sigmoid"],
        loss: "squaredError",
        bias: false,
        seedFaithful: { batchErrorThroughLastSample: true },
      },
    },
  ];
  for (const { name, options } of configs) {
    await t.step(name, () => {
      const prng = new Prng(41);
      const X = sparseInputs(6, 12, prng), Y = targets(options.loss, 6, 3, prng);
      const a = smallNet(options, 5), b = smallNet(options, 5);
      for (const rows of [1, 6, 1, 3]) {
        const x = X.rowSlice(0, rows), y = Y.rowSlice(0, rows);
        const la = a.lossAndGrad(x, y);
        a.params.forEach((p, i) => {
          for (let k = 0; k < p.size; k++) p.data[k] -= 0.3 * a.grads[i].data[k];
        });
        const lb = b.trainStep(x, y, 0.3);
        assert.equal(lb, la);
        a.params.forEach((p, i) => assert.ok(maxAbsDiff(p, b.params[i]) < 1e-14, `param ${i}`));
      }
    });
  }
});

Deno.test("mlp trainStep() rejects a non-finite learning rate", () => {
  const net = smallNet({ activations: ["relu", "softmax"], loss: "crossEntropy" });
  assert.throws(
    () => net.trainStep(Matrix.zeros(1, 3), Matrix.from([[1, 0, 0]]), NaN),
    /learningRate must be finite, got NaN/,
  );
});

Deno.test("mlp takes SparseRows inputs: the same outputs, gradients and steps as dense", async (t) => {
  const { sparseRows } = await import("../../lib/tensor/sparse_rows.ts");
  const { loadNativeKernels } = await import("../../lib/native/build.ts");
  await loadNativeKernels();
  const configs: [string, Partial<MlpOptions> & Pick<MlpOptions, "activations" | "loss">][] = [
    ["relu/softmax with L2", { activations: ["relu", "softmax"], loss: "crossEntropy", l2: 0.05 }],
    ["seed 002 faithful", {
      activations: ["relu", "softmax"],
      loss: "crossEntropy",
      seedFaithful: { gradientDivisor: 50, scalarBiasGradient: true },
    }],
    ["seed 000 batch faithful, no bias", {
      activations: ["sigmoid", "sigmoid"],
      loss: "squaredError",
      bias: false,
      seedFaithful: { batchErrorThroughLastSample: true },
    }],
  ];
  for (const dtype of ["float64", "float32"] as const) {
    const tol = dtype === "float64" ? 1e-14 : 1e-6;
    for (const [name, options] of configs) {
      await t.step(`${name}, ${dtype}`, () => {
        const prng = new Prng(43);
        const X = sparseInputs(9, 12, prng).astype(dtype), A = sparseRows(X);
        const Y = targets(options.loss, 9, 3, prng).astype(dtype);
        const a = smallNet({ ...options, sizes: [12, 5, 3], dtype }, 6);
        const b = smallNet({ ...options, sizes: [12, 5, 3], dtype }, 6);
        assert.ok(maxAbsDiff(a.predict(X).clone(), b.predict(A)) < tol);
        assert.ok(Math.abs(a.lossAndGrad(X, Y) - b.lossAndGrad(A, Y)) < tol);
        a.grads.forEach((g, i) => assert.ok(maxAbsDiff(g, b.grads[i]) < tol, `grad ${i}`));
        for (let step = 0; step < 3; step++) {
          assert.ok(Math.abs(a.trainStep(X, Y, 0.3) - b.trainStep(A, Y, 0.3)) < tol);
        }
        a.params.forEach((p, i) => assert.ok(maxAbsDiff(p, b.params[i]) < tol, `param ${i}`));
      });
    }
  }
  await t.step("a SparseRowBatch gives what its rows gathered densely give", async () => {
    const { SparseRowBatch } = await import("../../lib/tensor/sparse_rows.ts");
    const { gatherRows } = await import("../../lib/tensor/ops.ts");
    for (const dtype of ["float64", "float32"] as const) {
      const tol = dtype === "float64" ? 1e-14 : 1e-6;
      const prng = new Prng(44);
      const X = sparseInputs(20, 12, prng).astype(dtype), A = sparseRows(X);
      const Y = targets("crossEntropy", 20, 3, prng).astype(dtype);
      const order = Uint32Array.from({ length: 20 }, (_, i) => (i * 7) % 20);
      const batch = new SparseRowBatch(A, order).select(3, 8);
      const Xb = gatherRows(X, order.subarray(3, 11)), Yb = gatherRows(Y, order.subarray(3, 11));
      const options = { sizes: [12, 5, 3], activations: ["relu", "softmax"], dtype } as const;
      const a = smallNet({ ...options, loss: "crossEntropy" }, 6);
      const b = smallNet({ ...options, loss: "crossEntropy" }, 6);
      for (let step = 0; step < 3; step++) {
        assert.ok(Math.abs(a.trainStep(Xb, Yb, 0.3) - b.trainStep(batch, Yb, 0.3)) < tol);
      }
      a.params.forEach((p, i) => assert.ok(maxAbsDiff(p, b.params[i]) < tol, `param ${i}`));
    }
  });
  await t.step("a SparseRows input with the wrong width is named", () => {
    const net = smallNet({
      sizes: [12, 5, 3],
      activations: ["relu", "softmax"],
      loss: "crossEntropy",
    });
    assert.throws(
      () => net.predict(sparseRows(Matrix.zeros(2, 11))),
      /X must have 12 columns, got \[2, 11\]/,
    );
  });
});
