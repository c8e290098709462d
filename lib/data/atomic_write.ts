/**
 * Atomic file writes: write a temporary file in the target's folder, then
 * rename it over the target, so a reader never sees a half-written file and
 * a crash leaves the previous version intact.
 *
 * @module
 */

/**
 * A fresh temporary path next to `path` (same folder, so the final rename
 * stays on one file system). Ends in `.tmp`, which `.gitignore` ignores.
 *
 * @param path The final path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { temporaryPathFor } from "./atomic_write.ts";
 *
 * const tmp = temporaryPathFor("/data/weights.hdf5");
 * assert.ok(tmp.startsWith("/data/weights.hdf5.") && tmp.endsWith(".tmp"));
 * ```
 */
export function temporaryPathFor(path: string): string {
  const tag = `${Deno.pid}.${Date.now().toString(36)}.${
    Math.floor(Math.random() * 0x100000000).toString(36)
  }`;
  return `${path}.${tag}.tmp`;
}

/**
 * Runs `write(tmpPath)` then renames the temporary file onto `path`; on any
 * error the temporary file is removed and the error rethrown.
 *
 * @param path The final path.
 * @param write Writes the complete file at the temporary path it is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withAtomicPath } from "./atomic_write.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * await withAtomicPath(`${dir}/a.txt`, (tmp) => Deno.writeTextFile(tmp, "hi"));
 * assert.equal(Deno.readTextFileSync(`${dir}/a.txt`), "hi");
 * assert.equal([...Deno.readDirSync(dir)].length, 1);
 * ```
 */
export async function withAtomicPath(
  path: string,
  write: (tmpPath: string) => void | Promise<void>,
): Promise<void> {
  const tmp = temporaryPathFor(path);
  try {
    await write(tmp);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/**
 * Writes `data` (bytes or text) to `path` atomically.
 *
 * @param path Destination file.
 * @param data Full contents.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "./atomic_write.ts";
 *
 * const path = `${Deno.makeTempDirSync()}/x.bin`;
 * await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
 * assert.deepEqual(Deno.readFileSync(path), new Uint8Array([1, 2, 3]));
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await withAtomicPath(
    path,
    (tmp) => typeof data === "string" ? Deno.writeTextFile(tmp, data) : Deno.writeFile(tmp, data),
  );
}
