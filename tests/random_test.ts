import assert from "node:assert/strict";
import { Prng } from "../lib/random.ts";

/**
 * An independent reference of the documented algorithm in Python (arbitrary
 * precision integers, explicit 32-bit masks): SplitMix32 seeding from the
 * seed's low word, the high word mixed into the second state word by fmix32,
 * then xoshiro128**. Prints, per seed, 6 raw outputs and 2 random() doubles.
 */
const PY_REFERENCE = `
import sys, json
M = 0xFFFFFFFF
def fmix(z):
    z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M
    z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M
    return z ^ (z >> 16)
def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M
out = {}
for seed in json.loads(sys.argv[1]):
    s = seed & M
    words = []
    for _ in range(4):
        s = (s + 0x9E3779B9) & M
        words.append(fmix(s))
    a, b, c, d = words
    b ^= fmix((seed >> 32) & M)
    def nxt():
        global a, b, c, d
        r = (rotl((b * 5) & M, 7) * 9) & M
        t = (b << 9) & M
        c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11)
        return r
    ints = [nxt() for _ in range(6)]
    doubles = []
    for _ in range(2):
        hi = nxt() >> 5; lo = nxt() >> 6
        doubles.append((hi * 67108864 + lo) / 9007199254740992)
    out[str(seed)] = [ints, doubles]
print(json.dumps(out))
`;

Deno.test("Prng matches an independent Python reference of xoshiro128** and its seeding", async () => {
  const seeds = [0, 1, 42, 2 ** 31 + 5, 2 ** 32 - 1, 2 ** 32, -1, -(2 ** 40) - 3, 2 ** 53 - 1];
  const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", PY_REFERENCE, JSON.stringify(seeds)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const expected = JSON.parse(new TextDecoder().decode(stdout));
  for (const seed of seeds) {
    const prng = new Prng(seed);
    const ints = Array.from({ length: 6 }, () => prng.nextUint32());
    const doubles = [prng.random(), prng.random()];
    assert.deepEqual([ints, doubles], expected[String(seed)], `seed ${seed}`);
  }
});

Deno.test("Prng gives the same stream for the same seed, method by method", () => {
  const draw = (prng: Prng) => [
    prng.random(),
    prng.uniform(-0.5, 0.5),
    prng.normal(0, 1),
    prng.normal(0, 1),
    prng.normal(5, 2),
    prng.int(10),
    ...prng.permutation(20),
    ...prng.fillNormal(new Float32Array(5), 0, 0.1),
    ...prng.fillUniform(new Float64Array(5), -1, 1),
  ];
  assert.deepEqual(draw(new Prng(2024)), draw(new Prng(2024)));
  assert.notDeepEqual(draw(new Prng(2024)), draw(new Prng(2025)));
});

Deno.test("Prng streams of distinct seeds differ (nearby, negative and beyond 32 bits)", () => {
  const seeds = [
    ...Array.from({ length: 2000 }, (_, i) => i - 1000),
    2 ** 31,
    2 ** 32,
    2 ** 32 + 1,
    -(2 ** 32),
    2 ** 53 - 1,
    -(2 ** 53 - 1),
  ];
  const firsts = new Set<string>();
  for (const seed of seeds) {
    const prng = new Prng(seed);
    firsts.add(`${prng.nextUint32()},${prng.nextUint32()}`);
  }
  assert.equal(firsts.size, seeds.length);
});

Deno.test("Prng rejects seeds that are not safe integers", () => {
  for (const seed of [1.5, NaN, Infinity, 2 ** 53]) {
    assert.throws(() => new Prng(seed), {
      name: "TypeError",
      message: `Cannot seed Prng: seed must be a safe integer, got ${seed}`,
    });
  }
});

function moments(xs: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  const mean = s / xs.length;
  for (let i = 0; i < xs.length; i++) s2 += (xs[i] - mean) ** 2;
  return { mean, variance: s2 / (xs.length - 1) };
}

// n = 200,000 draws; tolerances are about 5 standard errors.
const N = 200_000;

Deno.test("Prng.uniform() has mean (a+b)/2 and variance (b−a)²/12, within [a, b)", () => {
  const prng = new Prng(7);
  const xs = new Float64Array(N);
  for (let i = 0; i < N; i++) xs[i] = prng.uniform(-0.5, 1.5);
  const { mean, variance } = moments(xs);
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(4 / 12 / N), `mean ${mean}`);
  assert.ok(Math.abs(variance - 4 / 12) < 0.01, `variance ${variance}`);
  assert.ok(xs.every((x) => x >= -0.5 && x < 1.5));
  const random = new Prng(8).fillUniform(new Float64Array(N));
  assert.ok(random.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(moments(random).mean - 0.5) < 5 * Math.sqrt(1 / 12 / N));
});

Deno.test("Prng.normal() has the requested mean and standard deviation", () => {
  const prng = new Prng(11);
  const xs = new Float64Array(N);
  for (let i = 0; i < N; i++) xs[i] = prng.normal(2, 3);
  const { mean, variance } = moments(xs);
  assert.ok(Math.abs(mean - 2) < 5 * 3 / Math.sqrt(N), `mean ${mean}`);
  assert.ok(
    Math.abs(Math.sqrt(variance) - 3) < 5 * 3 / Math.sqrt(2 * N),
    `std ${Math.sqrt(variance)}`,
  );
  // About 68.27 % within one standard deviation.
  const within = xs.filter((x) => Math.abs(x - 2) < 3).length / N;
  assert.ok(Math.abs(within - 0.6827) < 0.005, `within 1σ: ${within}`);
  const filled = new Prng(12).fillNormal(new Float32Array(N), 0, 0.1);
  assert.ok(Math.abs(Math.sqrt(moments(filled).variance) - 0.1) < 0.001);
});

Deno.test("Prng.int() stays in [0, n), hits every value evenly and rejects bad n", () => {
  const prng = new Prng(3);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < N; i++) {
    const k = prng.int(10);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 10);
    counts[k]++;
  }
  // χ² with 9 degrees of freedom: P(χ² > 27.9) = 0.001.
  const chi2 = counts.reduce((s, c) => s + (c - N / 10) ** 2 / (N / 10), 0);
  assert.ok(chi2 < 27.9, `chi² ${chi2}, counts ${counts}`);
  for (let i = 0; i < 100; i++) assert.equal(prng.int(1), 0);
  for (let i = 0; i < 100; i++) {
    const k = prng.int(2 ** 32);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 2 ** 32);
  }
  for (const n of [0, -1, 2.5, 2 ** 32 + 1, NaN]) {
    assert.throws(() => prng.int(n), {
      name: "RangeError",
      message: `Cannot draw integer: n must be an integer in [1, 2^32], got ${n}`,
    });
  }
});

Deno.test("Prng.permutation() and shuffle() return valid permutations", async (t) => {
  await t.step("permutation(n) holds 0..n-1 once each", () => {
    const p = new Prng(5).permutation(1000);
    assert.ok(p instanceof Uint32Array);
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
    assert.notDeepEqual([...p], Array.from({ length: 1000 }, (_, i) => i));
  });
  await t.step("edge sizes 0 and 1", () => {
    assert.deepEqual([...new Prng(5).permutation(0)], []);
    assert.deepEqual([...new Prng(5).permutation(1)], [0]);
  });
  await t.step("shuffle() keeps the elements and works in place", () => {
    const items = ["a", "b", "c", "d", "e", "f"];
    const same = new Prng(9).shuffle(items);
    assert.equal(same, items);
    assert.deepEqual([...items].sort(), ["a", "b", "c", "d", "e", "f"]);
  });
  await t.step("every position is equally likely (first element of a 4-permutation)", () => {
    const prng = new Prng(13);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[prng.permutation(4)[0]]++;
    // χ² with 3 degrees of freedom: P(χ² > 16.3) = 0.001.
    const chi2 = counts.reduce((s, c) => s + (c - 10_000) ** 2 / 10_000, 0);
    assert.ok(chi2 < 16.3, `chi² ${chi2}, counts ${counts}`);
  });
});
