/**
 * scikit-learn's `train_test_split` as index lists, exactly: with an integer
 * `randomState` it returns the same train and test indices, in the same
 * order, as `train_test_split(X, y, test_size=…, random_state=…)` (seed 004:
 * `test_size=0.33, random_state=42` on the 1,797 digits gives 594 test and
 * 1,203 train images). Take the rows with `gatherRows(X, split.train)`.
 *
 * The rule (sklearn's `ShuffleSplit`): `p = RandomState(seed).permutation(n)`
 * (NumPy's legacy MT19937, see `random_state.ts`), `test = p[0 : nTest]`,
 * `train = p[nTest : nTest + nTrain]`, with `nTest = ceil(testSize · n)` for
 * a fraction and `nTrain = n − nTest` unless `trainSize` says otherwise
 * (`floor(trainSize · n)` for a fraction).
 *
 * @module
 */

import { RandomState } from "../random_state.ts";

/** Options of {@linkcode trainTestSplit}. */
export interface TrainTestSplitOptions {
  /**
   * Test set size: a fraction in (0, 1) (`ceil(testSize · n)` samples) or a
   * count, an integer in [1, n − 1]. Default: `n − nTrain` when `trainSize`
   * is given, else 0.25 (sklearn's default).
   */
  testSize?: number;
  /**
   * Train set size: a fraction in (0, 1) (`floor(trainSize · n)` samples) or
   * a count in [1, n − 1]. Default: the rest, `n − nTest`.
   */
  trainSize?: number;
  /**
   * sklearn's `random_state`: an integer seed in [0, 2³² − 1] or a
   * {@linkcode RandomState} (its stream advances, as sklearn's does).
   * Required: an unseeded split cannot be repeated.
   */
  randomState: number | RandomState;
}

/** Indices of the two sets, each in sklearn's order. */
export interface SplitIndices {
  /** Training rows `[nTrain]`. */
  train: Uint32Array;
  /** Test rows `[nTest]`. */
  test: Uint32Array;
}

function sizeOf(
  name: "testSize" | "trainSize",
  value: number,
  n: number,
  round: (x: number) => number,
): number {
  if (value > 0 && value < 1) return round(value * n);
  if (Number.isInteger(value) && value >= 1 && value < n) return value;
  throw new RangeError(
    `Cannot split ${n} samples: ${name} must be a fraction in (0, 1) or an integer in [1, ${
      n - 1
    }], got ${value}`,
  );
}

/**
 * Splits `0 … n−1` into train and test indices as sklearn's
 * `train_test_split(…, random_state=seed)` does.
 *
 * @param n Number of samples (rows of `X`), an integer ≥ 2.
 * @param options `testSize`, `trainSize`, `randomState` (required).
 * @returns `{ train: [nTrain], test: [nTest] }`.
 * @throws {RangeError} When a size is out of range, the two sizes add up to
 *   more than `n`, or either set would be empty.
 * @throws {TypeError} When `randomState` is missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainTestSplit } from "./train_test_split.ts";
 *
 * // sklearn: train_test_split(range(10), test_size=0.33, random_state=0)
 * const { train, test } = trainTestSplit(10, { testSize: 0.33, randomState: 0 });
 * assert.deepEqual([...test], [2, 8, 4, 9]);
 * assert.deepEqual([...train], [1, 6, 7, 3, 0, 5]);
 * ```
 */
export function trainTestSplit(n: number, options: TrainTestSplitOptions): SplitIndices {
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(`Cannot split samples: n must be an integer >= 2, got ${n}`);
  }
  const { randomState } = options ?? {};
  if (randomState === undefined) {
    throw new TypeError(
      `Cannot split ${n} samples: option randomState is required (an integer seed, as sklearn's random_state)`,
    );
  }
  let { testSize, trainSize } = options;
  if (testSize === undefined && trainSize === undefined) testSize = 0.25;
  const nTest = testSize === undefined ? undefined : sizeOf("testSize", testSize, n, Math.ceil);
  const nTrain = trainSize === undefined
    ? n - nTest!
    : sizeOf("trainSize", trainSize, n, Math.floor);
  const test = nTest ?? n - nTrain;
  if (nTrain + test > n) {
    throw new RangeError(
      `Cannot split ${n} samples: ${nTrain} train + ${test} test samples exceed the ${n} available`,
    );
  }
  if (nTrain === 0 || test === 0) {
    throw new RangeError(
      `Cannot split ${n} samples: the sizes leave an empty set (${nTrain} train, ${test} test)`,
    );
  }
  const rs = typeof randomState === "number" ? new RandomState(randomState) : randomState;
  const p = rs.permutation(n);
  return { test: p.slice(0, test), train: p.slice(test, test + nTrain) };
}
