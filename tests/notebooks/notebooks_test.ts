// The project's notebooks (notebooks/NN_name.ipynb): committed clean (Deno kernel, no outputs,
// one import cell, a `parameters` cell that seeds a Prng), and executed in quick mode through real
// Jupyter (nbclient + the Deno kernel, via `tools/reproduce.ts --quick`), where every cell must run
// without error, every expected output must arrive and each notebook must record its results.
//
// NNKIT_SKIP_NOTEBOOKS=1 skips the execution (about a minute per notebook on a busy 2-core machine).
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const NOTEBOOKS = `${ROOT}notebooks`;
const REPRODUCE = `${ROOT}tools/reproduce.ts`;
const NAME = /^\d\d_[a-z0-9_]+\.ipynb$/;
/** Notebooks executed at once: two kernels keep both cores busy while the other waits on I/O. */
const CONCURRENCY = 2;

interface Cell {
  cell_type: string;
  source: string[] | string;
  metadata: { tags?: string[] };
  outputs?: unknown[];
  execution_count?: number | null;
}

interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string; display_name?: string; language?: string } };
  nbformat: number;
}

function notebookNames(): string[] {
  return [...Deno.readDirSync(NOTEBOOKS)]
    .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => e.name)
    .sort();
}

function readNotebook(name: string): Notebook {
  return JSON.parse(Deno.readTextFileSync(`${NOTEBOOKS}/${name}`));
}

function text(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

Deno.test("notebooks are committed clean, with a Deno kernel, one import cell and a parameters cell", async (t) => {
  const names = notebookNames();
  assert.ok(names.length > 0, `no notebooks in ${NOTEBOOKS}`);
  for (const name of names) {
    await t.step(name, () => {
      assert.match(name, NAME, `${name}: expected a name like 01_sgd_vs_batch.ipynb`);
      const nb = readNotebook(name);
      assert.equal(nb.nbformat, 4);
      assert.deepEqual(
        {
          name: nb.metadata.kernelspec?.name,
          display_name: nb.metadata.kernelspec?.display_name,
          language: nb.metadata.kernelspec?.language,
        },
        { name: "deno", display_name: "Deno", language: "typescript" },
      );
      const code = nb.cells.filter((c) => c.cell_type === "code");
      for (const [i, cell] of code.entries()) {
        assert.deepEqual(cell.outputs, [], `${name}: code cell ${i} carries outputs`);
        assert.equal(cell.execution_count, null, `${name}: code cell ${i} has an execution count`);
      }
      const importing = code.filter((c) => /^\s*import\s/m.test(text(c)));
      assert.equal(
        importing.length,
        1,
        `${name}: expected one import cell, got ${importing.length}`,
      );
      assert.match(text(importing[0]), /from "\.\.\/lib\/mod\.ts";/);
      const tagged = code.filter((c) => c.metadata.tags?.includes("parameters"));
      assert.equal(tagged.length, 1, `${name}: expected one cell tagged parameters`);
      assert.ok(
        code.indexOf(tagged[0]) <= 1,
        `${name}: the parameters cell must come first (after the import cell)`,
      );
      assert.match(text(tagged[0]), /parameters\(/);
      assert.match(text(tagged[0]), /new Prng\(/);
      assert.match(text(code.at(-1)!), /recordResults\(/, `${name}: the last cell records results`);
      assert.equal(nb.cells[0].cell_type, "markdown", `${name}: opens with a title`);
      assert.match(text(nb.cells[0]), /^# /);
    });
  }
});

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
