/**
 * Matrix products at BLAS speed: {@linkcode gemmRaw} on raw row-major
 * arrays, backed by a native CBLAS library through `Deno.dlopen` (OpenBLAS
 * on Linux, Accelerate on macOS) or by a pure-TypeScript blocked kernel.
 * {@linkcode blasBackend} tells which runs; `NNKIT_BLAS=ts` forces the
 * TypeScript kernel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blasBackend, gemmRaw } from "./mod.ts";
 *
 * const c = new Float32Array(1);
 * gemmRaw(false, false, 1, 1, 3, 1, new Float32Array([1, 2, 3]), 3, new Float32Array([4, 5, 6]), 1, 0, c, 1);
 * assert.equal(c[0], 32);
 * assert.ok(["openblas", "cblas", "ts"].includes(blasBackend().name));
 * ```
 *
 * @module
 */

export * from "./gemm.ts";
export * from "./gemm_ts.ts";
export * from "./backend.ts";
export * from "./cblas.ts";
