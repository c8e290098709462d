/**
 * Benchmark of one lib/nn training step against NumPy, same run, same dtype:
 * seed 000's per-sample step (1×784 → 150 → 100 → 50 → 10, sigmoid, squared
 * error) and seed 001's mini-batch step (128×785 → tanh 32 → softmax 10),
 * on the first 2,000 MNIST training images, each as `lossAndGrad` + an SGD update and as the fused `trainStep`. Also reports the heap growth over the
 * timed loop (the hot path should allocate nothing per step).
 *
 * Run: `deno run -A --v8-flags=--expose-gc tools/bench_nn_step.ts [float64|float32]`
 * (without the flag the heap growth includes uncollected garbage).
 *
 * @module
 */

import { Prng } from "../lib/random.ts";
import { Matrix } from "../lib/tensor/matrix.ts";
import { axpy, oneHot, prependOnes } from "../lib/tensor/ops.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { mnistDir } from "../lib/data/paths.ts";
import type { Model } from "../lib/nn/model.ts";
import { seed000Net, seed001Net } from "../lib/nn/seed_models.ts";

const dtype = (Deno.args[0] ?? "float64") as "float64" | "float32";
/** V8's collector when run with `--v8-flags=--expose-gc`: heap growth is then live memory only. */
const gc = (globalThis as { gc?: () => void }).gc;
const STEPS_000 = 2000, STEPS_001 = 200;

function sgd(model: Model, learningRate: number): void {
  for (let i = 0; i < model.params.length; i++) {
    axpy(-learningRate, model.grads[i], model.params[i]);
  }
}

function timeSteps(
  model: Model,
  Xs: Matrix[],
  Ys: Matrix[],
  steps: number,
  learningRate: number,
  fused: boolean,
): { us: number; heapGrowthKiB: number } {
  const step = fused
    ? (i: number) => model.trainStep!(Xs[i % Xs.length], Ys[i % Ys.length], learningRate)
    : (i: number) => {
      model.lossAndGrad(Xs[i % Xs.length], Ys[i % Ys.length]);
      sgd(model, learningRate);
    };
  for (let i = 0; i < Math.min(steps, 200); i++) step(i);
  gc?.();
  const heap0 = Deno.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step(i);
  const us = (performance.now() - t0) / steps * 1000;
  gc?.();
  return { us, heapGrowthKiB: (Deno.memoryUsage().heapUsed - heap0) / 1024 };
}

const prng = new Prng(0);
const mnist = await loadMnist({ limit: 2000, dtype });
const X = mnist.X, Y = oneHot(mnist.labels, 10, dtype), Xb = prependOnes(X);
// Row views made once up front: the loop itself creates no objects.
const rows000 = Array.from({ length: 2000 }, (_, i) => X.rowSlice(i, i + 1));
const ys000 = Array.from({ length: 2000 }, (_, i) => Y.rowSlice(i, i + 1));
const r000 = timeSteps(seed000Net({ prng, dtype }), rows000, ys000, STEPS_000, 0.2, false);
const f000 = timeSteps(seed000Net({ prng, dtype }), rows000, ys000, STEPS_000, 0.2, true);

const rows001 = Array.from({ length: 10 }, (_, i) => Xb.rowSlice(i * 128, (i + 1) * 128));
const ys001 = Array.from({ length: 10 }, (_, i) => Y.rowSlice(i * 128, (i + 1) * 128));
const r001 = timeSteps(seed001Net({ prng, dtype }), rows001, ys001, STEPS_001, 0.01, false);
const f001 = timeSteps(seed001Net({ prng, dtype }), rows001, ys001, STEPS_001, 0.01, true);

const py = new Deno.Command("python3", {
  args: [
    new URL("./bench_nn_step.py", import.meta.url).pathname,
    dtype,
    String(STEPS_000),
    String(STEPS_001),
    mnistDir(),
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
  { name: "seed000_1x784 lossAndGrad+sgd", ...r000, numpyUs: numpy?.seed000_1x784 },
  { name: "seed000_1x784 trainStep", ...f000, numpyUs: numpy?.seed000_1x784 },
  { name: "seed001_128x785 lossAndGrad+sgd", ...r001, numpyUs: numpy?.seed001_128x785 },
  { name: "seed001_128x785 trainStep", ...f001, numpyUs: numpy?.seed001_128x785 },
];
for (const r of rows) {
  const ratio = r.numpyUs ? (r.us / r.numpyUs).toFixed(3) : "n/a";
  console.log(
    `${r.name} ${dtype}: ${r.us.toFixed(1)} µs/step, numpy ${
      r.numpyUs?.toFixed(1) ?? "n/a"
    } µs/step, ratio ${ratio}, heap growth ${r.heapGrowthKiB.toFixed(0)} KiB`,
  );
}
