import assert from "node:assert/strict";
import {
  courseParamsSha256,
  readCourseData,
  readCourseParams,
} from "../../lib/data/course_layout.ts";
import { sha256Hex } from "../../lib/data/checksum.ts";
import { ensureMnistTestHdf5 } from "../../lib/data/mnist_test_hdf5.ts";
import { listHdf5Datasets, readHdf5 } from "../../lib/data/hdf5.ts";
import { projectPath } from "../../lib/data/paths.ts";
import { courseParamsToMlp } from "../../lib/inference/course_network.ts";
import { readResultJson, writeResultJson } from "../../lib/inference/result_json.ts";

const WEIGHTS = projectPath("data", "mnist_network_params.hdf5");
const SIDECAR = projectPath("data", "mnist_network_params.json");

Deno.test("the committed weights are in the course layout, as written by the tool", async () => {
  assert.deepEqual((await listHdf5Datasets(WEIGHTS)).sort(), ["W1", "W2", "W3", "b1", "b2", "b3"]);
  const sets = await readHdf5(WEIGHTS, ["W1", "b1", "W3"]);
  assert.deepEqual(sets.W1.shape, [200, 784]);
  assert.deepEqual(sets.b1.shape, [200]);
  assert.deepEqual(sets.W3.shape, [10, 100]);
  assert.equal(sets.W1.dtype, "float32");
  const sidecar = JSON.parse(Deno.readTextFileSync(SIDECAR));
  assert.equal(
    sidecar.sha256,
    await sha256Hex(Deno.readFileSync(WEIGHTS)),
    "sidecar matches the file",
  );
  const params = await readCourseParams(WEIGHTS, { dtype: "float32" });
  assert.equal(sidecar.paramsSha256, await courseParamsSha256(params), "and its values");
});

Deno.test("the committed weights score ≥ 9,800 / 10,000 through the seed's HDF5 → result.json path", async () => {
  // Seed 003 Q2: weights and test data both from HDF5, forward pass, result.json, count.
  const params = await readCourseParams(WEIGHTS);
  const { X, labels } = await readCourseData(await ensureMnistTestHdf5());
  const P = courseParamsToMlp(params).predict(X);
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/result.json`;
    await writeResultJson(path, P);
    const results = await readResultJson(path);
    assert.equal(results.length, 10000);
    const correct = results.filter((r, i) => r.classification === labels[i]).length;
    const sidecar = JSON.parse(Deno.readTextFileSync(SIDECAR));
    assert.ok(correct >= 9800, `${correct} / 10000 correct, target 9800`);
    assert.equal(correct, sidecar.testCorrect, "the accuracy the training run reported");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
