import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { map, maxAbsDiff } from "../../lib/tensor/ops.ts";
import { linearModel } from "../../lib/nn/linear_model.ts";
import { type History, lossChangeBelow, lossRises, train } from "../../lib/train/mod.ts";
import type { TrainOptions, TrainProgress } from "../../lib/train/train.ts";
import { progressBar } from "../../lib/jupyter/progress.ts";
import { idData, ScriptedModel } from "./_scripted_model.ts";

const meanId = (ids: readonly number[]) => ids.reduce((s, i) => s + i, 0) / ids.length;
const sumId = (ids: readonly number[]) => ids.reduce((s, i) => s + i, 0);

/** Correct predictions of ScriptedModel (multiples of 3 → class 0, else parity) among ids. */
function expectedCorrect(ids: readonly number[]): number {
  return ids.filter((id) => (id % 3 === 0 ? 0 : id % 2) === id % 2).length;
}

Deno.test("train() mini-batch: every sample once per epoch, last partial batch kept", async () => {
  const model = new ScriptedModel(meanId);
  const history = await train(model, idData(10), {
    epochs: 3,
    batchSize: 4,
    learningRate: 1,
    prng: new Prng(5),
  });
  assert.equal(model.batches.length, 9); // 4 + 4 + 2 per epoch
  assert.deepEqual(model.batches.map((b) => b.length), [4, 4, 2, 4, 4, 2, 4, 4, 2]);
  for (let e = 0; e < 3; e++) {
    const seen = model.batches.slice(3 * e, 3 * e + 3).flat().sort((a, b) => a - b);
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }
  assert.notDeepEqual(model.batches[0], [0, 1, 2, 3]); // shuffled
  assert.notDeepEqual(model.batches.slice(0, 3), model.batches.slice(3, 6)); // reshuffled
  assert.equal(model.updates, 9);
  assert.equal(history.updates, 9);
  assert.equal(history.samplesSeen, 30);
  assert.equal(history.epochs, 3);
  assert.equal(history.stoppedBy, "epochs");
});

Deno.test("train() lastBatch drop skips the remainder, reshuffled each epoch", async () => {
  const model = new ScriptedModel(meanId);
  const history = await train(model, idData(10), {
    epochs: 4,
    batchSize: 4,
    learningRate: 1,
    lastBatch: "drop",
    prng: new Prng(2),
  });
  assert.deepEqual(model.batches.map((b) => b.length), [4, 4, 4, 4, 4, 4, 4, 4]);
  assert.equal(history.samplesSeen, 32);
  const skipped = new Set<string>();
  for (let e = 0; e < 4; e++) {
    const seen = new Set(model.batches.slice(2 * e, 2 * e + 2).flat());
    assert.equal(seen.size, 8);
    skipped.add([...Array(10).keys()].filter((i) => !seen.has(i)).join(","));
  }
  assert.ok(skipped.size > 1, "the skipped samples change between epochs");
  // Loss accounting over the 8 samples trained on.
  const e0 = model.batches.slice(0, 2);
  assert.equal(history.loss[0], (meanId(e0[0]) * 4 + meanId(e0[1]) * 4) / 8);
});

Deno.test("train() shuffle: false visits samples in order", async () => {
  const model = new ScriptedModel(meanId);
  await train(model, idData(5), { epochs: 2, batchSize: 1, learningRate: 1, shuffle: false });
  assert.deepEqual(model.batches, [[0], [1], [2], [3], [4], [0], [1], [2], [3], [4]]);
});

Deno.test("train() epochLoss accounting", async (t) => {
  const data = idData(10);
  const run = async (options: Partial<Parameters<typeof train>[2]>, reduction?: "mean" | "sum") => {
    const model = new ScriptedModel(reduction === "sum" ? sumId : meanId, { reduction });
    const history = await train(model, data, {
      epochs: 1,
      batchSize: 4,
      learningRate: 1,
      shuffle: false,
      ...options,
    });
    return { model, history };
  };
  // Batches [0..3], [4..7], [8, 9]: means 1.5, 5.5, 8.5; sums 6, 22, 17.
  await t.step("mean (default) weights the partial batch by its size", async () => {
    const { history } = await run({});
    assert.equal(history.loss[0], 4.5); // mean id
  });
  await t.step("mean with a summing model divides the total by n", async () => {
    const { history } = await run({}, "sum");
    assert.equal(history.loss[0], 4.5);
  });
  await t.step("sum is the per-sample total", async () => {
    assert.equal((await run({ epochLoss: "sum" })).history.loss[0], 45);
    assert.equal((await run({ epochLoss: "sum" }, "sum")).history.loss[0], 45);
  });
  await t.step("seed001 divides the sum of batch means by floor(n / batchSize)", async () => {
    const { history } = await run({ epochLoss: "seed001" });
    assert.equal(history.loss[0], (1.5 + 5.5 + 8.5) / 2);
  });
});

Deno.test("train() running accuracy scores each batch before its update", async (t) => {
  await t.step("from lastOutput, without extra predict calls", async () => {
    const model = new ScriptedModel(meanId);
    const history = await train(model, idData(12), {
      epochs: 2,
      batchSize: 5,
      learningRate: 1,
      prng: new Prng(1),
    });
    const ids = [...Array(12).keys()];
    assert.deepEqual(history.acc, [expectedCorrect(ids) / 12, expectedCorrect(ids) / 12]);
    assert.equal(model.predictCalls, 0);
  });
  await t.step("by predict when the model keeps no output", async () => {
    const model = new ScriptedModel(meanId, { cacheOutput: false });
    const history = await train(model, idData(12), {
      epochs: 1,
      batchSize: 5,
      learningRate: 1,
      prng: new Prng(1),
    });
    assert.equal(history.acc[0], expectedCorrect([...Array(12).keys()]) / 12);
    assert.equal(model.predictCalls, 3);
  });
  await t.step("runningAcc: false records none", async () => {
    const model = new ScriptedModel(meanId, { cacheOutput: false });
    const history = await train(model, idData(12), {
      epochs: 1,
      batchSize: 5,
      learningRate: 1,
      runningAcc: false,
      prng: new Prng(1),
    });
    assert.deepEqual(history.acc, []);
    assert.equal(model.predictCalls, 0);
  });
});

Deno.test("train() recordUpdates: batch losses or seed 000's running sum per epoch", async () => {
  const options = { epochs: 2, batchSize: 1, learningRate: 1, shuffle: false } as const;
  const plain = await train(new ScriptedModel(meanId), idData(3), {
    ...options,
    recordUpdates: "loss",
  });
  assert.deepEqual(Array.from(plain.updateLoss), [0, 1, 2, 0, 1, 2]);
  const running = await train(new ScriptedModel(meanId), idData(3), {
    ...options,
    recordUpdates: "runningSum",
  });
  assert.deepEqual(Array.from(running.updateLoss), [0, 1, 3, 0, 1, 3]);
  const none = await train(new ScriptedModel(meanId), idData(3), options);
  assert.equal(none.updateLoss.length, 0);
});

Deno.test("train() evaluateEvery scores train and validation before the due batch", async (t) => {
  await t.step("batch size divides N: at 0, N, 2N … across epochs", async () => {
    const model = new ScriptedModel((ids, updates) => updates + ids.length / 1000);
    const validation = idData(4);
    const history = await train(model, idData(10), {
      epochs: 3,
      batchSize: 2,
      learningRate: 1,
      evaluateEvery: 4,
      validation,
      prng: new Prng(3),
    });
    const log = history.evaluations;
    assert.deepEqual(log.samplesSeen, [0, 4, 8, 12, 16, 20, 24, 28]);
    // Scored at the parameters before the batch: the update count at that moment.
    assert.deepEqual(log.trainLoss, [0, 2, 4, 6, 8, 10, 12, 14].map((u) => u + 10 / 1000));
    assert.deepEqual(log.valLoss, [0, 2, 4, 6, 8, 10, 12, 14].map((u) => u + 4 / 1000));
    assert.equal(log.trainAcc[0], expectedCorrect([...Array(10).keys()]) / 10);
    assert.equal(log.valAcc.length, 8);
  });
  await t.step(
    "batch size does not divide N: at the first boundary past each multiple",
    async () => {
      const model = new ScriptedModel(meanId);
      const history = await train(model, idData(9), {
        epochs: 2,
        batchSize: 3,
        learningRate: 1,
        evaluateEvery: 4,
        prng: new Prng(3),
      });
      // Multiples 4, 8, 12, 16 → boundaries 6, 9, 12; 16 is past the last batch (18 samples).
      assert.deepEqual(history.evaluations.samplesSeen, [0, 6, 9, 12]);
      assert.deepEqual(history.evaluations.valLoss, []);
    },
  );
});

Deno.test("train() epoch records: validation and evaluateTrain after the epoch's updates", async () => {
  const model = new ScriptedModel((ids, updates) => updates * 100 + ids.length);
  const history = await train(model, idData(6), {
    epochs: 2,
    batchSize: 3,
    learningRate: 1,
    validation: idData(4),
    evaluateTrain: true,
    prng: new Prng(9),
  });
  assert.deepEqual(history.valLoss, [204, 404]);
  assert.deepEqual(history.trainLoss, [206, 406]);
  // Running loss: batches at 0 and 1 updates (epoch 1), 2 and 3 (epoch 2); means weighted by 3/6.
  assert.deepEqual(history.loss, [(3 + 103) / 2, (203 + 303) / 2]);
  assert.equal(history.valAcc.length, 2);
  assert.equal(history.trainAcc.length, 2);
});

Deno.test("train() full batch: one update per iteration, records before the update", async () => {
  const model = new ScriptedModel((ids, updates) => 10 - updates + ids.length / 100, {
    learningRate: 0.5,
  });
  const history = await train(model, idData(8), {
    epochs: 4,
    batchSize: "full",
    learningRate: 0.5,
    validation: idData(2),
    evaluateTrain: true,
    recordUpdates: "loss",
  });
  assert.equal(model.updates, 4);
  assert.ok(model.batches.every((b) => b.length === 8));
  assert.deepEqual(model.batches[0], [0, 1, 2, 3, 4, 5, 6, 7]); // never shuffled
  assert.deepEqual(history.loss, [10.08, 9.08, 8.08, 7.08]);
  assert.deepEqual(history.trainLoss, history.loss);
  assert.deepEqual(history.valLoss, [10.02, 9.02, 8.02, 7.02]); // same (pre-update) params
  assert.deepEqual(Array.from(history.updateLoss), history.loss);
  assert.equal(history.samplesSeen, 32);
});

Deno.test("train() full batch: a stop rule keeps the parameters of the last record", async () => {
  // Seed 003 Q1a: loss falls by 1, 0.1, 0.01, 1e-6 …; stop when |Δ| <= 1e-5.
  const script = [5, 4, 3.9, 3.89, 3.889999, 3.8899985];
  const model = new ScriptedModel((_ids, updates) => script[updates]);
  const history = await train(model, idData(4), {
    epochs: 100,
    batchSize: "full",
    learningRate: 1,
    stop: lossChangeBelow(1e-5),
  });
  assert.deepEqual(history.loss, [5, 4, 3.9, 3.89, 3.889999]);
  assert.equal(history.epochs, 5);
  assert.equal(history.updates, 4);
  assert.equal(model.updates, 4); // the last record's parameters, not one more step
  assert.equal(history.stoppedBy, "abs(Δloss) <= 0.00001");
});

Deno.test("train() per-sample: stop when the epoch loss rises (seed 004)", async () => {
  // Epoch losses (summed over 3 samples): 9, 6, 3, 4 → stop after the 4th epoch.
  const perSample = [3, 2, 1, 4 / 3, 0.5];
  const model = new ScriptedModel((_ids, updates) => perSample[Math.floor(updates / 3)], {
    reduction: "sum",
  });
  const history = await train(model, idData(3), {
    epochs: 500,
    batchSize: 1,
    learningRate: 1,
    epochLoss: "sum",
    stop: lossRises(),
    prng: new Prng(4),
  });
  assert.deepEqual(history.loss.map((l) => Math.round(l * 1e9) / 1e9), [9, 6, 3, 4]);
  assert.equal(history.stoppedBy, "loss rose");
  assert.equal(history.epochs, 4);
  assert.equal(model.updates, 12); // the rising epoch's updates are kept, as in the seed
});

Deno.test("train() stopOn valLoss and several rules: the first that fires wins", async () => {
  const model = new ScriptedModel((ids, updates) => (ids.length === 2 ? [3, 2, 2.5][updates] : 1));
  const history = await train(model, idData(5), {
    epochs: 10,
    batchSize: "full",
    learningRate: 1,
    validation: idData(2),
    stopOn: "valLoss",
    stop: [lossChangeBelow(1e-9), lossRises()],
  });
  assert.deepEqual(history.valLoss, [3, 2, 2.5]);
  assert.equal(history.stoppedBy, "loss rose");
});

Deno.test("train() is deterministic: the same seed gives the same batches and history", async () => {
  const runOnce = async (seed: number) => {
    const model = new ScriptedModel(meanId);
    const history = await train(model, idData(20), {
      epochs: 3,
      batchSize: 3,
      learningRate: 1,
      recordUpdates: "loss",
      prng: new Prng(seed),
    });
    return { batches: model.batches, history: { ...history, seconds: 0 } as History };
  };
  const a = await runOnce(11), b = await runOnce(11), c = await runOnce(12);
  assert.deepEqual(a.batches, b.batches);
  assert.deepEqual(a.history, b.history);
  assert.notDeepEqual(a.batches, c.batches);
});

Deno.test("train() onProgress: awaited, once per epoch, mid-epoch by interval", async (t) => {
  await t.step("progressIntervalMs Infinity: epochs only, promises awaited in order", async () => {
    const events: string[] = [];
    await train(new ScriptedModel(meanId), idData(6), {
      epochs: 3,
      batchSize: 2,
      learningRate: 1,
      prng: new Prng(1),
      progressIntervalMs: Infinity,
      onProgress: async (state) => {
        events.push(`start ${state.phase} ${state.epoch}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`end ${state.epoch}`);
      },
    });
    assert.deepEqual(events, [
      "start epoch 1",
      "end 1",
      "start epoch 2",
      "end 2",
      "start epoch 3",
      "end 3",
    ]);
  });
  await t.step("progressIntervalMs 0: after every batch, with fractional done", async () => {
    const states: TrainProgress[] = [];
    await train(new ScriptedModel(meanId), idData(6), {
      epochs: 2,
      batchSize: 2,
      learningRate: 1,
      prng: new Prng(1),
      validation: idData(2),
      progressIntervalMs: 0,
      onProgress: (state) => void states.push({ ...state }),
    });
    assert.deepEqual(
      states.map((s) => [s.phase, s.done, s.iteration, s.samplesSeen]),
      [
        ["batch", 1 / 3, 1, 2],
        ["batch", 2 / 3, 2, 4],
        ["epoch", 1, 3, 6],
        ["batch", 1 + 1 / 3, 4, 8],
        ["batch", 1 + 2 / 3, 5, 10],
        ["epoch", 2, 6, 12],
      ],
    );
    assert.equal(states[2].valLoss, 0.5);
    assert.equal(states[0].valLoss, undefined);
  });
  await t.step("plugs into lib/plot's progress bar", async () => {
    const lines: string[] = [];
    const bar = progressBar({
      total: 4,
      unit: "epoch",
      write: (s) => lines.push(s),
      minInterval: 0,
    });
    await train(new ScriptedModel(meanId), idData(4), {
      epochs: 4,
      batchSize: 2,
      learningRate: 1,
      prng: new Prng(1),
      onProgress: bar.onProgress,
    });
    await bar.finish();
    assert.match(lines.join(""), /epoch 4\/4/);
  });
});

Deno.test("train() signal: an abort ends the run after the current batch", async () => {
  const controller = new AbortController();
  const model = new ScriptedModel(meanId);
  const history = await train(model, idData(10), {
    epochs: 5,
    batchSize: 2,
    learningRate: 1,
    prng: new Prng(1),
    progressIntervalMs: 0,
    onProgress: (state) => {
      if (state.iteration === 7) controller.abort();
    },
    signal: controller.signal,
  });
  assert.equal(history.stoppedBy, "aborted");
  assert.equal(history.updates, 7);
  assert.equal(history.epochs, 1);
});

Deno.test("train() with epochs: 0 changes nothing", async () => {
  const model = new ScriptedModel(meanId);
  const history = await train(model, idData(3), {
    epochs: 0,
    batchSize: 1,
    learningRate: 1,
    shuffle: false,
  });
  assert.equal(model.batches.length, 0);
  assert.deepEqual(history.loss, []);
  assert.equal(history.stoppedBy, "epochs");
});

Deno.test("train() rejects bad arguments with messages naming them", async (t) => {
  const data = idData(4);
  const base = { epochs: 1, batchSize: 2, learningRate: 0.1, shuffle: false } as const;
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    [
      "rows differ",
      () => train(new ScriptedModel(meanId), { X: data.X, Y: idData(3).Y }, base),
      /same positive number of rows, got \[4, 1\] and \[3, 2\]/,
    ],
    [
      "Y columns",
      () => train(new ScriptedModel(meanId), { X: data.X, Y: Matrix.zeros(4, 3) }, base),
      /Y must have 2 columns/,
    ],
    [
      "epochs",
      () => train(new ScriptedModel(meanId), data, { ...base, epochs: 1.5 }),
      /epochs must be an integer >= 0, got 1.5/,
    ],
    [
      "learningRate",
      () => train(new ScriptedModel(meanId), data, { ...base, learningRate: NaN }),
      /learningRate must be a finite number, got NaN/,
    ],
    [
      "batchSize",
      () => train(new ScriptedModel(meanId), data, { ...base, batchSize: 0 }),
      /batchSize must be a positive integer or "full", got 0/,
    ],
    [
      "prng",
      () => train(new ScriptedModel(meanId), data, { ...base, shuffle: true }),
      /shuffle needs a prng/,
    ],
    [
      "drop",
      () => train(new ScriptedModel(meanId), data, { ...base, batchSize: 5, lastBatch: "drop" }),
      /leaves no batch/,
    ],
    [
      "valLoss",
      () => train(new ScriptedModel(meanId), data, { ...base, stopOn: "valLoss" }),
      /stopOn "valLoss" needs a validation set/,
    ],
    [
      "validation",
      () =>
        train(new ScriptedModel(meanId), data, {
          ...base,
          validation: { X: Matrix.zeros(2, 3), Y: Matrix.zeros(2, 2) },
        }),
      /validation must be \{ X: \[m, 1\], Y: \[m, 2\] \}/,
    ],
    [
      "evaluateEvery",
      () => train(new ScriptedModel(meanId), data, { ...base, evaluateEvery: 0 }),
      /evaluateEvery must be a positive integer/,
    ],
    [
      "stop",
      () => train(new ScriptedModel(meanId), data, { ...base, stop: {} as never }),
      /stop must be a stop rule/,
    ],
  ];
  for (const [name, call, message] of cases) {
    await t.step(name, async () => {
      await assert.rejects(call, (error: Error) => {
        assert.ok(error instanceof RangeError || error instanceof TypeError);
        assert.match(error.message, /^Cannot train: /);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

Deno.test("train() uses a model's fused trainStep, with the numbers of lossAndGrad + sgdStep", async () => {
  const { mlp } = await import("../../lib/nn/mlp.ts");
  const prng = new Prng(4);
  const X = Matrix.zeros(40, 5), Y = Matrix.zeros(40, 3);
  prng.fillNormal(X.data);
  for (let i = 0; i < 40; i++) Y.set(i, prng.int(3), 1);
  const run = async (fusedStep: boolean) => {
    const net = mlp({
      sizes: [5, 6, 3],
      activations: ["tanh", "softmax"],
      loss: "crossEntropy",
      prng: new Prng(9),
    });
    let fusedCalls = 0;
    const trainStep = net.trainStep.bind(net);
    net.trainStep = (Xb, Yb, lr) => (fusedCalls++, trainStep(Xb, Yb, lr));
    const history = await train(net, { X, Y }, {
      epochs: 3,
      batchSize: 8,
      learningRate: 0.3,
      prng: new Prng(2),
      fusedStep,
    });
    return { history, fusedCalls, W: Array.from(net.params[0].data) };
  };
  const fused = await run(true), plain = await run(false);
  assert.equal(fused.fusedCalls, 15);
  assert.equal(plain.fusedCalls, 0);
  for (const key of ["loss", "acc"] as const) {
    fused.history[key].forEach((v, i) => assert.ok(Math.abs(v - plain.history[key][i]) < 1e-12));
  }
  fused.W.forEach((w, i) => assert.ok(Math.abs(w - plain.W[i]) < 1e-12));
});

Deno.test("train() full batch on mostly-zero inputs passes SparseRows to an Mlp: same numbers as dense", async (t) => {
  const { mlp } = await import("../../lib/nn/mlp.ts");
  const { SparseRows } = await import("../../lib/tensor/sparse_rows.ts");
  const prng = new Prng(5);
  const X = Matrix.zeros(60, 12), Y = Matrix.zeros(60, 4);
  for (let i = 0; i < X.data.length; i++) X.data[i] = prng.random() < 0.7 ? 0 : prng.random();
  for (let i = 0; i < 60; i++) Y.set(i, prng.int(4), 1);
  const run = async (sparseInput: TrainOptions["sparseInput"], data = { X, Y }, hidden = 8) => {
    const net = mlp({
      sizes: [12, hidden, 4],
      activations: ["relu", "softmax"],
      loss: "crossEntropy",
      prng: new Prng(3),
    });
    let sparseCalls = 0;
    const lossAndGrad = net.lossAndGrad.bind(net);
    net.lossAndGrad = (Xb, Yb) => {
      if (Xb instanceof SparseRows) sparseCalls++;
      return lossAndGrad(Xb, Yb);
    };
    const history = await train(net, data, {
      epochs: 25,
      batchSize: "full",
      learningRate: 0.5,
      sparseInput,
    });
    return { history, sparseCalls, W: Array.from(net.params[0].data) };
  };
  const dense = await run(false), auto = await run("auto");
  await t.step("auto converts a 70 %-zero batch once and passes it every iteration", () => {
    assert.equal(dense.sparseCalls, 0);
    assert.equal(auto.sparseCalls, 25);
  });
  await t.step("losses, accuracies and weights agree to rounding", () => {
    auto.history.loss.forEach((v, i) => assert.ok(Math.abs(v - dense.history.loss[i]) < 1e-12));
    assert.deepEqual(auto.history.acc, dense.history.acc);
    auto.W.forEach((w, i) => assert.ok(Math.abs(w - dense.W[i]) < 1e-12));
  });
  await t.step(
    "auto keeps a wide first layer (17 units) dense; true converts it anyway",
    async () => {
      assert.equal((await run("auto", { X, Y }, 17)).sparseCalls, 0);
      assert.equal((await run(true, { X, Y }, 17)).sparseCalls, 25);
    },
  );
  await t.step("auto keeps a mostly non-zero batch dense; true converts it anyway", async () => {
    const full = { X: map(X, (v) => v + 1), Y };
    assert.equal((await run("auto", full)).sparseCalls, 0);
    assert.equal((await run(true, full)).sparseCalls, 25);
  });
  await t.step("a prepared SparseRows is used as given; a wrong shape is named", async () => {
    const { sparseRows } = await import("../../lib/tensor/sparse_rows.ts");
    const given = await run(sparseRows(X));
    assert.equal(given.sparseCalls, 25);
    assert.deepEqual(given.W, auto.W);
    await assert.rejects(
      () => run(sparseRows(X.rowSlice(0, 10))),
      /sparseInput must have X's shape \[60, 12\], got \[10, 12\]/,
    );
  });
  await t.step("a bad sparseInput is named", async () => {
    await assert.rejects(
      () => run("yes" as unknown as boolean),
      /sparseInput must be "auto", true, false or SparseRows, got yes/,
    );
  });
});

Deno.test("train() mini-batches of mostly-zero inputs are read in place as sparse rows: same numbers as dense", async (t) => {
  const { biasColumnNet, addBiasColumn } = await import("../../lib/nn/bias_column_net.ts");
  const { mlp } = await import("../../lib/nn/mlp.ts");
  const { SparseRowBatch, sparseRows } = await import("../../lib/tensor/sparse_rows.ts");
  const prng = new Prng(9);
  const X = Matrix.zeros(300, 20), Y = Matrix.zeros(300, 4);
  for (let i = 0; i < X.data.length; i++) {
    X.data[i] = prng.random() < 0.75 ? 0 : (1 + prng.int(255)) / 255;
  }
  for (let i = 0; i < 300; i++) Y.set(i, prng.int(4), 1);
  const X1 = addBiasColumn(X);
  type Options = Partial<TrainOptions>;
  const run = async (kind: "bias-column" | "mlp", options: Options, hidden = 32, inputs = X) => {
    const net = kind === "bias-column"
      ? biasColumnNet({ nx: 20, nh: hidden, ny: 4 }, { prng: new Prng(3) })
      : mlp({
        sizes: [20, hidden, 4],
        activations: ["tanh", "softmax"],
        loss: "crossEntropy",
        prng: new Prng(3),
      });
    let sparseCalls = 0, calls = 0;
    const step = net.trainStep.bind(net) as typeof net.trainStep;
    net.trainStep = ((Xb: Matrix, Yb: Matrix, lr: number) => {
      calls++;
      if (Xb instanceof SparseRowBatch) sparseCalls++;
      return step(Xb, Yb, lr);
    }) as typeof net.trainStep;
    const data = { X: kind === "bias-column" ? addBiasColumn(inputs) : inputs, Y };
    const history = await train(net, data, {
      epochs: 4,
      batchSize: 32,
      learningRate: 0.2,
      prng: new Prng(4),
      ...options,
    });
    return { history, sparseCalls, calls, params: net.params.map((p) => Array.from(p.data)) };
  };
  for (const kind of ["bias-column", "mlp"] as const) {
    await t.step(
      `${kind}: auto reads every batch sparse (the last partial one too); same history`,
      async () => {
        const dense = await run(kind, { sparseInput: false }), auto = await run(kind, {});
        assert.equal(dense.sparseCalls, 0);
        assert.equal(auto.calls, 4 * 10);
        assert.equal(auto.sparseCalls, auto.calls);
        auto.history.loss.forEach((v, i) => assert.ok(Math.abs(v - dense.history.loss[i]) < 1e-12));
        assert.deepEqual(auto.history.acc, dense.history.acc);
        auto.params.forEach((p, i) =>
          p.forEach((w, j) => assert.ok(Math.abs(w - dense.params[i][j]) < 1e-12, `param ${i}`))
        );
      },
    );
  }
  await t.step("auto stays dense for small batches, wide first layers and short runs", async () => {
    assert.equal((await run("bias-column", { batchSize: 16 })).sparseCalls, 0);
    assert.equal((await run("bias-column", {}, 33)).sparseCalls, 0);
    assert.equal((await run("bias-column", { epochs: 3 })).sparseCalls, 0);
    assert.equal((await run("mlp", { batchSize: 16, sparseInput: true })).sparseCalls, 4 * 19);
    const prepared = await run("bias-column", { epochs: 3, sparseInput: sparseRows(X1) });
    assert.equal(prepared.sparseCalls, 3 * 10);
  });
  await t.step("auto stays dense for mostly non-zero inputs", async () => {
    assert.equal((await run("mlp", {}, 8, map(X, (v) => v + 1))).sparseCalls, 0);
  });
});

Deno.test("train() full-batch evaluations reuse the iteration's own pass and validation score", async () => {
  const prng = new Prng(4);
  const X = Matrix.zeros(6, 3), Y = Matrix.zeros(6, 2);
  prng.fillUniform(X.data, 0, 1);
  for (let i = 0; i < 6; i++) Y.set(i, i % 2, 1);
  const net = linearModel({ inputs: 3, outputs: 2, output: "softmax" });
  let losses = 0, steps = 0;
  const loss = net.loss.bind(net), lossAndGrad = net.lossAndGrad.bind(net);
  net.loss = (A, B) => (losses++, loss(A, B));
  net.lossAndGrad = (A, B) => (steps++, lossAndGrad(A, B));
  const history = await train(net, { X, Y }, {
    epochs: 4,
    batchSize: "full",
    learningRate: 0.5,
    evaluateEvery: 6,
    validation: { X, Y },
  });
  assert.equal(steps, 4);
  assert.equal(losses, 4); // validation once per iteration, nothing else
  assert.deepEqual(history.evaluations.samplesSeen, [0, 6, 12, 18]);
  // The iteration's own loss (history.loss records it as L·n/n: the same up to 1 ulp).
  history.evaluations.trainLoss.forEach((l, i) =>
    assert.ok(Math.abs(l - history.loss[i]) <= 1e-15 * Math.abs(l))
  );
  assert.deepEqual(history.evaluations.trainAcc, history.acc);
  assert.deepEqual(history.evaluations.valLoss, history.valLoss);
});

Deno.test("train() runs in-order per-sample SGD through trainRows, one call per run between evaluations", async () => {
  const prng = new Prng(5);
  const n = 120;
  const X = Matrix.zeros(n, 4), Y = Matrix.zeros(n, 3);
  for (let i = 0; i < X.data.length; i++) X.data[i] = prng.random() < 0.6 ? 0 : prng.random();
  for (let i = 0; i < n; i++) Y.set(i, i % 3, 1);
  const net = linearModel({ inputs: 4, outputs: 3, output: "softmax" });
  const runs: [number, number][] = [];
  const fused = net.trainRows!;
  Object.defineProperty(net, "trainRows", {
    value: (...args: Parameters<typeof fused>) => {
      runs.push([args[2], args[3]]);
      fused(...args);
    },
  });
  const options = {
    epochs: 2,
    batchSize: 1,
    learningRate: 0.1,
    shuffle: false,
    evaluateEvery: 50,
  } as const;
  const history = await train(net, { X, Y }, options);
  assert.deepEqual(runs, [[0, 50], [50, 100], [100, 120], [0, 30], [30, 80], [80, 120]]);
  assert.equal(history.updates, 240);
  assert.deepEqual(history.evaluations.samplesSeen, [0, 50, 100, 150, 200]);
  // The same training as one trainStep per sample, up to the order of the loss sums.
  const twin = linearModel({ inputs: 4, outputs: 3, output: "softmax" });
  const h2 = await train(twin, { X, Y }, { ...options, recordUpdates: "loss" });
  assert.equal(runs.length, 6); // recordUpdates needs every step: no runs
  assert.ok(Math.abs(h2.loss[1] - history.loss[1]) < 1e-12);
  assert.ok(maxAbsDiff(twin.weights[0], net.weights[0]) < 1e-12);
});
