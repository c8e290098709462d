import assert from "node:assert/strict";
import { dirname } from "node:path";
import { moveInto, PARTIAL_PREFIX, partialDir } from "../../../tools/reproduce/staging.ts";

function tree(dir: string, sub = ""): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of Deno.readDirSync(`${dir}/${sub}`)) {
    const path = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory) Object.assign(found, { [path]: "/" }, tree(dir, path));
    else found[path] = Deno.readTextFileSync(`${dir}/${path}`);
  }
  return found;
}

function write(root: string, files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    Deno.mkdirSync(dirname(`${root}/${path}`), { recursive: true });
    Deno.writeTextFileSync(`${root}/${path}`, text);
  }
}

Deno.test("partialDir() names a fresh folder inside the output folder", () => {
  const dir = partialDir("/tmp/reports", new Date("2026-01-02T03:04:05.678Z"));
  assert.equal(dir, `/tmp/reports/${PARTIAL_PREFIX}20260102T030405Z-${Deno.pid}`);
});

Deno.test("moveInto() moves every file in, indexes last, and prunes only the folders it is told", async () => {
  const out = await Deno.makeTempDir();
  try {
    write(out, {
      "results.json": "old results",
      "notebooks/01.ipynb": "old 01",
      "notebooks/02.ipynb": "old 02",
      "figures/01/loss.png": "old loss",
      "figures/01/gone.svg": "stale",
      "figures/01/README.md": "kept",
      "figures/02/acc.png": "02 untouched",
    });
    const stage = partialDir(out);
    write(stage, {
      "results.json": "new results",
      "REPORT.md": "new report",
      "notebooks/01.ipynb": "new 01",
      "figures/01/loss.png": "new loss",
      "figures/01/acc.svg": "new acc",
    });
    Deno.mkdirSync(`${stage}/figures/03`); // a notebook without figures
    const removed: string[] = [];
    const moved = await moveInto(stage, out, {
      last: ["results.json", "REPORT.md"],
      stale: (dir) => /^figures\/[^/]+$/.test(dir) ? /\.(png|svg)$/ : undefined,
      log: (line) => removed.push(line),
    });
    assert.deepEqual(moved, [
      "figures/01/acc.svg",
      "figures/01/loss.png",
      "notebooks/01.ipynb",
      "results.json",
      "REPORT.md",
    ]);
    assert.deepEqual(tree(out), {
      "REPORT.md": "new report",
      "results.json": "new results",
      "notebooks": "/",
      "notebooks/01.ipynb": "new 01",
      "notebooks/02.ipynb": "old 02",
      "figures": "/",
      "figures/01": "/",
      "figures/01/README.md": "kept",
      "figures/01/acc.svg": "new acc",
      "figures/01/loss.png": "new loss",
      "figures/02": "/",
      "figures/02/acc.png": "02 untouched",
      "figures/03": "/",
    });
    assert.deepEqual(removed, [`  removed stale ${out}/figures/01/gone.svg`]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
