import assert from "node:assert/strict";
import {
  type CourseParams,
  readCourseData,
  readCourseParams,
  writeCourseData,
  writeCourseParams,
} from "../../lib/data/course_layout.ts";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { oneHot } from "../../lib/tensor/ops.ts";

const PYTHON = "/usr/bin/python3";

async function python(code: string, ...args: string[]): Promise<void> {
  const { code: status, stderr } = await new Deno.Command(PYTHON, {
    args: ["-c", code, ...args],
    stderr: "piped",
  }).output();
  assert.equal(
    status,
    0,
    `python failed (is python3-h5py installed?):\n${new TextDecoder().decode(stderr)}`,
  );
}

/** Course-shaped params with W_l[i, j] = sin(l + 0.01·(i·cols + j)), b_l[i] = cos(l + i). */
function courseParams(dtype: "float32" | "float64" = "float64"): CourseParams {
  const sizes = [784, 200, 100, 10];
  const weights: Matrix[] = [], biases: Matrix[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const W = Matrix.zeros(sizes[l], sizes[l - 1], dtype);
    W.data.forEach((_, k) => (W.data[k] = Math.sin(l + 0.01 * k)));
    const b = Matrix.zeros(1, sizes[l], dtype);
    b.data.forEach((_, i) => (b.data[i] = Math.cos(l + i)));
    weights.push(W);
    biases.push(b);
  }
  return { weights, biases };
}

Deno.test("writeCourseParams() → readCourseParams() round-trips float32 and float64", async (t) => {
  const dir = Deno.makeTempDirSync();
  for (const dtype of ["float32", "float64"] as const) {
    for (const compression of [0, 4]) {
      await t.step(`${dtype}, compression ${compression}`, async () => {
        const path = `${dir}/p_${dtype}_${compression}.hdf5`;
        const params = courseParams(dtype);
        await writeCourseParams(path, params, { compression });
        const back = await readCourseParams(path, { dtype });
        assert.deepEqual(back.weights.map((W) => W.shape), [[200, 784], [100, 200], [10, 100]]);
        assert.deepEqual(back.biases.map((b) => b.shape), [[1, 200], [1, 100], [1, 10]]);
        for (let l = 0; l < 3; l++) {
          assert.deepEqual(back.weights[l].data, params.weights[l].data);
          assert.deepEqual(back.biases[l].data, params.biases[l].data);
        }
      });
    }
  }
  await t.step("float32 file read as float64 keeps the float32 values", async () => {
    const back = await readCourseParams(`${dir}/p_float32_0.hdf5`);
    assert.equal(back.weights[0].dtype, "float64");
    assert.deepEqual(
      back.weights[0].data,
      Float64Array.from(courseParams("float32").weights[0].data),
    );
  });
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readCourseParams() loads an h5py file in the course layout (default and gzip)", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    await python(
      `
import sys, h5py, numpy as np
sizes = [784, 200, 100, 10]
for name, kw in (("default", {}), ("gzip", {"compression": "gzip"})):
    with h5py.File(f"{sys.argv[1]}/{name}.hdf5", "w") as f:
        for l in range(1, 4):
            f.create_dataset(f"W{l}", data=np.sin(l + 0.01 * np.arange(sizes[l] * sizes[l - 1])).reshape(sizes[l], sizes[l - 1]), **kw)
            f.create_dataset(f"b{l}", data=np.cos(l + np.arange(sizes[l])), **kw)
`,
      dir,
    );
    const expected = courseParams();
    for (const name of ["default", "gzip"]) {
      const got = await readCourseParams(`${dir}/${name}.hdf5`);
      for (let l = 0; l < 3; l++) {
        // numpy's sin/cos and V8's may differ in the last bit: compare to 1e-15.
        for (
          const [a, b] of [[got.weights[l], expected.weights[l]], [
            got.biases[l],
            expected.biases[l],
          ]]
        ) {
          assert.deepEqual(a.shape, b.shape);
          for (let k = 0; k < a.size; k++) assert.ok(Math.abs(a.data[k] - b.data[k]) <= 1e-15);
        }
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readCourseParams() rejects weights stored [in, out] and missing layers", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/t.hdf5`;
    const params = courseParams();
    params.weights[0] = Matrix.zeros(784, 200); // transposed by mistake
    await writeCourseParams(path, { weights: [params.weights[0]], biases: [Matrix.zeros(1, 784)] });
    await assert.rejects(readCourseParams(path), {
      message:
        `Cannot read dataset "W1" from HDF5 file ${path}: expected shape [200, 784], got [784, 200]`,
    });
    await writeCourseParams(path, {
      weights: [Matrix.zeros(200, 784)],
      biases: [Matrix.zeros(1, 200)],
    });
    await assert.rejects(readCourseParams(path), {
      message:
        `Cannot read dataset "W2" from HDF5 file ${path}: no such dataset (datasets present: W1, b1)`,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readCourseParams() rejects NaN and ±Infinity in any dataset, naming it and the index", async (t) => {
  const dir = Deno.makeTempDirSync();
  try {
    const sizes = [4, 3, 2];
    // h5py, as a new user writes a file: each dataset in turn gets one bad value.
    await python(
      `
import sys, h5py, numpy as np
sizes = [4, 3, 2]
for bad_name, bad_index in (("W1", (0, 0)), ("b1", (2,)), ("W2", (1, 2)), ("b2", (1,))):
    for label, value in (("nan", np.nan), ("inf", np.inf), ("-inf", -np.inf)):
        with h5py.File(f"{sys.argv[1]}/{bad_name}_{label}.hdf5", "w") as f:
            for l in range(1, 3):
                for name, shape in ((f"W{l}", (sizes[l], sizes[l - 1])), (f"b{l}", (sizes[l],))):
                    data = np.full(shape, 0.5)
                    if name == bad_name:
                        data[bad_index] = value
                    f.create_dataset(name, data=data)
`,
      dir,
    );
    const cases: [string, string][] = [["W1", "0, 0"], ["b1", "2"], ["W2", "1, 2"], ["b2", "1"]];
    for (const [name, index] of cases) {
      for (const [label, shown] of [["nan", "NaN"], ["inf", "Infinity"], ["-inf", "-Infinity"]]) {
        await t.step(`${name} holding ${shown}`, async () => {
          const path = `${dir}/${name}_${label}.hdf5`;
          await assert.rejects(readCourseParams(path, { sizes }), {
            name: "RangeError",
            message:
              `Cannot read course parameters ${path}: expected finite values in dataset ${name}, found ${shown} at [${index}]`,
          });
        });
      }
    }
    await t.step("the same file with finite values loads", async () => {
      const path = `${dir}/ok.hdf5`;
      await writeCourseParams(path, {
        weights: [Matrix.full(3, 4, 0.5), Matrix.full(2, 3, 0.5)],
        biases: [Matrix.full(1, 3, 0.5), Matrix.full(1, 2, 0.5)],
      });
      const params = await readCourseParams(path, { sizes });
      assert.deepEqual(params.weights.map((W) => W.shape), [[3, 4], [2, 3]]);
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("writeCourseParams() checks the layer chain", async () => {
  const path = "/nonexistent/p.hdf5";
  await assert.rejects(
    writeCourseParams(path, {
      weights: [Matrix.zeros(3, 4), Matrix.zeros(2, 5)],
      biases: [Matrix.zeros(1, 3), Matrix.zeros(1, 2)],
    }),
    {
      message:
        `Cannot write network parameters to ${path}: W2 [2, 5] must have 3 columns (the rows of W1 [3, 4])`,
    },
  );
  await assert.rejects(
    writeCourseParams(path, { weights: [Matrix.zeros(3, 4)], biases: [Matrix.zeros(1, 4)] }),
    {
      message:
        `Cannot write network parameters to ${path}: b1 must be [1, 3] to match W1 [3, 4], got [1, 4]`,
    },
  );
  await assert.rejects(writeCourseParams(path, { weights: [Matrix.zeros(3, 4)], biases: [] }), {
    message: `Cannot write network parameters to ${path}: expected as many biases as weights ` +
      "(at least one), got 1 weights and 0 biases",
  });
});

Deno.test("writeCourseData() → readCourseData() round-trips xdata and one-hot ydata", async (t) => {
  const dir = Deno.makeTempDirSync();
  const labels = Uint8Array.from({ length: 50 }, (_, i) => (i * 7) % 10);
  for (const dtype of ["float32", "float64"] as const) {
    await t.step(dtype, async () => {
      const X = Matrix.zeros(50, 784, dtype);
      X.data.forEach((_, k) => (X.data[k] = ((k * 31) % 256) / 255));
      const Y = oneHot(labels, 10, dtype);
      const path = `${dir}/d_${dtype}.hdf5`;
      await writeCourseData(path, { X, Y }, { compression: dtype === "float32" ? 4 : 0 });
      const back = await readCourseData(path, { dtype });
      assert.deepEqual(back.X.shape, [50, 784]);
      assert.deepEqual(back.X.data, X.data);
      assert.deepEqual(back.Y.data, Y.data);
      assert.deepEqual(back.labels, labels);
    });
  }
  await t.step("uint8 ydata (h5py) is accepted and converted", async () => {
    const path = `${dir}/u8.hdf5`;
    await python(
      `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["xdata"] = np.full((3, 784), 0.5)
    f["ydata"] = np.eye(10, dtype=np.uint8)[[4, 0, 9]]
`,
      path,
    );
    const back = await readCourseData(path, { dtype: "float32" });
    assert.deepEqual([...back.labels], [4, 0, 9]);
    assert.equal(back.Y.dtype, "float32");
    assert.equal(back.Y.get(2, 9), 1);
  });
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readCourseData() rejects pixels outside [0, 1], non-one-hot rows and row mismatches", async (t) => {
  const dir = Deno.makeTempDirSync();
  const Y = oneHot([1, 2], 10);
  await t.step("pixels 0..255", async () => {
    const path = `${dir}/raw.hdf5`;
    const X = Matrix.zeros(2, 784);
    X.set(1, 5, 255);
    await writeCourseData(path, { X, Y });
    await assert.rejects(readCourseData(path), {
      message:
        `Cannot read course data from HDF5 file ${path}: expected xdata in [0, 1], got 255 at row 1, column 5`,
    });
  });
  await t.step("ydata rows that are not one-hot", async () => {
    const path = `${dir}/labels.hdf5`;
    const bad = Matrix.zeros(2, 10);
    bad.set(1, 3, 1);
    bad.set(1, 4, 1);
    await writeCourseData(path, { X: Matrix.zeros(2, 784), Y: bad });
    await assert.rejects(readCourseData(path), {
      message: `Cannot read course data from HDF5 file ${path}: expected ydata rows one-hot, got ` +
        "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0] at row 0",
    });
  });
  await t.step("wrong feature count", async () => {
    const path = `${dir}/cols.hdf5`;
    await writeCourseData(path, { X: Matrix.zeros(2, 64), Y });
    await assert.rejects(readCourseData(path), {
      message:
        `Cannot read dataset "xdata" from HDF5 file ${path}: expected shape [any, 784], got [2, 64]`,
    });
  });
  await t.step("row mismatch on write", async () => {
    await assert.rejects(writeCourseData(`${dir}/x.hdf5`, { X: Matrix.zeros(3, 784), Y }), {
      message:
        `Cannot write course data to ${dir}/x.hdf5: X [3, 784] and Y [2, 10] must have the same number of rows`,
    });
  });
  Deno.removeSync(dir, { recursive: true });
});
