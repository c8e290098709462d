import assert from "node:assert/strict";
import { blasBackend, gemmRaw, useBlasBackend } from "../../lib/blas/mod.ts";
import { Prng } from "../../lib/random.ts";
import { boundViolation, naiveGemm, stridedOperand } from "./naive_gemm.ts";

const nativeAvailable = (() => {
  const before = blasBackend().name;
  let ok = true;
  try {
    useBlasBackend("native");
  } catch {
    ok = false;
  }
  useBlasBackend(before === "ts" ? "ts" : "auto", { quiet: true });
  return ok;
})();

/** Runs `body` with the backend forced, then restores the previous one. */
function withBackend(choice: "ts" | "native", body: () => void): void {
  const before = blasBackend().name;
  useBlasBackend(choice);
  try {
    body();
  } finally {
    useBlasBackend(before === "ts" ? "ts" : "auto", { quiet: true });
  }
}

const BACKENDS = ["ts", "native"] as const;

/** [m, n, k]: degenerate, skinny (one row, one column, rank 1), odd, and past the TS block sizes. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 9, 1],
  [9, 1, 1],
  [1, 1, 9],
  [1, 150, 784],
  [150, 1, 784],
  [60, 70, 1],
  [5, 7, 3],
  [13, 17, 19],
  [32, 10, 33],
  [67, 33, 129],
  [130, 9, 261],
  [600, 5, 500],
  [1030, 1, 300],
];

const SCALES: [alpha: number, beta: number][] = [[1, 0], [0.5, 2], [-1.5, 1]];

function checkCase(
  label: string,
  float32: boolean,
  transA: boolean,
  transB: boolean,
  [m, n, k]: [number, number, number],
  [alpha, beta]: [number, number],
  pad: number,
  prng: Prng,
): void {
  const A = stridedOperand(transA ? k : m, transA ? m : k, { float32, pad, prng });
  const B = stridedOperand(transB ? n : k, transB ? k : n, { float32, pad, prng });
  const C = stridedOperand(m, n, { float32, pad, prng });
  const want = naiveGemm(
    transA,
    transB,
    m,
    n,
    k,
    alpha,
    A.view,
    A.ld,
    B.view,
    B.ld,
    beta,
    C.view,
    C.ld,
  );
  const before = C.whole.slice();
  gemmRaw(transA, transB, m, n, k, alpha, A.view, A.ld, B.view, B.ld, beta, C.view, C.ld);
  const { excess, at } = boundViolation(C.view, C.ld, want, m, n, k);
  const name = `${label} ${float32 ? "float32" : "float64"} transA=${transA} transB=${transB} ` +
    `m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta} pad=${pad}`;
  assert.ok(excess <= 0, `${name}: error exceeds the rounding bound at ${at} by ${excess}`);
  // Padding between and around the rows of C is never written.
  for (let i = 0; i < C.whole.length; i++) {
    const inside = i >= C.offset && (i - C.offset) % C.ld < n && i - C.offset < C.view.length;
    if (!inside) assert.equal(C.whole[i], before[i], `${name}: padding at ${i} was written`);
  }
}

for (const backend of BACKENDS) {
  Deno.test({
    name: `gemmRaw() (${backend}) matches the naive oracle for every transpose, shape and scale`,
    ignore: backend === "native" && !nativeAvailable,
    fn() {
      withBackend(backend, () => {
        const prng = new Prng(11);
        for (const float32 of [true, false]) {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              for (const shape of SHAPES) {
                for (const scales of SCALES) {
                  checkCase(backend, float32, transA, transB, shape, scales, 0, prng);
                }
              }
            }
          }
        }
      });
    },
  });

  Deno.test({
    name: `gemmRaw() (${backend}) honours strides and subarray offsets, leaving padding untouched`,
    ignore: backend === "native" && !nativeAvailable,
    fn() {
      withBackend(backend, () => {
        const prng = new Prng(12);
        for (const float32 of [true, false]) {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              for (const shape of SHAPES) {
                checkCase(backend, float32, transA, transB, shape, [0.75, 0.5], 3, prng);
              }
            }
          }
        }
      });
    },
  });

  Deno.test({
    name: `gemmRaw() (${backend}) handles zero-sized products`,
    ignore: backend === "native" && !nativeAvailable,
    fn() {
      withBackend(backend, () => {
        // k = 0: C = beta · C, A and B are empty.
        const c = new Float64Array([1, 2, 3, 4, 5, 6]);
        gemmRaw(false, false, 2, 3, 0, 1, new Float64Array(0), 0, new Float64Array(0), 3, 2, c, 3);
        assert.deepEqual(Array.from(c), [2, 4, 6, 8, 10, 12]);
        gemmRaw(true, true, 2, 3, 0, 1, new Float64Array(0), 2, new Float64Array(0), 0, 0, c, 3);
        assert.deepEqual(Array.from(c), [0, 0, 0, 0, 0, 0]);
        // m = 0 or n = 0: nothing to write, no error.
        const empty = new Float32Array(0);
        gemmRaw(false, false, 0, 4, 2, 1, empty, 2, new Float32Array(8), 4, 0, empty, 4);
        gemmRaw(false, false, 4, 0, 2, 1, new Float32Array(8), 2, empty, 0, 0, empty, 0);
      });
    },
  });

  Deno.test({
    name: `gemmRaw() (${backend}) with beta = 0 overwrites NaN in C, with beta = 1 keeps NaN`,
    ignore: backend === "native" && !nativeAvailable,
    fn() {
      withBackend(backend, () => {
        const prng = new Prng(13);
        for (const [m, n, k] of [[1, 40, 60], [40, 1, 60], [40, 60, 1], [40, 60, 50], [2, 2, 2]]) {
          for (const float32 of [true, false]) {
            const A = stridedOperand(m, k, { float32, pad: 0, prng });
            const B = stridedOperand(k, n, { float32, pad: 0, prng });
            const c = float32 ? new Float32Array(m * n) : new Float64Array(m * n);
            c.fill(NaN);
            gemmRaw(false, false, m, n, k, 1, A.view, k, B.view, n, 0, c, n);
            assert.ok(c.every(Number.isFinite), `beta 0, ${m}x${n}x${k}: NaN survived`);
            c[0] = NaN;
            gemmRaw(false, false, m, n, k, 1, A.view, k, B.view, n, 1, c, n);
            assert.ok(Number.isNaN(c[0]), `beta 1, ${m}x${n}x${k}: NaN was dropped`);
          }
        }
      });
    },
  });
}

Deno.test("gemmRaw() rejects mixed dtypes, naming each array's dtype", () => {
  const f32 = new Float32Array(4), f64 = new Float64Array(4);
  assert.throws(
    () => gemmRaw(false, false, 2, 2, 2, 1, f32, 2, f64, 2, 0, f32, 2),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message ===
        "Cannot run gemm: arrays must share one dtype, got A float32, B float64, C float32",
  );
  assert.throws(() => gemmRaw(false, false, 2, 2, 2, 1, f64, 2, f64, 2, 0, f32, 2), TypeError);
});

Deno.test("gemmRaw() rejects short strides and short arrays, printing the stored shape", async (t) => {
  const a = new Float64Array(6), b = new Float64Array(6), c = new Float64Array(4);
  await t.step("lda below the stored column count", () => {
    assert.throws(
      () => gemmRaw(false, false, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2),
      {
        name: "RangeError",
        message:
          "Cannot run gemm: lda must be an integer of at least 3 (columns of A stored as [2, 3]), got 2",
      },
    );
  });
  await t.step("transposed A is stored [k, m]", () => {
    assert.throws(
      () => gemmRaw(true, false, 2, 2, 3, 1, a, 1, b, 2, 0, c, 2),
      /lda must be an integer of at least 2 \(columns of A stored as \[3, 2\]\), got 1/,
    );
    // The right stride for [3, 2] is 2, which then needs 6 elements: fine.
    gemmRaw(true, false, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2);
  });
  await t.step("array shorter than its shape and stride", () => {
    assert.throws(
      () => gemmRaw(false, false, 2, 2, 3, 1, a, 4, b, 2, 0, c, 2),
      {
        name: "RangeError",
        message: "Cannot run gemm: A stored as [2, 3] with lda 4 needs 7 elements, got 6",
      },
    );
    assert.throws(
      () => gemmRaw(false, false, 2, 3, 3, 1, a, 3, new Float64Array(9), 3, 0, c, 3),
      /C stored as \[2, 3\] with ldc 3 needs 6 elements, got 4/,
    );
  });
  await t.step("negative or fractional sizes", () => {
    assert.throws(
      () => gemmRaw(false, false, -1, 2, 2, 1, a, 2, b, 2, 0, c, 2),
      /m must be a non-negative integer, got -1/,
    );
    assert.throws(
      () => gemmRaw(false, false, 1, 2.5, 2, 1, a, 2, b, 2, 0, c, 2),
      /n must be a non-negative integer, got 2.5/,
    );
  });
});

Deno.test("gemmRaw() rejects an output that overlaps an input", () => {
  const buf = new Float64Array(8);
  const a = buf.subarray(0, 4), c = buf.subarray(2, 6), b = new Float64Array(4);
  assert.throws(
    () => gemmRaw(false, false, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2),
    {
      name: "RangeError",
      message: "Cannot run gemm: C overlaps A in memory; pass a separate output",
    },
  );
  assert.throws(() => gemmRaw(false, false, 2, 2, 2, 1, b, 2, a, 2, 0, c, 2), /C overlaps B/);
  // Adjacent views of one buffer do not overlap.
  gemmRaw(false, false, 2, 2, 2, 1, buf.subarray(0, 4), 2, b, 2, 0, buf.subarray(4, 8), 2);
});
