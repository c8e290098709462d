import assert from "node:assert/strict";
import { cacheDir, mnistDir, projectPath } from "../../lib/data/paths.ts";

Deno.test("projectPath() resolves from the lib, not the working directory", () => {
  const before = Deno.cwd();
  try {
    Deno.chdir(Deno.makeTempDirSync());
    assert.ok(Deno.statSync(projectPath("deno.json")).isFile);
    assert.ok(Deno.statSync(`${mnistDir()}/t10k-labels-idx1-ubyte`).isFile);
  } finally {
    Deno.chdir(before);
  }
});

Deno.test("cacheDir() creates folders under the gitignored .cache", () => {
  const dir = cacheDir("data");
  assert.equal(dir, projectPath(".cache", "data"));
  assert.ok(Deno.statSync(dir).isDirectory);
  assert.match(Deno.readTextFileSync(projectPath(".gitignore")), /^\.cache\/$/m);
});
