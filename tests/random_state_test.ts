// NumPy's legacy RandomState, bit for bit: the oracle is NumPy itself, run once by
// tests/fixtures/random_state/make_fixture.py and committed as JSON.
import assert from "node:assert/strict";
import { RandomState } from "../lib/random_state.ts";

interface SeedFixture {
  uint32: number[];
  random: number[];
  interval: Record<string, number[]>;
  permutation: Record<string, number[]>;
  permutation70000: { first: number[]; checksum: number };
  twoPermutations10: number[][];
}

const fixture = JSON.parse(
  await Deno.readTextFile(
    new URL("./fixtures/random_state/numpy_random_state.json", import.meta.url),
  ),
) as { seeds: Record<string, SeedFixture> };

const SEEDS = Object.keys(fixture.seeds).map(Number);

function checksum(p: Uint32Array): bigint {
  const modulus = (1n << 61n) - 1n;
  let s = 0n;
  for (let i = 0; i < p.length; i++) s += BigInt(i) * BigInt(p[i]);
  return s % modulus;
}

Deno.test("RandomState fixture covers the seed range ends and the digits split seed", () => {
  assert.deepEqual(SEEDS, [0, 1, 42, 123456789, 4294967295]);
});

Deno.test("RandomState.nextUint32() gives NumPy's raw MT19937 outputs", async (t) => {
  for (const seed of SEEDS) {
    await t.step(`seed ${seed}`, () => {
      const rs = new RandomState(seed);
      const got = Array.from({ length: 8 }, () => rs.nextUint32());
      assert.deepEqual(got, fixture.seeds[seed].uint32);
    });
  }
});

Deno.test("RandomState.random() gives NumPy's random_sample() doubles", async (t) => {
  for (const seed of SEEDS) {
    await t.step(`seed ${seed}`, () => {
      const rs = new RandomState(seed);
      assert.deepEqual(
        [rs.random(), rs.random(), rs.random(), rs.random()],
        fixture.seeds[seed].random,
      );
    });
  }
});

Deno.test("RandomState.interval() matches legacy randint(0, max + 1) (masked rejection)", async (t) => {
  for (const seed of SEEDS) {
    for (const [max, expected] of Object.entries(fixture.seeds[seed].interval)) {
      await t.step(`seed ${seed}, max ${max}`, () => {
        const rs = new RandomState(seed);
        const got = Array.from({ length: expected.length }, () => rs.interval(Number(max)));
        assert.deepEqual(got, expected);
      });
    }
  }
});

Deno.test("RandomState.interval(0) returns 0 without drawing", () => {
  const a = new RandomState(7), b = new RandomState(7);
  assert.equal(a.interval(0), 0);
  assert.equal(a.nextUint32(), b.nextUint32());
});

Deno.test("RandomState.permutation() equals np.random.RandomState(seed).permutation(n)", async (t) => {
  for (const seed of SEEDS) {
    for (const [n, expected] of Object.entries(fixture.seeds[seed].permutation)) {
      await t.step(`seed ${seed}, n ${n}`, () => {
        assert.deepEqual([...new RandomState(seed).permutation(Number(n))], expected);
      });
    }
  }
});

Deno.test("RandomState.permutation(70000) matches NumPy (masks above 2^16)", async (t) => {
  for (const seed of SEEDS) {
    await t.step(`seed ${seed}`, () => {
      const p = new RandomState(seed).permutation(70000);
      const expected = fixture.seeds[seed].permutation70000;
      assert.deepEqual([...p.subarray(0, 20)], expected.first);
      assert.equal(checksum(p), BigInt(expected.checksum));
    });
  }
});

Deno.test("RandomState draws consecutive permutations from one stream as NumPy does", () => {
  for (const seed of SEEDS) {
    const rs = new RandomState(seed);
    const got = [[...rs.permutation(10)], [...rs.permutation(10)]];
    assert.deepEqual(got, fixture.seeds[seed].twoPermutations10);
  }
});

Deno.test("RandomState.shuffle() permutes any sequence like permutation() permutes indices", () => {
  const letters = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
  const order = new RandomState(3).permutation(10);
  assert.deepEqual(new RandomState(3).shuffle([...letters]), [...order].map((i) => letters[i]));
  assert.deepEqual(new RandomState(3).shuffle([]), []);
});

Deno.test("RandomState rejects seeds NumPy rejects", async (t) => {
  for (const bad of [-1, 2 ** 32, 1.5, NaN]) {
    await t.step(`seed ${bad}`, () => {
      assert.throws(
        () => new RandomState(bad),
        (e: unknown) =>
          e instanceof RangeError &&
          /Cannot seed RandomState: seed must be an integer in \[0, 2\^32 - 1\]/.test(e.message),
      );
    });
  }
});

Deno.test("RandomState rejects bad interval and permutation sizes", () => {
  const rs = new RandomState(0);
  assert.throws(() => rs.interval(-1), /Cannot draw interval: max must be an integer/);
  assert.throws(() => rs.interval(2 ** 32), /got 4294967296/);
  assert.throws(() => rs.permutation(2.5), /Cannot draw permutation: n must be an integer/);
});

// The legacy Gaussian: seed 003's initial weights, from
// tests/fixtures/random_state/make_gauss_fixture.py (NumPy itself).
const gaussFixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/random_state/numpy_gauss.json", import.meta.url)),
) as {
  softmax: { w: number[]; b: number[] };
  logistic: { w: number[]; b: number[] };
  cached: { first: number[]; second: number[]; uniformAfter: number };
};

/**
 * NumPy's `log` is C's; V8's `Math.log` may round the other way (1 ulp) for a
 * rare `r²`, which changes that pair by an ulp. Count exact matches and bound
 * the rest by one ulp (relative 2⁻⁵²).
 */
function assertUlpClose(got: ArrayLike<number>, expected: number[], minExact: number): void {
  assert.equal(got.length, expected.length);
  let exact = 0;
  for (let i = 0; i < expected.length; i++) {
    if (got[i] === expected[i]) exact++;
    else {
      const rel = Math.abs(got[i] - expected[i]) / Math.abs(expected[i]);
      assert.ok(rel <= 2 ** -52, `draw ${i}: ${got[i]} vs NumPy's ${expected[i]} (rel ${rel})`);
    }
  }
  assert.ok(exact >= minExact, `${exact} of ${expected.length} draws bit-identical`);
}

Deno.test("RandomState.normal() gives seed 003's softmax init: seed(0), normal(0, 10, (784, 10)), randn(10, 1)", () => {
  const rs = new RandomState(0);
  const w = rs.normal(new Float64Array(7840), 0, 10);
  const b = rs.normal(new Float64Array(10));
  assertUlpClose(w, gaussFixture.softmax.w, 7830); // 7,838 of 7,840 with V8 here
  assert.deepEqual([...b], gaussFixture.softmax.b);
});

Deno.test("RandomState.normal() gives seed 003's logistic init: seed(1), normal(0, 10, (1, 784)), randn(1)", () => {
  const rs = new RandomState(1);
  const w = rs.normal(new Float64Array(784), 0, 10);
  const b = rs.normal([0]);
  assertUlpClose(w, gaussFixture.logistic.w, 780);
  assert.deepEqual(b, gaussFixture.logistic.b);
});

Deno.test("RandomState.gauss() keeps the pair's second value across calls, as NumPy does", () => {
  const rs = new RandomState(42);
  assert.deepEqual([rs.gauss(), rs.gauss(), rs.gauss()], gaussFixture.cached.first);
  assert.deepEqual([rs.gauss(), rs.gauss()], gaussFixture.cached.second);
  assert.equal(rs.random(), gaussFixture.cached.uniformAfter);
});

Deno.test("RandomState.normal() rejects a negative or non-finite scale", () => {
  assert.throws(() => new RandomState(0).normal(new Float64Array(1), 0, -1), /scale must be/);
  assert.throws(() => new RandomState(0).normal(new Float64Array(1), 0, NaN), /got NaN/);
});
