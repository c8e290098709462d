import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { maxAbsDiff, oneHot } from "../../lib/tensor/ops.ts";
import { SparseRowBatch, sparseRows } from "../../lib/tensor/sparse_rows.ts";
import { loadNativeKernels, useNativeBackend } from "../../lib/native/build.ts";
import { type LinearModel, linearModel } from "../../lib/nn/linear_model.ts";
import { type Mlp, mlp } from "../../lib/nn/mlp.ts";
import { loadParams, saveParams } from "../../lib/nn/model.ts";
import { SEED_FAITHFUL } from "../../lib/nn/seed_models.ts";
import { evaluate } from "../../lib/train/evaluate.ts";
import { lossChangeBelow } from "../../lib/train/stop_rules.ts";
import { train } from "../../lib/train/train.ts";

/** n samples of 30 features, ~75 % exact zeros, k classes (0/1 targets for k = 1). */
function problem(k: number, seed: number, n = 120) {
  const prng = new Prng(seed);
  const X = Matrix.zeros(n, 30);
  for (let i = 0; i < X.data.length; i++) X.data[i] = prng.random() < 0.75 ? 0 : prng.random();
  const classes = Math.max(k, 2);
  const labels = new Uint8Array(n).map((_, i) =>
    (i * 7 + Math.floor(X.data[i * 30 + 3] * classes)) % classes
  );
  const Y = k === 1
    ? new Matrix(n, 1, new Float64Array(n).map((_, i) => labels[i]))
    : oneHot(labels, k);
  return { X, Y };
}

/** Seed 003's logistic model (λ‖W‖², optional ε) as a LinearModel and as the dense Mlp. */
function logistic(l2: number, logEpsilon?: number): [LinearModel, Mlp] {
  return twins(
    linearModel({ inputs: 30, outputs: 1, output: "sigmoid", l2, logEpsilon }),
    mlp({
      sizes: [30, 1],
      activations: ["sigmoid"],
      loss: "binaryCrossEntropy",
      l2,
      logEpsilon,
      init: { kind: "zeros" },
    }),
  );
}

/** Seed 003's softmax regression (faithful: whole-batch softmax, ε = 1e-39), both ways. */
function softmaxRegression(k: number, faithful: boolean): [LinearModel, Mlp] {
  return twins(
    linearModel({
      inputs: 30,
      outputs: k,
      output: "softmax",
      logEpsilon: faithful ? 1e-39 : undefined,
      seedFaithful: faithful ? SEED_FAITHFUL.seed003Softmax : undefined,
    }),
    mlp({
      sizes: [30, k],
      activations: ["softmax"],
      loss: "crossEntropy",
      logEpsilon: faithful ? 1e-39 : undefined,
      seedFaithful: faithful ? SEED_FAITHFUL.seed003Softmax : undefined,
      init: { kind: "zeros" },
    }),
  );
}

/** The same random starting parameters in both models. */
function twins(a: LinearModel, b: Mlp): [LinearModel, Mlp] {
  const prng = new Prng(9);
  for (const p of a.params) for (let i = 0; i < p.data.length; i++) p.data[i] = prng.normal(0, 0.3);
  loadParams(b, saveParams(a));
  return [a, b];
}

function assertParamsClose(a: LinearModel, b: Mlp | LinearModel, tolerance = 1e-12): void {
  for (let i = 0; i < a.params.length; i++) {
    const diff = maxAbsDiff(a.params[i], b.params[i]);
    assert.ok(diff < tolerance, `param ${i} differs by ${diff}`);
  }
}

const native = (await loadNativeKernels()).name === "native";
const backends = native ? ["native", "ts"] as const : ["ts"] as const;

for (const backend of backends) {
  Deno.test(`LinearModel full batch in train() equals the dense Mlp: logistic with L2 and ε, stopping on Δloss (${backend})`, async () => {
    await useNativeBackend(backend);
    const data = problem(1, 1);
    const [a, b] = logistic(0.1, 1e-40);
    const options = {
      epochs: 400,
      learningRate: 0.5,
      batchSize: "full" as const,
      stop: lossChangeBelow(1e-5),
      validation: data,
    };
    const ha = await train(a, data, options);
    const hb = await train(b, data, options);
    assert.equal(ha.epochs, hb.epochs);
    assert.ok(ha.epochs < 400, `stopped by Δloss after ${ha.epochs} iterations`);
    assert.equal(ha.stoppedBy, hb.stoppedBy);
    assertParamsClose(a, b);
    assert.ok(Math.abs(ha.loss.at(-1)! - hb.loss.at(-1)!) < 1e-12);
    assert.deepEqual(ha.acc, hb.acc);
    assert.ok(Math.abs(ha.valLoss.at(-1)! - hb.valLoss.at(-1)!) < 1e-12);
  });

  Deno.test(`LinearModel full batch equals the Mlp for seed 003's whole-batch softmax, faithful and corrected; evaluations reuse the iteration's pass (${backend})`, async (t) => {
    await useNativeBackend(backend);
    const data = problem(4, 2);
    for (const faithful of [true, false]) {
      await t.step(faithful ? "faithful" : "corrected", async () => {
        const [a, b] = softmaxRegression(4, faithful);
        const options = { epochs: 30, learningRate: 0.3, batchSize: "full" as const };
        const ha = await train(a, data, { ...options, evaluateEvery: 240 });
        const hb = await train(b, data, options);
        assertParamsClose(a, b);
        for (let e = 0; e < 30; e++) assert.ok(Math.abs(ha.loss[e] - hb.loss[e]) < 1e-12);
        // Every second iteration is an evaluation (240 samples = 2 passes over 120).
        assert.deepEqual(ha.evaluations.samplesSeen, Array.from({ length: 15 }, (_, i) => 240 * i));
        // The evaluation's training loss is the iteration's own (loss records L·n/n: ≤ 1 ulp).
        const recorded = ha.loss.filter((_, e) => e % 2 === 0);
        ha.evaluations.trainLoss.forEach((l, i) =>
          assert.ok(Math.abs(l - recorded[i]) <= 1e-15 * Math.abs(l), `${l} vs ${recorded[i]}`)
        );
        assert.deepEqual(ha.evaluations.trainAcc, ha.acc.filter((_, e) => e % 2 === 0));
      });
    }
  });

  Deno.test(`LinearModel mini-batch and per-sample SGD equal the Mlp in order with the last batch dropped (${backend})`, async (t) => {
    await useNativeBackend(backend);
    const data = problem(5, 3);
    for (const batchSize of [1, 7]) {
      for (const faithful of [false, true]) {
        await t.step(`batch ${batchSize}${faithful ? ", faithful" : ""}`, async () => {
          const [a, b] = softmaxRegression(5, faithful);
          const options = {
            epochs: 3,
            learningRate: 0.2,
            batchSize,
            shuffle: false,
            lastBatch: "drop" as const,
          };
          const ha = await train(a, data, options);
          const hb = await train(b, data, { ...options, fusedStep: false });
          assertParamsClose(a, b);
          assert.equal(ha.updates, batchSize === 1 ? 360 : 3 * 17); // 120 = 17 · 7 + 1 dropped
          assert.equal(ha.updates, hb.updates);
          assert.equal(ha.samplesSeen, hb.samplesSeen);
          for (let e = 0; e < 3; e++) {
            assert.ok(Math.abs(ha.loss[e] - hb.loss[e]) < 1e-12);
            assert.ok(Math.abs(ha.acc[e] - hb.acc[e]) < 1e-12);
          }
        });
      }
    }
  });

  Deno.test(`LinearModel trainRows (fused per-sample SGD) equals trainStep row by row (${backend})`, async () => {
    await useNativeBackend(backend);
    const { X, Y } = problem(3, 7);
    const [a] = softmaxRegression(3, false);
    const [b] = softmaxRegression(3, false);
    const totals = new Float64Array(2);
    a.trainRows!(sparseRows(X), Y, 10, 60, 0.1, totals);
    const S = sparseRows(X),
      batch = new SparseRowBatch(S, Uint32Array.from({ length: 120 }, (_, i) => i));
    let loss = 0, correct = 0;
    for (let i = 10; i < 60; i++) {
      loss += b.trainStep(batch.select(i, 1), Y.rowSlice(i, i + 1), 0.1);
      correct += b.lastCorrect ?? 0;
    }
    assertParamsClose(a, b);
    assert.ok(Math.abs(totals[0] - loss) < 1e-10, `${totals[0]} vs ${loss}`);
    assert.ok(totals[1] > 0);
  });
}

Deno.test("trainRows exists only where the fused per-sample kernel applies (softmax, no L2)", () => {
  assert.equal(typeof softmaxRegression(3, true)[0].trainRows, "function");
  assert.equal(logistic(0)[0].trainRows, undefined);
  assert.equal(
    linearModel({ inputs: 2, outputs: 3, output: "softmax", l2: 0.1 }).trainRows,
    undefined,
  );
});

Deno.test("train() evaluates a LinearModel every N samples seen, before the update that follows", async () => {
  const data = problem(3, 4);
  const model = linearModel({ inputs: 30, outputs: 3, output: "softmax" });
  const before = evaluate(model, data);
  const history = await train(model, data, {
    epochs: 2,
    learningRate: 0.1,
    batchSize: 1,
    shuffle: false,
    evaluateEvery: 50,
    validation: data,
  });
  const log = history.evaluations;
  assert.deepEqual(log.samplesSeen, [0, 50, 100, 150, 200]);
  assert.equal(log.trainLoss[0], before.loss);
  assert.equal(log.trainAcc[0], before.acc);
  assert.deepEqual(log.valLoss, log.trainLoss);
  assert.equal(history.valLoss.length, 2); // one validation record per epoch
});

Deno.test("LinearModel gives the same numbers on dense and sparse inputs, and the Mlp's up to rounding", () => {
  const data = problem(1, 5);
  const [a, b] = logistic(0.1);
  const dense = evaluate(a, data), sparse = evaluate(a, { X: sparseRows(data.X), Y: data.Y });
  assert.equal(dense.loss, sparse.loss);
  assert.equal(dense.acc, sparse.acc);
  const mlpScore = evaluate(b, data);
  assert.ok(Math.abs(dense.loss - mlpScore.loss) < 1e-12);
  assert.equal(dense.acc, mlpScore.acc);
  assert.ok(maxAbsDiff(a.predict(data.X), b.predict(data.X)) < 1e-12);
});

Deno.test("LinearModel rejects bad options and inputs, naming them", () => {
  assert.throws(
    () => linearModel({ inputs: 0, outputs: 1, output: "sigmoid" }),
    /inputs must be a positive integer, got 0/,
  );
  assert.throws(
    () => linearModel({ inputs: 2, outputs: 1, output: "relu" as "sigmoid" }),
    /output must be "sigmoid" or "softmax", got relu/,
  );
  assert.throws(
    () =>
      linearModel({
        inputs: 2,
        outputs: 1,
        output: "sigmoid",
        seedFaithful: { softmaxOverBatch: true },
      }),
    /softmaxOverBatch needs a softmax output/,
  );
  const model = linearModel({ inputs: 2, outputs: 3, output: "softmax" });
  assert.throws(() => model.predict(Matrix.zeros(1, 3)), /X must have 2 columns, got \[1, 3\]/);
  assert.throws(
    () => model.loss(Matrix.zeros(2, 2), Matrix.zeros(2, 4)),
    /Y must have shape \[2, 3\] for X \[2, 2\], got \[2, 4\]/,
  );
  assert.throws(
    () => model.trainStep(Matrix.zeros(1, 2), Matrix.zeros(1, 3), NaN),
    /learningRate must be finite, got NaN/,
  );
});

/** 9,000 rows (three 4,096-row chunks of the native pass), pixel-like (i / 255) or arbitrary values. */
function wideProblem(k: number, pixels: boolean, seed: number) {
  const prng = new Prng(seed);
  const X = Matrix.zeros(9000, 30);
  for (let i = 0; i < X.data.length; i++) {
    if (prng.random() < 0.7) continue;
    X.data[i] = pixels ? (1 + prng.int(255)) / 255 : prng.normal(0, 1);
  }
  const labels = new Uint8Array(9000).map((_, i) => (i + (X.data[i * 30 + 5] > 0 ? 1 : 0)) % 10);
  const Y = k === 1
    ? new Matrix(9000, 1, Float64Array.from(labels, (y) => (y === 2 ? 1 : 0)))
    : oneHot(labels, k);
  return { X, Y };
}

if (native) {
  Deno.test("LinearModel's native one-pass kernel (k = 1 and 10, several chunks, byte-coded or not) matches its TypeScript twin", async (t) => {
    const cases = [
      { name: "logistic, L2 + ε", k: 1, make: () => logistic(0.1, 1e-40)[0] },
      { name: "logistic, stable log", k: 1, make: () => logistic(0)[0] },
      { name: "softmax, whole batch", k: 10, make: () => softmaxRegression(10, true)[0] },
      { name: "softmax, rows", k: 10, make: () => softmaxRegression(10, false)[0] },
    ];
    for (const c of cases) {
      for (const pixels of [true, false]) {
        await t.step(`${c.name}, ${pixels ? "pixel" : "arbitrary"} values`, async () => {
          const data = wideProblem(c.k, pixels, 3), validation = wideProblem(c.k, pixels, 4);
          assert.equal(sparseRows(data.X).codes !== null, pixels);
          const a = c.make(), b = c.make();
          const options = {
            epochs: 6,
            learningRate: 0.2,
            batchSize: "full" as const,
            validation,
            evaluateEvery: 18000,
          };
          await useNativeBackend("ts");
          const ha = await train(a, data, options);
          await useNativeBackend("native");
          const hb = await train(b, data, options);
          const close = (x: number, y: number) =>
            Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(x));
          assertParamsClose(a, b);
          for (let e = 0; e < 6; e++) {
            assert.ok(close(ha.loss[e], hb.loss[e]), `loss ${ha.loss[e]} vs ${hb.loss[e]}`);
            assert.ok(close(ha.valLoss[e], hb.valLoss[e]));
          }
          assert.deepEqual(hb.acc, ha.acc);
          assert.deepEqual(hb.valAcc, ha.valAcc);
          assert.deepEqual(hb.evaluations.samplesSeen, [0, 18000, 36000]);
          const ea = evaluate(a, validation);
          await useNativeBackend("ts");
          const eb = evaluate(a, validation);
          await useNativeBackend("native");
          assert.ok(close(ea.loss, eb.loss));
          assert.equal(ea.acc, eb.acc);
        });
      }
    }
  });
}
