import assert from "node:assert/strict";
import {
  type FileImport,
  importSpecifiers,
  layeringViolations,
  parseLayerOrder,
  readLibImports,
  resolveInLib,
} from "./_helpers/layering.ts";

const root = new URL("..", import.meta.url).pathname;

/** A fake import graph: file → specifiers, resolved as the real check resolves them. */
function graph(files: Record<string, string[]>): Map<string, FileImport[]> {
  return new Map(
    Object.entries(files).map(([file, specs]) => [
      file,
      specs.map((specifier) => ({ specifier, target: resolveInLib(file, specifier) })),
    ]),
  );
}

Deno.test("lib/ imports only point down the README's layer order, with no cycle", async () => {
  const rows = parseLayerOrder(await Deno.readTextFile(`${root}README.md`));
  const messages = layeringViolations(rows, await readLibImports(`${root}lib`));
  assert.deepEqual(messages, [], `\n${messages.join("\n")}`);
});

Deno.test("parseLayerOrder() reads the README's Layout list bottom first", async (t) => {
  await t.step("the README's list starts at native/ and ends at mod.ts", async () => {
    const rows = parseLayerOrder(await Deno.readTextFile(`${root}README.md`));
    assert.deepEqual(rows[0], ["native/"]);
    assert.deepEqual(rows[1], ["dtypes.ts"]);
    assert.deepEqual(rows.at(-1), ["mod.ts"]);
    assert.ok(rows.some((row) => row.includes("random.ts") && row.includes("random_state.ts")));
  });
  await t.step("rows, descriptions and blank lines", () => {
    const readme = "# X\n\n## Layout\n\nText.\n\n```\nlib/a/   the bottom\n\n" +
      "lib/b.ts, lib/c/  two on one row\nlib/mod.ts\n```\n\n## Next\n";
    assert.deepEqual(parseLayerOrder(readme), [["a/"], ["b.ts", "c/"], ["mod.ts"]]);
  });
  await t.step("a missing section or a line that names no layer is an error", () => {
    assert.throws(() => parseLayerOrder("# X\n"), /no "## Layout" section/);
    assert.throws(
      () => parseLayerOrder("## Layout\n\n```\nlib/a/  ok\nnot a layer\n```\n"),
      /expected "lib\/a\/, lib\/b.ts {2}description", got "not a layer"/,
    );
  });
});

Deno.test("importSpecifiers() reads static imports, type imports and re-exports, not comments", () => {
  const source = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b/b.ts";',
    "import {",
    "  c,",
    "  type D,",
    '} from "./c.ts";',
    'export * from "./e.ts";',
    'export { f } from "./f.ts";',
    'import "./side.ts";',
    'import { g } from "npm:g";',
    "/**",
    " * ```ts",
    ' * import { up } from "../nn/mlp.ts";',
    " * ```",
    " */",
    '// import { z } from "./z.ts";',
    'const url = "https://example.org/x"; // not an import',
    'export const from = "./no.ts";',
  ].join("\n");
  assert.deepEqual(importSpecifiers(source), [
    "./a.ts",
    "../b/b.ts",
    "./c.ts",
    "./e.ts",
    "./f.ts",
    "./side.ts",
    "npm:g",
  ]);
});

Deno.test("layeringViolations() names each upward import, same-row import and cycle", async (t) => {
  const rows = [["native/"], ["dtypes.ts"], ["blas/"], ["tensor/"], ["metrics.ts", "report.ts"]];
  await t.step("downward and same-layer imports pass", () => {
    const ok = graph({
      "tensor/matrix.ts": ["../dtypes.ts", "../native/build.ts", "./ops.ts", "npm:x"],
      "blas/gemm.ts": ["../dtypes.ts", "./backend.ts", "@/native/mod.ts"],
      "report.ts": ["./tensor/matrix.ts"],
    });
    assert.deepEqual(layeringViolations(rows, ok), []);
  });
  await t.step("an upward import and the cycle it closes", () => {
    const bad = graph({
      "tensor/matmul.ts": ["../blas/gemm.ts"],
      "blas/cblas.ts": ["../tensor/matrix.ts"],
    });
    assert.deepEqual(layeringViolations(rows, bad), [
      'lib/blas/cblas.ts imports "../tensor/matrix.ts" (lib/tensor/matrix.ts): ' +
      "blas/ may not import tensor/, a higher layer",
      "cycle between layers blas/ → tensor/ → blas/: " +
      'lib/blas/cblas.ts imports "../tensor/matrix.ts" (lib/tensor/matrix.ts); ' +
      'lib/tensor/matmul.ts imports "../blas/gemm.ts" (lib/blas/gemm.ts)',
    ]);
  });
  await t.step("layers on one row may not import each other", () => {
    const same = graph({ "metrics.ts": ["./report.ts"] });
    assert.deepEqual(layeringViolations(rows, same), [
      'lib/metrics.ts imports "./report.ts" (lib/report.ts): ' +
      "metrics.ts may not import report.ts, a layer on its own row",
    ]);
  });
  await t.step("a file or an import target in no layer", () => {
    const stray = graph({
      "stray.ts": [],
      "tensor/x.ts": ["../new/y.ts", "../../tools/z.ts"],
    });
    assert.deepEqual(layeringViolations(rows, stray), [
      "lib/stray.ts: its layer stray.ts is not in the README's Layout list",
      'lib/tensor/x.ts imports "../new/y.ts" (lib/new/y.ts): ' +
      "layer new/ is not in the README's Layout list",
      'lib/tensor/x.ts imports "../../tools/z.ts" (lib/../tools/z.ts): ' +
      "layer ../ is not in the README's Layout list",
    ]);
  });
});
