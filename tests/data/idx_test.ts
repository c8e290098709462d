import assert from "node:assert/strict";
import {
  checkLabels,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  parseIdx,
  readIdx,
  readIdxImages,
  readIdxLabels,
} from "../../lib/data/idx.ts";

/** Builds IDX bytes: magic, big-endian dims, then `data`. */
function idxBytes(magic: number, dims: number[], data: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(data, 4 + 4 * dims.length);
  return bytes;
}

function tempFile(bytes: Uint8Array, name = "x-idx-ubyte"): string {
  const path = `${Deno.makeTempDirSync()}/${name}`;
  Deno.writeFileSync(path, bytes);
  return path;
}

Deno.test("parseIdx() decodes a header and returns a data view without copying", () => {
  const bytes = idxBytes(IDX_IMAGES_MAGIC, [2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const idx = parseIdx(bytes, { magic: IDX_IMAGES_MAGIC, dims: [2, 2, 3] });
  assert.equal(idx.magic, 0x803);
  assert.deepEqual(idx.dims, [2, 2, 3]);
  assert.deepEqual([...idx.data], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(idx.data.buffer, bytes.buffer);
  assert.equal(idx.bytes, bytes);
});

Deno.test("readIdxImages() rejects bad inputs with messages naming the path", async (t) => {
  await t.step("wrong magic (a labels file)", async () => {
    const path = tempFile(idxBytes(IDX_LABELS_MAGIC, [3], [1, 2, 3]));
    await assert.rejects(readIdxImages(path), {
      message: `Cannot read IDX file ${path}: expected magic 0x00000803, got 0x00000801`,
    });
  });
  await t.step("gzip-compressed file", async () => {
    const path = tempFile(new Uint8Array([0x1f, 0x8b, 0x08, 0x08, 0, 0, 0, 0, 0, 0]));
    await assert.rejects(readIdxImages(path), {
      message: `Cannot read IDX file ${path}: expected magic 0x00000803, got 0x1f8b0808 ` +
        "(a gzip file: decompress it first)",
    });
  });
  await t.step("empty file", async () => {
    const path = tempFile(new Uint8Array(0));
    await assert.rejects(readIdxImages(path), {
      message: `Cannot read IDX file ${path}: expected at least 4 bytes (the magic number), ` +
        "got 0 (empty file)",
    });
  });
  await t.step("header cut short", async () => {
    const path = tempFile(idxBytes(IDX_IMAGES_MAGIC, [5, 28, 28], []).subarray(0, 10));
    await assert.rejects(readIdxImages(path), {
      message: `Cannot read IDX file ${path}: expected a 16-byte header for 3 dimensions, ` +
        "got 10 bytes",
    });
  });
  await t.step("wrong image size", async () => {
    const path = tempFile(idxBytes(IDX_IMAGES_MAGIC, [1, 32, 32], new Uint8Array(1024)));
    await assert.rejects(readIdxImages(path, { count: 1 }), {
      message: `Cannot read IDX file ${path}: expected dimensions [1, 28, 28], got [1, 32, 32]`,
    });
  });
  await t.step("wrong count", async () => {
    const path = tempFile(idxBytes(IDX_IMAGES_MAGIC, [2, 28, 28], new Uint8Array(2 * 784)));
    await assert.rejects(readIdxImages(path, { count: 60000 }), {
      message: `Cannot read IDX file ${path}: expected dimensions [60000, 28, 28], got [2, 28, 28]`,
    });
  });
  await t.step("truncated data", async () => {
    const path = tempFile(idxBytes(IDX_IMAGES_MAGIC, [2, 28, 28], new Uint8Array(784 + 100)));
    await assert.rejects(readIdxImages(path), {
      message: `Cannot read IDX file ${path}: expected 1584 bytes (16-byte header + 2×28×28 ` +
        "data), got 900 (truncated)",
    });
  });
  await t.step("trailing bytes", async () => {
    const path = tempFile(idxBytes(IDX_IMAGES_MAGIC, [1, 28, 28], new Uint8Array(785)));
    await assert.rejects(readIdxImages(path), {
      message: `Cannot read IDX file ${path}: expected 800 bytes (16-byte header + 1×28×28 ` +
        "data), got 801",
    });
  });
  await t.step("missing file", async () => {
    const path = `${Deno.makeTempDirSync()}/missing-idx3-ubyte`;
    await assert.rejects(readIdxImages(path), {
      message: `Cannot read IDX file ${path}: no such file`,
    });
  });
});

Deno.test("readIdxLabels() checks magic and the label range", async (t) => {
  await t.step("accepts labels 0..9", async () => {
    const path = tempFile(idxBytes(IDX_LABELS_MAGIC, [4], [0, 9, 3, 7]));
    const idx = await readIdxLabels(path, { count: 4 });
    assert.deepEqual([...idx.data], [0, 9, 3, 7]);
  });
  await t.step("label out of range", async () => {
    const path = tempFile(idxBytes(IDX_LABELS_MAGIC, [4], [0, 9, 10, 7]));
    await assert.rejects(readIdxLabels(path), {
      message: `Cannot read IDX file ${path}: expected labels in 0..9, got 10 at index 2`,
    });
  });
  await t.step("images file given as labels", async () => {
    const path = tempFile(idxBytes(IDX_IMAGES_MAGIC, [1, 1, 1], [0]));
    await assert.rejects(readIdxLabels(path), {
      message: `Cannot read IDX file ${path}: expected magic 0x00000801, got 0x00000803`,
    });
  });
});

Deno.test("parseIdx() rejects a non-ubyte magic when none is required", () => {
  const bytes = idxBytes(0x00000d01, [1], [0, 0, 0, 0]); // 0x0d = float32
  assert.throws(() => parseIdx(bytes, { path: "f.idx" }), {
    message: "Cannot read IDX file f.idx: expected an unsigned-byte IDX magic 0x000008NN " +
      "with NN ≥ 1 dimensions, got 0x00000d01",
  });
});

Deno.test("readIdx() accepts any ubyte IDX with dims left open", async () => {
  const path = tempFile(idxBytes(0x00000802, [2, 3], [1, 2, 3, 4, 5, 6]));
  const idx = await readIdx(path, { dims: [null, 3] });
  assert.deepEqual(idx.dims, [2, 3]);
});

Deno.test("checkLabels() accepts the boundary class and rejects the next", () => {
  checkLabels(new Uint8Array([2]), 3, "y");
  assert.throws(() => checkLabels(new Uint8Array([3]), 3, "y"), /expected labels in 0\.\.2/);
});
