import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { mlp } from "../../lib/nn/mlp.ts";
import { accuracy } from "../../lib/metrics.ts";
import { evaluate, forwardOutput } from "../../lib/train/evaluate.ts";
import { idData, ScriptedModel } from "./_scripted_model.ts";

function net() {
  return mlp({
    sizes: [3, 4, 2],
    activations: ["tanh", "softmax"],
    loss: "crossEntropy",
    init: { kind: "normal", std: 1 },
    prng: new Prng(8),
  });
}

function data(n: number) {
  const prng = new Prng(2);
  const X = Matrix.zeros(n, 3), Y = Matrix.zeros(n, 2);
  prng.fillNormal(X.data);
  for (let i = 0; i < n; i++) Y.set(i, prng.int(2), 1);
  return { X, Y };
}

Deno.test("evaluate() gives the model's loss and the accuracy of predict", () => {
  const model = net(), d = data(50);
  const { loss, acc } = evaluate(model, d);
  assert.equal(loss, model.loss(d.X, d.Y));
  assert.equal(acc, accuracy(model.predict(d.X), d.Y));
});

Deno.test("evaluate() uses one forward pass when the model keeps lastOutput", () => {
  const model = new ScriptedModel(() => 7);
  const result = evaluate(model, idData(6));
  assert.equal(result.loss, 7);
  assert.equal(model.lossCalls, 1);
  assert.equal(model.predictCalls, 0);
  // ids 0..5: predicted 0,1,0,0,0,1 (multiples of 3 → 0) vs parity 0,1,0,1,0,1.
  assert.equal(result.acc, 5 / 6);
});

Deno.test("forwardOutput() falls back to predict without a matching lastOutput", () => {
  const model = new ScriptedModel(() => 0, { cacheOutput: false });
  const { X } = idData(4);
  const out = forwardOutput(model, X);
  assert.equal(model.predictCalls, 1);
  assert.deepEqual(out.shape, [4, 2]);
  const cached = new ScriptedModel(() => 0);
  cached.loss(idData(3).X, idData(3).Y);
  forwardOutput(cached, X); // cached output has 3 rows, X has 4: must predict
  assert.equal(cached.predictCalls, 1);
});

Deno.test("Mlp.lastOutput is the output of its last forward pass", () => {
  const model = net(), d = data(5);
  assert.equal(model.lastOutput, undefined);
  model.lossAndGrad(d.X, d.Y);
  const snapshot = model.lastOutput!.clone();
  assert.deepEqual(snapshot.toArray(), model.predict(d.X).toArray());
});

Deno.test("evaluate() rejects empty or mismatched sets", () => {
  assert.throws(() => evaluate(net(), { X: Matrix.zeros(0, 3), Y: Matrix.zeros(0, 2) }), {
    name: "RangeError",
    message:
      "Cannot evaluate model: X and Y must have the same positive number of rows, got [0, 3] and [0, 2]",
  });
  assert.throws(
    () => evaluate(net(), { X: Matrix.zeros(2, 3), Y: Matrix.zeros(3, 2) }),
    /got \[2, 3\] and \[3, 2\]/,
  );
});
