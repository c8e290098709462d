import assert from "node:assert/strict";
import { envName, parameters } from "../lib/params.ts";

const defaults = {
  seed: 42,
  epochs: 50,
  learningRate: 0.01,
  verbose: false,
  weightsPath: "data/weights.hdf5",
  hidden: [150, 100, 50],
};

Deno.test("envName() maps camelCase keys to NB_UPPER_SNAKE", () => {
  assert.equal(envName("seed"), "NB_SEED");
  assert.equal(envName("batchSize"), "NB_BATCH_SIZE");
  assert.equal(envName("learningRate"), "NB_LEARNING_RATE");
  assert.equal(envName("w1Path"), "NB_W1_PATH");
  assert.equal(envName("testHDF5Path"), "NB_TEST_HDF5_PATH");
  assert.equal(envName("train_limit"), "NB_TRAIN_LIMIT");
});

Deno.test("parameters() returns a copy of the defaults when no variable is set", () => {
  const params = parameters(defaults, { env: {} });
  assert.deepEqual(params, defaults);
  assert.notEqual(params, defaults);
  params.hidden.push(10);
  assert.deepEqual(defaults.hidden, [150, 100, 50]);
});

Deno.test("parameters() parses each variable as its default's type", async (t) => {
  await t.step("numbers, including exponents and negatives", () => {
    const env = { NB_EPOCHS: "7", NB_LEARNING_RATE: "1e-5", NB_SEED: "-3" };
    const params = parameters(defaults, { env });
    assert.equal(params.epochs, 7);
    assert.equal(params.learningRate, 1e-5);
    assert.equal(params.seed, -3);
  });
  await t.step("booleans in their usual spellings", () => {
    for (const [text, value] of [["1", true], ["true", true], ["YES", true], ["0", false]]) {
      assert.equal(parameters(defaults, { env: { NB_VERBOSE: text as string } }).verbose, value);
    }
  });
  await t.step("strings as they are, even empty", () => {
    assert.equal(
      parameters(defaults, { env: { NB_WEIGHTS_PATH: "/x/w.h5" } }).weightsPath,
      "/x/w.h5",
    );
    assert.equal(parameters(defaults, { env: { NB_WEIGHTS_PATH: "" } }).weightsPath, "");
  });
  await t.step("arrays as JSON", () => {
    assert.deepEqual(parameters(defaults, { env: { NB_HIDDEN: "[32]" } }).hidden, [32]);
  });
  await t.step("a lookup function instead of a record", () => {
    const params = parameters(defaults, { env: (name) => name === "NB_EPOCHS" ? "3" : undefined });
    assert.equal(params.epochs, 3);
  });
});

Deno.test("parameters() rejects bad values naming the variable, type and value", async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ NB_EPOCHS: "many" }, /NB_EPOCHS: expected number, got "many"/],
    [{ NB_EPOCHS: "" }, /NB_EPOCHS: expected number, got ""/],
    [{ NB_LEARNING_RATE: "Infinity" }, /NB_LEARNING_RATE: expected number, got "Infinity"/],
    [{ NB_VERBOSE: "maybe" }, /NB_VERBOSE: expected boolean, got "maybe"/],
    [{ NB_HIDDEN: "32,16" }, /NB_HIDDEN: expected array of number, got "32,16"/],
    [{ NB_HIDDEN: '["a"]' }, /NB_HIDDEN: expected array of number, got "\[\\"a\\"\]"/],
    [{ NB_HIDDEN: "{}" }, /NB_HIDDEN: expected array of number/],
    [{ NB_QUICK: "sometimes" }, /NB_QUICK: expected boolean, got "sometimes"/],
  ];
  for (const [env, message] of cases) {
    await t.step(Object.entries(env)[0].join("="), () => {
      assert.throws(() => parameters(defaults, { env }), (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /\.$/);
        return true;
      });
    });
  }
});

Deno.test("parameters() applies quick overrides only when NB_QUICK is true", async (t) => {
  const quick = { epochs: 2, hidden: [8] };
  await t.step("NB_QUICK=1 applies them", () => {
    const params = parameters(defaults, { quick, env: { NB_QUICK: "1" } });
    assert.equal(params.epochs, 2);
    assert.deepEqual(params.hidden, [8]);
    assert.equal(params.learningRate, 0.01);
  });
  await t.step("NB_QUICK unset, empty or 0 leaves the defaults", () => {
    for (const env of [{}, { NB_QUICK: "" }, { NB_QUICK: "0" }]) {
      assert.equal(parameters(defaults, { quick, env }).epochs, 50);
    }
  });
  await t.step("explicit variables win over quick overrides", () => {
    const params = parameters(defaults, { quick, env: { NB_QUICK: "1", NB_EPOCHS: "5" } });
    assert.equal(params.epochs, 5);
  });
  await t.step("NB_SEED overrides seed in quick mode too", () => {
    assert.equal(parameters(defaults, { quick, env: { NB_QUICK: "1", NB_SEED: "7" } }).seed, 7);
  });
  await t.step("an unknown quick key is an error", () => {
    assert.throws(
      () => parameters(defaults, { quick: { epoch: 2 } as never, env: { NB_QUICK: "1" } }),
      (error: Error) => error instanceof RangeError && /quick override epoch/.test(error.message),
    );
  });
});

Deno.test("parameters() rejects defaults that a variable could not override", () => {
  assert.throws(
    () => parameters({ limit: null } as never, { env: {} }),
    /Cannot define parameter limit: expected a number, boolean, string or array of those, got null/,
  );
  assert.throws(() => parameters({ nested: { a: 1 } } as never, { env: {} }), /got object/);
});

Deno.test("parameters() reads Deno.env by default", () => {
  Deno.env.set("NB_EPOCHS", "11");
  try {
    assert.equal(parameters({ epochs: 50 }).epochs, 11);
  } finally {
    Deno.env.delete("NB_EPOCHS");
  }
  assert.equal(parameters({ epochs: 50 }).epochs, 50);
});

Deno.test("parameters() widens literal defaults so quick overrides of other values type-check", () => {
  // Before widening, T was inferred as { flag: true; dtype: "float32" } and this did not compile.
  const params = parameters(
    { flag: true, dtype: "float32", seed: 0 },
    { quick: { flag: false, dtype: "float64", seed: 3 }, env: { NB_QUICK: "1" } },
  );
  const flag: boolean = params.flag;
  const dtype: string = params.dtype;
  assert.deepEqual({ flag, dtype, seed: params.seed }, { flag: false, dtype: "float64", seed: 3 });
});
