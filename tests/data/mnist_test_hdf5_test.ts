import assert from "node:assert/strict";
import { readCourseData } from "../../lib/data/course_layout.ts";
import { loadMnist } from "../../lib/data/mnist.ts";
import { ensureMnistTestHdf5 } from "../../lib/data/mnist_test_hdf5.ts";

Deno.test("ensureMnistTestHdf5() writes the MNIST test set in the course layout once", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/mnist_testdata.hdf5`;
    assert.equal(await ensureMnistTestHdf5({ path }), path);
    const { X, Y, labels } = await readCourseData(path);
    const mnist = await loadMnist({ split: "test", dtype: "float64" });
    assert.deepEqual(X.shape, [10000, 784]);
    assert.deepEqual(Y.shape, [10000, 10]);
    assert.deepEqual(X.data, mnist.X.data);
    assert.deepEqual(labels, mnist.labels);

    const { mtime } = Deno.statSync(path);
    await new Promise((r) => setTimeout(r, 20));
    await ensureMnistTestHdf5({ path });
    assert.deepEqual(Deno.statSync(path).mtime, mtime, "an existing file is reused");
    await ensureMnistTestHdf5({ path, force: true });
    assert.notDeepEqual(Deno.statSync(path).mtime, mtime, "force rewrites it");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["mnist_testdata.hdf5"]);

    // h5py sees what the seed saw: float64 xdata (10000, 784), one-hot float64 ydata.
    const { code, stdout } = await new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        `import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
x, y = np.asarray(f["xdata"]), np.asarray(f["ydata"])
print(x.shape, x.dtype, y.shape, y.dtype, float(x.min()), float(x.max()), int(y.sum()), int(y.argmax(axis=1)[0]))`,
        path,
      ],
      stdout: "piped",
    }).output();
    assert.equal(code, 0);
    assert.equal(
      new TextDecoder().decode(stdout).trim(),
      "(10000, 784) float64 (10000, 10) float64 0.0 1.0 10000 7",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("ensureMnistTestHdf5() defaults to the gitignored .cache/data folder", async () => {
  const path = await ensureMnistTestHdf5();
  assert.ok(path.endsWith("/.cache/data/mnist_testdata.hdf5"), path);
  assert.ok(Deno.statSync(path).isFile);
});
