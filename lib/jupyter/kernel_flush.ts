/**
 * Waits until the Deno Jupyter kernel has really sent a large output, so a
 * cell cannot finish (and its "idle" status go out) while the output is
 * still queued.
 *
 * Why: in Deno 2.9's kernel, `Deno.jupyter.broadcast` hands the message to
 * another thread that serializes, signs and writes it to the IOPub socket
 * later, while the cell's completion is published independently. For a
 * message of several MB that takes hundreds of ms on a busy machine
 * (measured here under load: 2 MB 80–160 ms, 5 MB 190–240 ms, 7 MB 520 ms),
 * so the client sees the cell finish first and drops the output, and a
 * status message written while the big one is half-written can even corrupt
 * the stream ("Invalid Signature" in jupyter_client).
 *
 * How: the kernel's IOPub port comes from its connection file (the
 * `--conn` argument on its command line); `ss` (Debian `iproute2`) reports
 * the bytes each IOPub connection has had acknowledged. {@linkcode
 * iopubSnapshot} records them before a send, {@linkcode waitForIopub} waits
 * until every connection has carried the message's bytes. Where this does
 * not work (not Linux, no `ss`, not in the kernel) the snapshot is `null`
 * and callers fall back to a fixed wait ({@linkcode fallbackSettleMs}).
 *
 * @module
 */

/** Bytes acknowledged per IOPub connection (keyed by peer address). */
export interface IopubSnapshot {
  /** The kernel's IOPub port. */
  port: number;
  /** Peer address → bytes acknowledged so far. */
  acked: Map<string, number>;
}

let cachedPort: number | null | undefined;

/**
 * The IOPub port of the Jupyter kernel this process runs, or `null` when it
 * is not a kernel (or the connection file cannot be read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelIopubPort } from "./kernel_flush.ts";
 *
 * assert.equal(kernelIopubPort(), null); // deno test is not a kernel
 * ```
 */
export function kernelIopubPort(): number | null {
  if (cachedPort !== undefined) return cachedPort;
  let port: number | null = null;
  try {
    const args = Deno.readTextFileSync("/proc/self/cmdline").split("\0");
    const at = args.indexOf("--conn");
    if (at >= 0 && args[at + 1]) {
      const info = JSON.parse(Deno.readTextFileSync(args[at + 1]));
      if (Number.isInteger(info.iopub_port)) port = info.iopub_port;
    }
  } catch {
    // Not Linux, no read permission, or no connection file: no kernel port.
  }
  cachedPort = port;
  return port;
}

/**
 * Parses `ss -tinH` output into peer address → bytes acknowledged (or sent,
 * on kernels without `bytes_acked`; 0 when neither is shown).
 *
 * @param text Output of `ss -tinH state established sport = :PORT`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSsBytes } from "./kernel_flush.ts";
 *
 * const text = "0 0 127.0.0.1:5000 127.0.0.1:41234\n\t cubic bytes_sent:120 bytes_acked:121 bytes_received:9\n";
 * assert.deepEqual(parseSsBytes(text), new Map([["127.0.0.1:41234", 121]]));
 * ```
 */
export function parseSsBytes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let peer: string | undefined;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      const fields = line.trim().split(/\s+/);
      peer = fields.length >= 4 ? fields[3] : undefined;
      continue;
    }
    // ss leaves out zero counters (a connection that has sent nothing yet).
    const acked = /bytes_acked:(\d+)/.exec(line) ?? /bytes_sent:(\d+)/.exec(line);
    if (peer !== undefined) out.set(peer, acked ? Number(acked[1]) : 0);
    peer = undefined;
  }
  return out;
}

async function ackedBytes(port: number): Promise<Map<string, number> | null> {
  try {
    const { code, stdout } = await new Deno.Command("ss", {
      args: ["-tinH", "state", "established", `sport = :${port}`],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (code !== 0) return null;
    return parseSsBytes(new TextDecoder().decode(stdout));
  } catch {
    return null; // no ss (Debian iproute2), or no --allow-run
  }
}

/**
 * Records the bytes acknowledged on each IOPub connection of this kernel, to
 * call before sending; `null` outside a kernel, without `ss`, or when no
 * client is connected.
 *
 * @param port The server port whose connections to watch; default {@linkcode kernelIopubPort}.
 */
export async function iopubSnapshot(
  port: number | null = kernelIopubPort(),
): Promise<IopubSnapshot | null> {
  if (port === null) return null;
  const acked = await ackedBytes(port);
  if (acked === null || acked.size === 0) return null;
  return { port, acked };
}

/**
 * Waits until every IOPub connection in `snapshot` has had at least `bytes`
 * more bytes acknowledged (polling `ss` every `pollMs`), or `timeoutMs`
 * passed. Connections that closed meanwhile are not waited for.
 *
 * @param snapshot From {@linkcode iopubSnapshot}, taken before the send.
 * @param bytes A lower bound of the message size on the wire (e.g. its JSON length).
 * @param options `timeoutMs` (default 60,000) and `pollMs` (default 10).
 * @returns `true` when delivered, `false` on timeout or when `ss` stopped working.
 */
export async function waitForIopub(
  snapshot: IopubSnapshot,
  bytes: number,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<boolean> {
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  const pollMs = options.pollMs ?? 10;
  while (true) {
    const now = await ackedBytes(snapshot.port);
    if (now === null) return false;
    let pending = false;
    for (const [peer, before] of snapshot.acked) {
      const current = now.get(peer);
      if (current !== undefined && current < before + bytes) pending = true;
    }
    if (!pending) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * The fixed wait after sending `bytes` when delivery cannot be observed:
 * 100 ms plus 150 ms per MB (two to three times the delays measured on a
 * loaded 2-core machine).
 *
 * @param bytes Message size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fallbackSettleMs } from "./kernel_flush.ts";
 *
 * assert.equal(fallbackSettleMs(0), 100);
 * assert.equal(fallbackSettleMs(2_000_000), 400);
 * ```
 */
export function fallbackSettleMs(bytes: number): number {
  return 100 + (150 * bytes) / 1e6;
}
