/**
 * The native layer, at the bottom of `lib/`: the C kernels (`kernels.c`:
 * sparse products, seed 003's one-pass linear-model kernels and softmax SGD,
 * large activations and row softmax, column sums, transposes, the row gather
 * of mini-batches), compiled on first use and opened with `Deno.dlopen`
 * (`build.ts`), and the TypeScript twins of the kernels that have no
 * textbook form elsewhere (`sparse.ts`, `gather.ts`): one call, and this
 * layer picks C or TypeScript. Layers above keep their textbook loops and
 * make one named call down for large inputs (`elementwise.ts`):
 * `if (nativeSigmoid(Z.data, A.data)) return A;`.
 *
 * It imports nothing from the rest of `lib/`: arguments are typed arrays
 * and sizes.
 *
 * `NNKIT_NATIVE=ts` (or the older `NNKIT_SPARSE=ts`) forces the TypeScript
 * twins, `=native` fails loudly when the build fails; `NNKIT_CC` names the
 * C compiler.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gatherRows, loadNativeKernels, nativeBackend } from "./mod.ts";
 *
 * await loadNativeKernels();
 * assert.ok(["native", "ts"].includes(nativeBackend().name));
 * const dst = new Float32Array(2);
 * gatherRows(new Float32Array([1, 2, 3, 4]), 2, new Uint32Array([1]), 0, 1, dst);
 * assert.deepEqual([...dst], [3, 4]);
 * ```
 *
 * @module
 */

export * from "./build.ts";
export * from "./elementwise.ts";
export * from "./sparse.ts";
export * from "./gather.ts";
