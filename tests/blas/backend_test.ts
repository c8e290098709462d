import assert from "node:assert/strict";
import {
  blasBackend,
  gemmRaw,
  openCblas,
  setBlasThreads,
  tsKernel,
  useBlasBackend,
} from "../../lib/blas/mod.ts";

const BLAS_MOD = new URL("../../lib/blas/mod.ts", import.meta.url).href;

/** Runs a snippet in a fresh deno with the given flags and environment. */
async function runDeno(
  flags: string[],
  env: Record<string, string>,
  code: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  // `deno eval` always has every permission, so run a real file to test missing ones.
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(script, `import { blasBackend } from "${BLAS_MOD}";\n${code}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-check", ...flags, script],
    // Start from auto and the usual libraries whatever this process was given.
    env: { NO_COLOR: "1", NNKIT_BLAS: "auto", NNKIT_BLAS_LIB: "", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(script));
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

const restore = (name: string) => useBlasBackend(name === "ts" ? "ts" : "auto", { quiet: true });

Deno.test("useBlasBackend('ts') selects the TypeScript kernel and blasBackend() reports it", () => {
  const before = blasBackend().name;
  try {
    const info = useBlasBackend("ts");
    assert.deepEqual(info, {
      name: "ts",
      library: null,
      threads: 1,
      config: `TypeScript, ${tsKernel()} micro-kernel`,
    });
    assert.deepEqual(blasBackend(), info);
  } finally {
    restore(before);
  }
});

Deno.test("useBlasBackend('native') without a loadable library throws, naming what was looked for", () => {
  const before = blasBackend().name;
  try {
    assert.throws(
      () =>
        useBlasBackend("native", {
          libraries: ["/nonexistent/libopenblas.so.0", "libnothere.so.3"],
        }),
      (e: unknown) =>
        e instanceof Error &&
        e.message.startsWith(
          "Cannot use the native BLAS backend (native): no CBLAS library loaded; looked for libopenblas.so.0, libnothere.so.3; ",
        ) && e.message.includes("libnothere.so.3: cannot open shared object file") &&
        e.message.includes("apt-get install --no-install-recommends libopenblas0-pthread"),
    );
    assert.throws(() => useBlasBackend("openblas", { libraries: [] }), /no CBLAS library loaded/);
  } finally {
    restore(before);
  }
});

Deno.test("useBlasBackend('auto') falls back to TypeScript with one notice on stderr", () => {
  const before = blasBackend().name;
  const messages: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => messages.push(args.join(" "));
  try {
    const libraries = ["/nonexistent/libopenblas.so.0"];
    assert.equal(useBlasBackend("auto", { libraries }).name, "ts");
    assert.equal(useBlasBackend("auto", { libraries }).name, "ts");
    assert.equal(messages.length <= 1, true, `expected at most one notice, got ${messages.length}`);
    // Products still work, through the TypeScript kernel.
    const c = new Float64Array(1);
    gemmRaw(
      false,
      false,
      1,
      1,
      2,
      1,
      new Float64Array([1, 2]),
      2,
      new Float64Array([3, 4]),
      1,
      0,
      c,
      1,
    );
    assert.equal(c[0], 11);
  } finally {
    console.error = original;
    restore(before);
  }
});

Deno.test("useBlasBackend() rejects an unknown choice", () => {
  assert.throws(
    // @ts-expect-error: checking the run-time guard
    () => useBlasBackend("mkl"),
    {
      name: "RangeError",
      message:
        'Cannot choose BLAS backend: choice must be one of auto, openblas, native, ts, got "mkl"',
    },
  );
});

Deno.test("setBlasThreads() validates its count and sets OpenBLAS's", () => {
  assert.throws(() => setBlasThreads(0), /expected a positive integer, got 0/);
  assert.throws(() => setBlasThreads(1.5), RangeError);
  const info = blasBackend();
  if (info.name !== "openblas") return;
  const before = info.threads!;
  try {
    setBlasThreads(1);
    assert.equal(blasBackend().threads, 1);
  } finally {
    setBlasThreads(before);
  }
  assert.equal(blasBackend().threads, before);
});

Deno.test("NNKIT_BLAS environment variable chooses the backend in a fresh process", async (t) => {
  const report = "console.log(JSON.stringify(blasBackend()));";
  await t.step("NNKIT_BLAS=ts forces TypeScript without a notice", async () => {
    const r = await runDeno(["--allow-all"], { NNKIT_BLAS: "ts" }, report);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).name, "ts");
    assert.equal(r.stderr, "");
  });
  await t.step("without --allow-ffi, auto falls back with a notice saying why", async () => {
    const r = await runDeno(["--allow-env", "--allow-read"], {}, report);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).name, "ts");
    assert.match(
      r.stderr,
      /^nnkit: no native BLAS library loaded \(looked for .*FFI permission not granted/,
    );
    assert.equal(r.stderr.trim().split("\n").length, 1, "one notice line");
  });
  await t.step("NNKIT_BLAS=openblas without --allow-ffi fails clearly", async () => {
    const r = await runDeno(["--allow-env", "--allow-read"], { NNKIT_BLAS: "openblas" }, report);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /Cannot use the native BLAS backend \(openblas\): no CBLAS library loaded/,
    );
  });
  await t.step("NNKIT_BLAS with an unknown value fails, naming the variable", async () => {
    const r = await runDeno(["--allow-all"], { NNKIT_BLAS: "fast" }, report);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NNKIT_BLAS must be one of auto, openblas, native, ts, got "fast"/);
  });
  await t.step("NNKIT_BLAS_LIB pointing nowhere still finds the usual libraries", async () => {
    const r = await runDeno(
      ["--allow-all"],
      { NNKIT_BLAS_LIB: "/nonexistent/libcblas.so" },
      report,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).name, openCblas().library?.name ?? "ts");
  });
});
