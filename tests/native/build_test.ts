import assert from "node:assert/strict";
import {
  loadNativeKernels,
  nativeBackend,
  nativeKernels,
  useNativeBackend,
} from "../../lib/native/build.ts";

const hasCompiler = (() => {
  try {
    return new Deno.Command("cc", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test("loadNativeKernels() builds and opens the native kernels when a C compiler exists", async () => {
  const info = await loadNativeKernels();
  if (hasCompiler) {
    assert.equal(info.name, "native");
    assert.ok(info.library?.includes(".cache/native/kernels-"));
    assert.notEqual(nativeKernels(), null);
  } else {
    assert.equal(info.name, "ts");
    assert.ok(info.reason !== null);
  }
});

Deno.test("useNativeBackend() switches to the TypeScript loops and back", async () => {
  await useNativeBackend("ts");
  assert.equal(nativeBackend().name, "ts");
  assert.equal(nativeKernels(), null);
  if (hasCompiler) {
    await useNativeBackend("native");
    assert.equal(nativeBackend().name, "native");
  }
});
