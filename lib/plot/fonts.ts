/**
 * The Skia canvas (`@napi-rs/canvas`) loaded on first use, and the kit's
 * fonts registered with it from explicit files, so captions render with the
 * same glyphs on every machine instead of whatever font the system picks.
 *
 * DejaVu Sans is looked for in `NNKIT_FONT_DIR`, then where Debian/Ubuntu,
 * Fedora, Arch and Homebrew/macOS put it ({@linkcode FONT_DIR_CANDIDATES}).
 * Where it is nowhere, captions use a font the system has, with one warning
 * per process: the images differ from the committed ones only in glyphs.
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

/**
 * Folders searched for DejaVu Sans, in order, after `NNKIT_FONT_DIR`: Debian
 * and Ubuntu (`fonts-dejavu-core`), Fedora (`dejavu-sans-fonts`), Arch
 * (`ttf-dejavu`), Homebrew and macOS user fonts (`font-dejavu`).
 */
export const FONT_DIR_CANDIDATES: readonly string[] = [
  DEFAULT_FONT_DIR,
  "/usr/share/fonts/dejavu-sans-fonts",
  "/usr/share/fonts/dejavu",
  "/usr/share/fonts/TTF",
  "/opt/homebrew/share/fonts",
  "/usr/local/share/fonts",
  "~/Library/Fonts",
  "/Library/Fonts",
];

/** System families tried, in order, when DejaVu Sans is not found (then `sans-serif`). */
export const FALLBACK_FAMILIES: readonly string[] = [
  "DejaVu Sans",
  "Helvetica",
  "Arial",
  "Liberation Sans",
  "Noto Sans",
];

/** The font files registered, relative to the font directory. */
export const FONT_FILES: readonly string[] = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];

let canvasModule: CanvasModule | undefined;
let registeredDir: string | undefined;
let fallbackFamily: string | undefined;

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

function hasFontFiles(dir: string): boolean {
  return FONT_FILES.every((file) => {
    try {
      return Deno.statSync(`${dir}/${file}`).isFile;
    } catch {
      return false; // missing, or no read permission
    }
  });
}

function expandHome(dir: string): string {
  if (!dir.startsWith("~/")) return dir;
  let home: string | undefined;
  try {
    home = Deno.env.get("HOME");
  } catch {
    home = undefined;
  }
  return home ? `${home}${dir.slice(1)}` : dir;
}

/** Options of {@linkcode registerFonts}. */
export interface RegisterFontsOptions {
  /**
   * Folder holding `DejaVuSans.ttf` and `DejaVuSans-Bold.ttf`; when given,
   * a missing file is an error (no fallback).
   */
  dir?: string;
  /** Folders searched when `dir` is not given; default `NNKIT_FONT_DIR`, then {@linkcode FONT_DIR_CANDIDATES}. */
  candidates?: readonly string[];
  /** Where the one fallback warning goes; default `console.warn`. */
  warn?: (message: string) => void;
}

/**
 * Registers DejaVu Sans (regular and bold) under {@linkcode FONT_FAMILY} and
 * returns that family name, for a canvas `font` such as
 * `` `12px "${family}"` ``. Registering again from the same folder is free.
 * When no candidate folder has the files (and no `dir` is given), returns a
 * family the system has ({@linkcode FALLBACK_FAMILIES}, else `sans-serif`)
 * and warns once per process.
 *
 * @param options `dir` (explicit folder, no fallback), `candidates`, `warn`.
 * @returns The family name to draw captions with.
 * @throws {Error} When an explicit `dir` lacks a font file, naming the Debian package.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registerFonts } from "./fonts.ts";
 *
 * const warnings: string[] = [];
 * const warn = (m: string) => warnings.push(m);
 * const family = registerFonts({ candidates: ["/nonexistent"], warn });
 * assert.notEqual(family, "NNKit DejaVu Sans"); // a system font
 * registerFonts({ candidates: ["/nonexistent"], warn });
 * assert.equal(warnings.length, 1); // one warning per process
 * assert.match(warnings[0], /DejaVu Sans not found in \/nonexistent/);
 * ```
 */
export function registerFonts(options: RegisterFontsOptions = {}): string {
  if (options.dir !== undefined) return registerFontDir(options.dir);
  if (registeredDir !== undefined && options.candidates === undefined) return FONT_FAMILY;
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("NNKIT_FONT_DIR");
  } catch {
    fromEnv = undefined;
  }
  const candidates = options.candidates ??
    [...(fromEnv ? [fromEnv] : []), ...FONT_DIR_CANDIDATES];
  for (const candidate of candidates) {
    const dir = expandHome(candidate);
    if (hasFontFiles(dir)) return registerFontDir(dir);
  }
  const { GlobalFonts } = loadCanvasModule();
  const known = new Set(GlobalFonts.families.map((f) => f.family));
  const family = FALLBACK_FAMILIES.find((f) => known.has(f)) ?? "sans-serif";
  if (fallbackFamily === undefined) {
    (options.warn ?? console.warn)(
      `nnkit: DejaVu Sans not found in ${
        candidates.join(", ")
      }; digit captions use the system font ${family} (install DejaVu Sans, e.g. Debian fonts-dejavu-core or Fedora dejavu-sans-fonts, or set NNKIT_FONT_DIR, for the project's exact images)`,
    );
  }
  fallbackFamily = family;
  return family;
}

function registerFontDir(dir: string): string {
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
