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

Deno.test("NNKIT_NATIVE=ts, and the older NNKIT_SPARSE=ts, force the TypeScript twins", async () => {
  const script = 'import { loadNativeKernels } from "./lib/native/build.ts";\n' +
    "console.log((await loadNativeKernels()).reason);";
  for (const variable of ["NNKIT_NATIVE", "NNKIT_SPARSE"]) {
    const { stdout, success } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", script],
      cwd: new URL("../..", import.meta.url).pathname,
      env: { [variable]: "ts" },
      stdout: "piped",
    }).output();
    assert.ok(success);
    assert.equal(new TextDecoder().decode(stdout).trim(), `${variable}=ts`);
  }
});
