/**
 * Kernel → Interrupt for training cells. Jupyter interrupts the Deno kernel (its kernelspec has
 * the default `interrupt_mode: "signal"`) by sending it SIGINT, and Deno 2.9's kernel has no
 * handler for it: the process ends, every variable of the session is lost, and the front end
 * restarts the kernel (measured here with jupyter_client: dead 1 s after the interrupt, in the
 * middle of a 15 s cell). An `interrupt_request` message instead is logged by the kernel as "not
 * supported" and ignored.
 *
 * So in the kernel this module listens for SIGINT itself (installed once, when
 * `lib/jupyter/mod.ts` is imported; nothing happens outside the kernel): the kernel then survives
 * an interrupt, and the signal from {@linkcode interruptSignal} aborts. Training that takes that
 * signal (`trainWithProgress` does) stops after the current batch, with its history kept
 * (`history.stoppedBy === "aborted"`). A cell that never yields to the event loop (a long
 * synchronous loop) cannot be stopped this way: the interrupt is only seen when it ends, and then
 * aborts nothing that has finished. Bound such work with a time budget instead.
 *
 * @example Outside the kernel: a signal that only aborts when asked to
 * ```ts
 * import assert from "node:assert/strict";
 * import { interruptSignal, triggerInterrupt } from "./interrupt.ts";
 *
 * const signal = interruptSignal();
 * assert.equal(signal.aborted, false);
 * triggerInterrupt();
 * assert.equal(signal.aborted, true);
 * assert.equal(interruptSignal().aborted, false, "a fresh signal for the next run");
 * ```
 *
 * @module
 */

import { kernelIopubPort } from "./kernel_flush.ts";

let current = new AbortController();
let installed: "installed" | "unavailable" | undefined;

/**
 * The signal the next interrupt aborts (Kernel → Interrupt in the kernel, or
 * {@linkcode triggerInterrupt}). Take it when a run starts; after an interrupt a fresh one is
 * handed out.
 */
export function interruptSignal(): AbortSignal {
  return current.signal;
}

/** Aborts the current {@linkcode interruptSignal} (what a SIGINT in the kernel does). */
export function triggerInterrupt(): void {
  const controller = current;
  current = new AbortController();
  controller.abort(
    new DOMException("Interrupted from the notebook (Kernel → Interrupt)", "AbortError"),
  );
}

/**
 * In the Deno kernel, turns SIGINT into {@linkcode triggerInterrupt} instead of the end of the
 * kernel process; idempotent.
 *
 * @param options `inKernel` overrides the kernel detection (tests).
 * @returns `"installed"`, `"not-a-kernel"` or `"unavailable"` (no signal API here).
 */
export function installInterruptHandler(
  options: { inKernel?: boolean } = {},
): "installed" | "not-a-kernel" | "unavailable" {
  if (installed === "installed") return installed;
  if (!(options.inKernel ?? kernelIopubPort() !== null)) return "not-a-kernel";
  try {
    Deno.addSignalListener("SIGINT", triggerInterrupt);
    return installed = "installed";
  } catch {
    return installed = "unavailable"; // Windows, or no permission
  }
}

/** Removes the SIGINT listener {@linkcode installInterruptHandler} added (tests). */
export function uninstallInterruptHandler(): void {
  if (installed !== "installed") return;
  Deno.removeSignalListener("SIGINT", triggerInterrupt);
  installed = undefined;
}
