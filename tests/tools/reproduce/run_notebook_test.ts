import assert from "node:assert/strict";
import { projectKernelspec } from "../../../tools/reproduce/run_notebook.ts";

Deno.test("projectKernelspec() points nbclient at this Deno, and rewrites only on change", async () => {
  const root = await Deno.makeTempDir();
  const dir = await projectKernelspec(root);
  assert.equal(dir, root);
  const path = `${dir}/kernels/deno/kernel.json`;
  const spec = JSON.parse(await Deno.readTextFile(path));
  assert.deepEqual(spec.argv, [
    Deno.execPath(),
    "jupyter",
    "--kernel",
    "--conn",
    "{connection_file}",
  ]);
  assert.equal(spec.language, "typescript");
  const before = (await Deno.stat(path)).mtime?.getTime();
  assert.equal(await projectKernelspec(root), dir);
  assert.equal((await Deno.stat(path)).mtime?.getTime(), before);
  // A stale spec (another checkout's binary) is replaced.
  await Deno.writeTextFile(path, JSON.stringify({ argv: ["/gone/deno"], language: "typescript" }));
  await projectKernelspec(root);
  assert.equal(JSON.parse(await Deno.readTextFile(path)).argv[0], Deno.execPath());
  await Deno.remove(root, { recursive: true });
});
