/**
 * Seeded pseudo-random numbers: uniform, normal, integers, permutations.
 *
 * Every stochastic function in the kit takes a {@linkcode Prng} so runs are
 * repeatable: the same seed gives the same numbers on every run and every
 * machine (only 32-bit integer arithmetic and IEEE doubles are used).
 *
 * The generator is xoshiro128** (Blackman & Vigna), seeded through
 * SplitMix32 so that nearby seeds give unrelated streams.
 *
 * @module
 */

import type { FloatArray } from "./dtypes.ts";

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** MurmurHash3's 32-bit finalizer: a bijection on 32-bit words with fmix32(0) = 0. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * A seeded generator (xoshiro128**).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Prng } from "./random.ts";
 *
 * const a = new Prng(42), b = new Prng(42);
 * assert.equal(a.random(), b.random());
 * const u = a.uniform(-0.5, 0.5);
 * assert.ok(u >= -0.5 && u < 0.5);
 * ```
 */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare: number | undefined;
  /** The seed this generator started from. */
  readonly seed: number;

  /**
   * @param seed Any integer in the safe range; distinct seeds give distinct streams.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new TypeError(`Cannot seed Prng: seed must be a safe integer, got ${seed}`);
    }
    this.seed = seed;
    // Low and high 32-bit words of the seed (two's complement for negatives).
    // The low word seeds SplitMix32; a non-zero high word is mixed into b by
    // fmix32, a bijection with fmix32(0) = 0, so distinct safe-integer seeds
    // give distinct states (folding the words with XOR made Prng(-1) equal
    // Prng(0) and Prng(2^32) equal Prng(1)), while seeds in [0, 2^32) keep
    // their streams.
    const hi = Math.floor(seed / 0x100000000) | 0;
    const st = { s: seed | 0 };
    this.#a = splitmix32(st);
    this.#b = splitmix32(st) ^ fmix32(hi);
    this.#c = splitmix32(st);
    this.#d = splitmix32(st);
    if ((this.#a | this.#b | this.#c | this.#d) === 0) this.#a = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }

  /** A double uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A double uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** A normal deviate with the given mean and standard deviation (Box–Muller). */
  normal(mean = 0, std = 1): number {
    if (this.#spare !== undefined) {
      const z = this.#spare;
      this.#spare = undefined;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** An integer uniform in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new RangeError(`Cannot draw integer: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = 0x100000000 - (0x100000000 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Fills `out` with uniform values in [low, high) and returns it. */
  fillUniform<T extends FloatArray>(out: T, low = 0, high = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  /** Fills `out` with normal values and returns it. */
  fillNormal<T extends FloatArray>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
