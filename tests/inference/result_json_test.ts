import assert from "node:assert/strict";
import {
  formatResultJson,
  inferenceResults,
  pythonFloatRepr,
  readResultJson,
  writeResultJson,
} from "../../lib/inference/result_json.ts";
import { Prng } from "../../lib/random.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { softmax } from "../../lib/nn/activations.ts";

async function python(code: string, input: string): Promise<string> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", code],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const { code: status, stdout, stderr } = await child.output();
  assert.equal(status, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

/** Softmax rows of seeded logits, `[n, 10]`, float64. */
function probabilities(n: number, seed = 1, scale = 8): Matrix {
  const prng = new Prng(seed);
  const Z = Matrix.zeros(n, 10);
  prng.fillNormal(Z.data, 0, scale);
  return softmax(Z);
}

Deno.test("pythonFloatRepr() writes every double as Python's repr does", async () => {
  const prng = new Prng(99);
  const values = [
    0,
    1,
    -1,
    0.1,
    0.5,
    100,
    1e-4,
    9.999e-5,
    1e-5,
    1.5e-7,
    0.00012345,
    123456.789,
    1e15,
    1e16,
    9999999999999998,
    1e21,
    1e22,
    1.2345e-300,
    5e-324,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    2 ** -1074,
    1 / 3,
    2 / 3,
    0.30000000000000004,
  ];
  for (let i = 0; i < 300; i++) {
    values.push(prng.normal() * 10 ** prng.int(40) / 10 ** prng.int(40));
  }
  for (let i = 0; i < 100; i++) values.push(Math.fround(prng.random())); // float32 activations
  const ours = `[${values.map(pythonFloatRepr).join(", ")}]`;
  const theirs = await python(
    "import sys, json; print(json.dumps(json.load(sys.stdin, parse_int=float)), end='')",
    JSON.stringify(values),
  );
  assert.equal(ours, theirs);
  assert.equal(pythonFloatRepr(-0), "-0.0");
  assert.equal(pythonFloatRepr(NaN), "NaN");
  assert.equal(pythonFloatRepr(-Infinity), "-Infinity");
});

Deno.test("formatResultJson() is byte-identical to the seed's json.dumps(l)", async () => {
  const P = probabilities(50);
  P.set(3, 4, 1); // an exact 1.0 and
  P.set(3, 5, 0); // 0.0 as Python writes them
  // Seed 003 Q2, verbatim apart from reading softmax from stdin.
  const seed = `
import sys, json
import numpy as np
softmax = np.array(json.load(sys.stdin))
l = []
for i in range(softmax.shape[0]):
    data = {
        "activations": softmax[i].tolist(),
        "index" : i,
        "classification" : int(softmax[i].argmax()),
    }
    l.append(data)
sys.stdout.write(json.dumps(l))
`;
  const expected = await python(seed, JSON.stringify(P.toArray()));
  assert.equal(formatResultJson(P), expected);
});

Deno.test("inferenceResults() lists activations, index and argmax per row", () => {
  const P = Matrix.from([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]]);
  assert.deepEqual(inferenceResults(P), [
    { activations: [0.1, 0.7, 0.2], index: 0, classification: 1 },
    { activations: [0.5, 0.25, 0.25], index: 1, classification: 0 },
  ]);
});

Deno.test("writeResultJson() writes 10,000 entries that readResultJson() accepts", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/result.json`;
    const P = probabilities(10000, 2, 3);
    await writeResultJson(path, P);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["result.json"]);
    const results = await readResultJson(path);
    assert.equal(results.length, 10000);
    for (const [i, r] of results.entries()) {
      assert.deepEqual(Object.keys(r), ["activations", "index", "classification"]);
      assert.equal(r.index, i);
      assert.equal(r.activations.length, 10);
      assert.deepEqual(r.activations, Array.from(P.data.subarray(i * 10, i * 10 + 10)));
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("writeResultJson() creates the folders it writes into", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/reports/05_pretrained_inference/result.json`;
    await writeResultJson(path, Matrix.from([[0.25, 0.75]]));
    assert.equal(
      Deno.readTextFileSync(path),
      '[{"activations": [0.25, 0.75], "index": 0, "classification": 1}]',
    );
    await writeResultJson(path, Matrix.from([[0.5, 0.5]]));
    assert.deepEqual((await readResultJson(path, { classes: 2 }))[0].activations, [0.5, 0.5]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readResultJson() names the file and the bad entry", async (t) => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/result.json`;
  const acts = "[0.1, 0.9]";
  const cases: [string, string, string][] = [
    ["not an array", `{"a": 1}`, "expected a JSON array, got object"],
    [
      "key order",
      `[{"index": 0, "activations": ${acts}, "classification": 1}]`,
      "entry 0: expected keys activations, index, classification, got index, activations, classification",
    ],
    [
      "short activations",
      `[{"activations": [0.1], "index": 0, "classification": 0}]`,
      "entry 0: expected activations as 2 numbers, got [0.1]",
    ],
    [
      "wrong index",
      `[{"activations": ${acts}, "index": 0, "classification": 1}, {"activations": ${acts}, "index": 5, "classification": 1}]`,
      "entry 1: expected index 1, got 5",
    ],
    [
      "wrong classification",
      `[{"activations": ${acts}, "index": 0, "classification": 0}]`,
      "entry 0: expected classification 1 (argmax of activations), got 0",
    ],
  ];
  for (const [name, text, detail] of cases) {
    await t.step(name, async () => {
      Deno.writeTextFileSync(path, text);
      await assert.rejects(readResultJson(path, { classes: 2 }), {
        message: `Cannot read result file ${path}: ${detail}`,
      });
    });
  }
  await t.step("Python's NaN is read", async () => {
    Deno.writeTextFileSync(path, `[{"activations": [NaN, 0.5], "index": 0, "classification": 1}]`);
    const [r] = await readResultJson(path, { classes: 2 });
    assert.equal(r.activations[0], null);
  });
  Deno.removeSync(dir, { recursive: true });
});
