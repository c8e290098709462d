import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { maxAbsDiff, oneHot } from "../../lib/tensor/ops.ts";
import { sparseRows } from "../../lib/tensor/sparse_rows.ts";
import { loadNativeKernels, useNativeBackend } from "../../lib/native/build.ts";
import { type Mlp, mlp } from "../../lib/nn/mlp.ts";
import { loadParams, saveParams } from "../../lib/nn/model.ts";
import { SEED_FAITHFUL } from "../../lib/nn/seed_models.ts";
import { evaluate } from "../../lib/train/evaluate.ts";
import { lossChangeBelow } from "../../lib/train/stop_rules.ts";
import { train } from "../../lib/train/train.ts";
import { evaluateLinear, trainLinear } from "../../lib/train/train_linear.ts";

/** 120 samples of 30 features, ~75 % exact zeros, k classes (0/1 targets for k = 1). */
function problem(k: number, seed: number) {
  const prng = new Prng(seed);
  const X = Matrix.zeros(120, 30);
  for (let i = 0; i < X.data.length; i++) X.data[i] = prng.random() < 0.75 ? 0 : prng.random();
  const classes = Math.max(k, 2);
  const labels = new Uint8Array(120).map((_, i) =>
    (i * 7 + Math.floor(X.data[i * 30 + 3] * classes)) % classes
  );
  const Y = k === 1
    ? new Matrix(120, 1, new Float64Array(120).map((_, i) => labels[i]))
    : oneHot(labels, k);
  return { dense: { X, Y }, sparse: { X: sparseRows(X), Y } };
}

/** Two nets with the same (random) starting parameters. */
function twins(make: () => Mlp): [Mlp, Mlp] {
  const a = make(), b = make();
  const prng = new Prng(9);
  for (const p of a.params) for (let i = 0; i < p.data.length; i++) p.data[i] = prng.normal(0, 0.3);
  loadParams(b, saveParams(a));
  return [a, b];
}

/** Seed 003's logistic model (λ‖W‖² and optional ε), 30 inputs wide. */
function logistic(l2: number, logEpsilon?: number): Mlp {
  return mlp({
    sizes: [30, 1],
    activations: ["sigmoid"],
    loss: "binaryCrossEntropy",
    l2,
    logEpsilon,
    init: { kind: "zeros" },
  });
}

/** Seed 003's softmax regression (faithful: whole-batch softmax, ε = 1e-39), k classes. */
function softmaxRegression(k: number, faithful: boolean): Mlp {
  return mlp({
    sizes: [30, k],
    activations: ["softmax"],
    loss: "crossEntropy",
    logEpsilon: faithful ? 1e-39 : undefined,
    seedFaithful: faithful ? SEED_FAITHFUL.seed003Softmax : undefined,
    init: { kind: "zeros" },
  });
}

const native = (await loadNativeKernels()).name === "native";
const backends = native ? ["native", "ts"] as const : ["ts"] as const;

for (const backend of backends) {
  Deno.test(`trainLinear() full batch equals train() on the dense Mlp: seed 003 logistic with L2 and ε, stopping on Δloss (${backend})`, async () => {
    await useNativeBackend(backend);
    const { dense, sparse } = problem(1, 1);
    const [a, b] = twins(() => logistic(0.1, 1e-40));
    const options = {
      epochs: 400,
      learningRate: 0.5,
      batchSize: "full" as const,
      stop: lossChangeBelow(1e-5),
    };
    const ha = await train(a, dense, { ...options, validation: dense });
    const hb = await trainLinear(b, sparse, { ...options, validation: sparse });
    assert.equal(hb.epochs, ha.epochs);
    assert.ok(hb.epochs < 400, `stopped by Δloss after ${hb.epochs} iterations`);
    assert.equal(hb.stoppedBy, ha.stoppedBy);
    for (let i = 0; i < a.params.length; i++) {
      assert.ok(maxAbsDiff(a.params[i], b.params[i]) < 1e-12);
    }
    assert.ok(Math.abs(hb.loss.at(-1)! - ha.loss.at(-1)!) < 1e-12);
    assert.deepEqual(hb.acc, ha.acc);
    assert.ok(Math.abs(hb.valLoss.at(-1)! - ha.valLoss.at(-1)!) < 1e-12);
  });

  Deno.test(`trainLinear() full batch equals train() for seed 003's whole-batch softmax, faithful and corrected (${backend})`, async (t) => {
    await useNativeBackend(backend);
    const { dense, sparse } = problem(4, 2);
    for (const faithful of [true, false]) {
      await t.step(faithful ? "faithful" : "corrected", async () => {
        const make = () => softmaxRegression(4, faithful);
        const [a, b] = twins(make);
        const options = { epochs: 30, learningRate: 0.3, batchSize: "full" as const };
        const ha = await train(a, dense, options);
        const hb = await trainLinear(b, sparse, { ...options, evaluateEvery: 240 });
        for (let i = 0; i < a.params.length; i++) {
          assert.ok(maxAbsDiff(a.params[i], b.params[i]) < 1e-12);
        }
        for (let e = 0; e < 30; e++) assert.ok(Math.abs(ha.loss[e] - hb.loss[e]) < 1e-12);
        // Every second iteration is an evaluation (240 samples = 2 passes over 120).
        assert.deepEqual(hb.evaluations.samplesSeen, Array.from({ length: 15 }, (_, i) => 240 * i));
        assert.deepEqual(hb.evaluations.trainLoss, hb.loss.filter((_, e) => e % 2 === 0));
      });
    }
  });

  Deno.test(`trainLinear() mini-batch and per-sample SGD equal train() in order with the last batch dropped (${backend})`, async (t) => {
    await useNativeBackend(backend);
    const { dense, sparse } = problem(5, 3);
    for (const batchSize of [1, 7]) {
      for (const faithful of [false, true]) {
        await t.step(`batch ${batchSize}${faithful ? ", faithful" : ""}`, async () => {
          const [sa, sb] = twins(() => softmaxRegression(5, faithful));
          const options = { epochs: 3, learningRate: 0.2, batchSize };
          const ha = await train(sa, dense, {
            ...options,
            shuffle: false,
            lastBatch: "drop",
            fusedStep: false,
          });
          const hb = await trainLinear(sb, sparse, options);
          for (let i = 0; i < sa.params.length; i++) {
            assert.ok(maxAbsDiff(sa.params[i], sb.params[i]) < 1e-12);
          }
          assert.equal(hb.updates, ha.updates);
          assert.equal(hb.samplesSeen, ha.samplesSeen);
          for (let e = 0; e < 3; e++) {
            assert.ok(Math.abs(ha.loss[e] - hb.loss[e]) < 1e-12);
            assert.ok(Math.abs(ha.acc[e] - hb.acc[e]) < 1e-12);
          }
        });
      }
    }
  });
}

Deno.test("trainLinear() evaluates the whole sets every N samples seen, before the update that follows", async () => {
  const { sparse } = problem(3, 4);
  const net = mlp({
    sizes: [30, 3],
    activations: ["softmax"],
    loss: "crossEntropy",
    init: { kind: "zeros" },
  });
  const before = evaluateLinear(net, sparse);
  const history = await trainLinear(net, sparse, {
    epochs: 2,
    learningRate: 0.1,
    batchSize: 1,
    evaluateEvery: 50,
    validation: sparse,
  });
  const log = history.evaluations;
  assert.deepEqual(log.samplesSeen, [0, 50, 100, 150, 200]);
  assert.equal(log.trainLoss[0], before.loss);
  assert.equal(log.trainAcc[0], before.acc);
  assert.deepEqual(log.valLoss, log.trainLoss);
  assert.equal(history.valLoss.length, 2); // one validation record per epoch
});

Deno.test("evaluateLinear() gives evaluate()'s loss (L2 included) and accuracy", () => {
  const { dense, sparse } = problem(1, 5);
  const [net] = twins(() => logistic(0.1));
  const a = evaluate(net, dense), b = evaluateLinear(net, sparse);
  assert.ok(Math.abs(a.loss - b.loss) < 1e-12);
  assert.equal(a.acc, b.acc);
});

Deno.test("trainLinear() rejects nets it cannot train and bad options", async () => {
  const { sparse } = problem(3, 6);
  const deep = mlp({
    sizes: [30, 4, 3],
    activations: ["relu", "softmax"],
    loss: "crossEntropy",
    prng: new Prng(0),
  });
  await assert.rejects(
    () => trainLinear(deep, sparse, { epochs: 1, learningRate: 0.1, batchSize: 1 }),
    /one-layer net/,
  );
  const net = mlp({
    sizes: [30, 3],
    activations: ["softmax"],
    loss: "crossEntropy",
    prng: new Prng(0),
  });
  await assert.rejects(
    () => trainLinear(net, sparse, { epochs: 1, learningRate: 0.1, batchSize: 500 }),
    /batchSize must be "full" or an integer in \[1, 120\], got 500/,
  );
  await assert.rejects(
    () =>
      trainLinear(net, { X: sparse.X, Y: Matrix.zeros(120, 4) }, {
        epochs: 1,
        learningRate: 0.1,
        batchSize: 1,
      }),
    /Y: \[n, 3\]/,
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
  return { X: sparseRows(X), Y };
}

if (native) {
  Deno.test("trainLinear() native one-pass kernel (k = 1 and 10, several chunks, byte-coded or not) matches the TypeScript loops", async (t) => {
    const cases = [
      { name: "logistic, L2 + ε", k: 1, make: () => logistic(0.1, 1e-40) },
      { name: "logistic, stable log", k: 1, make: () => logistic(0) },
      { name: "softmax, whole batch", k: 10, make: () => softmaxRegression(10, true) },
      { name: "softmax, rows", k: 10, make: () => softmaxRegression(10, false) },
    ];
    for (const c of cases) {
      for (const pixels of [true, false]) {
        await t.step(`${c.name}, ${pixels ? "pixel" : "arbitrary"} values`, async () => {
          const data = wideProblem(c.k, pixels, 3), validation = wideProblem(c.k, pixels, 4);
          assert.equal(data.X.codes !== null, pixels);
          const [a, b] = twins(c.make);
          const options = {
            epochs: 6,
            learningRate: 0.2,
            batchSize: "full" as const,
            validation,
            evaluateEvery: 18000,
          };
          await useNativeBackend("ts");
          const ha = await trainLinear(a, data, options);
          await useNativeBackend("native");
          const hb = await trainLinear(b, data, options);
          const close = (x: number, y: number) =>
            Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(x));
          for (let i = 0; i < a.params.length; i++) {
            assert.ok(maxAbsDiff(a.params[i], b.params[i]) < 1e-12);
          }
          for (let e = 0; e < 6; e++) {
            assert.ok(close(ha.loss[e], hb.loss[e]), `loss ${ha.loss[e]} vs ${hb.loss[e]}`);
            assert.ok(close(ha.valLoss[e], hb.valLoss[e]));
          }
          assert.deepEqual(hb.acc, ha.acc);
          assert.deepEqual(hb.valAcc, ha.valAcc);
          assert.deepEqual(hb.evaluations.samplesSeen, [0, 18000, 36000]);
          const ea = evaluateLinear(a, validation);
          await useNativeBackend("ts");
          const eb = evaluateLinear(a, validation);
          await useNativeBackend("native");
          assert.ok(close(ea.loss, eb.loss));
          assert.equal(ea.acc, eb.acc);
        });
      }
    }
  });
}
