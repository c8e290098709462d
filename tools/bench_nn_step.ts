/**
 * Benchmark of one lib/nn training step against NumPy, same run, same dtype:
 * seed 000's per-sample step (1×784 → 150 → 100 → 50 → 10, sigmoid, squared
 * error) and seed 001's mini-batch step (128×785 → tanh 32 → softmax 10),
 * each `lossAndGrad` + an SGD update. Also reports the heap growth over the
 * timed loop (the hot path should allocate nothing per step).
 *
 * Run: `deno run -A tools/bench_nn_step.ts [float64|float32]`.
 *
 * @module
 */

import { Prng } from "../lib/random.ts";
import { Matrix } from "../lib/tensor/matrix.ts";
import { axpy } from "../lib/tensor/ops.ts";
import type { Model } from "../lib/nn/model.ts";
import { seed000Net, seed001Net } from "../lib/nn/seed_models.ts";

const dtype = (Deno.args[0] ?? "float64") as "float64" | "float32";
const STEPS_000 = 2000, STEPS_001 = 200;

function sgd(model: Model, learningRate: number): void {
  for (let i = 0; i < model.params.length; i++) {
    axpy(-learningRate, model.grads[i], model.params[i]);
  }
}

function data(n: number, inputs: number, prng: Prng, biasColumn: boolean) {
  const X = Matrix.zeros(n, inputs + (biasColumn ? 1 : 0), dtype);
  const Y = Matrix.zeros(n, 10, dtype);
  for (let i = 0; i < n; i++) {
    if (biasColumn) X.data[i * (inputs + 1)] = 1;
    for (let j = biasColumn ? 1 : 0; j < X.cols; j++) X.data[i * X.cols + j] = prng.random();
    Y.data[i * 10 + prng.int(10)] = 1;
  }
  return { X, Y };
}

function timeSteps(
  model: Model,
  Xs: Matrix[],
  Ys: Matrix[],
  steps: number,
  learningRate: number,
): { us: number; heapGrowthKiB: number } {
  for (let i = 0; i < Math.min(steps, 200); i++) {
    model.lossAndGrad(Xs[i % Xs.length], Ys[i % Ys.length]);
    sgd(model, learningRate);
  }
  const heap0 = Deno.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    model.lossAndGrad(Xs[i % Xs.length], Ys[i % Ys.length]);
    sgd(model, learningRate);
  }
  const us = (performance.now() - t0) / steps * 1000;
  return { us, heapGrowthKiB: (Deno.memoryUsage().heapUsed - heap0) / 1024 };
}

const prng = new Prng(0);
// Row views made once up front: the loop itself creates no objects.
const d000 = data(2000, 784, prng, false);
const rows000 = Array.from({ length: 2000 }, (_, i) => d000.X.rowSlice(i, i + 1));
const ys000 = Array.from({ length: 2000 }, (_, i) => d000.Y.rowSlice(i, i + 1));
const r000 = timeSteps(seed000Net({ prng, dtype }), rows000, ys000, STEPS_000, 0.2);

const d001 = data(1280, 784, prng, true);
const rows001 = Array.from({ length: 10 }, (_, i) => d001.X.rowSlice(i * 128, (i + 1) * 128));
const ys001 = Array.from({ length: 10 }, (_, i) => d001.Y.rowSlice(i * 128, (i + 1) * 128));
const r001 = timeSteps(seed001Net({ prng, dtype }), rows001, ys001, STEPS_001, 0.01);

const py = new Deno.Command("python3", {
  args: [
    new URL("./bench_nn_step.py", import.meta.url).pathname,
    dtype,
    String(STEPS_000),
    String(STEPS_001),
  ],
  // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE slow a current NumPy: unset both for this run only.
  clearEnv: true,
  env: Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) =>
      k !== "OPENBLAS_CORETYPE" && k !== "OPENBLAS_L2_SIZE"
    ),
  ),
}).outputSync();
let numpy: Record<string, number> | undefined;
if (py.success) numpy = JSON.parse(new TextDecoder().decode(py.stdout));
else console.error(`numpy reference failed: ${new TextDecoder().decode(py.stderr)}`);

const rows = [
  { name: "seed000_1x784", ...r000, numpyUs: numpy?.seed000_1x784 },
  { name: "seed001_128x785", ...r001, numpyUs: numpy?.seed001_128x785 },
];
for (const r of rows) {
  const ratio = r.numpyUs ? (r.us / r.numpyUs).toFixed(3) : "n/a";
  console.log(
    `${r.name} ${dtype}: ${r.us.toFixed(1)} µs/step, numpy ${
      r.numpyUs?.toFixed(1) ?? "n/a"
    } µs/step, ratio ${ratio}, heap growth ${r.heapGrowthKiB.toFixed(0)} KiB`,
  );
}
