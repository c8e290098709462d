import assert from "node:assert/strict";
import {
  fallbackSettleMs,
  iopubSnapshot,
  kernelIopubPort,
  parseSsBytes,
  waitForIopub,
} from "../../lib/jupyter/kernel_flush.ts";
import { HAS_SS, tcpPair } from "../_helpers/tcp_pair.ts";

Deno.test("parseSsBytes() reads bytes_acked per peer, else bytes_sent, else 0", () => {
  const text = [
    "0      0      127.0.0.1:5000 127.0.0.1:41234",
    "\t cubic wscale:7,7 bytes_sent:120 bytes_acked:121 bytes_received:9 segs_out:3",
    "0      4096   127.0.0.1:5000 127.0.0.1:41240",
    "\t cubic bytes_sent:5000 bytes_received:9",
    "0      0      127.0.0.1:5000 127.0.0.1:41250",
    "\t cubic wscale:7,7 rto:200 segs_in:2",
    "",
  ].join("\n");
  assert.deepEqual(
    parseSsBytes(text),
    new Map([["127.0.0.1:41234", 121], ["127.0.0.1:41240", 5000], ["127.0.0.1:41250", 0]]),
  );
  assert.deepEqual(parseSsBytes(""), new Map());
});

Deno.test("kernelIopubPort() is null outside a Jupyter kernel", () => {
  assert.equal(kernelIopubPort(), null);
});

Deno.test("fallbackSettleMs() grows with the message size", () => {
  assert.equal(fallbackSettleMs(0), 100);
  assert.equal(fallbackSettleMs(7_000_000), 1150);
});

Deno.test({
  name: "waitForIopub() returns once a real TCP peer has received the bytes, else times out",
  ignore: !HAS_SS,
  async fn() {
    const { port, client, server, close } = await tcpPair();
    try {
      const snapshot = await iopubSnapshot(port);
      assert.ok(snapshot, "ss sees the accepted connection");
      assert.equal(snapshot.acked.size, 1);
      const bytes = 1_000_000;
      const reading = (async () => {
        const buf = new Uint8Array(65536);
        let got = 0;
        while (got < bytes) got += (await client.read(buf)) ?? bytes;
      })();
      const payload = new Uint8Array(bytes).fill(7);
      for (let off = 0; off < bytes;) off += await server.write(payload.subarray(off));
      assert.equal(await waitForIopub(snapshot, bytes, { timeoutMs: 10_000 }), true);
      await reading;
      assert.equal(await waitForIopub(snapshot, 10 * bytes, { timeoutMs: 100 }), false);
    } finally {
      close();
    }
  },
});

Deno.test("iopubSnapshot() is null when nothing listens on the port", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  assert.equal(await iopubSnapshot(port), null);
  assert.equal(await iopubSnapshot(null), null);
});
