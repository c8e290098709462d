/**
 * Training-loop benchmarks: whole `train()` runs of three seeds' workloads
 * beside a straightforward vectorised NumPy version of the same loop
 * (`train_numpy.py`), same run, same dtype, `ratio = ours / numpy`.
 *
 * | case                      | work                                                          | target |
 * | ------------------------- | ------------------------------------------------------------- | ------ |
 * | `train_seed001_epoch`     | 1 epoch, 60,000 × 785 → 32 tanh → 10 softmax, batch 128 shuffled | ≤ 0.8  |
 * | `train_seed001_epoch_dense` | the same with dense batches (`sparseInput: false`)          | none (comparison) |
 * | `train_seed000_sgd`       | 40,000 per-sample updates, 2,000 × 20 epochs, 784-150-100-50-10 sigmoid | ≤ 0.2  |
 * | `train_seed002_fullbatch` | 100 full-batch iterations, 55,000 × 784 → 10 ReLU → 10 softmax | ≤ 0.8  |
 * | `train_seed002_fullbatch_dense` | the same with the first layer dense (`sparseInput: false`) | none (comparison) |
 *
 * Seeds 001 and 002's `train()` runs pass the mostly-zero X to the first
 * layer as sparse rows (converted once, passed as `sparseInput`, as a
 * notebook's 50-epoch run converts it once; seed 001's batches are then read
 * in place); the NumPy loops are the dense ones the seeds wrote, and the
 * `_dense` rows show our dense loops.
 *
 * Timing: our side is warmed up (JIT) on a small slice, then the work is split into chunks
 * (seed 000: 4 × 5 epochs; seed 002: 5 × 20 iterations; seed 001: 3 whole
 * epochs) that alternate between ours and NumPy's with a pause at each
 * switch, so that load from other processes hits both alike. Seeds 000 and
 * 002 report the SUM of their chunks (the full 40,000 updates / 100
 * iterations, trained on one model); seed 001 the median epoch. Each row
 * also reports our heap growth over the timed chunks.
 *
 * Registered with `tools/bench/registry.ts`; run with `deno task bench train`
 * (or `deno task bench train_seed000 float32`).
 *
 * @module
 */

import { loadMnist } from "../../lib/data/mnist.ts";
import { blasBackend } from "../../lib/blas/mod.ts";
import { Prng } from "../../lib/random.ts";
import type { DType } from "../../lib/tensor/matrix.ts";
import { oneHot, prependOnes } from "../../lib/tensor/ops.ts";
import { sparseRows } from "../../lib/tensor/sparse_rows.ts";
import type { Model } from "../../lib/nn/model.ts";
import { seed000Net, seed001Net, seed002Net } from "../../lib/nn/seed_models.ts";
import { type LabeledData, train, type TrainOptions } from "../../lib/train/mod.ts";
import { type BenchContext, type BenchRow, registerBench } from "./registry.ts";

/** One training-loop benchmark. */
export interface TrainBenchSpec {
  /** Row name in `reports/bench.json`. */
  name: string;
  /** One line for the table. */
  description: string;
  /** Ratio (ours / numpy) the issue asks for; `null` for a comparison row. */
  target: number | null;
  /** Function name in `train_numpy.py`. */
  numpyCase: string;
  /** Chunks the work is split into, and how rows combine them. */
  chunks: number;
  /** `"sum"`: the chunks together are the benchmarked work; `"median"`: each chunk is. */
  combine: "sum" | "median";
  /** Epochs (iterations for full batch) per chunk, both sides. */
  unitsPerChunk: number;
  /** Builds a model, the data and the options of one chunk; `warmup` runs the loop briefly. */
  setup(dtype: DType): Promise<{
    model: Model;
    data: LabeledData;
    options: TrainOptions;
    warmup: () => Promise<unknown>;
  }>;
}

async function mnistTrain(limit: number, dtype: DType): Promise<LabeledData> {
  const { X, labels } = await loadMnist({ split: "train", limit, dtype });
  return { X, Y: oneHot(labels, 10, dtype) };
}

function firstRows(data: LabeledData, rows: number): LabeledData {
  return { X: data.X.rowSlice(0, rows), Y: data.Y.rowSlice(0, rows) };
}

/** The three cases. */
export const TRAIN_BENCH_SPECS: readonly TrainBenchSpec[] = [
  seed001Epoch(
    "train_seed001_epoch",
    "seed 001: 1 epoch, 60000×785 → 32 tanh → 10 softmax, batch 128 shuffled (batches read in place as sparse rows)",
    true,
  ),
  seed001Epoch(
    "train_seed001_epoch_dense",
    "seed 001 as above with dense batches (sparseInput: false), for comparison",
    false,
  ),
  {
    name: "train_seed000_sgd",
    description: "seed 000: 40,000 per-sample updates (2000 × 20 epochs), 784-150-100-50-10",
    target: 0.2,
    numpyCase: "seed000_sgd",
    chunks: 4,
    combine: "sum",
    unitsPerChunk: 5,
    async setup(dtype) {
      const data = await mnistTrain(2000, dtype);
      const model = seed000Net({ prng: new Prng(1), dtype });
      const options: TrainOptions = {
        epochs: 5,
        batchSize: 1,
        learningRate: 0.2,
        shuffle: false,
        recordUpdates: "runningSum",
        epochLoss: "sum",
      };
      const warm = seed000Net({ prng: new Prng(2), dtype });
      const warmup = () => train(warm, firstRows(data, 500), { ...options, epochs: 2 });
      return { model, data, options, warmup };
    },
  },
  seed002FullBatch(
    "train_seed002_fullbatch",
    "seed 002: 100 full-batch iterations, 55000×784 → 10 ReLU → 10 softmax (first layer on sparse rows)",
    true,
  ),
  seed002FullBatch(
    "train_seed002_fullbatch_dense",
    "seed 002 as above with the first layer dense (sparseInput: false), for comparison",
    false,
  ),
];

/** Seed 001's case, batches read in place as sparse rows or gathered dense; NumPy dense either way. */
function seed001Epoch(name: string, description: string, sparse: boolean): TrainBenchSpec {
  return {
    name,
    description,
    target: sparse ? 0.8 : null,
    numpyCase: "seed001_epoch",
    chunks: 3,
    combine: "median",
    unitsPerChunk: 1,
    async setup(dtype) {
      const raw = await mnistTrain(60000, dtype);
      const data = { X: prependOnes(raw.X), Y: raw.Y };
      const prng = new Prng(1);
      const model = seed001Net({ prng, dtype });
      const options: TrainOptions = {
        epochs: 1,
        batchSize: 128,
        learningRate: 0.01,
        prng,
        sparseInput: sparse ? sparseRows(data.X) : false,
      };
      const warm = seed001Net({ prng: new Prng(2), dtype });
      const warmup = () =>
        train(warm, firstRows(data, 6400), {
          ...options,
          prng: new Prng(3),
          sparseInput: sparse ? sparseRows(firstRows(data, 6400).X) : false,
        });
      return { model, data, options, warmup };
    },
  };
}

/**
 * Seed 002's case, the first layer on sparse rows (converted once, as a notebook
 * does for its runs) or dense; the NumPy side is dense either way.
 */
function seed002FullBatch(name: string, description: string, sparse: boolean): TrainBenchSpec {
  return {
    name,
    description,
    target: sparse ? 0.8 : null,
    numpyCase: "seed002_fullbatch",
    chunks: 5,
    combine: "sum",
    unitsPerChunk: 20,
    async setup(dtype) {
      const data = await mnistTrain(55000, dtype);
      const model = seed002Net({ prng: new Prng(1), dtype });
      const options: TrainOptions = {
        epochs: 20,
        batchSize: "full",
        learningRate: 0.1,
        sparseInput: sparse ? sparseRows(data.X) : false,
      };
      const warm = seed002Net({ prng: new Prng(2), dtype });
      const warmup = () =>
        train(warm, firstRows(data, 5000), {
          ...options,
          epochs: 10,
          sparseInput: sparse ? "auto" : false,
        });
      return { model, data, options, warmup };
    },
  };
}

const SETTLE_MS = 150;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The NumPy namespace setup: imports `train_numpy.py` and builds `run` for one chunk. */
function numpySetup(spec: TrainBenchSpec, dtype: DType): string {
  const path = new URL("./train_numpy.py", import.meta.url).pathname;
  return [
    "import importlib.util",
    `spec = importlib.util.spec_from_file_location("train_numpy", ${JSON.stringify(path)})`,
    "train_numpy = importlib.util.module_from_spec(spec)",
    "spec.loader.exec_module(train_numpy)",
    `run = train_numpy.${spec.numpyCase}(np.${dtype}, np.random.default_rng(0), ${spec.unitsPerChunk})`,
  ].join("\n");
}

/**
 * Measures one spec: warm-up both sides, then alternate chunks.
 *
 * @param spec One of {@linkcode TRAIN_BENCH_SPECS}.
 * @param dtype Element type of both sides.
 * @param context The runner's NumPy (may be `null`: ratio `null`).
 * @returns The row for `reports/bench.json`.
 */
export async function measureTraining(
  spec: TrainBenchSpec,
  dtype: DType,
  context: BenchContext,
): Promise<BenchRow> {
  const { model, data, options, warmup } = await spec.setup(dtype);
  await warmup();
  const numpy = context.numpy;
  const ns = numpy === null ? null : await numpy.setup(numpySetup(spec, dtype));
  const chunks = context.repeats ?? spec.chunks;
  const ours: number[] = [], theirs: number[] = [];
  let heapGrowth = 0, updates = 0, loss = NaN;
  for (let c = 0; c < chunks; c++) {
    if (numpy !== null) await settle();
    const heap0 = Deno.memoryUsage().heapUsed;
    const t0 = performance.now();
    const history = await train(model, data, options);
    ours.push((performance.now() - t0) / 1000);
    heapGrowth += Deno.memoryUsage().heapUsed - heap0;
    updates += history.updates;
    loss = history.loss.at(-1)!;
    if (numpy === null) continue;
    await settle();
    theirs.push(await numpy.time(ns!, "loss = run()", 1));
  }
  if (ns !== null) await numpy!.drop(ns);
  const combine = (xs: number[]) =>
    spec.combine === "sum" ? xs.reduce((a, b) => a + b, 0) * spec.chunks / xs.length : median(xs);
  const oursSeconds = combine(ours);
  const numpySeconds = numpy === null ? null : combine(theirs);
  const ratio = numpySeconds === null ? null : oursSeconds / numpySeconds;
  const backend = blasBackend();
  return {
    case: spec.name,
    dtype,
    backend: backend.name,
    ours_seconds: oursSeconds,
    numpy_seconds: numpySeconds,
    ratio,
    target: spec.target,
    meets_target: ratio === null || spec.target === null ? null : ratio <= spec.target,
    description: spec.description,
    chunks: `${chunks} × ${spec.unitsPerChunk} ${
      options.batchSize === "full" ? "iterations" : "epochs"
    } (${spec.combine})`,
    ours_chunk_seconds: ours,
    numpy_chunk_seconds: numpy === null ? null : theirs,
    ours_updates: updates,
    ours_last_loss: loss,
    heap_growth_kib: Math.round(heapGrowth / 1024),
    ours_blas: backend.config ?? backend.name,
    ours_threads: backend.threads,
    numpy_blas: context.numpyBlas,
    ...(numpy === null ? { note: "no Python with NumPy found: ratio not measured" } : {}),
  };
}

for (const spec of TRAIN_BENCH_SPECS) {
  for (const dtype of ["float64", "float32"] as const) {
    registerBench({
      name: spec.name,
      dtype,
      description: spec.description,
      run: (context) => measureTraining(spec, dtype, context),
    });
  }
}
