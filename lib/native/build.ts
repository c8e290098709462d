/**
 * Builds and loads the native kernels (`kernels.c`: sparse products, the
 * linear-model passes, large activations, row gathers): compiled on first
 * use with the system C compiler into the gitignored `.cache/native/`
 * (keyed by a hash of the source, flags and platform, so an edit
 * recompiles), then opened with `Deno.dlopen`. Without a compiler, FFI or
 * write permission the kit uses their TypeScript twins (`sparse.ts`,
 * `gather.ts` here, the textbook loops of `nn/activations.ts`, … : the same
 * arithmetic, several times slower), announced once on stderr.
 *
 * `NNKIT_NATIVE=ts` (or the older name `NNKIT_SPARSE=ts`) forces the
 * TypeScript loops; `=native` fails loudly when the native build fails;
 * `NNKIT_CC` names the compiler
 * (default `cc`). The build uses OpenMP when the compiler supports it
 * (`OMP_NUM_THREADS` sets the threads; results do not depend on it). It
 * links with `-z nodelete`: unloading it at exit would unload libgomp under
 * its parked worker threads, and the process would die with SIGSEGV after
 * its last line (seen with Deno 2.9.6 once a product had used two threads).
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const SOURCE_URL = new URL("./kernels.c", import.meta.url);
const FLAGS = ["-O3", "-march=native", "-ffp-contract=off", "-fPIC", "-shared", "-Wl,-z,nodelete"];

const B = "buffer" as const;
const SYMBOLS = {
  nnkit_csr_matmul: {
    parameters: [B, B, B, B, B, B, "i32", "i32", B, B, "i32", B],
    result: "void",
  },
  nnkit_csc_tmatmul: { parameters: [B, B, B, "i32", "i32", B, "i32", "f64", B], result: "void" },
  nnkit_csr_matmul_f32: {
    parameters: [B, B, B, B, B, B, "i32", "i32", B, B, "i32", B],
    result: "void",
  },
  nnkit_csr_tmatmul_chunks_f64: {
    parameters: [B, B, B, B, B, B, "i32", "i32", B, "i32", "i32", "f64", "i32", "i32", "i32", B, B],
    result: "void",
  },
  nnkit_csr_tmatmul_chunks_f32: {
    parameters: [B, B, B, B, B, B, "i32", "i32", B, "i32", "i32", "f32", "i32", "i32", "i32", B, B],
    result: "void",
  },
  nnkit_csr_tmatmul_acc: {
    parameters: [B, B, B, "i32", "i32", B, "i32", "f64", B],
    result: "void",
  },
  nnkit_softmax_sgd: {
    parameters: [B, B, B, B, "i32", "i32", B, B, "i32", "f64", "f64", B, B],
    result: "void",
  },
  nnkit_linear_pass: {
    parameters: [
      B,
      B,
      B,
      B,
      B,
      "i32",
      "i32",
      "i32",
      B,
      B,
      "i32",
      "i32",
      "f64",
      B,
      B,
      B,
      B,
      B,
      B,
      B,
      B,
    ],
    result: "void",
  },
  nnkit_linear_ysums: {
    parameters: [B, B, B, "i32", "i32", "i32", "i32", B, B],
    result: "void",
  },
  nnkit_sigmoid_f64: { parameters: [B, B, "i32"], result: "void" },
  nnkit_sigmoid_f32: { parameters: [B, B, "i32"], result: "void" },
  nnkit_tanh_f64: { parameters: [B, B, "i32"], result: "void" },
  nnkit_tanh_f32: { parameters: [B, B, "i32"], result: "void" },
  nnkit_tanh_rows_f64: { parameters: [B, B, "i32", "i32", "i32"], result: "void" },
  nnkit_tanh_rows_f32: { parameters: [B, B, "i32", "i32", "i32"], result: "void" },
  nnkit_relu_f64: { parameters: [B, B, "i32"], result: "void" },
  nnkit_relu_f32: { parameters: [B, B, "i32"], result: "void" },
  nnkit_relu_backward_f64: { parameters: [B, B, B, "i32"], result: "void" },
  nnkit_relu_backward_f32: { parameters: [B, B, B, "i32"], result: "void" },
  nnkit_col_sums_f64: { parameters: [B, "i32", "i32", B], result: "void" },
  nnkit_col_sums_f32: { parameters: [B, "i32", "i32", B], result: "void" },
  nnkit_dense_nnz_f64: { parameters: [B, "i32", "i32", B], result: "void" },
  nnkit_dense_nnz_f32: { parameters: [B, "i32", "i32", B], result: "void" },
  nnkit_dense_fill_f64: { parameters: [B, "i32", "i32", B, B, B, B], result: "i32" },
  nnkit_dense_fill_f32: { parameters: [B, "i32", "i32", B, B, B, B], result: "i32" },
  nnkit_transpose_f64: { parameters: [B, "i32", "i32", B], result: "void" },
  nnkit_transpose_f32: { parameters: [B, "i32", "i32", B], result: "void" },
  nnkit_gather_rows: { parameters: [B, "i32", B, "i32", "i32", B], result: "void" },
  nnkit_softmax_rows_f64: { parameters: [B, B, "i32", "i32"], result: "void" },
  nnkit_softmax_rows_f32: { parameters: [B, B, "i32", "i32"], result: "void" },
  nnkit_openmp: { parameters: [], result: "i32" },
} as const;

/** The native kernels' symbols as `Deno.dlopen` returns them. */
export type NativeKernels = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Which implementation the native layer uses, from {@linkcode nativeBackend}. */
export interface NativeBackendInfo {
  /** `"native"` (compiled C) or `"ts"` (TypeScript loops). */
  name: "native" | "ts";
  /** Path of the shared library, `null` for `"ts"`. */
  library: string | null;
  /** Whether the native build has OpenMP (row-parallel products). */
  openmp: boolean;
  /** Why the native build is not used, `null` when it is. */
  reason: string | null;
}

let state: { kernels: NativeKernels | null; info: NativeBackendInfo } | undefined;

function env(name: string): string | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
    return undefined;
  }
  const value = Deno.env.get(name);
  return value === undefined || value === "" ? undefined : value;
}

async function sha256Short(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 8), (x) => x.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * Build variants, best first: OpenMP threads plus glibc's vector math
 * (libmvec), then OpenMP alone, then neither.
 */
const VARIANTS: readonly (readonly string[])[] = [
  ["-fopenmp", "-DNNKIT_MVEC", "-lmvec"],
  ["-fopenmp"],
  [],
];

function compile(
  cc: string,
  source: string,
  out: string,
  variant: readonly string[],
): string | null {
  const args = [...FLAGS, ...variant.filter((a) => !a.startsWith("-l")), "-o", out, source];
  args.push(...variant.filter((a) => a.startsWith("-l")), "-lm");
  try {
    const result = new Deno.Command(cc, { args, stdout: "null", stderr: "piped" }).outputSync();
    if (result.success) return null;
    return new TextDecoder().decode(result.stderr).trim().split("\n").slice(0, 3).join(" ");
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Builds (if needed) and opens the library; returns it or the reason it failed. */
async function openNative(): Promise<{ kernels: NativeKernels; info: NativeBackendInfo } | string> {
  const sourcePath = fileURLToPath(SOURCE_URL);
  const cc = env("NNKIT_CC") ?? "cc";
  let source: string;
  try {
    source = await Deno.readTextFile(sourcePath);
  } catch (error) {
    return `cannot read ${sourcePath}: ${(error as Error).message}`;
  }
  const key = await sha256Short(
    [
      source,
      cc,
      FLAGS.join(" "),
      JSON.stringify(VARIANTS),
      Deno.build.target,
      navigator.hardwareConcurrency,
    ]
      .join("\n"),
  );
  const dir = fileURLToPath(new URL("../../.cache/native/", import.meta.url));
  const library = `${dir}kernels-${key}.so`;
  try {
    await Deno.stat(library);
  } catch {
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (error) {
      return `cannot create ${dir}: ${(error as Error).message}`;
    }
    const tmp = `${library}.${Deno.pid}.tmp`;
    let failure: string | null = "no build variant";
    for (const variant of VARIANTS) {
      failure = compile(cc, sourcePath, tmp, variant);
      if (failure === null) break;
    }
    if (failure !== null) return `${cc} failed: ${failure}`;
    await Deno.rename(tmp, library);
  }
  try {
    const kernels = Deno.dlopen(library, SYMBOLS).symbols;
    return {
      kernels,
      info: { name: "native", library, openmp: kernels.nnkit_openmp() === 1, reason: null },
    };
  } catch (error) {
    return `cannot open ${library}: ${(error as Error).message}`;
  }
}

/**
 * Loads the native kernels once per process (building them on first use),
 * or settles on the TypeScript loops. Call before the first kernel;
 * `train()` does.
 *
 * @returns The backend in use.
 * @throws {Error} When `NNKIT_NATIVE=native` (or `NNKIT_SPARSE=native`) and the native build fails.
 */
export async function loadNativeKernels(): Promise<NativeBackendInfo> {
  if (state !== undefined) return state.info;
  const variable = env("NNKIT_NATIVE") !== undefined ? "NNKIT_NATIVE" : "NNKIT_SPARSE";
  const choice = env(variable) ?? "auto";
  if (choice === "ts") {
    state = {
      kernels: null,
      info: { name: "ts", library: null, openmp: false, reason: `${variable}=ts` },
    };
    return state.info;
  }
  const opened = await openNative();
  if (typeof opened === "string") {
    if (choice === "native") {
      throw new Error(`Cannot build the native kernels (${variable}=native): ${opened}`);
    }
    console.error(
      `nnkit: native kernels unavailable, their TypeScript twins run instead (slower): ${opened}. ` +
        "Install a C compiler (Debian: gcc libc6-dev) for the native build",
    );
    state = { kernels: null, info: { name: "ts", library: null, openmp: false, reason: opened } };
  } else {
    state = opened;
  }
  return state.info;
}

/**
 * The native kernels when loaded, else `null` (TypeScript loops), also
 * before {@linkcode loadNativeKernels} ran.
 */
export function nativeKernels(): NativeKernels | null {
  return state?.kernels ?? null;
}

/**
 * Which backend the native layer uses (`"ts"` until
 * {@linkcode loadNativeKernels} has run).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadNativeKernels, nativeBackend } from "./build.ts";
 *
 * await loadNativeKernels();
 * assert.ok(["native", "ts"].includes(nativeBackend().name));
 * ```
 */
export function nativeBackend(): NativeBackendInfo {
  return state?.info ?? { name: "ts", library: null, openmp: false, reason: "not loaded yet" };
}

/**
 * Switches between the native kernels and the TypeScript loops for this
 * process (tests compare the two).
 *
 * @param name `"ts"` or `"native"` (loads it; throws when it cannot be built).
 */
export async function useNativeBackend(name: "native" | "ts"): Promise<NativeBackendInfo> {
  if (name === "ts") {
    state = {
      kernels: null,
      info: { name: "ts", library: null, openmp: false, reason: 'useNativeBackend("ts")' },
    };
    return state.info;
  }
  const opened = await openNative();
  if (typeof opened === "string") {
    throw new Error(`Cannot build the native kernels: ${opened}`);
  }
  state = opened;
  return state.info;
}
