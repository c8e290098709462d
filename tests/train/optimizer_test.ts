import assert from "node:assert/strict";
import { Matrix } from "../../lib/tensor/matrix.ts";
import type { Model } from "../../lib/nn/model.ts";
import { sgdStep } from "../../lib/train/optimizer.ts";

function model(params: Matrix[], grads: Matrix[]): Model {
  return { params, grads } as unknown as Model;
}

Deno.test("sgdStep() subtracts learningRate × grad from every parameter in place", () => {
  const W = Matrix.from([[1, 2], [3, 4]]), b = Matrix.from([[0.5, -0.5]]);
  const dW = Matrix.from([[1, -1], [2, 0]]), db = Matrix.from([[10, 20]]);
  const data = [W.data, b.data];
  sgdStep(model([W, b], [dW, db]), 0.5);
  assert.deepEqual(W.toArray(), [[0.5, 2.5], [2, 4]]);
  assert.deepEqual(b.toArray(), [[-4.5, -10.5]]);
  assert.equal(W.data, data[0], "same storage, updated in place");
  assert.equal(b.data, data[1]);
  assert.deepEqual(dW.toArray(), [[1, -1], [2, 0]], "gradients untouched");
});

Deno.test("sgdStep() works in float32 and with a float32/float64 mix", () => {
  const W = Matrix.from([[1, 2]], "float32"), dW = Matrix.from([[0.25, 0.5]], "float32");
  sgdStep(model([W], [dW]), 2);
  assert.deepEqual(Array.from(W.data), [0.5, 1]);
  const V = Matrix.from([[1, 2]], "float32"), dV = Matrix.from([[0.25, 0.5]], "float64");
  sgdStep(model([V], [dV]), 2);
  assert.deepEqual(Array.from(V.data), [0.5, 1]);
});

Deno.test("sgdStep() with learningRate 0 changes nothing; a negative rate ascends", () => {
  const W = Matrix.from([[1]]), dW = Matrix.from([[3]]);
  sgdStep(model([W], [dW]), 0);
  assert.equal(W.get(0, 0), 1);
  sgdStep(model([W], [dW]), -1);
  assert.equal(W.get(0, 0), 4);
});

Deno.test("sgdStep() rejects mismatched params and grads and non-finite rates", () => {
  const W = Matrix.from([[1, 2]]);
  assert.throws(
    () => sgdStep(model([W], []), 0.1),
    { name: "RangeError", message: "Cannot take SGD step: model has 1 params but 0 grads" },
  );
  assert.throws(
    () => sgdStep(model([W], [Matrix.from([[1], [2], [3]])]), 0.1),
    /param 0 has shape \[1, 2\] but its grad \[3, 1\]/,
  );
  assert.throws(
    () => sgdStep(model([W], [W]), Infinity),
    {
      name: "RangeError",
      message: "Cannot take SGD step: learningRate must be finite, got Infinity",
    },
  );
});
