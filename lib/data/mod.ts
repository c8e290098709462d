/**
 * Data in and out: the IDX reader and verified MNIST loader, the 8×8 digits,
 * HDF5 through h5wasm, the course's HDF5 layouts, sklearn's train/test split,
 * and file helpers (atomic writes, checksums, project paths).
 *
 * @module
 */

export * from "./atomic_write.ts";
export * from "./checksum.ts";
export * from "./course_layout.ts";
export * from "./digits.ts";
export * from "./hdf5.ts";
export * from "./idx.ts";
export * from "./mnist.ts";
export * from "./mnist_test_hdf5.ts";
export * from "./paths.ts";
export * from "./train_test_split.ts";
