/**
 * The Skia canvas (`@napi-rs/canvas`) loaded on first use, and the kit's
 * fonts registered with it from explicit files, so captions render with the
 * same glyphs on every machine instead of whatever font the system picks.
 *
 * The canvas is a native (N-API) addon: Deno needs `--allow-ffi` (or
 * `--allow-all`, as in the Jupyter kernel and `deno task test`) to load it.
 * It is loaded lazily, so importing the lib never needs that permission.
 *
 * @module
 */

import { createRequire } from "node:module";
import type * as SkiaCanvas from "@napi-rs/canvas";

/** The `@napi-rs/canvas` module: `createCanvas`, `GlobalFonts`, `loadImage`, … */
export type CanvasModule = typeof SkiaCanvas;

/** Family name the kit's fonts are registered under (DejaVu Sans, regular and bold). */
export const FONT_FAMILY = "NNKit DejaVu Sans";

/** Where Debian's `fonts-dejavu-core` package installs DejaVu Sans. */
export const DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu";

/** The font files registered, relative to the font directory. */
export const FONT_FILES: readonly string[] = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];

let canvasModule: CanvasModule | undefined;
let registeredDir: string | undefined;

/**
 * Loads `@napi-rs/canvas` once and returns it.
 *
 * @returns The canvas module.
 * @throws {Error} When the native addon cannot load, naming the likely cause
 *   (the `--allow-ffi` permission, or a missing platform package).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCanvasModule } from "./fonts.ts";
 *
 * const { createCanvas } = loadCanvasModule();
 * assert.equal(createCanvas(4, 3).width, 4);
 * ```
 */
export function loadCanvasModule(): CanvasModule {
  if (canvasModule) return canvasModule;
  const ffi = Deno.permissions.querySync({ name: "ffi" }).state;
  if (ffi !== "granted") {
    throw new Error(
      `Cannot load @napi-rs/canvas: it is a native addon and needs the ffi permission, got ${ffi}; run with --allow-ffi or --allow-all`,
    );
  }
  try {
    const require = createRequire(import.meta.url);
    canvasModule = require("@napi-rs/canvas") as CanvasModule;
  } catch (error) {
    throw new Error(
      `Cannot load @napi-rs/canvas from node_modules: ${
        error instanceof Error ? error.message.split("\n")[0] : String(error)
      }; run npm ci (it installs the platform package, e.g. @napi-rs/canvas-linux-x64-gnu)`,
      { cause: error },
    );
  }
  return canvasModule;
}

/**
 * Registers DejaVu Sans (regular and bold) under {@linkcode FONT_FAMILY} and
 * returns that family name, for a canvas `font` such as
 * `` `12px "${family}"` ``. Registering again from the same folder is free.
 *
 * @param options.dir Folder holding the `.ttf` files; default
 *   {@linkcode DEFAULT_FONT_DIR} (Debian `fonts-dejavu-core`).
 * @returns The registered family name.
 * @throws {Error} When a font file is missing, naming the Debian package.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FONT_FAMILY, loadCanvasModule, registerFonts } from "./fonts.ts";
 *
 * assert.equal(registerFonts(), FONT_FAMILY);
 * assert.ok(loadCanvasModule().GlobalFonts.has(FONT_FAMILY));
 * ```
 */
export function registerFonts(options: { dir?: string } = {}): string {
  const dir = options.dir ?? registeredDir ?? DEFAULT_FONT_DIR;
  if (dir === registeredDir) return FONT_FAMILY;
  const { GlobalFonts } = loadCanvasModule();
  for (const file of FONT_FILES) {
    const path = `${dir}/${file}`;
    let isFile = false;
    try {
      isFile = Deno.statSync(path).isFile;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (!isFile) {
      throw new Error(
        `Cannot register font ${path}: file not found; install the Debian package fonts-dejavu-core (apt-get install -y --no-install-recommends fonts-dejavu-core)`,
      );
    }
    if (GlobalFonts.registerFromPath(path, FONT_FAMILY) === null) {
      throw new Error(`Cannot register font ${path}: Skia did not accept the file`);
    }
  }
  registeredDir = dir;
  return FONT_FAMILY;
}
