/**
 * The kit's one way to send outputs to the Deno Jupyter kernel: the display
 * function type that figures, progress bars and results share, the lazy
 * lookup of the kernel's own display function, and {@linkcode sendDisplay},
 * which sends one output and waits until it has really left the kernel.
 *
 * Why the lookup is lazy: `Deno.jupyter` exists only inside `deno jupyter`
 * and throws elsewhere, so it is read when something is displayed, never at
 * import, and every caller can pass its own display function instead
 * (tests, custom front ends).
 *
 * Why the kernel's display is built on `Deno.jupyter.broadcast`:
 * `Deno.jupyter.display` (Deno 2.9) always sends empty metadata, and
 * figures are named in theirs; `broadcast` sends the same `display_data` /
 * `update_display_data` message with the metadata kept.
 *
 * Why the wait: the kernel reports a cell finished while its outputs may
 * still be queued for sending, and nbclient/nbconvert then drop them (a
 * 5 MB display was lost 17 of 20 times with no wait; a fixed 100 ms was not
 * enough for 7 MB on a loaded machine). {@linkcode sendDisplay} waits until
 * the kernel's IOPub connections have carried the message (see
 * `kernel_flush.ts`), or, where that cannot be observed, 100 ms + 150 ms
 * per MB.
 *
 * @example Send to a display function of your own
 * ```ts
 * import assert from "node:assert/strict";
 * import { sendDisplay } from "./kernel.ts";
 *
 * const sent: unknown[] = [];
 * await sendDisplay({ "text/plain": "hello" }, {
 *   display: (bundle, options) => sent.push([bundle, options]),
 *   metadata: { nnkit: { figure: "hello" } },
 *   settleMs: 0,
 * });
 * assert.deepEqual(sent, [[{ "text/plain": "hello" }, {
 *   raw: true,
 *   metadata: { nnkit: { figure: "hello" } },
 * }]]);
 * ```
 *
 * @module
 */

import { fallbackSettleMs, iopubSnapshot, kernelIopubPort, waitForIopub } from "./kernel_flush.ts";

/**
 * The options a display function receives: those of
 * `Deno.jupyter.display(bundle, options)` with `raw: true`, plus the
 * output's metadata.
 */
export interface DisplayOptions {
  /** The bundle is a MIME bundle, sent as it is (not formatted). */
  raw: true;
  /** Identifies the output so that later updates replace it. */
  display_id?: string;
  /** `true` to replace the output with this `display_id` (`update_display_data`). */
  update?: boolean;
  /** Output metadata, e.g. `{ nnkit: { figure: "cost" } }` (`Deno.jupyter.display` drops it). */
  metadata?: Record<string, unknown>;
}

/**
 * Sends one MIME bundle (MIME type → content) as a notebook output; may
 * return a promise, which is awaited. `Deno.jupyter.display` itself is one
 * (it ignores `metadata`); {@linkcode kernelDisplay} returns one that keeps
 * it.
 *
 * @typeParam Bundle The bundle's type, e.g. `Record<string, string>` for text outputs.
 */
export type DisplayFunction<Bundle extends Record<string, unknown> = Record<string, unknown>> = (
  bundle: Bundle,
  options: DisplayOptions,
) => unknown;

type Lookup = { display: DisplayFunction } | { missing: string; cause?: unknown };

function lookup(): Lookup {
  // deno-lint-ignore no-explicit-any
  let jupyter: any;
  try {
    // deno-lint-ignore no-explicit-any
    jupyter = (Deno as any).jupyter; // throws outside `deno jupyter`
  } catch (cause) {
    return { missing: "Deno.jupyter is only available in the Deno Jupyter kernel", cause };
  }
  if (jupyter === undefined || jupyter === null) {
    return { missing: "Deno.jupyter is only available in the Deno Jupyter kernel" };
  }
  if (typeof jupyter.broadcast !== "function") {
    return { missing: "Deno.jupyter.broadcast is missing (Deno 2 kernel expected)" };
  }
  return {
    display: (bundle, options) =>
      jupyter.broadcast(options.update ? "update_display_data" : "display_data", {
        data: bundle,
        metadata: options.metadata ?? {},
        // nbclient reads content.transient.display_id, so transient must be an object.
        transient: options.display_id === undefined ? {} : { display_id: options.display_id },
      }),
  };
}

/**
 * The Deno kernel's display function (built on `Deno.jupyter.broadcast`,
 * keeping metadata), looked up now; `undefined` outside the kernel.
 *
 * @returns The kernel's display function, or `undefined` when this process
 *   is not a Deno Jupyter kernel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelDisplay } from "./kernel.ts";
 *
 * assert.equal(kernelDisplay(), undefined); // deno test is not a kernel
 * ```
 */
export function kernelDisplay(): DisplayFunction | undefined {
  const found = lookup();
  return "display" in found ? found.display : undefined;
}

/**
 * The Deno kernel's display function, or an error saying how to display
 * `what` elsewhere.
 *
 * @param what What is being displayed, for the error, e.g. `"figure cost"`.
 * @returns The kernel's display function.
 * @throws {Error} Outside the Deno kernel: `Cannot display <what>: …; pass options.display …`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireKernelDisplay } from "./kernel.ts";
 *
 * assert.throws(() => requireKernelDisplay("figure cost"), /Cannot display figure cost: Deno\.jupyter/);
 * ```
 */
export function requireKernelDisplay(what: string): DisplayFunction {
  const found = lookup();
  if ("display" in found) return found.display;
  throw new Error(
    `Cannot display ${what}: ${found.missing}; pass options.display to send it elsewhere`,
    found.cause === undefined ? undefined : { cause: found.cause },
  );
}

/** Options of {@linkcode sendDisplay}. */
export interface SendDisplayOptions<Bundle extends Record<string, unknown>> {
  /** Where to send; default the kernel's ({@linkcode requireKernelDisplay}), looked up now. */
  display?: DisplayFunction<Bundle>;
  /** Output metadata (passed as `options.metadata`). */
  metadata?: Record<string, unknown>;
  /** Identifies the output so that later updates replace it. */
  displayId?: string;
  /** Replace the output with this `displayId` instead of adding one (passed as `update`). */
  update?: boolean;
  /**
   * A fixed wait in ms after sending, instead of the default: with the
   * kernel's display, until the message has left the kernel (else 100 ms +
   * 150 ms per MB); with `display`, 100 ms + 150 ms per MB. `0`: no wait.
   */
  settleMs?: number;
  /**
   * The IOPub port whose connections must carry the message before the
   * wait ends; default the kernel's when the kernel's display is used,
   * else none.
   */
  iopubPort?: number | null;
  /** What is displayed, for the error outside the kernel; default `"output"`. */
  what?: string;
}

/** How {@linkcode sendDisplay} waited after sending. */
export interface SendDisplayResult {
  /** `true` when the IOPub connections were seen to carry the message. */
  delivered: boolean;
  /** Milliseconds of fixed wait after the send (after delivery, when it was observed). */
  settledMs: number;
}

/** Ms still waited after delivery was observed: the client's own processing. */
const AFTER_DELIVERY_MS = 20;

/**
 * Sends one output and waits until it is on its way: with the kernel's
 * display, until the kernel's IOPub connections have carried its bytes
 * (see `kernel_flush.ts`), else (or when that cannot be observed) a fixed
 * 100 ms + 150 ms per MB. An explicit `settleMs` replaces both. Always
 * `await` it, so a cell cannot end before its output left.
 *
 * @param bundle MIME type → content, e.g. `{ "text/html": …, "text/plain": … }`.
 * @param options `display`, `metadata`, `displayId`, `update`, `settleMs`, `iopubPort`, `what`.
 * @returns How the wait ended.
 * @throws {Error} Outside the Deno kernel when no `display` function is passed.
 * @throws {RangeError} When `settleMs` is negative or not a number.
 *
 * @example Update an output in place
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DisplayOptions, sendDisplay } from "./kernel.ts";
 *
 * const sent: DisplayOptions[] = [];
 * const display = (_bundle: Record<string, string>, options: DisplayOptions) => sent.push(options);
 * await sendDisplay({ "text/plain": "1/2" }, { display, displayId: "bar", update: false, settleMs: 0 });
 * await sendDisplay({ "text/plain": "2/2" }, { display, displayId: "bar", update: true, settleMs: 0 });
 * assert.deepEqual(sent.map((o) => [o.display_id, o.update]), [["bar", false], ["bar", true]]);
 * ```
 */
export async function sendDisplay<Bundle extends Record<string, unknown>>(
  bundle: Bundle,
  options: SendDisplayOptions<Bundle> = {},
): Promise<SendDisplayResult> {
  const { settleMs } = options;
  if (settleMs !== undefined && !(settleMs >= 0)) {
    throw new RangeError(
      `Cannot display ${
        options.what ?? "output"
      }: settleMs must be a non-negative number of ms, got ${settleMs}`,
    );
  }
  const display = options.display ??
    (requireKernelDisplay(options.what ?? "output") as DisplayFunction<Bundle>);
  const displayOptions: DisplayOptions = { raw: true };
  if (options.displayId !== undefined) displayOptions.display_id = options.displayId;
  if (options.update !== undefined) displayOptions.update = options.update;
  if (options.metadata !== undefined) displayOptions.metadata = options.metadata;

  const port = options.iopubPort !== undefined
    ? options.iopubPort
    : options.display === undefined
    ? kernelIopubPort()
    : null;
  const snapshot = settleMs === undefined && port !== null ? await iopubSnapshot(port) : null;
  await display(bundle, displayOptions);
  let wait = settleMs;
  let delivered = false;
  if (wait === undefined) {
    // A lower bound of the bytes on the wire: the kernel sends this JSON plus headers.
    const bytes = JSON.stringify(bundle).length +
      (options.metadata === undefined ? 0 : JSON.stringify(options.metadata).length);
    delivered = snapshot !== null && await waitForIopub(snapshot, bytes);
    wait = delivered ? AFTER_DELIVERY_MS : fallbackSettleMs(bytes);
  }
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  return { delivered, settledMs: wait };
}
