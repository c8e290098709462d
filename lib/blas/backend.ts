/**
 * Which gemm backend runs: a native CBLAS library (OpenBLAS on Linux) when
 * one loads, else the pure-TypeScript kernel, announced once on stderr.
 *
 * The choice is made lazily at the first product, from the environment:
 * `NNKIT_BLAS=ts` forces the TypeScript kernel, `NNKIT_BLAS=openblas` (or
 * `native`) requires a native library and fails clearly without one, and
 * `NNKIT_BLAS=auto` (the default) falls back quietly but for the notice.
 * `NNKIT_BLAS_LIB=/path/to/libcblas.so` is tried before the usual places
 * (any CBLAS, or the ILP64 `libscipy_openblas64_*.so` that NumPy wheels bundle).
 * OpenBLAS itself honours `OPENBLAS_NUM_THREADS`; {@linkcode setBlasThreads}
 * changes the count at run time.
 *
 * @module
 */

import { type CblasAttempt, cblasCandidates, type CblasLibrary, openCblas } from "./cblas.ts";
import { tsKernel } from "./gemm_ts.ts";

/** Names of the gemm backends. */
export type BlasBackendName = "openblas" | "cblas" | "ts";

/** What {@linkcode useBlasBackend} accepts (and `NNKIT_BLAS` may say). */
export type BlasChoice = "auto" | "openblas" | "native" | "ts";

/** Description of the active backend, from {@linkcode blasBackend}. */
export interface BlasBackendInfo {
  /** `"openblas"`, `"cblas"` (another native CBLAS, e.g. Accelerate) or `"ts"`. */
  name: BlasBackendName;
  /** Path or soname of the native library, `null` for `"ts"`. */
  library: string | null;
  /** Threads the backend uses (`1` for `"ts"`), `null` when the library cannot say. */
  threads: number | null;
  /** The library's build (OpenBLAS version and core), the TS kernel for `"ts"`, else `null`. */
  config: string | null;
}

/** Options of {@linkcode useBlasBackend}. */
export interface UseBlasBackendOptions {
  /** Native libraries to try, in order; default: `NNKIT_BLAS_LIB`, then {@linkcode cblasCandidates}. */
  libraries?: readonly string[];
  /** Skip the stderr notice when `"auto"` falls back to TypeScript. Default `false`. */
  quiet?: boolean;
}

const CHOICES: readonly BlasChoice[] = ["auto", "openblas", "native", "ts"];

let active: CblasLibrary | null | undefined;
let noticeShown = false;
const opened = new Map<string, CblasLibrary | null>();
const failures = new Map<string, CblasAttempt[]>();

function envVar(name: string): string | undefined {
  // Query first so a missing --allow-env never prompts or throws.
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
    return undefined;
  }
  const value = Deno.env.get(name);
  return value === undefined || value === "" ? undefined : value;
}

function defaultLibraries(): string[] {
  const extra = envVar("NNKIT_BLAS_LIB");
  return extra === undefined ? cblasCandidates() : [extra, ...cblasCandidates()];
}

/** Opens (once per candidate list) and caches the native library. */
function openNative(libraries: readonly string[]): CblasLibrary | null {
  const key = libraries.join("\n");
  if (!opened.has(key)) {
    const { library, attempts } = openCblas(libraries);
    opened.set(key, library);
    failures.set(key, attempts);
  }
  return opened.get(key)!;
}

const INSTALL_HINT = "Install OpenBLAS (Debian: apt-get install --no-install-recommends " +
  "libopenblas0-pthread)";
const PERMISSION_HINT = "Run Deno with --allow-ffi (or --allow-all)";

/** What was looked for and why it failed, plus the fitting hint. */
function describeFailure(libraries: readonly string[]): { what: string; hint: string } {
  const attempts = failures.get(libraries.join("\n")) ?? [];
  const names = [...new Set(attempts.map((a) => a.path.split("/").pop()))].join(", ");
  const errors = [...new Set(attempts.map((a) => a.error))].filter((e) => e !== "no such file");
  const permission = errors.some((e) => e.startsWith("FFI permission not granted"));
  return {
    what: `looked for ${names || "nothing"}${errors.length > 0 ? `; ${errors[0]}` : ""}`,
    hint: permission ? PERMISSION_HINT : INSTALL_HINT,
  };
}

function parseChoice(value: string, source: string): BlasChoice {
  if (!(CHOICES as readonly string[]).includes(value)) {
    throw new RangeError(
      `Cannot choose BLAS backend: ${source} must be one of ${CHOICES.join(", ")}, got "${value}"`,
    );
  }
  return value as BlasChoice;
}

/**
 * Selects the gemm backend now (instead of lazily from `NNKIT_BLAS`).
 *
 * @param choice `"auto"`: native if it loads, else TypeScript with a notice;
 *   `"openblas"` / `"native"`: native or throw; `"ts"`: TypeScript.
 * @param options Libraries to try; `quiet` to skip the notice.
 * @returns The backend now active.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blasBackend, useBlasBackend } from "./backend.ts";
 *
 * const before = blasBackend();
 * assert.equal(useBlasBackend("ts").name, "ts");
 * assert.equal(blasBackend().library, null);
 * useBlasBackend(before.name === "ts" ? "ts" : "auto", { quiet: true });
 * assert.equal(blasBackend().name, before.name);
 * ```
 */
export function useBlasBackend(
  choice: BlasChoice = "auto",
  options: UseBlasBackendOptions = {},
): BlasBackendInfo {
  parseChoice(choice, "choice");
  if (choice === "ts") {
    active = null;
    return blasBackend();
  }
  const libraries = options.libraries ?? defaultLibraries();
  const library = openNative(libraries);
  if (library === null && choice !== "auto") {
    const { what, hint } = describeFailure(libraries);
    throw new Error(
      `Cannot use the native BLAS backend (${choice}): no CBLAS library loaded; ${what}. ${hint}`,
    );
  }
  if (library === null && !options.quiet && !noticeShown) {
    noticeShown = true;
    const { what, hint } = describeFailure(libraries);
    console.error(
      `nnkit: no native BLAS library loaded (${what}), so matrix products use the ` +
        `pure-TypeScript kernel, far slower. ${hint}, or set NNKIT_BLAS=ts to choose the ` +
        "TypeScript kernel without this notice",
    );
  }
  active = library;
  return blasBackend();
}

/**
 * The native library gemm should call, or `null` for the TypeScript kernel;
 * the first call selects the backend from `NNKIT_BLAS` (default `"auto"`).
 */
export function nativeBlas(): CblasLibrary | null {
  if (active === undefined) {
    useBlasBackend(parseChoice(envVar("NNKIT_BLAS") ?? "auto", "NNKIT_BLAS"));
  }
  return active ?? null;
}

/**
 * The active gemm backend: its name, library path, thread count and build.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blasBackend } from "./backend.ts";
 *
 * const info = blasBackend();
 * assert.ok(["openblas", "cblas", "ts"].includes(info.name));
 * assert.equal(info.library === null, info.name === "ts");
 * ```
 */
export function blasBackend(): BlasBackendInfo {
  const lib = nativeBlas();
  if (lib === null) {
    return {
      name: "ts",
      library: null,
      threads: 1,
      config: `TypeScript, ${tsKernel()} micro-kernel`,
    };
  }
  return { name: lib.name, library: lib.path, threads: lib.threads(), config: lib.config };
}

/**
 * Sets how many threads the native library uses (OpenBLAS; no effect on the
 * TypeScript kernel, which is single-threaded).
 *
 * @param count A positive integer, e.g. `1` when other processes share the cores.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blasBackend, setBlasThreads } from "./backend.ts";
 *
 * const before = blasBackend().threads ?? 1;
 * setBlasThreads(1);
 * if (blasBackend().name === "openblas") assert.equal(blasBackend().threads, 1);
 * setBlasThreads(before);
 * ```
 */
export function setBlasThreads(count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Cannot set BLAS threads: expected a positive integer, got ${count}`);
  }
  nativeBlas()?.setThreads(count);
}
