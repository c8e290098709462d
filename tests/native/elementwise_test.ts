import assert from "node:assert/strict";
import { loadNativeKernels, useNativeBackend } from "../../lib/native/build.ts";
import {
  nativeColSums,
  nativeRelu,
  nativeReluBackward,
  nativeSigmoid,
  nativeSoftmaxRows,
  nativeTanh,
  nativeTanhRows,
} from "../../lib/native/elementwise.ts";

const native = (await loadNativeKernels()).name === "native";
const z = Float64Array.from({ length: 2048 }, (_, i) => (i - 1024) / 64);

Deno.test("the named native calls return false with the TypeScript twins and leave the output alone", async () => {
  await useNativeBackend("ts");
  const out = new Float64Array(z.length).fill(7);
  assert.equal(nativeSigmoid(z, out), false);
  assert.equal(nativeTanh(z, out), false);
  assert.equal(nativeTanhRows(z, out, 32, 64, 64), false);
  assert.equal(nativeRelu(z, out), false);
  assert.equal(nativeReluBackward(z, z, out), false);
  assert.equal(nativeSoftmaxRows(z, out, 32, 64), false);
  assert.equal(nativeColSums(z, 32, 64, out), false);
  assert.ok(out.every((v) => v === 7));
  if (native) await useNativeBackend("native");
});

Deno.test(
  "the named native calls compute their formulas natively",
  { ignore: !native },
  async (t) => {
    await useNativeBackend("native");
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-15 * Math.max(1, Math.abs(b));
    await t.step("sigmoid, tanh and tanh into strided rows", () => {
      const a = new Float64Array(z.length);
      assert.equal(nativeSigmoid(z, a), true);
      z.forEach((x, i) => assert.ok(close(a[i], 1 / (1 + Math.exp(-x))), `sigmoid(${x})`));
      assert.equal(nativeTanh(z, a), true);
      z.forEach((x, i) => assert.ok(close(a[i], Math.tanh(x)), `tanh(${x})`));
      const rows = new Float64Array(32 * 65);
      assert.equal(nativeTanhRows(z, rows.subarray(1), 32, 64, 65), true);
      assert.equal(rows[0], 0);
      assert.ok(close(rows[65 + 1 + 3], Math.tanh(z[64 + 3])));
    });
    await t.step("relu and its backward, exactly; mixed types are refused", () => {
      const a = new Float64Array(z.length), d = new Float64Array(z.length);
      assert.equal(nativeRelu(z, a), true);
      assert.deepEqual(a, z.map((x) => x < 0 ? 0 : x));
      assert.equal(nativeReluBackward(a, z, d), true);
      assert.deepEqual(d, z.map((x) => x > 0 ? x : 0));
      assert.equal(nativeReluBackward(a, Float32Array.from(z), d), false);
    });
    await t.step("row softmax sums to 1; no columns is refused", () => {
      const p = new Float64Array(z.length);
      assert.equal(nativeSoftmaxRows(z, p, 32, 64), true);
      const sum = p.subarray(64, 128).reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(sum - 1) < 1e-12);
      assert.equal(nativeSoftmaxRows(new Float64Array(0), p, 0, 0), false);
    });
    await t.step("column sums add the rows in order; mixed types are refused", () => {
      const c = new Float64Array(64);
      assert.equal(nativeColSums(z, 32, 64, c), true);
      let want = 0;
      for (let i = 0; i < 32; i++) want += z[i * 64 + 5];
      assert.equal(c[5], want);
      assert.equal(nativeColSums(z, 32, 64, new Float32Array(64)), false);
    });
  },
);
