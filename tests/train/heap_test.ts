/**
 * The training loop's hot path allocates nothing per step, reuses its batch
 * workspaces, and with the real seed models the retained heap stays flat
 * over epochs (`tools/bench/train_heap.ts`, run with `--expose-gc`).
 */
import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import type { Model } from "../../lib/nn/model.ts";
import { train, type TrainOptions } from "../../lib/train/mod.ts";
import type { HeapProbe } from "../../tools/bench/train_heap.ts";

/** A model that allocates nothing after its first call per batch size, and records its inputs. */
class QuietModel implements Model {
  readonly params = [Matrix.zeros(4, 2)];
  readonly grads = [Matrix.full(4, 2, 0.001)];
  readonly outputSize = 2;
  readonly inputs = new Set<Matrix>();
  recordInputs = false;
  #outputs = new Map<number, Matrix>();
  #last: Matrix | undefined;

  get lastOutput(): Matrix | undefined {
    return this.#last;
  }

  #forward(X: Matrix): Matrix {
    if (this.recordInputs) this.inputs.add(X);
    let out = this.#outputs.get(X.rows);
    if (out === undefined) {
      out = Matrix.zeros(X.rows, 2);
      this.#outputs.set(X.rows, out);
    }
    const x = X.data, o = out.data, w = this.params[0].data;
    for (let i = 0; i < X.rows; i++) {
      o[2 * i] = x[4 * i] * w[0];
      o[2 * i + 1] = x[4 * i + 1] * w[1];
    }
    this.#last = out;
    return out;
  }

  predict(X: Matrix): Matrix {
    return this.#forward(X);
  }

  /**
   * A constant: V8 boxes a non-integer double returned from a call it does not
   * inline (16 bytes, the one per-step allocation a real model's returned loss
   * costs); the constant keeps this test about the loop's own allocations.
   */
  loss(X: Matrix, _Y: Matrix): number {
    this.#forward(X);
    return 0.5;
  }

  lossAndGrad(X: Matrix, Y: Matrix): number {
    return this.loss(X, Y);
  }
}

function data(n: number) {
  const prng = new Prng(1);
  const X = Matrix.zeros(n, 4), Y = Matrix.zeros(n, 2);
  prng.fillUniform(X.data);
  for (let i = 0; i < n; i++) Y.set(i, prng.int(2), 1);
  return { X, Y };
}

/** Heap growth per update over one long run, retried when a GC made it shrink. */
async function bytesPerUpdate(options: TrainOptions, n: number): Promise<number> {
  const model = new QuietModel(), set = data(n);
  await train(model, set, { ...options, epochs: 10 }); // warm-up: JIT and workspaces
  let best = Infinity;
  for (let attempt = 0; attempt < 4; attempt++) {
    const h0 = Deno.memoryUsage().heapUsed;
    const history = await train(model, set, options);
    const growth = Deno.memoryUsage().heapUsed - h0;
    if (growth >= 0) best = Math.min(best, growth / history.updates);
  }
  return best;
}

Deno.test("train() allocates nothing per step (a model that allocates nothing)", async (t) => {
  const common = {
    learningRate: 0.01,
    prng: new Prng(3),
    onProgress: () => {},
    progressIntervalMs: Infinity,
  };
  // What stays per update is the per-epoch bookkeeping (history entries,
  // progress state: under 1 KiB) spread over the epoch's updates; one object
  // per step would be >= 16 bytes.
  await t.step("per-sample SGD, shuffled, running accuracy, per-update losses", async () => {
    const bytes = await bytesPerUpdate(
      { ...common, epochs: 20, batchSize: 1, recordUpdates: "runningSum" },
      2000,
    );
    // The recorded per-update value itself takes 8 bytes (up to ~12 while the
    // array's capacity grows), so one extra object per step would show as >= 24.
    assert.ok(bytes < 16, `${bytes.toFixed(2)} bytes per update`);
  });
  await t.step("mini-batch SGD with a partial last batch", async () => {
    const bytes = await bytesPerUpdate({ ...common, epochs: 100, batchSize: 7 }, 2000);
    assert.ok(bytes < 4, `${bytes.toFixed(2)} bytes per update`);
  });
});

Deno.test("train() gathers every batch into the same two workspaces", async () => {
  const model = new QuietModel();
  model.recordInputs = true;
  const set = data(50);
  const history = await train(model, set, {
    epochs: 4,
    batchSize: 8,
    learningRate: 0.1,
    prng: new Prng(1),
  });
  assert.equal(history.updates, 4 * 7);
  const shapes = [...model.inputs].map((X) => X.rows).sort((a, b) => a - b);
  assert.deepEqual(shapes, [2, 8]); // one [8, 4] workspace, one [2, 4] for the last batch
  model.inputs.clear();
  await train(model, set, { epochs: 3, batchSize: "full", learningRate: 0.1 });
  assert.deepEqual([...model.inputs], [set.X]); // full batch: the data itself, no copy
});

Deno.test("with the seed models the retained heap stays flat over epochs", async () => {
  const probe = new URL("../../tools/bench/train_heap.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--v8-flags=--expose-gc", probe, "--json"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const probes: HeapProbe[] = JSON.parse(new TextDecoder().decode(stdout));
  assert.equal(probes.length, 3);
  for (const p of probes) {
    assert.ok(p.retained.length >= 6, `${p.case}: ${p.retained.length} epochs probed`);
    // Flat: well under one epoch's worth of per-update garbage retained.
    assert.ok(
      Math.abs(p.retainedGrowth) < 256 * 1024,
      `${p.case}: retained heap grew ${p.retainedGrowth} bytes over ${p.retained.length} epochs`,
    );
    // The models' own per-call bookkeeping (loss options, update options: ~50–150 B)
    // is allowed; a batch-sized allocation per update is not.
    assert.ok(
      p.bytesPerUpdate < 2048,
      `${p.case}: ${p.bytesPerUpdate.toFixed(0)} bytes allocated per update`,
    );
  }
});

Deno.test("a mini-batch step on sparse rows read in place allocates (almost) nothing", async () => {
  const { SparseRowBatch, sparseRows } = await import("../../lib/tensor/sparse_rows.ts");
  const { loadNativeKernels } = await import("../../lib/native/build.ts");
  const { addBiasColumn, biasColumnNet } = await import("../../lib/nn/bias_column_net.ts");
  const { countCorrect } = await import("../../lib/train/count_correct.ts");
  await loadNativeKernels();
  // MNIST-like rows (80 % zeros, pixel values), 5 batches of 128 and a last one of 80.
  const prng = new Prng(3), n = 720, nx = 784;
  const X = Matrix.zeros(n, nx);
  for (let i = 0; i < X.data.length; i++) {
    X.data[i] = prng.random() < 0.8 ? 0 : (1 + Math.floor(prng.random() * 255)) / 255;
  }
  const Y = Matrix.zeros(128, 10), Yr = Matrix.zeros(80, 10);
  for (let i = 0; i < 128; i++) Y.data[i * 10 + (i % 10)] = 1;
  for (let i = 0; i < 80; i++) Yr.data[i * 10 + (i % 10)] = 1;
  const order = Uint32Array.from({ length: n }, (_, i) => (i * 7) % n);
  const batch = new SparseRowBatch(sparseRows(addBiasColumn(X)), order);
  for (const dtype of ["float64", "float32"] as const) {
    const net = biasColumnNet({ nx, nh: 32, ny: 10 }, { prng: new Prng(1), dtype });
    const [y, yr] = [Y.astype(dtype), Yr.astype(dtype)];
    const epoch = () => {
      for (let b = 0; b < 6; b++) {
        const last = b === 5, target = last ? yr : y;
        net.trainStep(batch.select(b * 128, last ? 80 : 128), target, 1e-3);
        countCorrect(net.lastOutput!, target);
      }
    };
    for (let i = 0; i < 100; i++) epoch(); // JIT, workspaces
    let perUpdate = Infinity;
    for (let attempt = 0; attempt < 3; attempt++) {
      const h0 = Deno.memoryUsage().heapUsed;
      for (let i = 0; i < 200; i++) epoch();
      const growth = Deno.memoryUsage().heapUsed - h0; // < 0: a GC ran, try again
      if (growth >= 0) perUpdate = Math.min(perUpdate, growth / 1200);
    }
    // Measured: ~50 B (the net's option objects); a single 32-element typed array
    // allocated per step brings it to ~250.
    assert.ok(perUpdate < 128, `${dtype}: ${perUpdate.toFixed(0)} bytes allocated per update`);
  }
});
