/**
 * The kit's single entry point: notebooks import everything from here.
 *
 * @module
 */

export {
  loadNativeKernels,
  nativeBackend,
  type NativeBackendInfo,
  type NativeKernels,
  nativeKernels,
  useNativeBackend,
} from "./native/mod.ts";
export * from "./dtypes.ts";
export * from "./tensor/mod.ts";
export * from "./blas/mod.ts";
export * from "./random.ts";
export * from "./random_state.ts";
export * from "./nn/mod.ts";
export * from "./train/mod.ts";
export * from "./metrics.ts";
export * from "./data/mod.ts";
export * from "./inference/mod.ts";
export * from "./plot/mod.ts";
export * from "./export/mod.ts";
export * from "./jupyter/mod.ts";
export * from "./params.ts";
export * from "./report.ts";
