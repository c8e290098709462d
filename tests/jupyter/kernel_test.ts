import assert from "node:assert/strict";
import {
  type DisplayOptions,
  kernelDisplay,
  requireKernelDisplay,
  sendDisplay,
} from "../../lib/jupyter/kernel.ts";
import { fallbackSettleMs } from "../../lib/jupyter/kernel_flush.ts";
import { HAS_SS, tcpPair } from "../_helpers/tcp_pair.ts";

/** A display function that records each call. */
function recorder() {
  const calls: [Record<string, unknown>, DisplayOptions][] = [];
  return {
    calls,
    display: (bundle: Record<string, unknown>, o: DisplayOptions) => calls.push([bundle, o]),
  };
}

Deno.test("kernelDisplay() is undefined and requireKernelDisplay() explains outside the kernel", () => {
  assert.equal(kernelDisplay(), undefined);
  assert.throws(
    () => requireKernelDisplay("figure cost"),
    (e: unknown) =>
      e instanceof Error &&
      /^Cannot display figure cost: Deno\.jupyter is only available in the Deno Jupyter kernel; pass options\.display to send it elsewhere$/
        .test(e.message),
  );
});

Deno.test("sendDisplay() passes the bundle and Deno.jupyter.display's options", async (t) => {
  await t.step("a plain bundle gets exactly { raw: true }", async () => {
    const { calls, display } = recorder();
    const bundle = { "text/plain": "hi" };
    await sendDisplay(bundle, { display, settleMs: 0 });
    assert.equal(calls.length, 1);
    assert.equal(calls[0][0], bundle, "the bundle itself, not a copy");
    assert.deepEqual(calls[0][1], { raw: true });
  });
  await t.step("displayId, update and metadata become display_id, update, metadata", async () => {
    const { calls, display } = recorder();
    const metadata = { nnkit: { figure: "f" } };
    await sendDisplay({ "text/plain": "1" }, {
      display,
      displayId: "bar",
      update: false,
      metadata,
      settleMs: 0,
    });
    await sendDisplay({ "text/plain": "2" }, {
      display,
      displayId: "bar",
      update: true,
      settleMs: 0,
    });
    assert.deepEqual(calls.map(([, o]) => o), [
      { raw: true, display_id: "bar", update: false, metadata },
      { raw: true, display_id: "bar", update: true },
    ]);
  });
});

Deno.test("sendDisplay() without a display function outside the kernel names what it displays", async () => {
  await assert.rejects(
    sendDisplay({ "text/plain": "x" }, { what: "results of 01_sgd", settleMs: 0 }),
    /Cannot display results of 01_sgd: Deno\.jupyter is only available/,
  );
});

Deno.test("sendDisplay() rejects a negative or non-numeric settleMs before sending", async () => {
  const { calls, display } = recorder();
  for (const bad of [-1, NaN]) {
    await assert.rejects(
      sendDisplay({ "text/plain": "x" }, { display, settleMs: bad }),
      (e: unknown) =>
        e instanceof RangeError && /settleMs must be a non-negative number/.test(e.message),
    );
  }
  assert.equal(calls.length, 0);
});

Deno.test("sendDisplay() awaits an async display function, then waits settleMs", async () => {
  const events: string[] = [];
  const t0 = performance.now();
  const result = await sendDisplay({ "text/plain": "x" }, {
    display: async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push("displayed");
    },
    settleMs: 40,
  });
  events.push("resolved");
  assert.deepEqual(events, ["displayed", "resolved"]);
  assert.ok(performance.now() - t0 >= 59, "resolves only after the display and the settle wait");
  assert.deepEqual(result, { delivered: false, settledMs: 40 });
});

Deno.test("sendDisplay() with a display function of its own waits the fallback for the message size", async () => {
  const bundle = { "text/plain": "x".repeat(200_000) };
  const metadata = { nnkit: { figure: "big" } };
  const result = await sendDisplay(bundle, { display: () => {}, metadata });
  const bytes = JSON.stringify(bundle).length + JSON.stringify(metadata).length;
  assert.deepEqual(result, { delivered: false, settledMs: fallbackSettleMs(bytes) });
  assert.ok(result.settledMs > 100);
});

Deno.test({
  name: "sendDisplay() waits until the IOPub peer has received the message, however slow",
  ignore: !HAS_SS,
  async fn() {
    const { port, client, server, close } = await tcpPair();
    const bundle = { "text/plain": "y".repeat(3_000_000) }; // more than the socket buffers hold
    const wire = new TextEncoder().encode(JSON.stringify(bundle));
    const t0 = performance.now();
    let received = 0;
    let readAllAt = Infinity;
    const reading = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 300)); // a slow client
      const buf = new Uint8Array(65536);
      while (received < wire.length) {
        const n = await client.read(buf);
        if (n === null) break;
        received += n;
      }
      readAllAt = performance.now();
    })();
    try {
      // Like the kernel's IOPub thread, the display hands the bytes over without waiting.
      let writing: Promise<void> = Promise.resolve();
      const result = await sendDisplay(bundle, {
        display: (b) => {
          assert.equal(b, bundle);
          writing = (async () => {
            for (let off = 0; off < wire.length;) off += await server.write(wire.subarray(off));
          })();
        },
        iopubPort: port,
      });
      const resolvedAt = performance.now();
      await writing;
      await reading;
      assert.deepEqual(result, { delivered: true, settledMs: 20 });
      assert.equal(received, wire.length);
      assert.ok(resolvedAt - t0 >= 300, "resolved before the slow client started reading");
      assert.ok(
        resolvedAt >= readAllAt - 50,
        `resolved ${(readAllAt - resolvedAt).toFixed(0)} ms before the client had read it all`,
      );
    } finally {
      close();
    }
  },
});
