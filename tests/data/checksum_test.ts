import assert from "node:assert/strict";
import { sha256Hex } from "../../lib/data/checksum.ts";

Deno.test("sha256Hex() matches the FIPS 180-2 test vectors", async () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(
    await sha256Hex(enc("")),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    await sha256Hex(enc("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("sha256Hex() hashes a subarray view, not its whole buffer", async () => {
  const buf = new TextEncoder().encode("xxabcxx");
  assert.equal(
    await sha256Hex(buf.subarray(2, 5)),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});
