import assert from "node:assert/strict";
import { trainTestSplit } from "../../lib/data/train_test_split.ts";
import { RandomState } from "../../lib/random_state.ts";

const fixture = JSON.parse(
  await Deno.readTextFile(
    new URL("../fixtures/random_state/numpy_random_state.json", import.meta.url),
  ),
) as { digitsSplit: { nTest: number; test: number[]; train: number[] } };

Deno.test("trainTestSplit() gives seed 004's digits split: test_size 0.33, random_state 42", () => {
  const { train, test } = trainTestSplit(1797, { testSize: 0.33, randomState: 42 });
  assert.equal(test.length, 594);
  assert.equal(train.length, 1203);
  assert.deepEqual([...test], fixture.digitsSplit.test);
  assert.deepEqual([...train], fixture.digitsSplit.train);
});

Deno.test("trainTestSplit() with a shared RandomState repeats sklearn's ShuffleSplit doc example", () => {
  // sklearn's ShuffleSplit docstring: ShuffleSplit(test_size=.25, train_size=.5,
  // random_state=0) on 4 samples prints TRAIN [3 1] TEST [2], then [2 1] [0], then [0 2] [3].
  const rs = new RandomState(0);
  const splits = [0, 1, 2].map(() => {
    const s = trainTestSplit(4, { testSize: 0.25, trainSize: 0.5, randomState: rs });
    return [[...s.train], [...s.test]];
  });
  assert.deepEqual(splits, [[[3, 1], [2]], [[2, 1], [0]], [[0, 2], [3]]]);
});

Deno.test("trainTestSplit() sizes follow sklearn: ceil for test fractions, floor for train", async (t) => {
  await t.step("default test size 0.25", () => {
    const s = trainTestSplit(10, { randomState: 1 });
    assert.deepEqual([s.test.length, s.train.length], [3, 7]);
  });
  await t.step("integer counts", () => {
    const s = trainTestSplit(10, { testSize: 2, trainSize: 5, randomState: 1 });
    assert.deepEqual([s.test.length, s.train.length], [2, 5]);
  });
  await t.step("train fraction only: test is the rest", () => {
    const s = trainTestSplit(10, { trainSize: 0.66, randomState: 1 });
    assert.deepEqual([s.train.length, s.test.length], [6, 4]);
  });
  await t.step("train and test are disjoint and cover the permutation prefix", () => {
    const s = trainTestSplit(50, { testSize: 0.2, randomState: 3 });
    const all = new Set([...s.train, ...s.test]);
    assert.equal(all.size, 50);
  });
});

Deno.test("trainTestSplit() rejects impossible sizes and a missing randomState", async (t) => {
  await t.step("test fraction 1", () => {
    assert.throws(
      () => trainTestSplit(10, { testSize: 1.5, randomState: 0 }),
      /Cannot split 10 samples: testSize must be a fraction in \(0, 1\) or an integer in \[1, 9\], got 1\.5/,
    );
  });
  await t.step("sizes over n", () => {
    assert.throws(
      () => trainTestSplit(10, { testSize: 6, trainSize: 5, randomState: 0 }),
      /5 train \+ 6 test samples exceed the 10 available/,
    );
  });
  await t.step("empty train set", () => {
    assert.throws(
      () => trainTestSplit(3, { trainSize: 0.1, randomState: 0 }),
      /leave an empty set \(0 train, 3 test\)/,
    );
  });
  await t.step("n too small", () => {
    assert.throws(() => trainTestSplit(1, { randomState: 0 }), RangeError);
  });
  await t.step("no randomState", () => {
    assert.throws(
      () => trainTestSplit(10, {} as unknown as { randomState: number }),
      (e: unknown) => e instanceof TypeError && /option randomState is required/.test(e.message),
    );
  });
});
