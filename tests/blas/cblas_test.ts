import assert from "node:assert/strict";
import { cblasCandidates, openCblas } from "../../lib/blas/cblas.ts";
import { Prng } from "../../lib/random.ts";
import { boundViolation, naiveGemm, stridedOperand } from "./naive_gemm.ts";

const { library } = openCblas();

Deno.test("cblasCandidates() tries OpenBLAS, then a generic CBLAS, per platform", () => {
  const linux = cblasCandidates("linux", "x86_64");
  assert.equal(linux[0], "/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
  assert.ok(linux.indexOf("libopenblas.so.0") < linux.indexOf("libcblas.so.3"));
  assert.ok(linux.indexOf("libcblas.so.3") < linux.indexOf("libblas.so.3"));
  assert.ok(
    cblasCandidates("linux", "aarch64").includes("/usr/lib/aarch64-linux-gnu/libblas.so.3"),
  );
  assert.equal(
    cblasCandidates("darwin", "aarch64").at(-1),
    "/System/Library/Frameworks/Accelerate.framework/Accelerate",
  );
  assert.ok(cblasCandidates("windows", "x86_64").includes("libopenblas.dll"));
});

Deno.test("openCblas() reports every failed candidate and loads none when all fail", () => {
  const { library, attempts } = openCblas(["/nonexistent/libopenblas.so.0", "libnothere.so.0"]);
  assert.equal(library, null);
  assert.deepEqual(attempts.map((a) => a.path), [
    "/nonexistent/libopenblas.so.0",
    "libnothere.so.0",
  ]);
  assert.equal(attempts[0].error, "no such file");
  assert.match(attempts[1].error, /libnothere\.so\.0/);
});

Deno.test({
  name: "openCblas() skips a library without the cblas symbols",
  ignore: Deno.build.os !== "linux",
  fn() {
    // libm loads but exports no cblas_sgemm, so the next candidate must win or all fail.
    const { library, attempts } = openCblas(["libm.so.6"]);
    assert.equal(library, null);
    assert.match(attempts[0].error, /cblas_/);
  },
});

Deno.test({
  name: "CBLAS library: gemv, ger and gemm on subarray views match the naive oracle",
  ignore: library === null,
  fn() {
    const lib = library!;
    const prng = new Prng(21);
    for (const float32 of [true, false]) {
      // gemv: y = 2 · Aᵀ x + 0.5 y with A [5, 3] at an offset, x strided.
      const A = stridedOperand(5, 3, { float32, pad: 2, prng });
      const X = stridedOperand(5, 1, { float32, pad: 2, prng }); // column: stride = ld
      const Y = stridedOperand(1, 3, { float32, pad: 2, prng });
      const want = naiveGemm(true, false, 3, 1, 5, 2, A.view, A.ld, X.view, X.ld, 0.5, Y.view, 1);
      lib.gemv(true, 5, 3, 2, A.view, A.ld, X.view, X.ld, 0.5, Y.view, 1);
      assert.ok(boundViolation(Y.view, 1, want, 3, 1, 5).excess <= 0, "gemv");
      assert.equal(Y.whole[0], 777, "gemv wrote before its view");

      // ger: C += -1 · x yᵀ with C [4, 6] strided.
      const x = stridedOperand(4, 1, { float32, pad: 0, prng });
      const y = stridedOperand(1, 6, { float32, pad: 0, prng });
      const C = stridedOperand(4, 6, { float32, pad: 2, prng });
      const wantC = naiveGemm(false, false, 4, 6, 1, -1, x.view, 1, y.view, 6, 1, C.view, C.ld);
      lib.ger(4, 6, -1, x.view, 1, y.view, 1, C.view, C.ld);
      assert.ok(boundViolation(C.view, C.ld, wantC, 4, 6, 1).excess <= 0, "ger");

      // gemm with every operand a view at an offset.
      const P = stridedOperand(7, 9, { float32, pad: 1, prng });
      const Q = stridedOperand(9, 4, { float32, pad: 1, prng });
      const R = stridedOperand(7, 4, { float32, pad: 1, prng });
      const wantR = naiveGemm(
        false,
        false,
        7,
        4,
        9,
        1,
        P.view,
        P.ld,
        Q.view,
        Q.ld,
        0,
        R.view,
        R.ld,
      );
      lib.gemm(false, false, 7, 4, 9, 1, P.view, P.ld, Q.view, Q.ld, 0, R.view, R.ld);
      assert.ok(boundViolation(R.view, R.ld, wantR, 7, 4, 9).excess <= 0, "gemm");
    }
  },
});

Deno.test({
  name: "CBLAS library: OpenBLAS reports its build and thread count",
  ignore: library === null || library.name !== "openblas",
  fn() {
    const lib = library!;
    assert.match(lib.config ?? "", /^OpenBLAS \d+\.\d+\.\d+/);
    const before = lib.threads()!;
    assert.ok(before >= 1);
    lib.setThreads(1);
    assert.equal(lib.threads(), 1);
    lib.setThreads(before);
    assert.throws(() => lib.setThreads(-2), /expected a positive integer, got -2/);
  },
});

/** NumPy's bundled ILP64 OpenBLAS (scipy-openblas64), if a python3 with a NumPy wheel is here. */
async function numpyOpenblas(): Promise<string | null> {
  try {
    const out = await new Deno.Command("python3", {
      args: ["-c", "import numpy, os; print(os.path.dirname(numpy.__file__))"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const libs = `${new TextDecoder().decode(out.stdout).trim()}/../numpy.libs`;
    for (const entry of Deno.readDirSync(libs)) {
      if (/^libscipy_openblas64_.*\.so$/.test(entry.name)) return `${libs}/${entry.name}`;
    }
  } catch {
    // no python3, no NumPy, or not a wheel
  }
  return null;
}

const ilp64 = await numpyOpenblas();

Deno.test({
  name: "openCblas() also loads an ILP64 scipy-openblas (64-bit integers, scipy_…64_ names)",
  ignore: ilp64 === null,
  fn() {
    const { library, attempts } = openCblas([ilp64!]);
    assert.ok(library !== null, JSON.stringify(attempts));
    try {
      assert.equal(library.name, "openblas");
      assert.match(library.config ?? "", /USE64BITINT/);
      const prng = new Prng(22);
      for (const float32 of [true, false]) {
        const P = stridedOperand(9, 5, { float32, pad: 1, prng });
        const Q = stridedOperand(6, 5, { float32, pad: 1, prng });
        const R = stridedOperand(9, 6, { float32, pad: 1, prng });
        const want = naiveGemm(
          false,
          true,
          9,
          6,
          5,
          1,
          P.view,
          P.ld,
          Q.view,
          Q.ld,
          0.5,
          R.view,
          R.ld,
        );
        library.gemm(false, true, 9, 6, 5, 1, P.view, P.ld, Q.view, Q.ld, 0.5, R.view, R.ld);
        assert.ok(boundViolation(R.view, R.ld, want, 9, 6, 5).excess <= 0);
      }
    } finally {
      library.close();
    }
  },
});
