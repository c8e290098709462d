/**
 * A native CBLAS library (OpenBLAS, Apple Accelerate, or any library with
 * the `cblas_*` symbols) opened through `Deno.dlopen`: gemm (what
 * {@linkcode gemmRaw} calls), plus gemv and ger, in single and double
 * precision. (gemv / ger measured slower than gemm on the per-sample SGD
 * shapes with OpenBLAS 0.3.21, so gemmRaw does not route to them.)
 * The ILP64 OpenBLAS that NumPy wheels bundle (`scipy_cblas_sgemm64_`, …)
 * is understood too, for `NNKIT_BLAS_LIB=/path/to/libscipy_openblas64_….so`.
 *
 * Typed arrays are passed as FFI `"buffer"` parameters, so a `subarray` view
 * passes a pointer to its first element (its `byteOffset` is honoured) and
 * nothing is copied. Opening needs `--allow-ffi`.
 *
 * @module
 */

import type { FloatArray } from "../dtypes.ts";

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

/** How a library spells its symbols and what size its integers are. */
interface SymbolFlavour {
  /** `"i32"` for the usual LP64 interface, `"i64"` for ILP64 builds. */
  int: "i32" | "i64";
  /** Actual symbol name for a canonical one, e.g. `cblas_sgemm` → `scipy_cblas_sgemm64_`. */
  rename: (name: string) => string;
}

/** The usual CBLAS (LP64), then the ILP64 build NumPy wheels bundle (scipy-openblas64). */
const FLAVOURS: readonly SymbolFlavour[] = [
  { int: "i32", rename: (name) => name },
  { int: "i64", rename: (name) => `scipy_${name}64_` },
];

function symbolTable({ int, rename }: SymbolFlavour) {
  const gemm = (real: "f32" | "f64") =>
    ({
      parameters: [
        "i32",
        "i32",
        "i32",
        int,
        int,
        int,
        real,
        "buffer",
        int,
        "buffer",
        int,
        real,
        "buffer",
        int,
      ],
      result: "void",
    }) as const;
  const gemv = (real: "f32" | "f64") =>
    ({
      parameters: ["i32", "i32", int, int, real, "buffer", int, "buffer", int, real, "buffer", int],
      result: "void",
    }) as const;
  const ger = (real: "f32" | "f64") =>
    ({
      parameters: ["i32", int, int, real, "buffer", int, "buffer", int, "buffer", int],
      result: "void",
    }) as const;
  const named = <T extends object>(name: string, def: T) => ({ name: rename(name), ...def });
  return {
    cblas_sgemm: named("cblas_sgemm", gemm("f32")),
    cblas_dgemm: named("cblas_dgemm", gemm("f64")),
    cblas_sgemv: named("cblas_sgemv", gemv("f32")),
    cblas_dgemv: named("cblas_dgemv", gemv("f64")),
    cblas_sger: named("cblas_sger", ger("f32")),
    cblas_dger: named("cblas_dger", ger("f64")),
    openblas_get_num_threads: named(
      "openblas_get_num_threads",
      {
        parameters: [],
        result: "i32",
        optional: true,
      } as const,
    ),
    openblas_set_num_threads: named(
      "openblas_set_num_threads",
      {
        parameters: ["i32"],
        result: "void",
        optional: true,
      } as const,
    ),
    openblas_get_config: named(
      "openblas_get_config",
      {
        parameters: [],
        result: "pointer",
        optional: true,
      } as const,
    ),
    openblas_get_corename: named(
      "openblas_get_corename",
      {
        parameters: [],
        result: "pointer",
        optional: true,
      } as const,
    ),
  } as const;
}

/** The LP64 table's type; ILP64 tables take the same calls (numbers fit `i64` parameters). */
const SYMBOLS = symbolTable(FLAVOURS[0]);

type CblasSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** A loaded CBLAS library. All matrices are row-major. */
export interface CblasLibrary {
  /** `"openblas"` when the OpenBLAS extensions are present, else `"cblas"`. */
  readonly name: "openblas" | "cblas";
  /** The path or soname that was opened. */
  readonly path: string;
  /** OpenBLAS build and core description (e.g. `"OpenBLAS 0.3.21 … SkylakeX"`), else `null`. */
  readonly config: string | null;
  /** `C = alpha · op(A) · op(B) + beta · C` (see {@linkcode gemmRaw} for the arguments). */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: FloatArray,
    lda: number,
    b: FloatArray,
    ldb: number,
    beta: number,
    c: FloatArray,
    ldc: number,
  ): void;
  /**
   * `y = alpha · op(A) · x + beta · y` for a stored `A` `[rows, cols]`;
   * `op(A)` is `A` (x has `cols` elements) or `Aᵀ` with `trans` (x has `rows`).
   */
  gemv(
    trans: boolean,
    rows: number,
    cols: number,
    alpha: number,
    a: FloatArray,
    lda: number,
    x: FloatArray,
    incx: number,
    beta: number,
    y: FloatArray,
    incy: number,
  ): void;
  /** Rank-1 update `A += alpha · x · yᵀ` for `A` `[rows, cols]`, `x` `[rows]`, `y` `[cols]`. */
  ger(
    rows: number,
    cols: number,
    alpha: number,
    x: FloatArray,
    incx: number,
    y: FloatArray,
    incy: number,
    a: FloatArray,
    lda: number,
  ): void;
  /** Threads the library uses, or `null` when it cannot say (not OpenBLAS). */
  threads(): number | null;
  /** Sets the thread count (OpenBLAS only; ignored elsewhere). */
  setThreads(count: number): void;
  /** Unloads the library. */
  close(): void;
}

/** Why one candidate library did not load. */
export interface CblasAttempt {
  /** The path or soname tried. */
  path: string;
  /** The loader's message. */
  error: string;
}

/** Result of {@linkcode openCblas}: the first library that loaded, and every failure before it. */
export interface CblasOpenResult {
  /** The loaded library, or `null` when none loaded. */
  library: CblasLibrary | null;
  /** Candidates that failed, in the order tried. */
  attempts: CblasAttempt[];
}

/**
 * Library candidates for an OS and CPU, most specific first: OpenBLAS, then a
 * generic CBLAS (Debian's `libcblas.so.3` / `libblas.so.3`), and Apple's
 * Accelerate framework on macOS. Bare sonames go through the system loader's
 * search path (`LD_LIBRARY_PATH`, ld.so.cache).
 *
 * @param os `Deno.build.os`.
 * @param arch `Deno.build.arch`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cblasCandidates } from "./cblas.ts";
 *
 * const linux = cblasCandidates("linux", "x86_64");
 * assert.equal(linux[0], "/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
 * assert.ok(linux.includes("libcblas.so.3"));
 * assert.ok(cblasCandidates("darwin", "aarch64").some((p) => p.includes("Accelerate")));
 * ```
 */
export function cblasCandidates(
  os: typeof Deno.build.os = Deno.build.os,
  arch: typeof Deno.build.arch = Deno.build.arch,
): string[] {
  if (os === "darwin") {
    return [
      "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
      "/usr/local/opt/openblas/lib/libopenblas.dylib",
      "/System/Library/Frameworks/Accelerate.framework/Accelerate",
    ];
  }
  if (os === "windows") return ["libopenblas.dll", "openblas.dll"];
  const triple = `/usr/lib/${arch}-linux-gnu`;
  return [
    `${triple}/libopenblas.so.0`,
    `${triple}/openblas-pthread/libopenblas.so.0`,
    "/usr/lib64/libopenblas.so.0",
    "/usr/local/lib/libopenblas.so.0",
    "libopenblas.so.0",
    "libopenblas.so",
    `${triple}/libcblas.so.3`,
    "libcblas.so.3",
    `${triple}/libblas.so.3`,
    "libblas.so.3",
  ];
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);
}

function fileMissing(path: string): boolean {
  // Accelerate lives in the dyld shared cache on current macOS: no file on disk.
  if (!isAbsolute(path) || path.includes(".framework/")) return false;
  try {
    Deno.statSync(path);
    return false;
  } catch (error) {
    // Without read permission, let dlopen decide.
    return error instanceof Deno.errors.NotFound;
  }
}

function cString(pointer: Deno.PointerValue): string | null {
  return pointer === null ? null : Deno.UnsafePointerView.getCString(pointer);
}

function wrap(path: string, lib: Deno.DynamicLibrary<Deno.ForeignLibraryInterface>): CblasLibrary {
  const s = lib.symbols as unknown as CblasSymbols;
  const isOpenblas = s.openblas_get_num_threads !== null;
  let config: string | null = null;
  if (s.openblas_get_config !== null) {
    config = cString(s.openblas_get_config());
    const core = s.openblas_get_corename === null ? null : cString(s.openblas_get_corename());
    if (core !== null && config !== null && !config.includes(core)) config += ` (core ${core})`;
  }
  return {
    name: isOpenblas ? "openblas" : "cblas",
    path,
    config,
    gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      const ta = transA ? TRANS : NO_TRANS, tb = transB ? TRANS : NO_TRANS;
      if (c instanceof Float32Array) {
        s.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      } else {
        s.cblas_dgemm(ROW_MAJOR, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      }
    },
    gemv(trans, rows, cols, alpha, a, lda, x, incx, beta, y, incy) {
      const t = trans ? TRANS : NO_TRANS;
      if (y instanceof Float32Array) {
        s.cblas_sgemv(ROW_MAJOR, t, rows, cols, alpha, a, lda, x, incx, beta, y, incy);
      } else {
        s.cblas_dgemv(ROW_MAJOR, t, rows, cols, alpha, a, lda, x, incx, beta, y, incy);
      }
    },
    ger(rows, cols, alpha, x, incx, y, incy, a, lda) {
      if (a instanceof Float32Array) {
        s.cblas_sger(ROW_MAJOR, rows, cols, alpha, x, incx, y, incy, a, lda);
      } else {
        s.cblas_dger(ROW_MAJOR, rows, cols, alpha, x, incx, y, incy, a, lda);
      }
    },
    threads() {
      return s.openblas_get_num_threads === null ? null : s.openblas_get_num_threads();
    },
    setThreads(count) {
      if (!Number.isInteger(count) || count < 1) {
        throw new RangeError(`Cannot set BLAS threads: expected a positive integer, got ${count}`);
      }
      if (s.openblas_set_num_threads !== null) s.openblas_set_num_threads(count);
    },
    close() {
      lib.close();
    },
  };
}

/**
 * Opens the first candidate that loads and exports the CBLAS routines.
 * Never throws for a missing library: failures are listed in `attempts`.
 * Without the FFI permission nothing is opened and every attempt says so.
 *
 * @param paths Candidates in order, default {@linkcode cblasCandidates}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openCblas } from "./cblas.ts";
 *
 * const { library, attempts } = openCblas(["/nonexistent/libopenblas.so.0"]);
 * assert.equal(library, null);
 * assert.match(attempts[0].error, /no such file/);
 * ```
 */
export function openCblas(paths: readonly string[] = cblasCandidates()): CblasOpenResult {
  const attempts: CblasAttempt[] = [];
  // Query first: calling dlopen without the permission would prompt in a terminal.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    const error = "FFI permission not granted";
    return { library: null, attempts: paths.map((path) => ({ path, error })) };
  }
  for (const path of paths) {
    if (fileMissing(path)) {
      attempts.push({ path, error: "no such file" });
      continue;
    }
    let firstError = "";
    for (const flavour of FLAVOURS) {
      try {
        const lib = Deno.dlopen(path, symbolTable(flavour));
        return {
          library: wrap(path, lib as Deno.DynamicLibrary<Deno.ForeignLibraryInterface>),
          attempts,
        };
      } catch (error) {
        // Report the plain-CBLAS failure: it names the missing symbol or file.
        firstError ||= error instanceof Error ? error.message : String(error);
      }
    }
    attempts.push({ path, error: firstError });
  }
  return { library: null, attempts };
}
