// The project's notebooks (notebooks/NN_name.ipynb) executed in quick mode through real Jupyter
// (nbclient + the Deno kernel, via `tools/reproduce.ts --quick`), where every cell must run without
// error, every expected output must arrive and each notebook must record its results. That the
// sources are committed clean is tools/check_notebooks.ts's job (tests/tools/check_notebooks_test.ts).
//
// NNKIT_SKIP_NOTEBOOKS=1 skips the execution (about a minute per notebook on a busy 2-core machine).
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const NOTEBOOKS = `${ROOT}notebooks`;
const REPRODUCE = `${ROOT}tools/reproduce.ts`;
/** Notebooks executed at once: two kernels keep both cores busy while the other waits on I/O. */
const CONCURRENCY = 2;

function notebookNames(): string[] {
  return [...Deno.readDirSync(NOTEBOOKS)]
    .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => e.name)
    .sort();
}

async function reproduceQuick(name: string, out: string) {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", REPRODUCE, name, "--quick", "--no-export", "--out", out],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, stdout: decode(result.stdout), stderr: decode(result.stderr) };
}

Deno.test({
  name: "every notebook runs in quick mode through Jupyter with all its outputs and results",
  ignore: Deno.env.get("NNKIT_SKIP_NOTEBOOKS") === "1",
  async fn(t) {
    const names = notebookNames().map((n) => n.replace(/\.ipynb$/, ""));
    const out = await Deno.makeTempDir({ prefix: "notebooks_test_" });
    try {
      const outcomes = new Map<string, Awaited<ReturnType<typeof reproduceQuick>>>();
      const queue = [...names];
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
            outcomes.set(name, await reproduceQuick(name, `${out}/${name}`));
          }
        }),
      );
      for (const name of names) {
        await t.step(name, () => {
          const { code, stdout, stderr } = outcomes.get(name)!;
          assert.equal(code, 0, `${name} failed:\n${stdout}\n${stderr}`);
          const results = JSON.parse(Deno.readTextFileSync(`${out}/${name}/results.json`));
          assert.ok(name in results, `${name}: no results recorded`);
          const { wall_seconds, ...metrics } = results[name];
          assert.ok(wall_seconds > 0);
          assert.ok(Object.keys(metrics).length > 0, `${name}: no metrics recorded`);
          const executed = JSON.parse(
            Deno.readTextFileSync(`${out}/${name}/notebooks/${name}.ipynb`),
          );
          assert.equal(executed.metadata.nnkit.status, "ok");
        });
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
