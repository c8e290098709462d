/**
 * The MNIST test set in the course's HDF5 data layout (`xdata [10000, 784]`,
 * `ydata [10000, 10]`), generated from the verified IDX files on first use,
 * so notebook 05 reads HDF5 exactly as seed 003 Q2 read `mnisttestdata.hdf5`.
 *
 * The file (float64, contiguous: what h5py writes by default for numpy's
 * `pixels / 255`; 63.5 MB) goes to the gitignored `.cache/data/` and is
 * written atomically, so concurrent first uses are safe.
 *
 * @module
 */

import { oneHot } from "../tensor/ops.ts";
import { writeCourseData } from "./course_layout.ts";
import { loadMnist } from "./mnist.ts";
import { cacheDir } from "./paths.ts";

/** Options of {@linkcode ensureMnistTestHdf5}. */
export interface EnsureMnistTestHdf5Options {
  /** Where to write. Default `.cache/data/mnist_testdata.hdf5`. */
  path?: string;
  /** Regenerate even if the file exists. Default `false`. */
  force?: boolean;
}

/**
 * Returns the path of the MNIST test set in the course's layout, writing it
 * from the IDX files first if it does not exist yet.
 *
 * @param options Destination path and `force`.
 * @returns The HDF5 file's path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCourseData } from "./course_layout.ts";
 * import { ensureMnistTestHdf5 } from "./mnist_test_hdf5.ts";
 *
 * const { X, labels } = await readCourseData(await ensureMnistTestHdf5());
 * assert.deepEqual(X.shape, [10000, 784]);
 * assert.equal(labels[0], 7);
 * ```
 */
export async function ensureMnistTestHdf5(
  options: EnsureMnistTestHdf5Options = {},
): Promise<string> {
  const path = options.path ?? `${cacheDir("data")}/mnist_testdata.hdf5`;
  if (!options.force) {
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  const { X, labels } = await loadMnist({ split: "test", dtype: "float64" });
  await writeCourseData(path, { X, Y: oneHot(labels, 10, "float64") });
  return path;
}
