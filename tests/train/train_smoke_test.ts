/**
 * Short seeded training runs on real MNIST through the whole stack (data →
 * nn → train): they must learn, and the same seed must give the same run.
 */
import assert from "node:assert/strict";
import { loadMnist } from "../../lib/data/mnist.ts";
import { Prng } from "../../lib/random.ts";
import { type DType, Matrix } from "../../lib/tensor/matrix.ts";
import { oneHot } from "../../lib/tensor/ops.ts";
import { mlp } from "../../lib/nn/mlp.ts";
import { seed003Logistic } from "../../lib/nn/seed_models.ts";
import { evaluate, type History, train } from "../../lib/train/mod.ts";

async function mnist(split: "train" | "test", limit: number, dtype: DType = "float32") {
  const { X, labels } = await loadMnist({ split, limit, dtype });
  return { X, Y: oneHot(labels, 10, dtype), labels };
}

/** "2 vs not-2" targets `[n, 1]` (seed 003 Q1a). */
function twoVsRest(labels: Uint8Array, dtype: DType): Matrix {
  const Y = Matrix.zeros(labels.length, 1, dtype);
  for (let i = 0; i < labels.length; i++) Y.data[i] = labels[i] === 2 ? 1 : 0;
  return Y;
}

Deno.test("784-32-10 tanh/softmax on 5,000 MNIST images: 2 epochs reach >= 85 % on 1,000 test images", async () => {
  const trainSet = await mnist("train", 5000), testSet = await mnist("test", 1000);
  const prng = new Prng(1);
  const net = mlp({
    sizes: [784, 32, 10],
    activations: ["tanh", "softmax"],
    loss: "crossEntropy",
    dtype: "float32",
    prng,
  });
  const before = evaluate(net, testSet).acc;
  const history = await train(net, trainSet, {
    epochs: 2,
    batchSize: 10,
    learningRate: 0.05,
    prng,
    validation: testSet,
  });
  const { acc } = evaluate(net, testSet);
  assert.ok(before < 0.3, `untrained accuracy ${before}`);
  assert.ok(acc >= 0.85, `test accuracy ${acc}`);
  assert.equal(history.valAcc[1], acc);
  assert.ok(history.loss[1] < history.loss[0]);
  assert.equal(history.updates, 2 * 500);
});

Deno.test("logistic regression 2 vs not-2 (seed 003 Q1a's model, zeros init) reaches >= 95 %", async () => {
  const trainSet = await mnist("train", 5000, "float64");
  const testSet = await mnist("test", 1000, "float64");
  const train2 = { X: trainSet.X, Y: twoVsRest(trainSet.labels, "float64") };
  const test2 = { X: testSet.X, Y: twoVsRest(testSet.labels, "float64") };
  const net = seed003Logistic({ prng: new Prng(1), init: "zeros", l2: 0.001 });
  const history = await train(net, train2, {
    epochs: 3,
    batchSize: 10,
    learningRate: 0.1,
    prng: new Prng(1),
  });
  const { acc } = evaluate(net, test2);
  const base = 1 - Array.from(test2.Y.data).reduce((s, y) => s + y, 0) / 1000;
  assert.ok(acc >= 0.95, `test accuracy ${acc} (always "not 2" would get ${base})`);
  assert.ok(history.acc[2] >= 0.95, `running train accuracy ${history.acc[2]}`);
});

Deno.test("the same seed gives an identical MNIST training history", async () => {
  const data = await mnist("train", 600);
  const validation = await mnist("test", 200);
  const run = async (seed: number) => {
    const prng = new Prng(seed);
    const net = mlp({
      sizes: [784, 16, 10],
      activations: ["relu", "softmax"],
      loss: "crossEntropy",
      dtype: "float32",
      prng,
    });
    const history = await train(net, data, {
      epochs: 2,
      batchSize: 50,
      learningRate: 0.2,
      prng,
      validation,
      recordUpdates: "loss",
    });
    return { history: { ...history, seconds: 0 } as History, W: Array.from(net.params[0].data) };
  };
  const a = await run(7), b = await run(7), c = await run(8);
  assert.deepEqual(a.history, b.history);
  assert.deepEqual(a.W, b.W);
  assert.notDeepEqual(a.history.loss, c.history.loss);
});
