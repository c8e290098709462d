/**
 * A pure-TypeScript gemm: the fallback when no native BLAS loads, and the
 * fast oracle for the native one in tests.
 *
 * Large products follow the Goto/BLIS scheme: `op(B)` is packed into
 * column panels of width 4 and `op(A)` into row panels of height 4, both as
 * `Float64Array`s, so the 4 × 4 register-blocked micro-kernel sees one
 * element type whatever the dtype and transpose flags (monomorphic for the
 * JIT) and accumulates in double precision. The micro-kernel runs as
 * WebAssembly SIMD (a few hundred bytes generated below, no toolchain)
 * where available, else as scalar TypeScript ({@linkcode tsKernel}). Small or skinny products
 * (`m < 4`, `n < 4`, or under 32³ multiply-adds) skip the packing and use
 * direct loops with a double-precision row accumulator.
 *
 * @module
 */

import type { FloatArray } from "../dtypes.ts";

/** Depth of one packed block (the `k` slice held in cache). */
const KC = 256;
/** Rows of `op(A)` packed at once. */
const MC = 128;
/** Micro-kernel rows. */
const MR = 4;
/** Micro-kernel columns. */
const NR = 4;
/** Below this many multiply-adds the direct loops beat packing. */
const DIRECT_MAX_WORK = 32 * 32 * 32;

let packedA = new Float64Array(0);
let packedB = new Float64Array(0);
let rowAcc = new Float64Array(0);
const tile = new Float64Array(MR * NR);

/** Unsigned LEB128, as WebAssembly encodes integers. */
function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/**
 * A WebAssembly module (built here, byte by byte: no toolchain, nothing
 * fetched) exporting its memory and `micro(kb, pa, pb, t)`: the same 4 × 4
 * micro-kernel as {@linkcode micro4x4} on byte offsets into that memory,
 * with the tile as eight `f64x2` accumulators. Same multiply-then-add order
 * per element, so results are bit-identical to the scalar kernel, about
 * three times faster.
 */
function microKernelWasm(): Uint8Array<ArrayBuffer> {
  const get = (i: number) => [0x20, i], set = (i: number) => [0x21, i];
  const simd = (op: number, ...memarg: number[]) => [0xfd, ...leb128(op), ...memarg];
  const [V128_LOAD, LOAD64_SPLAT, V128_STORE, F64X2_ADD, F64X2_MUL] = [
    0x00,
    0x0a,
    0x0b,
    0xf0,
    0xf2,
  ];
  // params kb 0, pa 1, pb 2, t 3; locals c0..c7 4..11 (v128), end 12 (i32), a 13, b01 14, b23 15.
  const body = [0x03, 0x08, 0x7b, 0x01, 0x7f, 0x03, 0x7b];
  body.push(...get(1), ...get(0), 0x41, 5, 0x74, 0x6a, ...set(12)); // end = pa + kb · 32
  body.push(0x03, 0x40); // loop
  body.push(...get(2), ...simd(V128_LOAD, 3, 0), ...set(14));
  body.push(...get(2), ...simd(V128_LOAD, 3, 16), ...set(15));
  for (let r = 0; r < 4; r++) {
    body.push(...get(1), ...simd(LOAD64_SPLAT, 3, 8 * r), ...set(13));
    for (let h = 0; h < 2; h++) {
      const acc = 4 + 2 * r + h;
      body.push(...get(acc), ...get(13), ...get(14 + h), ...simd(F64X2_MUL), ...simd(F64X2_ADD));
      body.push(...set(acc));
    }
  }
  body.push(...get(1), 0x41, 0x20, 0x6a, ...set(1)); // pa += 32
  body.push(...get(2), 0x41, 0x20, 0x6a, ...set(2)); // pb += 32
  body.push(...get(1), ...get(12), 0x49, 0x0d, 0x00, 0x0b); // br_if pa < end; end loop
  for (let i = 0; i < 8; i++) body.push(...get(3), ...get(4 + i), ...simd(V128_STORE, 3, 16 * i));
  body.push(0x0b);
  const section = (id: number, content: number[]) => [id, ...leb128(content.length), ...content];
  const name = (text: string) => [text.length, ...new TextEncoder().encode(text)];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0]), // (i32, i32, i32, i32) → ()
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 1]), // one memory, one page to start
    ...section(7, [2, ...name("mem"), 2, 0, ...name("micro"), 0, 0]),
    ...section(10, [1, ...leb128(body.length), ...body]),
  ]);
}

interface WasmKernel {
  memory: WebAssembly.Memory;
  micro: (kb: number, pa: number, pb: number, t: number) => void;
}

function loadWasmKernel(): WasmKernel | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(microKernelWasm()));
    const { mem, micro } = instance.exports as {
      mem: WebAssembly.Memory;
      micro: WasmKernel["micro"];
    };
    return { memory: mem, micro };
  } catch {
    return null; // no WebAssembly SIMD here: the scalar kernel does the work
  }
}

const wasmKernel = loadWasmKernel();
let useWasm = wasmKernel !== null;

/** The micro-kernel {@linkcode gemmTs} uses for large products. */
export type TsKernel = "wasm-simd" | "scalar";

/**
 * Reports, and optionally changes, the micro-kernel of the TypeScript gemm:
 * `"wasm-simd"` (a WebAssembly SIMD kernel generated in this file, the
 * default where WebAssembly SIMD runs) or `"scalar"` (plain TypeScript).
 *
 * @param kind Kernel to use from now on; omitted: no change.
 * @returns The kernel in use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tsKernel } from "./gemm_ts.ts";
 *
 * const before = tsKernel();
 * assert.equal(tsKernel("scalar"), "scalar");
 * tsKernel(before);
 * ```
 */
export function tsKernel(kind?: TsKernel): TsKernel {
  if (kind === "wasm-simd" && wasmKernel === null) {
    throw new Error("Cannot use the wasm-simd gemm kernel: WebAssembly SIMD is unavailable here");
  }
  if (kind !== undefined) useWasm = kind === "wasm-simd";
  return useWasm ? "wasm-simd" : "scalar";
}

/** Byte offset of the packed B panels in the wasm memory (the tile comes first). */
const WASM_B_OFFSET = MR * NR * 8;

/** Packed-panel views inside the wasm memory, grown as needed. */
function wasmPanels(aLength: number, bLength: number): { pa: Float64Array; pb: Float64Array } {
  const memory = wasmKernel!.memory;
  const bytes = WASM_B_OFFSET + 8 * (aLength + bLength);
  if (memory.buffer.byteLength < bytes) {
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
  }
  const pb = new Float64Array(memory.buffer, WASM_B_OFFSET, bLength);
  const pa = new Float64Array(memory.buffer, WASM_B_OFFSET + 8 * bLength, aLength);
  return { pa, pb };
}

/**
 * Row-major `C = alpha · op(A) · op(B) + beta · C` in TypeScript, same
 * contract as {@linkcode gemmRaw} (which validates arguments; this function
 * does not). With `beta = 0`, `C` is only written, never read, so NaNs in it
 * do not propagate — as in BLAS.
 *
 * @param transA Use `Aᵀ`: `A` is stored `[k, m]` instead of `[m, k]`.
 * @param transB Use `Bᵀ`: `B` is stored `[n, k]` instead of `[k, n]`.
 * @param m Rows of `op(A)` and `C`.
 * @param n Columns of `op(B)` and `C`.
 * @param k Columns of `op(A)`, rows of `op(B)`.
 * @param alpha Scale of the product.
 * @param a Stored `A`, row stride `lda`.
 * @param lda Row stride of the stored `A`.
 * @param b Stored `B`, row stride `ldb`.
 * @param ldb Row stride of the stored `B`.
 * @param beta Scale of the existing `C`.
 * @param c `C` `[m, n]`, row stride `ldc`; overwritten.
 * @param ldc Row stride of `C`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gemmTs } from "./gemm_ts.ts";
 *
 * // [[1, 2], [3, 4]] · [[1, 2], [3, 4]]ᵀ
 * const a = new Float32Array([1, 2, 3, 4]);
 * const c = new Float32Array(4);
 * gemmTs(false, true, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2);
 * assert.deepEqual(Array.from(c), [5, 11, 11, 25]);
 * ```
 */
export function gemmTs(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: FloatArray,
  lda: number,
  b: FloatArray,
  ldb: number,
  beta: number,
  c: FloatArray,
  ldc: number,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0 || alpha === 0) {
    // As in BLAS, A and B are not read: C = beta · C.
    scaleC(m, n, beta, c, ldc);
    return;
  }
  if (m < MR || n < NR || m * n * k <= DIRECT_MAX_WORK) {
    gemmDirect(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  scaleC(m, n, beta, c, ldc);
  const nPanels = Math.ceil(n / NR);
  const kcMax = Math.min(KC, k);
  const mcMax = Math.ceil(Math.min(MC, m) / MR) * MR;
  const wasm = useWasm ? wasmKernel : null;
  let pa: Float64Array, pb: Float64Array;
  if (wasm !== null) {
    ({ pa, pb } = wasmPanels(kcMax * mcMax, kcMax * nPanels * NR));
  } else {
    if (packedB.length < kcMax * nPanels * NR) packedB = new Float64Array(kcMax * nPanels * NR);
    if (packedA.length < kcMax * mcMax) packedA = new Float64Array(kcMax * mcMax);
    pa = packedA;
    pb = packedB;
  }
  const t = wasm === null ? tile : new Float64Array(wasm.memory.buffer, 0, MR * NR);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kb = Math.min(KC, k - p0);
    packB(b, ldb, transB, n, p0, kb, pb);
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mb = Math.min(MC, m - i0);
      packA(a, lda, transA, i0, mb, p0, kb, pa);
      for (let jp = 0; jp < nPanels; jp++) {
        const j = jp * NR;
        const nr = Math.min(NR, n - j);
        const bo = jp * kb * NR;
        for (let ip = 0; ip * MR < mb; ip++) {
          if (wasm !== null) {
            wasm.micro(kb, pa.byteOffset + 8 * ip * kb * MR, pb.byteOffset + 8 * bo, 0);
          } else {
            micro4x4(kb, pa, ip * kb * MR, pb, bo, t);
          }
          const i = i0 + ip * MR;
          const mr = Math.min(MR, mb - ip * MR);
          addTile(mr, nr, alpha, t, c, i * ldc + j, ldc);
        }
      }
    }
  }
}

/** `C = beta · C` over the `[m, n]` block (beta 0 writes zeros, dropping NaNs). */
function scaleC(m: number, n: number, beta: number, c: FloatArray, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const o = i * ldc;
    if (beta === 0) {
      c.fill(0, o, o + n);
    } else {
      for (let j = 0; j < n; j++) c[o + j] *= beta;
    }
  }
}

/** `C[i.., j..] += alpha · tile` for the valid `mr × nr` corner of a 4 × 4 tile. */
function addTile(
  mr: number,
  nr: number,
  alpha: number,
  t: Float64Array,
  c: FloatArray,
  co: number,
  ldc: number,
): void {
  for (let ii = 0; ii < mr; ii++) {
    const o = co + ii * ldc;
    const to = ii * NR;
    for (let jj = 0; jj < nr; jj++) c[o + jj] += alpha * t[to + jj];
  }
}

/**
 * Packs `op(A)[i0 : i0 + mb, p0 : p0 + kb]` as row panels of height 4:
 * `dst[(ip · kb + p) · 4 + ii] = op(A)[i0 + 4 ip + ii, p0 + p]`, zero-padded.
 */
function packA(
  a: FloatArray,
  lda: number,
  transA: boolean,
  i0: number,
  mb: number,
  p0: number,
  kb: number,
  dst: Float64Array,
): void {
  for (let ip = 0; ip * MR < mb; ip++) {
    const base = ip * kb * MR;
    for (let ii = 0; ii < MR; ii++) {
      const r = ip * MR + ii;
      if (r >= mb) {
        for (let p = 0; p < kb; p++) dst[base + p * MR + ii] = 0;
      } else if (transA) {
        const i = i0 + r;
        for (let p = 0; p < kb; p++) dst[base + p * MR + ii] = a[(p0 + p) * lda + i];
      } else {
        const o = (i0 + r) * lda + p0;
        for (let p = 0; p < kb; p++) dst[base + p * MR + ii] = a[o + p];
      }
    }
  }
}

/**
 * Packs `op(B)[p0 : p0 + kb, 0 : n]` as column panels of width 4:
 * `dst[(jp · kb + p) · 4 + jj] = op(B)[p0 + p, 4 jp + jj]`, zero-padded.
 */
function packB(
  b: FloatArray,
  ldb: number,
  transB: boolean,
  n: number,
  p0: number,
  kb: number,
  dst: Float64Array,
): void {
  for (let jp = 0; jp * NR < n; jp++) {
    const base = jp * kb * NR;
    if (!transB && jp * NR + NR <= n) {
      // Full panel from row-major B: four contiguous values per row of the panel.
      const j = jp * NR;
      for (let p = 0; p < kb; p++) {
        const o = (p0 + p) * ldb + j;
        const d = base + p * NR;
        dst[d] = b[o];
        dst[d + 1] = b[o + 1];
        dst[d + 2] = b[o + 2];
        dst[d + 3] = b[o + 3];
      }
      continue;
    }
    for (let jj = 0; jj < NR; jj++) {
      const j = jp * NR + jj;
      if (j >= n) {
        for (let p = 0; p < kb; p++) dst[base + p * NR + jj] = 0;
      } else if (transB) {
        const o = j * ldb + p0;
        for (let p = 0; p < kb; p++) dst[base + p * NR + jj] = b[o + p];
      } else {
        for (let p = 0; p < kb; p++) dst[base + p * NR + jj] = b[(p0 + p) * ldb + j];
      }
    }
  }
}

/** 4 × 4 register block over packed panels: `t = Σₚ A[:, p] ⊗ B[p, :]`. */
function micro4x4(
  kb: number,
  pa: Float64Array,
  ao: number,
  pb: Float64Array,
  bo: number,
  t: Float64Array,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  // One index walks both panels (they advance in step, 4 values per p); each
  // value of B is loaded just before its four products (fewer live registers).
  const end = ao + kb * MR;
  const d = bo - ao;
  for (let q = ao; q < end; q += MR) {
    const a0 = pa[q], a1 = pa[q + 1], a2 = pa[q + 2], a3 = pa[q + 3];
    let b = pb[q + d];
    c00 += a0 * b;
    c10 += a1 * b;
    c20 += a2 * b;
    c30 += a3 * b;
    b = pb[q + d + 1];
    c01 += a0 * b;
    c11 += a1 * b;
    c21 += a2 * b;
    c31 += a3 * b;
    b = pb[q + d + 2];
    c02 += a0 * b;
    c12 += a1 * b;
    c22 += a2 * b;
    c32 += a3 * b;
    b = pb[q + d + 3];
    c03 += a0 * b;
    c13 += a1 * b;
    c23 += a2 * b;
    c33 += a3 * b;
  }
  t[0] = c00, t[1] = c01, t[2] = c02, t[3] = c03;
  t[4] = c10, t[5] = c11, t[6] = c12, t[7] = c13;
  t[8] = c20, t[9] = c21, t[10] = c22, t[11] = c23;
  t[12] = c30, t[13] = c31, t[14] = c32, t[15] = c33;
}

/**
 * Unpacked loops for small and skinny products; each row of `C` is
 * accumulated in a double-precision scratch row, then
 * `C[i, :] = alpha · acc + beta · C[i, :]`.
 */
function gemmDirect(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: FloatArray,
  lda: number,
  b: FloatArray,
  ldb: number,
  beta: number,
  c: FloatArray,
  ldc: number,
): void {
  if (rowAcc.length < n) rowAcc = new Float64Array(n);
  const acc = rowAcc;
  for (let i = 0; i < m; i++) {
    if (transB) {
      // op(B)[p, j] = b[j · ldb + p]: dot products, contiguous in p, four columns at a time.
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const b0 = j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let p = 0; p < k; p++) {
          const av = transA ? a[p * lda + i] : a[i * lda + p];
          s0 += av * b[b0 + p];
          s1 += av * b[b1 + p];
          s2 += av * b[b2 + p];
          s3 += av * b[b3 + p];
        }
        acc[j] = s0;
        acc[j + 1] = s1;
        acc[j + 2] = s2;
        acc[j + 3] = s3;
      }
      for (; j < n; j++) {
        const bo = j * ldb;
        let s = 0;
        for (let p = 0; p < k; p++) s += (transA ? a[p * lda + i] : a[i * lda + p]) * b[bo + p];
        acc[j] = s;
      }
    } else {
      // op(B)[p, :] is a contiguous row: acc += Σ op(A)[i, p] · B[p, :], four rows of B at a time.
      acc.fill(0, 0, n);
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const s0 = transA ? a[p * lda + i] : a[i * lda + p];
        const s1 = transA ? a[(p + 1) * lda + i] : a[i * lda + p + 1];
        const s2 = transA ? a[(p + 2) * lda + i] : a[i * lda + p + 2];
        const s3 = transA ? a[(p + 3) * lda + i] : a[i * lda + p + 3];
        const o0 = p * ldb, o1 = o0 + ldb, o2 = o1 + ldb, o3 = o2 + ldb;
        for (let j = 0; j < n; j++) {
          acc[j] += s0 * b[o0 + j] + s1 * b[o1 + j] + s2 * b[o2 + j] + s3 * b[o3 + j];
        }
      }
      for (; p < k; p++) {
        const s = transA ? a[p * lda + i] : a[i * lda + p];
        const bo = p * ldb;
        for (let j = 0; j < n; j++) acc[j] += s * b[bo + j];
      }
    }
    const co = i * ldc;
    if (beta === 0) {
      for (let j = 0; j < n; j++) c[co + j] = alpha * acc[j];
    } else {
      for (let j = 0; j < n; j++) c[co + j] = alpha * acc[j] + beta * c[co + j];
    }
  }
}
