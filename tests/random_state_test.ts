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
