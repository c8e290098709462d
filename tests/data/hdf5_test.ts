import assert from "node:assert/strict";
import {
  type Hdf5Dataset,
  hdf5SignatureOffset,
  listHdf5Datasets,
  readHdf5,
  writeHdf5,
} from "../../lib/data/hdf5.ts";

/** Debian's python, which has python3-h5py (installed by set-up). */
const PYTHON = "/usr/bin/python3";

/** Runs a Python snippet (h5py, numpy) and returns its stdout; fails with its stderr. */
async function python(code: string, ...args: string[]): Promise<string> {
  const { code: status, stdout, stderr } = await new Deno.Command(PYTHON, {
    args: ["-c", code, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(status, 0, `python failed (is python3-h5py installed?):\n${err}`);
  return new TextDecoder().decode(stdout);
}

/** The values every round trip uses: v(i) = (i mod 97) / 7 − 3 + i·1e-3. */
function values(n: number): Float64Array {
  return new Float64Array(n).map((_, i) => (i % 97) / 7 - 3 + i * 1e-3);
}

/** The same formula in numpy, for files written by h5py. */
const PY_VALUES = "lambda n: (np.arange(n) % 97) / 7 - 3 + np.arange(n) * 1e-3";

function sample(dtype: Hdf5Dataset["dtype"], shape: number[]): Hdf5Dataset {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = values(n);
  const data = dtype === "float64"
    ? v
    : dtype === "float32"
    ? Float32Array.from(v)
    : Uint8Array.from(v, (_, i) => i % 256);
  return { shape, dtype, data };
}

Deno.test("writeHdf5() → readHdf5() round-trips every dtype, contiguous and gzip", async (t) => {
  const dir = Deno.makeTempDirSync();
  for (const compression of [0, 6]) {
    await t.step(`compression ${compression}`, async () => {
      const path = `${dir}/rt_${compression}.hdf5`;
      const sets = {
        f32: sample("float32", [37, 53]),
        f64: sample("float64", [500, 784]),
        u8: sample("uint8", [300]),
        one: sample("float64", [1]),
        scalar: { shape: [], dtype: "float64" as const, data: new Float64Array([2.5]) },
      };
      await writeHdf5(path, sets, { compression });
      const back = await readHdf5(path, Object.keys(sets));
      for (const [name, ds] of Object.entries(sets)) {
        assert.deepEqual(back[name].shape, ds.shape, name);
        assert.equal(back[name].dtype, ds.dtype, name);
        assert.deepEqual(back[name].data, ds.data, name);
      }
      assert.deepEqual((await listHdf5Datasets(path)).sort(), Object.keys(sets).sort());
    });
  }
  await t.step("gzip makes a smaller file of compressible data", () => {
    assert.ok(Deno.statSync(`${dir}/rt_6.hdf5`).size < Deno.statSync(`${dir}/rt_0.hdf5`).size / 2);
  });
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readHdf5() loads h5py files (default, chunked, gzip) with the same values", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    await python(
      `
import sys, h5py, numpy as np
v = ${PY_VALUES}
for name, kw in (("default", {}), ("chunked", {"chunks": True}), ("gzip", {"compression": "gzip"})):
    with h5py.File(f"{sys.argv[1]}/{name}.h5", "w") as f:
        f.create_dataset("f32", data=v(37 * 53).reshape(37, 53).astype(np.float32), **kw)
        f.create_dataset("f64", data=v(500 * 784).reshape(500, 784), **kw)
        f.create_dataset("u8", data=(np.arange(300) % 256).astype(np.uint8), **kw)
        f.create_dataset("big_endian", data=v(10).astype(">f8"), **kw)
        f.create_group("group").create_dataset("nested", data=v(5), **kw)
`,
      dir,
    );
    for (const name of ["default", "chunked", "gzip"]) {
      const path = `${dir}/${name}.h5`;
      const got = await readHdf5(path, ["f32", "f64", "u8", "big_endian", "group/nested"]);
      assert.deepEqual(got.f32, sample("float32", [37, 53]), `${name} f32`);
      assert.deepEqual(got.f64, sample("float64", [500, 784]), `${name} f64`);
      assert.deepEqual(got.u8, sample("uint8", [300]), `${name} u8`);
      assert.deepEqual(got.big_endian, sample("float64", [10]), `${name} big-endian`);
      assert.deepEqual(got["group/nested"], sample("float64", [5]), `${name} nested`);
    }
    const gz = await python(
      `import sys, h5py; f = h5py.File(sys.argv[1]); print(f["f64"].compression, f["f64"].chunks is not None)`,
      `${dir}/gzip.h5`,
    );
    assert.equal(gz.trim(), "gzip True", "the h5py file really is chunked and gzip-compressed");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("h5py reads files written by writeHdf5() (default and gzip) with the same values", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (const compression of [0, 4]) {
      await writeHdf5(`${dir}/ours_${compression}.hdf5`, {
        f32: sample("float32", [37, 53]),
        f64: sample("float64", [300, 20]),
        u8: sample("uint8", [300]),
      }, { compression });
    }
    const out = await python(
      `
import sys, h5py, numpy as np
v = ${PY_VALUES}
for c in (0, 4):
    with h5py.File(f"{sys.argv[1]}/ours_{c}.hdf5", "r") as f:
        ok = (f["f32"].dtype == np.float32 and f["f32"].shape == (37, 53)
              and np.array_equal(f["f32"][()], v(37 * 53).reshape(37, 53).astype(np.float32))
              and f["f64"].dtype == np.float64
              and np.array_equal(f["f64"][()], v(6000).reshape(300, 20))
              and f["u8"].dtype == np.uint8
              and np.array_equal(f["u8"][()], (np.arange(300) % 256).astype(np.uint8))
              and (f["f64"].compression == "gzip") == (c > 0))
        print(c, ok)
`,
      dir,
    );
    assert.equal(out.trim(), "0 True\n4 True");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readHdf5() errors name the file and the dataset", async (t) => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/w.hdf5`;
  await writeHdf5(path, { W1: sample("float32", [2, 3]), b1: sample("float32", [2]) });
  await t.step("not an HDF5 file", async () => {
    const text = `${dir}/notes.txt`;
    Deno.writeTextFileSync(text, "hello, world!");
    await assert.rejects(readHdf5(text, ["W1"]), {
      message: `Cannot read HDF5 file ${text}: not an HDF5 file (expected signature ` +
        "89 48 44 46 0d 0a 1a 0a at byte 0 or 512·2^k, got 68 65 6c 6c 6f 2c 20 77 at byte 0)",
    });
  });
  await t.step("empty file", async () => {
    const empty = `${dir}/empty.hdf5`;
    Deno.writeFileSync(empty, new Uint8Array(0));
    await assert.rejects(
      readHdf5(empty, ["W1"]),
      /not an HDF5 file .* got an empty file at byte 0\)$/,
    );
  });
  await t.step("missing file", async () => {
    await assert.rejects(readHdf5(`${dir}/nope.hdf5`, ["W1"]), {
      message: `Cannot read HDF5 file ${dir}/nope.hdf5: no such file`,
    });
  });
  await t.step("signature but corrupt body", async () => {
    const bad = `${dir}/corrupt.hdf5`;
    const bytes = Deno.readFileSync(path).subarray(0, 64);
    Deno.writeFileSync(bad, bytes);
    await assert.rejects(readHdf5(bad, ["W1"]), (error: Error) => {
      assert.ok(error.message.startsWith(`Cannot read HDF5 file ${bad}: HDF5 failed to open it (`));
      return true;
    });
  });
  await t.step("dataset missing lists those present", async () => {
    await assert.rejects(readHdf5(path, ["W1", "W2"]), {
      message: `Cannot read dataset "W2" from HDF5 file ${path}: no such dataset ` +
        "(datasets present: W1, b1)",
    });
  });
  await t.step("wrong shape", async () => {
    await assert.rejects(readHdf5(path, { W1: { shape: [3, 2] } }), {
      name: "RangeError",
      message: `Cannot read dataset "W1" from HDF5 file ${path}: expected shape [3, 2], got [2, 3]`,
    });
    await assert.rejects(readHdf5(path, { b1: { shape: [null, 2] } }), {
      message: `Cannot read dataset "b1" from HDF5 file ${path}: expected shape [any, 2], got [2]`,
    });
  });
  await t.step("unsupported dtype", async () => {
    const ints = `${dir}/ints.h5`;
    await python(
      `import sys, h5py, numpy as np; h5py.File(sys.argv[1], "w")["labels"] = np.arange(4)`,
      ints,
    );
    await assert.rejects(readHdf5(ints, ["labels"]), {
      name: "TypeError",
      message: `Cannot read dataset "labels" from HDF5 file ${ints}: unsupported dtype ` +
        "little-endian int64 (supported: float32, float64, uint8)",
    });
  });
  await t.step("a group is not a dataset", async () => {
    const grouped = `${dir}/grouped.h5`;
    await python(
      `import sys, h5py; h5py.File(sys.argv[1], "w").create_group("g")["x"] = [1.0]`,
      grouped,
    );
    await assert.rejects(readHdf5(grouped, ["g"]), {
      message: `Cannot read dataset "g" from HDF5 file ${grouped}: a group, not a dataset ` +
        "(datasets present: g/x)",
    });
  });
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("hdf5SignatureOffset() finds the signature after a user block", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/ublock.h5`;
    await python(
      `import sys, h5py; f = h5py.File(sys.argv[1], "w", userblock_size=1024); f["a"] = [1.0, 2.0]; f.close()`,
      path,
    );
    assert.equal(await hdf5SignatureOffset(path), 1024);
    assert.deepEqual([...(await readHdf5(path, ["a"])).a.data], [1, 2]);
    await writeHdf5(`${dir}/plain.hdf5`, { a: sample("float64", [2]) });
    assert.equal(await hdf5SignatureOffset(`${dir}/plain.hdf5`), 0);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("writeHdf5() validates its input and leaves no file behind on error", async (t) => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/out.hdf5`;
  await t.step("length does not match shape", async () => {
    await assert.rejects(
      writeHdf5(path, { x: { shape: [2, 3], dtype: "float64", data: new Float64Array(5) } }),
      {
        message:
          `Cannot write dataset "x" to HDF5 file ${path}: expected 6 elements for shape [2, 3], got 5`,
      },
    );
  });
  await t.step("array type does not match dtype", async () => {
    await assert.rejects(
      writeHdf5(path, { x: { shape: [2], dtype: "float32", data: new Float64Array(2) } }),
      {
        name: "TypeError",
        message: `Cannot write dataset "x" to HDF5 file ${path}: expected data as Float32Array ` +
          "for dtype float32, got Float64Array",
      },
    );
  });
  await t.step("unsupported dtype", async () => {
    await assert.rejects(
      writeHdf5(path, { x: { shape: [2], dtype: "int32" as "uint8", data: new Uint8Array(2) } }),
      {
        message:
          `Cannot write dataset "x" to HDF5 file ${path}: unsupported dtype int32 (supported: float32, float64, uint8)`,
      },
    );
  });
  await t.step("bad compression level", async () => {
    await assert.rejects(writeHdf5(path, {}, { compression: 10 }), {
      message:
        `Cannot write HDF5 file ${path}: compression must be an integer gzip level in 0..9, got 10`,
    });
  });
  await t.step("the folder is untouched", () => {
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("writeHdf5() replaces an existing file atomically", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/x.hdf5`;
    await writeHdf5(path, { a: sample("float64", [3]) });
    await writeHdf5(path, { b: sample("float32", [4]) });
    assert.deepEqual(await listHdf5Datasets(path), ["b"]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["x.hdf5"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
