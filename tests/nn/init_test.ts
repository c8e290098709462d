import assert from "node:assert/strict";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { type Init, initialize, initMatrix } from "../../lib/nn/init.ts";

function stats(M: Matrix): { mean: number; std: number; min: number; max: number } {
  const a = Array.from(M.data);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  const std = Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length);
  return { mean, std, min: Math.min(...a), max: Math.max(...a) };
}

Deno.test("initialize() normal draws have the requested mean and std", () => {
  const s = stats(
    initMatrix(200, 100, { kind: "normal", mean: 1, std: 0.3 }, { prng: new Prng(1) }),
  );
  assert.ok(Math.abs(s.mean - 1) < 0.01, `mean ${s.mean}`);
  assert.ok(Math.abs(s.std - 0.3) < 0.01, `std ${s.std}`);
});

Deno.test("initialize() uniform draws stay in [low, high) and fill it", () => {
  const s = stats(
    initMatrix(100, 100, { kind: "uniform", low: -0.5, high: 0.5 }, { prng: new Prng(2) }),
  );
  assert.ok(s.min >= -0.5 && s.max < 0.5);
  assert.ok(s.min < -0.49 && s.max > 0.49);
  assert.ok(Math.abs(s.std - 1 / Math.sqrt(12)) < 0.01);
});

Deno.test("initialize() zeros needs no prng", () => {
  const W = Matrix.full(2, 2, 7);
  initialize(W, { kind: "zeros" });
  assert.deepEqual(W.toArray(), [[0, 0], [0, 0]]);
});

Deno.test("initialize() He and Glorot scale with fan-in and fan-out of W [in, out]", () => {
  const he = stats(initMatrix(800, 100, { kind: "he" }, { prng: new Prng(3) }));
  assert.ok(Math.abs(he.std - Math.sqrt(2 / 800)) < 0.002, `he std ${he.std}`);
  const g = stats(initMatrix(300, 100, { kind: "glorot" }, { prng: new Prng(4) }));
  const a = Math.sqrt(6 / 400);
  assert.ok(g.min >= -a && g.max <= a && g.max > 0.95 * a);
});

Deno.test("initialize() is repeatable from the seed and differs across seeds", () => {
  const init: Init = { kind: "normal", std: 1 };
  const a = initMatrix(5, 5, init, { prng: new Prng(9) });
  const b = initMatrix(5, 5, init, { prng: new Prng(9) });
  const c = initMatrix(5, 5, init, { prng: new Prng(10) });
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(a.data, c.data);
});

Deno.test("initialize() rejects a missing prng and bad parameters", () => {
  assert.throws(
    () => initialize(Matrix.zeros(2, 3), { kind: "normal", std: 1 }),
    /Cannot initialise matrix \[2, 3\] with normal: option prng is required/,
  );
  assert.throws(
    () =>
      initialize(Matrix.zeros(1, 1), { kind: "uniform", low: 1, high: 0 }, { prng: new Prng(0) }),
    RangeError,
  );
  assert.throws(
    () => initialize(Matrix.zeros(1, 1), { kind: "normal", std: -1 }, { prng: new Prng(0) }),
    RangeError,
  );
});

Deno.test("initMatrix() honours dtype", () => {
  const W = initMatrix(3, 2, { kind: "he" }, { prng: new Prng(0), dtype: "float32" });
  assert.ok(W.data instanceof Float32Array);
});
