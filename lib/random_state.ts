/**
 * NumPy's legacy `np.random.RandomState` (the MT19937 Mersenne Twister),
 * bit for bit, for the few places where a seed's numbers came from a SEEDED
 * NumPy generator and must come back exactly: `RandomState(42).permutation(n)`
 * is what scikit-learn's `train_test_split(..., random_state=42)` shuffles
 * with (seed 004).
 *
 * Covered: integer seeding (`RandomState(seed)`, i.e. `init_genrand`), raw
 * 32-bit outputs, `random_sample()` (53-bit doubles), bounded integers by
 * masked rejection (`random_interval`, as the legacy `shuffle` draws them),
 * `shuffle` / `permutation` of a 1-d sequence, and the legacy Gaussian
 * (`legacy_gauss`, the polar Box–Muller method with its cached second value,
 * behind `normal`, `randn` and `standard_normal`: seed 003's
 * `np.random.seed(0); np.random.normal(0, 10, (784, 10))` initial weights).
 * Not covered: array seeds (`init_by_array`), other distributions, the new
 * `Generator` API. For everything else the kit uses the faster
 * {@linkcode Prng} of `random.ts`.
 *
 * @module
 */

const N = 624;
const M = 397;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const MATRIX_A = 0x9908b0df;

/**
 * NumPy's legacy `RandomState` seeded with an integer: the same stream of
 * numbers as `np.random.RandomState(seed)` for the methods it offers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RandomState } from "./random_state.ts";
 *
 * // python3 -c "import numpy as np; print(np.random.RandomState(0).permutation(10))"
 * assert.deepEqual([...new RandomState(0).permutation(10)], [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
 * // np.random.RandomState(42).randint(2**32, dtype=np.uint64) draws the first raw word
 * assert.equal(new RandomState(42).nextUint32(), 1608637542);
 * ```
 */
export class RandomState {
  readonly #mt = new Uint32Array(N);
  #index = N;
  #hasGauss = false;
  #gauss = 0;
  /** The integer seed this generator started from. */
  readonly seed: number;

  /**
   * Seeds the generator as `np.random.RandomState(seed)` does (MT19937's
   * `init_genrand`).
   *
   * @param seed An integer in [0, 2³² − 1], NumPy's range for integer seeds.
   * @throws {RangeError} When `seed` is not an integer in that range.
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(
        `Cannot seed RandomState: seed must be an integer in [0, 2^32 - 1] as NumPy requires, got ${seed}`,
      );
    }
    this.seed = seed;
    const mt = this.#mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  #twist(): void {
    const mt = this.#mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i] & UPPER_MASK) | (mt[(i + 1) % N] & LOWER_MASK);
      let next = mt[(i + M) % N] ^ (y >>> 1);
      if (y & 1) next ^= MATRIX_A;
      mt[i] = next;
    }
    this.#index = 0;
  }

  /** The next raw 32-bit output (MT19937 `genrand_int32`), an unsigned integer. */
  nextUint32(): number {
    if (this.#index >= N) this.#twist();
    let y = this.#mt[this.#index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * A double uniform in [0, 1) from two raw outputs (53 bits), as NumPy's
   * `random_sample()` / `rand()`.
   */
  random(): number {
    const a = this.nextUint32() >>> 5, b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * A standard normal draw exactly as NumPy's legacy `legacy_gauss` (what
   * `RandomState.standard_normal`, `randn` and `normal` use): the polar
   * Box–Muller method on pairs `x = 2u − 1` of {@linkcode RandomState.random}
   * doubles, rejected until `0 < r² < 1`; it returns `f·x₂` and keeps `f·x₁`
   * for the next call (`f = √(−2 ln r² / r²)`). Matches NumPy to the last
   * bit except where V8's `Math.log` rounds a rare `r²` one ulp away from
   * C's `log` (2 of seed 0's first 7,840 draws differ by 1 ulp; the fixture
   * test checks 8,634 draws).
   */
  gauss(): number {
    if (this.#hasGauss) {
      this.#hasGauss = false;
      return this.#gauss;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.random() - 1;
      x2 = 2 * this.random() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt(-2 * Math.log(r2) / r2);
    this.#gauss = f * x1;
    this.#hasGauss = true;
    return f * x2;
  }

  /**
   * Fills `out` with `loc + scale·gauss()` in index order, as
   * `np.random.normal(loc, scale, size)` fills a C-ordered array (so a
   * row-major `[784, 10]` matrix's data gets NumPy's `(784, 10)` draws).
   * `normal(0, 1)` is `randn` / `standard_normal`.
   *
   * @param out Array to fill `[n]`, e.g. a `Matrix`'s `data`.
   * @param loc Mean. Default 0.
   * @param scale Standard deviation, ≥ 0. Default 1.
   * @returns `out`.
   * @throws {RangeError} When `scale` is negative or not finite.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { RandomState } from "./random_state.ts";
   *
   * // python3 -c "import numpy as np; np.random.seed(0); print(np.random.normal(0, 10, 2))"
   * const w = new RandomState(0).normal(new Float64Array(2), 0, 10);
   * assert.deepEqual([...w], [17.64052345967664, 4.001572083672233]);
   * ```
   */
  normal<T extends Float64Array | Float32Array | number[]>(out: T, loc = 0, scale = 1): T {
    if (!(scale >= 0) || !Number.isFinite(scale)) {
      throw new RangeError(
        `Cannot draw normal: scale must be a finite number >= 0, got ${scale}`,
      );
    }
    for (let i = 0; i < out.length; i++) out[i] = loc + scale * this.gauss();
    return out;
  }

  /**
   * An integer uniform in [0, max], drawn as NumPy's legacy `random_interval`:
   * raw outputs masked to the smallest all-ones bit mask covering `max`,
   * rejected while above `max`. (Not the same stream as `randint`.)
   *
   * @param max The largest value, an integer in [0, 2³² − 1].
   * @throws {RangeError} When `max` is not an integer in that range.
   */
  interval(max: number): number {
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
      throw new RangeError(
        `Cannot draw interval: max must be an integer in [0, 2^32 - 1], got ${max}`,
      );
    }
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0; while (value > max);
    return value;
  }

  /**
   * Shuffles `items` in place exactly as NumPy's legacy `shuffle` does a 1-d
   * array: for `i` from `n − 1` down to 1, swap `items[i]` with
   * `items[interval(i)]`.
   *
   * @param items Any indexable sequence `[n]` (array, typed array).
   * @returns `items`.
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /**
   * A permutation of `0 … n−1`, the same as `np.random.RandomState(seed).permutation(n)`
   * (NumPy shuffles `arange(n)`).
   *
   * @param n Length, a non-negative integer below 2³².
   * @returns `[n]` indices.
   * @throws {RangeError} When `n` is not such an integer.
   */
  permutation(n: number): Uint32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new RangeError(
        `Cannot draw permutation: n must be an integer in [0, 2^32 - 1], got ${n}`,
      );
    }
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
