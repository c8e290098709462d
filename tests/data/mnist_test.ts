import assert from "node:assert/strict";
import { clearMnistVerificationCache, loadMnist, MNIST_FILES } from "../../lib/data/mnist.ts";
import { mnistDir } from "../../lib/data/paths.ts";

function counts(labels: Uint8Array): number[] {
  const c = new Array(10).fill(0);
  for (const y of labels) c[y]++;
  return c;
}

/** A temp folder holding copies of the test split's two files. */
function copyTestSplit(): string {
  const dir = Deno.makeTempDirSync({ prefix: "mnist_test_" });
  for (const f of [MNIST_FILES.test.images, MNIST_FILES.test.labels]) {
    Deno.copyFileSync(`${mnistDir()}/${f.name}`, `${dir}/${f.name}`);
  }
  return dir;
}

Deno.test("loadMnist() train split has the known label counts", async () => {
  const { X, labels, raw } = await loadMnist({ split: "train" });
  assert.deepEqual(X.shape, [60000, 784]);
  assert.equal(X.dtype, "float32");
  assert.equal(raw.length, 60000 * 784);
  assert.deepEqual(counts(labels), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.equal(labels[0], 5);
});

Deno.test("loadMnist() test split has the known label counts", async () => {
  const { labels } = await loadMnist({ split: "test" });
  assert.deepEqual(counts(labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.equal(labels[0], 7);
});

Deno.test("loadMnist() scales pixels to [0, 1] and exposes raw bytes without copying", async () => {
  const { X, raw } = await loadMnist({ split: "test", dtype: "float64", limit: 500 });
  assert.deepEqual(X.shape, [500, 784]);
  assert.equal(raw.length, 500 * 784);
  assert.ok(raw.buffer.byteLength >= MNIST_FILES.test.images.count * 784, "raw is a view");
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < raw.length; i++) {
    assert.equal(X.data[i], raw[i] / 255);
    min = Math.min(min, X.data[i]);
    max = Math.max(max, X.data[i]);
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
});

Deno.test("loadMnist() float32 pixels are float32(k / 255)", async () => {
  const { X, raw } = await loadMnist({ split: "test", limit: 50 });
  for (let i = 0; i < raw.length; i++) assert.equal(X.data[i], Math.fround(raw[i] / 255));
});

Deno.test("loadMnist() limit keeps the first samples of the full split", async () => {
  const all = await loadMnist({ split: "test" });
  const first = await loadMnist({ split: "test", limit: 2000 });
  assert.deepEqual(first.labels, all.labels.subarray(0, 2000));
  assert.deepEqual(first.X.data, all.X.data.subarray(0, 2000 * 784));
  const none = await loadMnist({ split: "test", limit: 0 });
  assert.deepEqual(none.X.shape, [0, 784]);
});

Deno.test("loadMnist() rejects a bad split or limit", async () => {
  await assert.rejects(loadMnist({ split: "valid" as "train" }), {
    name: "TypeError",
    message: 'Cannot load MNIST: split must be "train" or "test", got valid',
  });
  await assert.rejects(loadMnist({ split: "test", limit: 10001 }), {
    name: "RangeError",
    message: "Cannot load MNIST test split: limit must be an integer in [0, 10000], got 10001",
  });
});

Deno.test("loadMnist() names an altered file by its SHA-256", async () => {
  const dir = copyTestSplit();
  try {
    const path = `${dir}/t10k-labels-idx1-ubyte`;
    const bytes = Deno.readFileSync(path);
    bytes[8] = bytes[8] === 0 ? 1 : 0; // still a valid label 0..9
    Deno.writeFileSync(path, bytes);
    await assert.rejects(loadMnist({ split: "test", dir }), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(
          `^Cannot load MNIST file ${path}: expected SHA-256 ${MNIST_FILES.test.labels.sha256}, got [0-9a-f]{64}$`,
        ),
      );
      return true;
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadMnist() names a truncated or missing file", async () => {
  const dir = copyTestSplit();
  try {
    const path = `${dir}/t10k-images-idx3-ubyte`;
    Deno.truncateSync(path, 7840016 - 784);
    await assert.rejects(loadMnist({ split: "test", dir }), {
      message: `Cannot read IDX file ${path}: expected 7840016 bytes (16-byte header + ` +
        "10000×28×28 data), got 7839232 (truncated)",
    });
    Deno.removeSync(path);
    await assert.rejects(loadMnist({ split: "test", dir }), {
      message: `Cannot read IDX file ${path}: no such file`,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadMnist() hashes a file once per process unless it changes", async () => {
  const dir = copyTestSplit();
  try {
    await loadMnist({ split: "test", dir, limit: 1 });
    const path = `${dir}/t10k-labels-idx1-ubyte`;
    const { mtime } = Deno.statSync(path);
    const bytes = Deno.readFileSync(path);
    bytes[9] = bytes[9] === 0 ? 1 : 0;
    Deno.writeFileSync(path, bytes);
    Deno.utimeSync(path, mtime!, mtime!); // same size and mtime: the cached verdict stands
    await loadMnist({ split: "test", dir, limit: 1 });
    clearMnistVerificationCache();
    await assert.rejects(loadMnist({ split: "test", dir, limit: 1 }), /expected SHA-256/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
