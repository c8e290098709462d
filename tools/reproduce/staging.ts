/**
 * Output written aside, then moved in: a run writes into a fresh folder
 * inside its output folder (`OUT/.partial-<UTC time>-<pid>/`) and, only when
 * it completes, each file is renamed onto its place in `OUT/` (one atomic
 * rename per file, same file system). A run that fails or is stopped leaves
 * `OUT/` as it was, and its partial output where it can be inspected.
 *
 * @module
 */

import { join } from "node:path";

/** Names of partial-output folders start with this. */
export const PARTIAL_PREFIX = ".partial-";

/**
 * A fresh folder name for one run's output inside `outDir`:
 * `outDir/.partial-20261204T153000Z-4242` (UTC time, this process's pid).
 *
 * @param outDir The output folder the run will be moved into.
 * @param now The run's start.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { partialDir } from "./staging.ts";
 *
 * const dir = partialDir("/r", new Date("2026-12-04T15:30:00.123Z"));
 * assert.equal(dir, `/r/.partial-20261204T153000Z-${Deno.pid}`);
 * ```
 */
export function partialDir(outDir: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return join(outDir, `${PARTIAL_PREFIX}${stamp}-${Deno.pid}`);
}

/** Options of {@linkcode moveInto}. */
export interface MoveOptions {
  /** Paths relative to the folder moved, moved after every other file, in this order. */
  last?: string[];
  /**
   * For a folder of the moved output (path relative to it, `/`-separated),
   * which files of the destination's namesake are stale when the new output
   * lacks them (e.g. `/\.(png|svg)$/` for a figure folder); `undefined`:
   * none, other files are kept.
   */
  stale?: (dir: string) => RegExp | undefined;
  /** Told each stale file removed. */
  log?: (line: string) => void;
}

function filesUnder(root: string, dir = ""): { files: string[]; dirs: string[] } {
  const files: string[] = [], dirs: string[] = [];
  const entries = [...Deno.readDirSync(join(root, dir))].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
  for (const entry of entries) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      dirs.push(path);
      const below = filesUnder(root, path);
      files.push(...below.files);
      dirs.push(...below.dirs);
    } else {
      files.push(path);
    }
  }
  return { files, dirs };
}

/**
 * Moves every file of `from` to the same relative path in `to` by rename
 * (creating folders), each file replacing its namesake atomically; files in
 * `options.last` move last (an index after what it indexes). Then, in each
 * folder `options.stale` names, removes the destination's stale files the new
 * output did not have; then removes `from`. Both folders must be on one file
 * system (`from` is meant to be inside `to`, see {@linkcode partialDir}).
 *
 * @param from The complete output, e.g. `OUT/.partial-…`.
 * @param to The folder to update, e.g. `OUT`.
 * @param options Files to move last, stale-file rules, log.
 * @returns The relative paths moved, in move order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { moveInto, partialDir } from "./staging.ts";
 *
 * const out = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${out}/figures/01`, { recursive: true });
 * Deno.writeTextFileSync(`${out}/figures/01/old.png`, "old");
 * const stage = partialDir(out);
 * Deno.mkdirSync(`${stage}/figures/01`, { recursive: true });
 * Deno.writeTextFileSync(`${stage}/figures/01/new.png`, "new");
 * Deno.writeTextFileSync(`${stage}/index.json`, "{}");
 * const moved = await moveInto(stage, out, {
 *   last: ["index.json"],
 *   stale: (dir) => dir.startsWith("figures/") ? /\.png$/ : undefined,
 * });
 * assert.deepEqual(moved, ["figures/01/new.png", "index.json"]);
 * assert.deepEqual([...Deno.readDirSync(`${out}/figures/01`)].map((e) => e.name), ["new.png"]);
 * assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), ["figures", "index.json"]);
 * ```
 */
export async function moveInto(
  from: string,
  to: string,
  options: MoveOptions = {},
): Promise<string[]> {
  const { files, dirs } = filesUnder(from);
  const last = (options.last ?? []).filter((path) => files.includes(path));
  const order = [...files.filter((path) => !last.includes(path)), ...last];
  for (const dir of dirs) await Deno.mkdir(join(to, dir), { recursive: true });
  for (const path of order) {
    const target = join(to, path);
    await Deno.mkdir(join(target, ".."), { recursive: true });
    await Deno.rename(join(from, path), target);
  }
  const moved = new Set(order);
  for (const dir of dirs) {
    const pattern = options.stale?.(dir);
    if (!pattern) continue;
    for (const entry of Deno.readDirSync(join(to, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isFile && pattern.test(entry.name) && !moved.has(path)) {
        await Deno.remove(join(to, path));
        options.log?.(`  removed stale ${join(to, path)}`);
      }
    }
  }
  await Deno.remove(from, { recursive: true });
  return order;
}
