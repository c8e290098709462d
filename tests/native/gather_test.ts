import assert from "node:assert/strict";
import { loadNativeKernels, useNativeBackend } from "../../lib/native/build.ts";
import { gatherRows } from "../../lib/native/gather.ts";

const native = (await loadNativeKernels()).name === "native";

Deno.test("gatherRows() copies the ordered rows exactly, in C as in TypeScript", async (t) => {
  const src = Float64Array.from({ length: 5 * 3 }, (_, i) => i + 0.25);
  const order = new Uint32Array([4, 0, 3, 1, 2]);
  for (const backend of native ? ["ts", "native"] as const : ["ts"] as const) {
    await t.step(backend, async () => {
      await useNativeBackend(backend);
      const dst = new Float64Array(2 * 3);
      gatherRows(src, 3, order, 1, 2, dst);
      assert.deepEqual([...dst], [0.25, 1.25, 2.25, 9.25, 10.25, 11.25]);
      const dst32 = new Float32Array(3);
      gatherRows(Float32Array.from(src), 3, order, 0, 1, dst32);
      assert.deepEqual([...dst32], [12.25, 13.25, 14.25]);
    });
  }
});
