import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { mul, sum } from "../../lib/tensor/ops.ts";
import { denseBackward, denseForward } from "../../lib/nn/dense.ts";

function random(rows: number, cols: number, prng: Prng): Matrix {
  const M = Matrix.zeros(rows, cols);
  prng.fillNormal(M.data, 0, 1);
  return M;
}

/** L = Σ G ⊙ (X·W + b): dL/dθ by central differences for every entry of θ. */
function numeric(theta: Matrix, L: () => number): Matrix {
  const g = Matrix.zerosLike(theta), h = 1e-6;
  for (let i = 0; i < theta.size; i++) {
    const s = theta.data[i];
    theta.data[i] = s + h;
    const up = L();
    theta.data[i] = s - h;
    const down = L();
    theta.data[i] = s;
    g.data[i] = (up - down) / (2 * h);
  }
  return g;
}

const close = (A: Matrix, B: Matrix) => {
  for (let i = 0; i < A.size; i++) {
    const rel = Math.abs(A.data[i] - B.data[i]) /
      Math.max(Math.abs(A.data[i]) + Math.abs(B.data[i]), 1e-8);
    assert.ok(rel < 1e-6, `entry ${i}: ${A.data[i]} vs ${B.data[i]}`);
  }
};

Deno.test("dense layer backward matches central differences with and without bias", () => {
  const prng = new Prng(1);
  const X = random(4, 3, prng),
    W = random(3, 2, prng),
    b = random(1, 2, prng),
    G = random(4, 2, prng);
  for (const bias of [true, false]) {
    const L = () => sum(mul(denseForward(X, W, { b: bias ? b : undefined }), G));
    const grads = denseBackward(X, G, { W, bias });
    close(grads.dW, numeric(W, L));
    close(grads.dX!, numeric(X, L));
    if (bias) close(grads.db!, numeric(b, L));
    else assert.equal(grads.db, undefined);
  }
});

Deno.test("dense layer reuses workspaces and checks shapes", () => {
  const prng = new Prng(2);
  const X = random(2, 3, prng), W = random(3, 4, prng);
  const out = Matrix.zeros(2, 4);
  assert.equal(denseForward(X, W, { out }), out);
  const dW = Matrix.zeros(3, 4);
  assert.equal(denseBackward(X, out, { dW }).dW, dW);
  assert.throws(
    () => denseBackward(X, Matrix.zeros(3, 4)),
    /X and dZ differ in rows, got \[2, 3\] and \[3, 4\]/,
  );
  assert.throws(() => denseForward(X, Matrix.zeros(4, 4)), /inner dimensions differ/);
});
