/**
 * The tensor core: {@linkcode Matrix}, elementwise ops, reductions and
 * matrix products.
 *
 * @module
 */

export * from "./matrix.ts";
export * from "./ops.ts";
export * from "./matmul.ts";
