import assert from "node:assert/strict";
import {
  loadSparseKernels,
  sparseBackend,
  sparseKernels,
  useSparseBackend,
} from "../../lib/tensor/sparse_native.ts";

const hasCompiler = (() => {
  try {
    return new Deno.Command("cc", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test("loadSparseKernels() builds and opens the native kernels when a C compiler exists", async () => {
  const info = await loadSparseKernels();
  if (hasCompiler) {
    assert.equal(info.name, "native");
    assert.ok(info.library?.includes(".cache/native/sparse_kernels-"));
    assert.notEqual(sparseKernels(), null);
  } else {
    assert.equal(info.name, "ts");
    assert.ok(info.reason !== null);
  }
});

Deno.test("useSparseBackend() switches to the TypeScript loops and back", async () => {
  await useSparseBackend("ts");
  assert.equal(sparseBackend().name, "ts");
  assert.equal(sparseKernels(), null);
  if (hasCompiler) {
    await useSparseBackend("native");
    assert.equal(sparseBackend().name, "native");
  }
});
