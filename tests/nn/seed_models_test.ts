import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { gradcheck } from "../../lib/nn/gradcheck.ts";
import type { Model } from "../../lib/nn/model.ts";
import { addBiasColumn } from "../../lib/nn/bias_column_net.ts";
import { l2Penalty } from "../../lib/nn/losses.ts";
import {
  seed000Net,
  seed001Net,
  seed002Net,
  seed003InferenceNet,
  seed003Logistic,
  seed003Softmax,
  seed004Net,
  SEED_FAITHFUL,
} from "../../lib/nn/seed_models.ts";

function batch(n: number, inputs: number, classes: number, prng: Prng, biasColumn = false) {
  const X = Matrix.zeros(n, inputs);
  prng.fillUniform(X.data, 0, 1);
  const Y = Matrix.zeros(n, classes);
  for (let i = 0; i < n; i++) {
    if (classes === 1) Y.data[i] = prng.int(2);
    else Y.set(i, prng.int(classes), 1);
  }
  return { X: biasColumn ? addBiasColumn(X) : X, Y };
}

interface Case {
  name: string;
  make: (faithful: boolean) => Model;
  inputs: number;
  classes: number;
  biasColumn?: boolean;
  /** Whether the seed's gradient is wrong (seed 003 Q1a's was right). */
  buggy: boolean;
  /** Finite-difference step, when the default 1e-4 does not fit the model. */
  epsilon?: number;
}

const CASES: Case[] = [
  {
    name: "seed 000 (784-150-100-50-10 sigmoid, batch)",
    make: (faithful) => seed000Net({ prng: new Prng(1), faithful }),
    inputs: 784,
    classes: 10,
    buggy: true,
    // N(0, 1) weights on 784 inputs saturate the sigmoids: gradients are ~1e-6 of a
    // loss ~1, below the rounding floor of h = 1e-4; the net is smooth, so h = 1e-3 is safe.
    epsilon: 1e-3,
  },
  {
    name: "seed 001 (784-32-10 tanh/softmax, bias column)",
    make: (faithful) => seed001Net({ prng: new Prng(2), faithful }),
    inputs: 784,
    classes: 10,
    biasColumn: true,
    buggy: true,
  },
  {
    name: "seed 002 (784-10-10 relu/softmax)",
    make: (faithful) => seed002Net({ prng: new Prng(3), faithful }),
    inputs: 784,
    classes: 10,
    buggy: true,
  },
  {
    name: "seed 003 Q1a (logistic, L2 0.1, N(0,10) init)",
    make: (faithful) => seed003Logistic({ prng: new Prng(4), init: "normal", faithful }),
    inputs: 784,
    classes: 1,
    buggy: false,
  },
  {
    name: "seed 003 Q1b (softmax regression)",
    make: (faithful) => seed003Softmax({ prng: new Prng(5), faithful }),
    inputs: 784,
    classes: 10,
    buggy: true,
  },
  {
    name: "seed 004 (64-200-150-10 relu/relu/softmax)",
    make: (faithful) => seed004Net({ prng: new Prng(6), faithful }),
    inputs: 64,
    classes: 10,
    buggy: true,
  },
];

Deno.test("every corrected seed model passes the gradient check (≤ 1e-6)", async (t) => {
  for (const c of CASES) {
    await t.step(c.name, () => {
      const prng = new Prng(99);
      const data = batch(4, c.inputs, c.classes, prng, c.biasColumn);
      const result = gradcheck(c.make(false), data, { maxPerParam: 25, prng, epsilon: c.epsilon });
      console.log(`${c.name}: corrected ${result.maxRelError.toExponential(2)}`);
      assert.ok(result.maxRelError <= 1e-6, `${c.name}: ${result.maxRelError}`);
    });
  }
});

Deno.test("every seed-faithful seed model fails the gradient check", async (t) => {
  for (const c of CASES.filter((c) => c.buggy)) {
    await t.step(c.name, () => {
      const prng = new Prng(98);
      const data = batch(4, c.inputs, c.classes, prng, c.biasColumn);
      const result = gradcheck(c.make(true), data, { maxPerParam: 25, prng, epsilon: c.epsilon });
      console.log(`${c.name}: faithful ${result.maxRelError.toExponential(2)}`);
      assert.ok(result.maxRelError > 1e-2, `${c.name}: only ${result.maxRelError}`);
    });
  }
});

Deno.test("seed 003 Q1a faithful differs only in the reported loss (ε = 1e-40 inside the logs)", () => {
  const prng = new Prng(7);
  const data = batch(6, 784, 1, prng);
  const exact = seed003Logistic({ prng: new Prng(4), init: "normal" });
  const seedLike = seed003Logistic({ prng: new Prng(4), init: "normal", faithful: true });
  exact.lossAndGrad(data.X, data.Y);
  seedLike.lossAndGrad(data.X, data.Y);
  exact.grads.forEach((g, i) => assert.deepEqual(g.data, seedLike.grads[i].data));
  // Saturated N(0, 10) logits: the seed's ε caps each sample's loss at −log 1e-40 ≈ 92.1,
  // the exact loss (from the logits) does not.
  const penalty = l2Penalty(exact.weights, exact.l2);
  const capped = seedLike.loss(data.X, data.Y) - penalty;
  const uncapped = exact.loss(data.X, data.Y) - penalty;
  assert.ok(capped <= -Math.log(1e-40) + 1e-9, `capped ${capped}`);
  assert.ok(uncapped > capped + 1, `exact ${uncapped} vs seed ${capped}`);
});

Deno.test("seed models have the seeds' architectures, init and reductions", () => {
  const s0 = seed000Net({ prng: new Prng(0) });
  assert.equal(s0.biases.length, 0);
  assert.deepEqual(s0.activations, ["sigmoid", "sigmoid", "sigmoid", "sigmoid"]);
  const s1 = seed001Net({ prng: new Prng(0) });
  assert.deepEqual(s1.params.map((p) => p.shape), [[32, 785], [10, 33]]);
  const s2 = seed002Net({ prng: new Prng(0) });
  assert.ok(s2.params.every((p) => Array.from(p.data).every((v) => v >= -0.5 && v < 0.5)));
  const q1a = seed003Logistic({ prng: new Prng(0) });
  assert.ok(q1a.params.every((p) => Array.from(p.data).every((v) => v === 0)));
  assert.equal(q1a.l2, 0.1);
  const s4 = seed004Net({ prng: new Prng(0) });
  assert.equal(s4.reduction, "sum");
  assert.deepEqual(s4.sizes, [64, 200, 150, 10]);
  assert.deepEqual(seed003InferenceNet().sizes, [784, 200, 100, 10]);
  assert.deepEqual(SEED_FAITHFUL.seed002, { gradientDivisor: 60000, scalarBiasGradient: true });
});

Deno.test("the seed 003 presets carry the seeds' ε; the net reads it as logEpsilon", () => {
  assert.deepEqual(SEED_FAITHFUL.seed003Logistic, { logEpsilon: 1e-40 });
  assert.deepEqual(SEED_FAITHFUL.seed003Softmax, { softmaxOverBatch: true, logEpsilon: 1e-39 });
  const logistic = seed003Logistic({ prng: new Prng(0), faithful: true });
  assert.equal(logistic.logEpsilon, 1e-40);
  assert.deepEqual(logistic.seedFaithful, {});
  const softmax = seed003Softmax({ prng: new Prng(0), faithful: true });
  assert.equal(softmax.logEpsilon, 1e-39);
  assert.deepEqual(softmax.seedFaithful, { softmaxOverBatch: true });
  assert.equal(seed003Softmax({ prng: new Prng(0) }).logEpsilon, undefined);
});
