/**
 * The tensor core: {@linkcode Matrix}, elementwise ops, reductions and
 * matrix products, and sparse rows (CSR) with their fast products.
 *
 * @module
 */

export * from "./matrix.ts";
export * from "./ops.ts";
export * from "./matmul.ts";
export * from "./sparse_rows.ts";
