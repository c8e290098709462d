import assert from "node:assert/strict";
import { temporaryPathFor, withAtomicPath, writeFileAtomic } from "../../lib/data/atomic_write.ts";

Deno.test("writeFileAtomic() replaces a file and leaves no temporary file", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/out.json`;
    await writeFileAtomic(path, "old");
    await writeFileAtomic(path, "new");
    assert.equal(Deno.readTextFileSync(path), "new");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["out.json"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("withAtomicPath() keeps the old file and removes the temporary one when writing fails", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/weights.hdf5`;
    Deno.writeTextFileSync(path, "previous");
    await assert.rejects(
      withAtomicPath(path, (tmp) => {
        Deno.writeTextFileSync(tmp, "half");
        throw new Error("disk full");
      }),
      { message: "disk full" },
    );
    assert.equal(Deno.readTextFileSync(path), "previous");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["weights.hdf5"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("temporaryPathFor() gives distinct .tmp paths in the same folder", () => {
  const a = temporaryPathFor("/x/y.bin"), b = temporaryPathFor("/x/y.bin");
  assert.notEqual(a, b);
  assert.match(a, /^\/x\/y\.bin\.[^/]+\.tmp$/);
});
