import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { gradcheck } from "../../lib/nn/gradcheck.ts";
import type { Model } from "../../lib/nn/model.ts";
import { mlp } from "../../lib/nn/mlp.ts";

/** f(w) = Σ sin(wᵢ)·xᵢ with a configurable (possibly wrong) gradient. */
function toyModel(w: number[], gradient: (w: number, x: number) => number): Model {
  const W = Matrix.from([w]), dW = Matrix.zerosLike(W);
  const lossOf = (X: Matrix) =>
    Array.from(W.data).reduce((s, v, i) => s + Math.sin(v) * X.data[i], 0);
  return {
    params: [W],
    grads: [dW],
    outputSize: 1,
    predict: (X) => X,
    loss: (X) => lossOf(X),
    lossAndGrad(X) {
      for (let i = 0; i < W.size; i++) dW.data[i] = gradient(W.data[i], X.data[i]);
      return lossOf(X);
    },
  };
}

const X = Matrix.from([[0.5, -2, 3]]), Y = Matrix.from([[0]]);

Deno.test("gradcheck() accepts an exact gradient", () => {
  const r = gradcheck(toyModel([0.1, 1.2, -0.7], (w, x) => Math.cos(w) * x), { X, Y });
  assert.ok(r.maxRelError < 1e-9, `${r.maxRelError}`);
  assert.ok(r.normRelError < 1e-9);
  assert.equal(r.params[0].checked, 3);
});

Deno.test("gradcheck() flags a wrong gradient and names the worst entry", () => {
  const r = gradcheck(
    toyModel([0.1, 1.2, -0.7], (w, x) => (x === -2 ? 0.9 : 1) * Math.cos(w) * x),
    { X, Y },
  );
  assert.ok(r.maxRelError > 1e-2);
  assert.equal(r.params[0].worstEntry, 1);
});

Deno.test("gradcheck() restores the parameters exactly", () => {
  const net = mlp({
    sizes: [3, 2],
    activations: ["sigmoid"],
    loss: "squaredError",
    prng: new Prng(1),
  });
  const before = net.params.map((p) => p.clone());
  gradcheck(net, { X: Matrix.from([[1, 2, 3]]), Y: Matrix.from([[0, 1]]) });
  net.params.forEach((p, i) => assert.deepEqual(p.data, before[i].data));
});

Deno.test("gradcheck() samples a subset with maxPerParam and needs a prng for it", () => {
  const net = mlp({
    sizes: [20, 10],
    activations: ["softmax"],
    loss: "crossEntropy",
    prng: new Prng(2),
  });
  const Xb = Matrix.zeros(2, 20),
    Yb = Matrix.from([[1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]]);
  new Prng(3).fillUniform(Xb.data);
  const r = gradcheck(net, { X: Xb, Y: Yb }, { maxPerParam: 7, prng: new Prng(4) });
  assert.deepEqual(r.params.map((p) => p.checked), [7, 7]);
  assert.throws(
    () => gradcheck(net, { X: Xb, Y: Yb }, { maxPerParam: 7 }),
    /parameter 0 has 200 entries, more than maxPerParam 7, so option prng is required/,
  );
});

Deno.test("gradcheck() refuses float32 parameters", () => {
  const net = mlp({
    sizes: [2, 2],
    activations: ["sigmoid"],
    loss: "squaredError",
    prng: new Prng(0),
    dtype: "float32",
  });
  assert.throws(
    () => gradcheck(net, { X: Matrix.zeros(1, 2, "float32"), Y: Matrix.zeros(1, 2) }),
    /parameter 0 \[2, 2\] must be float64, got float32/,
  );
});
