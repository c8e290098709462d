import assert from "node:assert/strict";
import { loadNativeKernels, useNativeBackend } from "../../lib/native/build.ts";
import {
  cscTransposeMatmul,
  csrMatmul,
  csrTransposeMatmulAcc,
  csrTransposeMatmulChunks,
  nativeCountNonZeros,
  nativeDenseToCsr,
  transpose,
} from "../../lib/native/sparse.ts";

const native = (await loadNativeKernels()).name === "native";

/** A seeded stream in [0, 1) (xorshift), enough for test data. */
function stream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** A `[rows, cols]` matrix about 80 % zeros, dense (row-major) and as CSR and CSC arrays. */
function sparseMatrix(rows: number, cols: number, seed: number) {
  const next = stream(seed);
  const dense = new Float64Array(rows * cols);
  for (let i = 0; i < dense.length; i++) dense[i] = next() < 0.8 ? 0 : next() * 2 - 1;
  const rowStart = new Uint32Array(rows + 1), colIndex: number[] = [], values: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (dense[i * cols + j] !== 0) {
        colIndex.push(j);
        values.push(dense[i * cols + j]);
      }
    }
    rowStart[i + 1] = values.length;
  }
  const colStart = new Uint32Array(cols + 1), rowIndex: number[] = [], colValues: number[] = [];
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) {
      if (dense[i * cols + j] !== 0) {
        rowIndex.push(i);
        colValues.push(dense[i * cols + j]);
      }
    }
    colStart[j + 1] = colValues.length;
  }
  return {
    dense,
    rowStart,
    colIndex: Uint16Array.from(colIndex),
    values: Float64Array.from(values),
    colStart,
    rowIndex: Uint32Array.from(rowIndex),
    colValues: Float64Array.from(colValues),
  };
}

function randomArray(n: number, seed: number, f32: boolean): Float32Array | Float64Array {
  const next = stream(seed);
  const a = f32 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = next() * 2 - 1;
  return a;
}

/** Runs `fn` with the TypeScript twins, then (when built) the C kernels; returns both outputs. */
async function both<T>(fn: () => T): Promise<{ ts: T; c: T | null }> {
  await useNativeBackend("ts");
  const ts = fn();
  const c = native ? (await useNativeBackend("native"), fn()) : null;
  return { ts, c };
}

const n = 300, d = 40, k = 10;
const X = sparseMatrix(n, d, 7);
const order = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % n);

Deno.test("csrMatmul(): the TypeScript twin equals the dense X·W + b, and C gives its bits", async (t) => {
  for (const f32 of [false, true]) {
    await t.step(f32 ? "float32, rows by order" : "float64, rows by order", async () => {
      const w = randomArray(d * k, 1, f32), b = randomArray(k, 2, f32);
      const { ts, c } = await both(() => {
        const z = f32 ? new Float32Array(50 * k) : new Float64Array(50 * k);
        csrMatmul(X.rowStart, X.colIndex, X.values, null, null, order, 100, 150, w, b, k, z);
        return z;
      });
      if (!f32) {
        const row = order[120], want = Array.from(b);
        for (let c2 = 0; c2 < d; c2++) {
          for (let j = 0; j < k; j++) want[j] += X.dense[row * d + c2] * w[c2 * k + j];
        }
        for (let j = 0; j < k; j++) assert.ok(Math.abs(ts[20 * k + j] - want[j]) < 1e-12);
      }
      if (c !== null) assert.deepEqual(c, ts);
    });
  }
});

Deno.test("csrTransposeMatmulChunks(): chunked α·Xᵀ·R, accumulated and transposed, C gives the twin's bits", async (t) => {
  for (const f32 of [false, true]) {
    for (const [accumulate, transposed] of [[false, false], [true, true]]) {
      await t.step(`${f32 ? "float32" : "float64"}, accumulate ${accumulate}`, async () => {
        const r = randomArray(n * k, 3, f32), chunks = 3;
        const { ts, c } = await both(() => {
          const g = randomArray(d * k, 4, f32),
            P = f32 ? new Float32Array(chunks * d * k) : new Float64Array(chunks * d * k);
          csrTransposeMatmulChunks(
            X.rowStart,
            X.colIndex,
            X.values,
            null,
            null,
            null,
            0,
            n,
            r,
            k,
            d,
            0.5,
            accumulate,
            transposed,
            chunks,
            P,
            g,
          );
          return g;
        });
        if (!f32 && !accumulate) {
          let want = 0;
          for (let i = 0; i < n; i++) want += X.dense[i * d + 3] * r[i * k + 2];
          assert.ok(Math.abs(ts[3 * k + 2] - 0.5 * want) < 1e-12);
        }
        if (c !== null) assert.deepEqual(c, ts);
      });
    }
  }
});

Deno.test("cscTransposeMatmul() and csrTransposeMatmulAcc(): the same Xᵀ·R, C gives the twins' bits", async () => {
  const r = randomArray(n * k, 5, false) as Float64Array;
  const byColumns = await both(() => {
    const g = new Float64Array(d * k);
    cscTransposeMatmul(X.colStart, X.rowIndex, X.colValues, 0, d, r, k, 2, g);
    return g;
  });
  const byRows = await both(() => {
    const g = new Float64Array(d * k);
    csrTransposeMatmulAcc(X.rowStart, X.colIndex, X.values, 0, n, r, k, 2, g);
    return g;
  });
  for (let q = 0; q < d * k; q++) {
    assert.ok(Math.abs(byColumns.ts[q] - byRows.ts[q]) < 1e-12, `entry ${q}`);
  }
  if (byColumns.c !== null) assert.deepEqual(byColumns.c, byColumns.ts);
  if (byRows.c !== null) assert.deepEqual(byRows.c, byRows.ts);
});

Deno.test("transpose() copies exactly, in C as in TypeScript", async () => {
  for (const f32 of [false, true]) {
    const a = randomArray(37 * 23, 6, f32);
    const { ts, c } = await both(() => {
      const b = f32 ? new Float32Array(a.length) : new Float64Array(a.length);
      transpose(a, 37, 23, b);
      return b;
    });
    assert.equal(ts[5 * 37 + 11], a[11 * 23 + 5]);
    if (c !== null) assert.deepEqual(c, ts);
  }
});

Deno.test("nativeCountNonZeros() and nativeDenseToCsr(): the CSR arrays natively, null with the twins", async () => {
  await useNativeBackend("ts");
  assert.equal(nativeCountNonZeros(X.dense, n, d), null);
  assert.equal(nativeDenseToCsr(X.dense, n, d), null);
  if (!native) return;
  await useNativeBackend("native");
  assert.equal(nativeCountNonZeros(X.dense, n, d), X.values.length);
  assert.equal(nativeCountNonZeros(new Float64Array(0), 0, d), null);
  const csr = nativeDenseToCsr(X.dense, n, d)!;
  assert.deepEqual(csr.rowStart, X.rowStart);
  assert.deepEqual(csr.colIndex, X.colIndex);
  assert.deepEqual(csr.values, X.values);
  assert.equal(csr.codes, null); // uniform values are no pixels
  const pixels = nativeDenseToCsr(new Float32Array([0, 1 / 255, 0, 1]).map(Math.fround), 2, 2)!;
  assert.deepEqual([...pixels.codes!], [1, 255]);
});
