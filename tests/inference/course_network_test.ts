import assert from "node:assert/strict";
import { courseParamsToMlp, mlpToCourseParams } from "../../lib/inference/course_network.ts";
import type { CourseParams } from "../../lib/data/course_layout.ts";
import { mlp } from "../../lib/nn/mlp.ts";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";

/** Seeded course-layout params for sizes `[in, …, out]`: `W [out, in]`, `b [1, out]`. */
function randomCourseParams(sizes: number[], seed: number): CourseParams {
  const prng = new Prng(seed);
  const weights: Matrix[] = [], biases: Matrix[] = [];
  for (let l = 1; l < sizes.length; l++) {
    weights.push(
      new Matrix(
        sizes[l],
        sizes[l - 1],
        prng.fillNormal(new Float64Array(sizes[l] * sizes[l - 1]), 0, 0.5),
      ),
    );
    biases.push(new Matrix(1, sizes[l], prng.fillNormal(new Float64Array(sizes[l]), 0, 0.5)));
  }
  return { weights, biases };
}

/** Seed 003 Q2's forward pass with plain loops: relu(x·W1ᵀ + b1) … softmax(· W3ᵀ + b3). */
function seedForward(params: CourseParams, X: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < X.rows; i++) {
    let a = Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols));
    params.weights.forEach((W, l) => {
      const z = new Array(W.rows).fill(0).map((_, o) => {
        let s = params.biases[l].data[o];
        for (let k = 0; k < W.cols; k++) s += a[k] * W.data[o * W.cols + k];
        return s;
      });
      if (l < params.weights.length - 1) {
        a = z.map((v) => Math.max(v, 0));
      } else {
        const e = z.map(Math.exp); // the seed's unshifted softmax: fine for these small logits
        const sum = e.reduce((p, q) => p + q, 0);
        a = e.map((v) => v / sum);
      }
    });
    out.push(a);
  }
  return out;
}

Deno.test("courseParamsToMlp().predict() computes the seed's x·Wᵀ + b ReLU/ReLU/softmax pass", () => {
  const params = randomCourseParams([12, 7, 5, 4], 1);
  const X = new Matrix(6, 12, new Prng(2).fillUniform(new Float64Array(72)));
  const P = courseParamsToMlp(params).predict(X);
  const expected = seedForward(params, X);
  assert.deepEqual(P.shape, [6, 4]);
  for (let i = 0; i < 6; i++) {
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(P.get(i, k) - expected[i][k]) < 1e-12);
  }
});

Deno.test("courseParamsToMlp() stores Wᵀ and b in the network", () => {
  const params = randomCourseParams([784, 200, 100, 10], 3);
  const net = courseParamsToMlp(params, { dtype: "float32" });
  assert.deepEqual(net.sizes, [784, 200, 100, 10]);
  assert.deepEqual(net.activations, ["relu", "relu", "softmax"]);
  assert.deepEqual(net.weights.map((W) => W.shape), [[784, 200], [200, 100], [100, 10]]);
  assert.equal(net.weights[0].dtype, "float32");
  assert.equal(net.weights[1].get(17, 3), Math.fround(params.weights[1].get(3, 17)));
  assert.equal(net.biases[2].get(0, 9), Math.fround(params.biases[2].get(0, 9)));
});

Deno.test("mlpToCourseParams() inverts courseParamsToMlp()", () => {
  const params = randomCourseParams([9, 6, 3], 4);
  const back = mlpToCourseParams(courseParamsToMlp(params));
  assert.deepEqual(back.weights.map((W) => W.toArray()), params.weights.map((W) => W.toArray()));
  assert.deepEqual(back.biases.map((b) => b.toArray()), params.biases.map((b) => b.toArray()));
});

Deno.test("mlpToCourseParams() rejects a network without biases", () => {
  const net = mlp({
    sizes: [3, 2],
    activations: ["softmax"],
    loss: "crossEntropy",
    bias: false,
    init: { kind: "zeros" },
  });
  assert.throws(() => mlpToCourseParams(net), {
    message: "Cannot convert network to course parameters: expected one bias per layer (1), got 0",
  });
});
