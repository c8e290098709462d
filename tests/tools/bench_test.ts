import assert from "node:assert/strict";
import { mergeBenchRows } from "../../tools/bench.ts";
import { NumpyRunner } from "../../tools/bench/numpy.ts";
import { registerBench, registeredBenches, selectBenches } from "../../tools/bench/registry.ts";

const BENCH = new URL("../../tools/bench.ts", import.meta.url).pathname;

async function runBench(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", BENCH, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

const numpyAvailable = await (async () => {
  const { runner } = await NumpyRunner.start();
  await runner?.close();
  return runner !== null;
})();

Deno.test("registerBench() refuses a second case with the same name and dtype", () => {
  const make = () => ({ name: "dup_case", dtype: "float32" as const, setup: () => () => 0 });
  registerBench(make());
  assert.throws(() => registerBench(make()), {
    message: "Cannot register benchmark dup_case (float32): already registered",
  });
  registerBench({ ...make(), dtype: "float64" });
  assert.equal(registeredBenches().filter((c) => c.name === "dup_case").length, 2);
});

Deno.test("selectBenches() keeps cases whose name and dtype contain every word", () => {
  const run = () => Promise.reject(new Error("not run"));
  const cases = [
    { name: "gemm_1x784x150", dtype: "float32" as const, run },
    { name: "gemm_1x784x150", dtype: "float64" as const, run },
    { name: "train_seed000_sgd", dtype: "float32" as const, run },
  ];
  assert.deepEqual(selectBenches(cases, ["gemm"]).length, 2);
  assert.deepEqual(selectBenches(cases, ["float32"]).map((c) => c.name), [
    "gemm_1x784x150",
    "train_seed000_sgd",
  ]);
  assert.deepEqual(selectBenches(cases, ["gemm", "float64"]).map((c) => c.dtype), ["float64"]);
  assert.equal(selectBenches(cases, ["nothing"]).length, 0);
});

Deno.test("mergeBenchRows() replaces rows with the same case and dtype and keeps the rest", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/reports/bench.json`;
  const row = (c: string, dtype: "float32" | "float64", ours: number) => ({
    case: c,
    dtype,
    backend: "ts",
    ours_seconds: ours,
    numpy_seconds: 1,
    ratio: ours,
  });
  await mergeBenchRows([row("a", "float32", 1), row("a", "float64", 2)], path);
  await mergeBenchRows([row("a", "float32", 3), row("b", "float32", 4)], path);
  const written = JSON.parse(await Deno.readTextFile(path));
  assert.ok(Array.isArray(written));
  assert.deepEqual(
    written.map((r: { case: string; dtype: string; ours_seconds: number }) =>
      `${r.case} ${r.dtype} ${r.ours_seconds}`
    ),
    ["a float64 2", "a float32 3", "b float32 4"],
  );
  // No temporary file is left behind.
  assert.deepEqual([...Deno.readDirSync(`${dir}/reports`)].map((e) => e.name), ["bench.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("NumpyRunner.start() reports why no interpreter worked", async () => {
  const { runner, tried } = await NumpyRunner.start(["/nonexistent/python3"]);
  assert.equal(runner, null);
  assert.equal(tried.length, 1);
  assert.match(tried[0], /^\/nonexistent\/python3: /);
});

Deno.test({
  name:
    "NumpyRunner times snippets without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE in its environment",
  ignore: !numpyAvailable,
  async fn() {
    const saved = [Deno.env.get("OPENBLAS_CORETYPE"), Deno.env.get("OPENBLAS_L2_SIZE")];
    Deno.env.set("OPENBLAS_CORETYPE", "Haswell");
    Deno.env.set("OPENBLAS_L2_SIZE", "1048576");
    const { runner } = await NumpyRunner.start();
    const restore = (name: string, value: string | undefined) =>
      value === undefined ? Deno.env.delete(name) : Deno.env.set(name, value);
    restore("OPENBLAS_CORETYPE", saved[0]);
    restore("OPENBLAS_L2_SIZE", saved[1]);
    assert.ok(runner !== null);
    try {
      assert.match(runner.info.numpy, /^\d+\.\d+/);
      const id = await runner.setup(
        "import os\nassert 'OPENBLAS_CORETYPE' not in os.environ\n" +
          "assert 'OPENBLAS_L2_SIZE' not in os.environ\na = np.ones((4, 4))",
      );
      const seconds = await runner.time(id, "a @ a", 10);
      assert.ok(seconds > 0 && seconds < 1, `seconds = ${seconds}`);
      await assert.rejects(() => runner.time(id, "undefined_name", 1), /NameError/);
      await runner.drop(id);
      await assert.rejects(() => runner.time(id, "a", 1), /KeyError/);
    } finally {
      await runner.close();
    }
  },
});

Deno.test("deno task bench --list discovers the gemm cases and filters by every word", async () => {
  const { code, stdout, stderr } = await runBench(["--list"]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split("\n");
  for (
    const expected of [
      "gemm_1024x1024x1024 float32",
      "gemm_1x784x150 float64",
      "gemm_ts_1024x1024x1024 float32",
    ]
  ) {
    assert.ok(lines.includes(expected), `missing ${expected}`);
  }
  const filtered = await runBench(["--list", "gemm_60000", "float64"]);
  assert.deepEqual(filtered.stdout.trim().split("\n"), ["gemm_60000x784x32 float64"]);
  const none = await runBench(["no_such_case"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no case matches no_such_case/);
});

Deno.test("deno task bench runs a case and prints its row with a ratio", async () => {
  const { code, stdout, stderr } = await runBench([
    "gemm_1x784x150",
    "float64",
    "--repeats=1",
    "--no-write",
  ]);
  assert.equal(code, 0, stderr);
  const row = stdout.split("\n").find((l) => l.startsWith("gemm_1x784x150"));
  assert.ok(row, stdout);
  assert.match(row, /float64/);
  if (numpyAvailable) assert.match(row, /\s\d+\.\d\d\s/);
});
