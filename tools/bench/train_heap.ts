/**
 * Heap probe for the training loops: does the heap stay flat over epochs,
 * and how many bytes does one update allocate?
 *
 * For each case it trains a real seed model with `train()` and, at the end
 * of every epoch (`onProgress`), forces a full GC and records
 * `Deno.memoryUsage().heapUsed`: the retained heap, which must not grow
 * with the epochs. Then it runs more epochs without forcing GC and divides
 * the heap growth by the updates made (the allocation rate; a run in which
 * V8 collected shows a drop and is retried).
 *
 * ```sh
 * deno run -A --v8-flags=--expose-gc tools/bench/train_heap.ts [--json]
 * ```
 *
 * `tests/train/heap_test.ts` runs it and checks the figures.
 *
 * @module
 */

import { loadMnist } from "../../lib/data/mnist.ts";
import { Prng } from "../../lib/random.ts";
import { oneHot, prependOnes } from "../../lib/tensor/ops.ts";
import type { Model } from "../../lib/nn/model.ts";
import { seed000Net, seed001Net, seed002Net } from "../../lib/nn/seed_models.ts";
import { sparseRows } from "../../lib/tensor/sparse_rows.ts";
import { type LabeledData, train, type TrainOptions } from "../../lib/train/mod.ts";

/** One probe result. */
export interface HeapProbe {
  /** Which workload. */
  case: string;
  /** Updates per epoch. */
  updatesPerEpoch: number;
  /** Retained heap (bytes, after a full GC) at the end of each probed epoch. */
  retained: number[];
  /** `retained.at(-1) − retained[0]`, bytes. */
  retainedGrowth: number;
  /** Heap growth without GC divided by the updates made, bytes per update (best of 3 runs). */
  bytesPerUpdate: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * The V8 heap in use. Typed-array storage lives outside it (`external`), but
 * is freed lazily after a GC, so it is too noisy to probe; the loop allocates
 * its typed arrays once per `train()` call (see `tests/train/heap_test.ts`).
 */
function heapBytes(): number {
  return Deno.memoryUsage().heapUsed;
}

async function probe(
  name: string,
  model: Model,
  data: LabeledData,
  options: TrainOptions,
  epochs: number,
): Promise<HeapProbe> {
  if (gc === undefined) {
    throw new Error("Cannot probe the heap: run deno with --v8-flags=--expose-gc");
  }
  await train(model, data, { ...options, epochs: 2 }); // warm-up: JIT, workspaces
  const retained: number[] = [];
  let updatesPerEpoch = 0;
  await train(model, data, {
    ...options,
    epochs,
    progressIntervalMs: Infinity,
    onProgress: (state) => {
      gc();
      retained.push(heapBytes());
      updatesPerEpoch = state.iteration / state.epoch;
    },
  });
  let bytesPerUpdate = Infinity;
  for (let attempt = 0; attempt < 3; attempt++) {
    gc();
    const h0 = heapBytes();
    const history = await train(model, data, { ...options, epochs });
    const growth = heapBytes() - h0;
    if (growth >= 0) bytesPerUpdate = Math.min(bytesPerUpdate, growth / history.updates);
  }
  return {
    case: name,
    updatesPerEpoch,
    retained,
    retainedGrowth: retained.at(-1)! - retained[0],
    bytesPerUpdate,
  };
}

/** Runs the three probes on real MNIST (small slices, a few seconds in all). */
export async function runHeapProbes(): Promise<HeapProbe[]> {
  const dtype = "float64";
  const { X, labels } = await loadMnist({ split: "train", limit: 2000, dtype });
  const Y = oneHot(labels, 10, dtype);
  const first = (n: number) => ({ X: X.rowSlice(0, n), Y: Y.rowSlice(0, n) });
  return [
    await probe(
      "seed000 per-sample SGD (784-150-100-50-10, 300 samples)",
      seed000Net({ prng: new Prng(1), dtype }),
      first(300),
      { epochs: 1, batchSize: 1, learningRate: 0.2, shuffle: false },
      6,
    ),
    await probe(
      "seed001 mini-batch 128 (785 → 32 → 10, 2,000 samples)",
      seed001Net({ prng: new Prng(1), dtype }),
      { X: prependOnes(X), Y },
      // Dense batches gathered into workspaces ("auto" would read sparse rows in place:
      // tests/train/heap_test.ts checks that step on its own).
      { epochs: 1, batchSize: 128, learningRate: 0.01, prng: new Prng(2), sparseInput: false },
      12,
    ),
    await probe(
      "seed002 full batch (784 → 10 → 10, 2,000 samples)",
      seed002Net({ prng: new Prng(1), dtype }),
      first(2000),
      // The first layer on sparse rows, converted once as notebook 03 does.
      { epochs: 1, batchSize: "full", learningRate: 0.1, sparseInput: sparseRows(X) },
      20,
    ),
  ];
}

if (import.meta.main) {
  const probes = await runHeapProbes();
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(probes));
  } else {
    for (const p of probes) {
      console.log(
        `${p.case}: ${p.updatesPerEpoch} updates/epoch, retained heap over ${p.retained.length} epochs ${
          (p.retained[0] / 1024).toFixed(0)
        } → ${(p.retained.at(-1)! / 1024).toFixed(0)} KiB (growth ${p.retainedGrowth} B), ${
          p.bytesPerUpdate.toFixed(1)
        } B allocated per update`,
      );
    }
  }
}
