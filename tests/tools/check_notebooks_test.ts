// The one clean-notebook check, tools/check_notebooks.ts (also `deno task check-notebooks`): its
// rules on notebooks built in memory (tests/_helpers/notebook_json.ts), its structure verdicts
// against Jupyter's own nbformat.validate, its command line (exit codes, one line per problem
// naming notebook and cell), and the project's notebooks/*.ipynb checked by it.
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import {
  checkNotebooks,
  checkNotebookText,
  findNotebooks,
  formatProblem,
  importSpecifiers,
  longLines,
  MAX_COLUMNS,
  type NotebookProblem,
  stripComments,
} from "../../tools/check_notebooks.ts";
import { HAS_NBFORMAT, nbformatErrors } from "../_helpers/nbformat_validate.ts";
import {
  codeCell,
  markdownCell,
  type NotebookJson,
  notebookJson,
} from "../_helpers/notebook_json.ts";

const CHECKER = new URL("../../tools/check_notebooks.ts", import.meta.url).pathname;
const NOTEBOOKS = new URL("../../notebooks", import.meta.url).pathname;
const IMPORTS = 'import { parameters, Prng, recordResults } from "../lib/mod.ts";';
const PARAMS = "const params = parameters({ seed: 1 });\nconst prng = new Prng(params.seed);";
const RECORD = 'await recordResults("01_x", { metrics: { x }, params });';

/** A clean notebook: title, import cell, parameters cell, a code cell, the results cell. */
function cleanNotebook(): NotebookJson {
  return notebookJson([
    markdownCell("# 01 Title"),
    codeCell(IMPORTS),
    codeCell(PARAMS, { tags: ["parameters"] }),
    codeCell("const x = prng.random();\nx;"),
    codeCell(RECORD),
  ]);
}

function check(nb: unknown, name = "notebooks/01_x.ipynb"): NotebookProblem[] {
  return checkNotebookText(JSON.stringify(nb), name);
}

function messages(nb: unknown): string[] {
  return check(nb).map(formatProblem);
}

Deno.test("checkNotebookText() accepts a clean notebook, its imports on one line or several", () => {
  assert.deepEqual(check(cleanNotebook()), []);
  const lines = cleanNotebook();
  (lines.cells[1] as { source: unknown }).source = [
    "import {\n",
    "  parameters,\n",
    "  Prng,\n",
    "  recordResults,\n",
    '} from "../lib/mod.ts";',
  ];
  assert.deepEqual(check(lines), [], "source as a list of lines, imports over several lines");
});

Deno.test("checkNotebookText() requires one import cell, the first code cell", async (t) => {
  await t.step("no import cell", () => {
    const nb = cleanNotebook();
    nb.cells.splice(1, 1);
    assert.deepEqual(check(nb).map((p) => [p.cell, p.message]), [
      [1, 'expected the first code cell to import from "../lib/mod.ts", found no import cell'],
    ]);
  });
  await t.step("imports in a second cell", () => {
    const nb = cleanNotebook();
    nb.cells[3] = codeCell('import { accuracy } from "../lib/mod.ts";\nconst x = 1;');
    assert.deepEqual(check(nb).map((p) => [p.cell, p.message]), [
      [3, "expected one import cell, found imports here too (the first is cell 1)"],
    ]);
  });
  await t.step("the import cell after the parameters cell", () => {
    const nb = cleanNotebook();
    [nb.cells[1], nb.cells[2]] = [nb.cells[2], nb.cells[1]];
    assert.deepEqual(check(nb).map((p) => [p.cell, p.message]), [
      [2, "expected the imports in the first code cell (cell 1), found them at cell 2"],
    ]);
  });
});

Deno.test("checkNotebookText() requires a NN_name.ipynb name and a markdown title first", async (t) => {
  for (const name of ["notebooks/1_x.ipynb", "notebooks/01-x.ipynb", "notebooks/01_X.ipynb"]) {
    await t.step(name, () => {
      assert.deepEqual(check(cleanNotebook(), name).map((p) => [p.cell, p.message]), [
        [null, `expected a name like 01_sgd_vs_batch.ipynb, got "${basename(name)}"`],
      ]);
    });
  }
  await t.step("a heading that is not a title", () => {
    const nb = cleanNotebook();
    nb.cells[0] = markdownCell("## Setup");
    assert.deepEqual(check(nb).map((p) => [p.cell, p.message]), [
      [0, 'expected a markdown title "# …" as the first cell, got a markdown cell "## Setup"'],
    ]);
  });
  await t.step("a code cell first", () => {
    const nb = cleanNotebook();
    nb.cells.splice(0, 1);
    assert.deepEqual(check(nb).map((p) => p.message), [
      'expected a markdown title "# …" as the first cell, got a code cell ' +
      '"import { parameters, Prng, rec"',
    ]);
  });
});

Deno.test("checkNotebookText() limits code lines to MAX_COLUMNS characters", async (t) => {
  await t.step("a line of 100 passes, 101 fails, naming the line and its length", () => {
    assert.equal(MAX_COLUMNS, 100);
    const nb = cleanNotebook();
    nb.cells[3] = codeCell(`const x = 1;\n// ${"a".repeat(97)}\nx;`);
    assert.deepEqual(check(nb), []);
    nb.cells[3] = codeCell(`const x = 1;\n// ${"a".repeat(98)}\nx; // ${"b".repeat(200)}`);
    assert.deepEqual(check(nb).map((p) => [p.cell, p.message]), [
      [
        3,
        "expected code lines of at most 100 columns, found 2 longer (line 2: 101, line 3: 206); " +
        "run deno fmt, then split what it cannot",
      ],
    ]);
  });
  await t.step("characters, not UTF-16 units or bytes: 100 × ŷ or 𝔼 pass", () => {
    const nb = cleanNotebook();
    nb.cells[3] = codeCell(`const x = "${"ŷ".repeat(50)}${"𝔼".repeat(37)}";\nx;`);
    assert.deepEqual(check(nb), []);
  });
  await t.step("markdown cells are not limited", () => {
    const nb = cleanNotebook();
    nb.cells.push(markdownCell("word ".repeat(60)));
    nb.cells.push(codeCell(RECORD));
    nb.cells.splice(4, 1);
    assert.deepEqual(check(nb), []);
  });
  await t.step("longLines()", () => {
    assert.deepEqual(longLines("ab\nabc\n\nabcd", 2), [[2, 3], [4, 4]]);
    assert.deepEqual(longLines(""), []);
  });
});

Deno.test("checkNotebookText() requires parameters(…) and a seed in the parameters cell", async (t) => {
  const cases: [string, string][] = [
    ["const params = { seed: 1 };\nconst prng = new Prng(params.seed);", "no parameters(…)"],
    ["const params = parameters({ epochs: 1 });", "no seed"],
    ["const params = parameters({ epochs: 1 }); // seed: 1", "no seed"],
    [
      "// parameters({ seed: 1 }); new Prng(1)\nconst params = 1;",
      "no parameters(…) and no seed",
    ],
  ];
  for (const [source, missing] of cases) {
    await t.step(missing, () => {
      const nb = cleanNotebook();
      nb.cells[2] = codeCell(source, { tags: ["parameters"] });
      assert.deepEqual(check(nb).map((p) => [p.cell, p.message]), [
        [
          2,
          "expected the parameters cell to call parameters(…) and set the seed (new Prng(…), or " +
          `a seed parameter such as numpySeed), found ${missing}`,
        ],
      ]);
    });
  }
});

Deno.test("checkNotebookText() requires recordResults(…) in the last code cell", () => {
  const nb = cleanNotebook();
  nb.cells.push(codeCell("const y = 2;\ny;"));
  nb.cells.push(markdownCell("## Summary"));
  assert.deepEqual(check(nb).map((p) => [p.cell, p.message]), [
    [5, "expected the last code cell to call recordResults(…), found none"],
  ]);
  nb.cells[5] = codeCell('// recordResults("01_x", {});\nconst y = 2;');
  assert.equal(check(nb).length, 1, "a call in a comment does not count");
});

Deno.test("checkNotebookText() rejects outputs naming the notebook, the cell and its first line", () => {
  const nb = cleanNotebook();
  nb.cells[3] = codeCell("const x = prng.random();\nx;", {
    outputs: [
      {
        output_type: "execute_result",
        data: { "text/plain": "0.5" },
        metadata: {},
        execution_count: 3,
      },
      { output_type: "stream", name: "stdout", text: "hi" },
    ],
  });
  assert.deepEqual(messages(nb), [
    "notebooks/01_x.ipynb: cell 3 ('const x = prng.random();'): expected no outputs, found 2 " +
    "(execute_result, stream); clear outputs before committing",
  ]);
});

Deno.test("checkNotebookText() rejects execution counts", () => {
  const nb = cleanNotebook();
  nb.cells[2] = codeCell(PARAMS, { tags: ["parameters"], executionCount: 7 });
  assert.deepEqual(messages(nb), [
    "notebooks/01_x.ipynb: cell 2 ('const params = parameters({ seed: 1 });'): " +
    "expected a null execution_count, found 7",
  ]);
});

Deno.test("checkNotebookText() requires the Deno kernelspec", async (t) => {
  for (
    const kernelspec of [
      undefined,
      { name: "python3", display_name: "Python 3", language: "python" },
      { name: "deno", display_name: "Deno" },
    ]
  ) {
    await t.step(JSON.stringify(kernelspec) ?? "missing", () => {
      const nb = cleanNotebook();
      nb.metadata.kernelspec = kernelspec;
      const found = check(nb);
      assert.equal(found.length, 1);
      assert.equal(found[0].cell, null);
      assert.match(
        formatProblem(found[0]),
        /^notebooks\/01_x\.ipynb: expected the kernelspec \{"name":"deno","display_name":"Deno","language":"typescript"\}, got /,
      );
    });
  }
});

Deno.test("checkNotebookText() requires the first code cell after the imports tagged parameters", async (t) => {
  await t.step("no tag", () => {
    const nb = cleanNotebook();
    nb.cells[2] = codeCell(PARAMS);
    assert.deepEqual(messages(nb), [
      "notebooks/01_x.ipynb: cell 2 ('const params = parameters({ seed: 1 });'): expected the " +
      'first code cell after the imports to be tagged "parameters", found none',
    ]);
  });
  await t.step("the tag on a later cell", () => {
    const nb = cleanNotebook();
    nb.cells[2] = codeCell("const x = 1;");
    nb.cells[3] = codeCell(PARAMS, { tags: ["parameters"] });
    assert.deepEqual(check(nb).map((p) => [p.cell, p.message]), [
      [
        2,
        'expected the first code cell after the imports to be tagged "parameters", found it at cell 3',
      ],
    ]);
  });
  await t.step("two tagged cells", () => {
    const nb = cleanNotebook();
    nb.cells[3] = codeCell("const x = 1;", { tags: ["parameters"] });
    assert.deepEqual(check(nb).map((p) => [p.cell, p.message]), [
      [3, 'expected one cell tagged "parameters", found 2 (cells 2, 3)'],
    ]);
  });
  await t.step("an import cell that also computes is not skipped", () => {
    const nb = cleanNotebook();
    nb.cells[1] = codeCell(`${IMPORTS}\nconst y = 2;`);
    assert.deepEqual(check(nb).map((p) => p.cell), [1]);
  });
});

Deno.test("checkNotebookText() allows imports only from ../lib/mod.ts", async (t) => {
  const cases: [string, RegExp][] = [
    [
      'import { assert } from "jsr:@std/assert";',
      /found "jsr:@std\/assert" \(jsr:, npm: and https: imports are unreachable here\)$/,
    ],
    ['import * as np from "https://esm.sh/numjs";', /found "https:\/\/esm\.sh\/numjs" \(jsr:/],
    ['import Plotly from "npm:plotly.js-dist-min";', /found "npm:plotly\.js-dist-min" \(jsr:/],
    [
      'import { mlp } from "../lib/nn/mlp.ts";',
      /expected imports only from "\.\.\/lib\/mod\.ts", found "\.\.\/lib\/nn\/mlp\.ts"$/,
    ],
    ['import "../lib/mod.js";', /found "\.\.\/lib\/mod\.js"$/],
    [
      'import type { Matrix } from "../lib/tensor/matrix.ts";',
      /found "\.\.\/lib\/tensor\/matrix\.ts"$/,
    ],
    ['export { mlp } from "../lib/nn/mlp.ts";', /found "\.\.\/lib\/nn\/mlp\.ts"$/],
    ['const h5 = await import("npm:h5wasm");', /found "npm:h5wasm"/],
    ["const m = await import(path);", /found a dynamic import of a computed specifier$/],
  ];
  for (const [code, expected] of cases) {
    await t.step(code, () => {
      // Static imports belong in the import cell (1); a dynamic one is code (cell 3).
      const dynamic = /import\s*\(/.test(code);
      const cell = dynamic ? 3 : 1;
      const nb = cleanNotebook();
      nb.cells[cell] = codeCell(dynamic ? code : `${IMPORTS}\n${code}`);
      const found = check(nb);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0].cell, cell);
      assert.match(found[0].message, expected);
    });
  }
  await t.step("comments, strings and import.meta are not imports", () => {
    const nb = cleanNotebook();
    nb.cells[3] = codeCell([
      "x;",
      '// import { x } from "jsr:@std/x";',
      '/* import y from "https://x.example/y.ts"; */',
      'const url = "https://example.com/a // b"; const important = 1;',
      "const here = import.meta.url;",
    ].join("\n"));
    assert.deepEqual(check(nb), []);
  });
});

Deno.test("importSpecifiers() and stripComments() read static, re-exported and dynamic imports", () => {
  assert.deepEqual(
    importSpecifiers('import a, { b } from "x";\nexport * from "y";\nawait import(`z`);'),
    ["x", "y", "z"],
  );
  assert.equal(stripComments("a /* b\nc */ d"), "a     \n     d");
  assert.equal(stripComments("'it''s' // x"), "'it''s'     ");
});

Deno.test("checkNotebookText() rejects what is not valid nbformat 4", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["not JSON", undefined, /^notebooks\/01_x\.ipynb: expected valid JSON, got /],
    ["an array", [], /expected a JSON object, got an array/],
    ["nbformat 3", { ...cleanNotebook(), nbformat: 3 }, /expected nbformat 4, got 3/],
    ["no cells", { ...cleanNotebook(), cells: undefined }, /expected a cells array/],
    [
      "an unknown cell type",
      { ...cleanNotebook(), cells: [{ cell_type: "heading", id: "h", metadata: {}, source: "" }] },
      /cell 0: expected a cell_type of code, markdown or raw, got "heading"/,
    ],
    [
      "a markdown cell with outputs",
      {
        ...cleanNotebook(),
        cells: [...cleanNotebook().cells, { ...markdownCell("x"), outputs: [] }],
      },
      /cell 5: expected no outputs on a markdown cell/,
    ],
    [
      "a code cell without outputs",
      {
        ...cleanNotebook(),
        cells: [...cleanNotebook().cells, { ...codeCell("x"), outputs: undefined }],
      },
      /cell 5 \('x'\): expected an outputs array on a code cell/,
    ],
    [
      "a duplicate cell id",
      {
        ...cleanNotebook(),
        cells: [...cleanNotebook().cells, { ...codeCell("x"), id: "dup" }, {
          ...codeCell("y"),
          id: "dup",
        }],
      },
      /cell 6 \('y'\): expected a unique id, got "dup" again \(cell 5\)/,
    ],
    [
      "a source that is not text",
      { ...cleanNotebook(), cells: [...cleanNotebook().cells, { ...codeCell("x"), source: 42 }] },
      /cell 5 .*expected source as a string or a list of strings/,
    ],
  ];
  for (const [what, nb, expected] of cases) {
    await t.step(what, () => {
      const text = nb === undefined ? '{"cells": [' : JSON.stringify(nb);
      const found = checkNotebookText(text, "notebooks/01_x.ipynb").map(formatProblem);
      assert.ok(found.some((line) => expected.test(line)), found.join("\n"));
    });
  }
});

Deno.test({
  name: "checkNotebookText()'s structure verdicts agree with Jupyter's nbformat.validate",
  ignore: !HAS_NBFORMAT,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "check_notebooks_" });
    try {
      const variants: Record<string, unknown> = {
        clean: cleanNotebook(),
        nbformat3: { ...cleanNotebook(), nbformat: 3 },
        noCells: { ...cleanNotebook(), cells: undefined },
        headingCell: {
          ...cleanNotebook(),
          cells: [{ cell_type: "heading", id: "h", metadata: {}, source: "" }],
        },
        markdownOutputs: {
          ...cleanNotebook(),
          cells: [{ ...markdownCell("x"), outputs: [] }],
        },
        noOutputs: { ...cleanNotebook(), cells: [{ ...codeCell("x"), outputs: undefined }] },
        sourceNumber: { ...cleanNotebook(), cells: [{ ...codeCell("x"), source: 42 }] },
      };
      const paths = Object.keys(variants).map((name) => join(dir, `${name}.ipynb`));
      Object.values(variants).forEach((nb, i) =>
        Deno.writeTextFileSync(paths[i], JSON.stringify(nb))
      );
      const oracle = await nbformatErrors(paths);
      const structural =
        /^expected (valid JSON|a JSON object|nbformat 4|a cells array|a cell_type|no outputs on|no execution_count on|an outputs array|an execution_count|source as)/;
      for (const path of paths) {
        const ours = checkNotebookText(Deno.readTextFileSync(path), path)
          .filter((p) => structural.test(p.message));
        assert.equal(
          ours.length === 0,
          oracle.get(path) === null,
          `${path}: nbformat says ${oracle.get(path)}, the checker ${JSON.stringify(ours)}`,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function runChecker(...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", CHECKER, ...args],
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

Deno.test("check_notebooks.ts exits 1 naming each problem, 0 when clean, 2 for a missing path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "check_notebooks_cli_" });
  try {
    Deno.writeTextFileSync(join(dir, "01_clean.ipynb"), JSON.stringify(cleanNotebook()));
    const clean = await runChecker(dir);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /^1 notebooks clean: 01_clean\.ipynb$/m);

    const dirty = cleanNotebook();
    dirty.cells[3] = codeCell("show();", {
      outputs: [{ output_type: "display_data", data: {}, metadata: {} }],
    });
    Deno.writeTextFileSync(join(dir, "02_dirty.ipynb"), JSON.stringify(dirty));
    const failed = await runChecker(dir);
    assert.equal(failed.code, 1);
    assert.equal(
      failed.stderr,
      `${join(dir, "02_dirty.ipynb")}: cell 3 ('show();'): expected no outputs, found 1 ` +
        "(display_data); clear outputs before committing\n" +
        "1 of 2 notebooks need fixing (02_dirty.ipynb)\n",
    );
    const one = await runChecker(join(dir, "01_clean.ipynb"));
    assert.equal(one.code, 0, "a notebook path checks only that notebook");

    const missing = await runChecker(join(dir, "nope"));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^Cannot check notebooks: .*nope/);
    const empty = await Deno.makeTempDir({ dir });
    const none = await runChecker(empty);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no \.ipynb file in /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every notebook in notebooks/ is committed clean", async (t) => {
  const { notebooks, problems } = checkNotebooks([NOTEBOOKS]);
  assert.ok(notebooks.length > 0, `no notebooks in ${NOTEBOOKS}`);
  for (const notebook of notebooks) {
    await t.step(basename(notebook), () => {
      const lines = problems
        .filter((p) => p.notebook === notebook)
        .map(formatProblem);
      assert.deepEqual(
        lines,
        [],
        `fix, then run \`deno task check-notebooks\` (outputs: Jupyter's "Clear All Outputs"):\n${
          lines.join("\n")
        }`,
      );
    });
  }
});

Deno.test({
  name: "every notebook in notebooks/ passes Jupyter's nbformat.validate",
  ignore: !HAS_NBFORMAT,
  async fn() {
    const notebooks = findNotebooks([NOTEBOOKS]);
    assert.ok(notebooks.length > 0, `no notebooks in ${NOTEBOOKS}`);
    const errors = await nbformatErrors(notebooks);
    const invalid = [...errors].filter(([, error]) => error !== null);
    assert.deepEqual(invalid, [], invalid.map(([path, error]) => `${path}: ${error}`).join("\n"));
  },
});

/**
 * `deno fmt --check` reports Deno 2.9's notebooks as unformatted on a cold cache even when the
 * formatter's own output is byte-identical (an empty diff), so the notebooks are excluded from
 * deno.json's fmt and checked here instead: each notebook through `deno fmt --ext ipynb -`.
 */
Deno.test("every notebook in notebooks/ is already as deno fmt writes it", async (t) => {
  const notebooks = findNotebooks([NOTEBOOKS]);
  assert.ok(notebooks.length > 0, `no notebooks in ${NOTEBOOKS}`);
  for (const notebook of notebooks) {
    await t.step(basename(notebook), async () => {
      const text = await Deno.readTextFile(notebook);
      const child = new Deno.Command(Deno.execPath(), {
        args: ["fmt", "--ext", "ipynb", "-"],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(text));
      await writer.close();
      const { code, stdout, stderr } = await child.output();
      assert.equal(code, 0, `deno fmt failed on ${notebook}: ${new TextDecoder().decode(stderr)}`);
      const formatted = new TextDecoder().decode(stdout);
      assert.ok(
        formatted === text,
        `${notebook} is not formatted: run \`deno fmt --ext ipynb - < ${notebook}\` and save its output`,
      );
    });
  }
});
