import assert from "node:assert/strict";
import { DIGITS_COUNT, DIGITS_SHA256, loadDigits } from "../../lib/data/digits.ts";
import { sha256Hex } from "../../lib/data/checksum.ts";
import { projectPath } from "../../lib/data/paths.ts";

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("loadDigits() returns 1797 images of 8×8 counts 0..16 with the known classes", async () => {
  const { X, labels } = await loadDigits();
  assert.deepEqual(X.shape, [1797, 64]);
  assert.equal(X.dtype, "float64");
  assert.equal(labels.length, DIGITS_COUNT);
  const counts = new Array(10).fill(0);
  for (const y of labels) counts[y]++;
  // scikit-learn's load_digits: np.bincount(digits.target)
  assert.deepEqual(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  assert.ok(X.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
  assert.equal(Math.max(...X.data), 16);
  // digits.images[0] of scikit-learn, first row: [0, 0, 5, 13, 9, 1, 0, 0]
  assert.deepEqual([...X.data.subarray(0, 8)], [0, 0, 5, 13, 9, 1, 0, 0]);
  assert.deepEqual([...labels.subarray(0, 10)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("loadDigits() float32 holds the same values", async () => {
  const a = await loadDigits({ dtype: "float32" });
  const b = await loadDigits();
  assert.ok(a.X.data instanceof Float32Array);
  assert.deepEqual([...a.X.data], [...b.X.data]);
});

Deno.test("data/digits.csv.gz has the pinned SHA-256", async () => {
  assert.equal(
    await sha256Hex(Deno.readFileSync(projectPath("data", "digits.csv.gz"))),
    DIGITS_SHA256,
  );
});

Deno.test("loadDigits() rejects a wrong file with messages naming it", async (t) => {
  const dir = Deno.makeTempDirSync();
  await t.step("checksum mismatch", async () => {
    const path = `${dir}/digits.csv.gz`;
    Deno.writeFileSync(path, await gzip("0,".repeat(64) + "0\n"));
    await assert.rejects(loadDigits({ path }), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(
          `^Cannot load digits file ${path}: expected SHA-256 ${DIGITS_SHA256}, got [0-9a-f]{64}$`,
        ),
      );
      return true;
    });
  });
  await t.step("wrong row count", async () => {
    const path = `${dir}/rows.csv.gz`;
    Deno.writeFileSync(path, await gzip(("0,".repeat(64) + "0\n").repeat(3)));
    await assert.rejects(loadDigits({ path, verify: false }), {
      message: `Cannot load digits file ${path}: expected 1797 rows, got 3`,
    });
  });
  await t.step("value out of range", async () => {
    const path = `${dir}/range.csv.gz`;
    const good = "0,".repeat(64) + "0\n";
    Deno.writeFileSync(
      path,
      await gzip(good.repeat(5) + "17," + "0,".repeat(63) + "0\n" + good.repeat(1791)),
    );
    await assert.rejects(loadDigits({ path, verify: false }), {
      message:
        `Cannot load digits file ${path}: expected an integer in 0..16 at row 6, field 1, got "17"`,
    });
  });
  await t.step("not gzip", async () => {
    const path = `${dir}/plain.csv.gz`;
    Deno.writeTextFileSync(path, "0,0\n");
    await assert.rejects(
      loadDigits({ path, verify: false }),
      /^Error: Cannot load digits file .*: not a valid gzip file/,
    );
  });
  await t.step("missing", async () => {
    const path = `${dir}/nope.csv.gz`;
    await assert.rejects(loadDigits({ path }), {
      message: `Cannot load digits file ${path}: no such file`,
    });
  });
  Deno.removeSync(dir, { recursive: true });
});
