import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { mul, rowSums, sum } from "../../lib/tensor/ops.ts";
import {
  ACTIVATION_NAMES,
  activationBackward,
  activationForward,
  type ActivationName,
  relu,
  reluBackward,
  sigmoid,
  sigmoidBackward,
  softmax,
  softmaxBackward,
  tanh,
  tanhBackward,
} from "../../lib/nn/activations.ts";

function randomMatrix(rows: number, cols: number, prng: Prng, scale = 2): Matrix {
  const M = Matrix.zeros(rows, cols);
  prng.fillNormal(M.data, 0, scale);
  return M;
}

Deno.test("sigmoid() saturates to exactly 0 and 1 at ±1000 without NaN", () => {
  const A = sigmoid(Matrix.from([[-1000, -40, 0, 40, 1000]]));
  assert.deepEqual(Array.from(A.data).map((a) => Number.isNaN(a)), [
    false,
    false,
    false,
    false,
    false,
  ]);
  assert.equal(A.get(0, 0), 0);
  assert.equal(A.get(0, 2), 0.5);
  assert.equal(A.get(0, 4), 1);
  assert.ok(A.get(0, 1) > 0 && A.get(0, 1) < 1e-17);
});

Deno.test("sigmoid() is symmetric: σ(−z) = 1 − σ(z)", () => {
  const prng = new Prng(1);
  const Z = randomMatrix(4, 5, prng, 5);
  const A = sigmoid(Z);
  const B = sigmoid(Matrix.from(Z.toArray().map((r) => r.map((z) => -z))));
  for (let i = 0; i < A.size; i++) assert.ok(Math.abs(A.data[i] + B.data[i] - 1) < 1e-15);
});

Deno.test("tanh() and relu() match their definitions and work in place", () => {
  const Z = Matrix.from([[-2, -0.5, 0, 0.5, 2]]);
  assert.deepEqual(tanh(Z).toArray()[0], [-2, -0.5, 0, 0.5, 2].map(Math.tanh));
  assert.deepEqual(relu(Z).toArray(), [[0, 0, 0, 0.5, 2]]);
  const W = Z.clone();
  assert.equal(relu(W, W), W);
  assert.deepEqual(W.toArray(), [[0, 0, 0, 0.5, 2]]);
});

Deno.test("relu() propagates NaN", () => {
  assert.ok(Number.isNaN(relu(Matrix.from([[NaN]])).get(0, 0)));
});

Deno.test("softmax() rows sum to 1 and never overflow or underflow to NaN at ±1000", async (t) => {
  await t.step("overflow: large positive logits", () => {
    const P = softmax(Matrix.from([[1000, 999, 998]]));
    assert.ok(Array.from(P.data).every((p) => Number.isFinite(p)));
    assert.ok(Math.abs(P.data[0] + P.data[1] + P.data[2] - 1) < 1e-15);
    assert.ok(Math.abs(P.get(0, 0) / P.get(0, 1) - Math.E) < 1e-12);
  });
  await t.step("underflow: large negative logits", () => {
    const P = softmax(Matrix.from([[-1000, -1001, -1002]]));
    assert.ok(Array.from(P.data).every((p) => Number.isFinite(p) && p > 0));
    assert.ok(Math.abs(P.data[0] + P.data[1] + P.data[2] - 1) < 1e-15);
  });
  await t.step("mixed: ±1000 in one row", () => {
    assert.deepEqual(softmax(Matrix.from([[-1000, 1000]])).toArray(), [[0, 1]]);
  });
  await t.step("float32 input", () => {
    const P = softmax(Matrix.from([[1000, -1000, 0]], "float32"));
    assert.ok(P.data instanceof Float32Array);
    assert.deepEqual(Array.from(P.data), [1, 0, 0]);
  });
  await t.step("random rows each sum to 1", () => {
    const P = softmax(randomMatrix(7, 10, new Prng(2), 30));
    for (const s of rowSums(P).data) assert.ok(Math.abs(s - 1) < 1e-14);
  });
});

Deno.test("softmax() is shift-invariant per row", () => {
  const Z = Matrix.from([[1, 2, 3], [1, 2, 3]]);
  const shifted = Matrix.from([[101, 102, 103], [-49, -48, -47]]);
  const a = softmax(Z), b = softmax(shifted);
  for (let i = 0; i < a.size; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) < 1e-15);
});

/** Central-difference check of dZ = backward(A, dA) against Σ dA ⊙ f(Z). */
function checkBackward(name: ActivationName, Z: Matrix, dA: Matrix): number {
  const A = activationForward(name, Z);
  const dZ = activationBackward(name, A, dA);
  const eps = 1e-6;
  let worst = 0;
  for (let i = 0; i < Z.size; i++) {
    const saved = Z.data[i];
    Z.data[i] = saved + eps;
    const up = sum(mul(activationForward(name, Z), dA));
    Z.data[i] = saved - eps;
    const down = sum(mul(activationForward(name, Z), dA));
    Z.data[i] = saved;
    const numeric = (up - down) / (2 * eps);
    const rel = Math.abs(numeric - dZ.data[i]) /
      Math.max(Math.abs(numeric) + Math.abs(dZ.data[i]), 1e-8);
    worst = Math.max(worst, rel);
  }
  return worst;
}

Deno.test("every activation's backward matches central differences to 1e-6", async (t) => {
  const prng = new Prng(11);
  for (const name of ACTIVATION_NAMES) {
    await t.step(name, () => {
      const Z = randomMatrix(3, 5, prng, 1.5);
      const dA = randomMatrix(3, 5, prng, 1);
      const err = checkBackward(name, Z, dA);
      assert.ok(err <= 1e-6, `${name}: relative error ${err}`);
    });
  }
});

Deno.test("backwards state their derivatives: σ′ = A(1−A), tanh′ = 1−A², relu′ = [A>0]", () => {
  const A = Matrix.from([[0.2, 0.9]]), dA = Matrix.from([[1, 1]]);
  assert.deepEqual(sigmoidBackward(A, dA).toArray()[0].map((x) => +x.toFixed(12)), [0.16, 0.09]);
  assert.deepEqual(tanhBackward(A, dA).toArray()[0].map((x) => +x.toFixed(12)), [0.96, 0.19]);
  assert.deepEqual(reluBackward(Matrix.from([[-1, 0, 2]]), Matrix.from([[3, 3, 3]])).toArray(), [[
    0,
    0,
    3,
  ]]);
});

Deno.test("backwards work in place on dA", () => {
  const A = sigmoid(Matrix.from([[0.3, -0.7]]));
  const dA = Matrix.from([[1, 2]]);
  const expected = sigmoidBackward(A, dA).toArray();
  assert.equal(sigmoidBackward(A, dA, dA), dA);
  assert.deepEqual(dA.toArray(), expected);
  const P = softmax(Matrix.from([[0.3, -0.7, 1]]));
  const g = Matrix.from([[1, -2, 0.5]]);
  const want = softmaxBackward(P, g).toArray();
  softmaxBackward(P, g, g);
  assert.deepEqual(g.toArray(), want);
});

Deno.test("activations reject mismatched shapes and unknown names", () => {
  assert.throws(
    () => sigmoidBackward(Matrix.zeros(2, 3), Matrix.zeros(3, 2)),
    /Cannot back-propagate through sigmoid: shapes differ, got \[2, 3\] and \[3, 2\]/,
  );
  assert.throws(() => sigmoid(Matrix.zeros(2, 3), Matrix.zeros(2, 2)), RangeError);
  assert.throws(
    () => activationForward("gelu" as ActivationName, Matrix.zeros(1, 1)),
    /expected one of sigmoid, tanh, relu, softmax, linear, got gelu/,
  );
});

Deno.test("sigmoid, tanh and softmax on large inputs: native kernels agree with the TypeScript loops", async (t) => {
  const { loadNativeKernels, useNativeBackend } = await import("../../lib/native/build.ts");
  const { NATIVE_MIN_SIZE } = await import("../../lib/nn/activations.ts");
  const { Prng } = await import("../../lib/random.ts");
  if ((await loadNativeKernels()).name !== "native") {
    t.step({ name: "native build unavailable here", ignore: true, fn: () => {} });
    return;
  }
  const rows = Math.ceil(NATIVE_MIN_SIZE / 10) + 3;
  for (const dtype of ["float64", "float32"] as const) {
    const Z = Matrix.zeros(rows, 10, dtype);
    new Prng(8).fillNormal(Z.data, 0, 30);
    Z.data.set([1000, -1000, 700, -750, 0], 0); // extremes: no overflow, no NaN
    // Relative agreement: a few ulp (float64), float32 sums and differences (float32); below
    // the normal range (float32 subnormals, which the C float path flushes) absolute.
    const tol = dtype === "float64" ? 4e-15 : 1e-5;
    const tiny = dtype === "float64" ? 2.3e-308 : 1.2e-38;
    for (const [name, f] of [["sigmoid", sigmoid], ["tanh", tanh], ["softmax", softmax]] as const) {
      await t.step(`${name}, ${dtype}`, async () => {
        await useNativeBackend("ts");
        const slow = f(Z);
        await useNativeBackend("native");
        const fast = f(Z), inPlace = f(Z.clone(), undefined);
        const again = Z.clone();
        f(again, again);
        for (let i = 0; i < Z.size; i++) {
          const a = fast.data[i], b = slow.data[i];
          assert.ok(Number.isFinite(a), `${name}[${i}] = ${a}`);
          assert.ok(
            Math.abs(a - b) <= tol * Math.abs(b) + tiny,
            `${name}[${i}]: ${a} vs ${b}`,
          );
          assert.equal(again.data[i], a);
          assert.equal(inPlace.data[i], a);
        }
        if (name === "softmax") {
          for (let i = 0; i < rows; i++) {
            let s = 0;
            for (let j = 0; j < 10; j++) s += fast.get(i, j);
            assert.ok(
              Math.abs(s - 1) < (dtype === "float64" ? 1e-14 : 1e-6),
              `row ${i} sums to ${s}`,
            );
          }
        }
      });
    }
  }
});

Deno.test("relu, its backward and colSums on large inputs: native kernels give the TypeScript loops' bits", async (t) => {
  const { loadNativeKernels, useNativeBackend } = await import("../../lib/native/build.ts");
  const { colSums } = await import("../../lib/tensor/ops.ts");
  const { Prng } = await import("../../lib/random.ts");
  if ((await loadNativeKernels()).name !== "native") {
    t.step({ name: "native build unavailable here", ignore: true, fn: () => {} });
    return;
  }
  for (const dtype of ["float64", "float32"] as const) {
    await t.step(dtype, async () => {
      const Z = Matrix.zeros(700, 10, dtype), G = Matrix.zeros(700, 10, dtype);
      new Prng(9).fillNormal(Z.data);
      new Prng(10).fillNormal(G.data);
      Z.data.set([NaN, -0, 0, Infinity, -Infinity], 0);
      const run = async (backend: "native" | "ts") => {
        await useNativeBackend(backend);
        const A = relu(Z);
        return [A, reluBackward(A, G), reluBackward(Z, G), colSums(G), colSums(Z.rowSlice(5, 700))];
      };
      const slow = await run("ts"), fast = await run("native");
      slow.forEach((M, i) => assert.deepEqual(fast[i].data, M.data, `result ${i}`));
    });
  }
});
