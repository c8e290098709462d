/**
 * Makes the value of a cell's last expression (its `execute_result`) reach the front end before
 * the Deno kernel reports the cell finished, and shows a plotly figure left as the last
 * expression the way {@linkcode display} shows it.
 *
 * Why: Deno 2.9's kernel publishes the last expression's value from JavaScript
 * (`Deno[Deno.internal].jupyter.broadcastResult`, which calls `Deno.jupyter.broadcast` without
 * waiting for the message to be written), then sends the execute reply and, 5 ms later, the
 * cell's "idle" status from its server thread. On a busy machine the result is written after
 * the idle: nbclient without recovery and the classic notebook then drop it (measured here on
 * the six quick notebooks: 12 late `execute_result`s in 12 notebook runs, the only kind of late
 * output seen). The kernel awaits `broadcastResult` before it sends the reply, so this module
 * replaces it with a function that formats the value the same way (`formatInner`, which honours
 * `Symbol.for("Jupyter.display")`), sends it with {@linkcode sendDisplay} and returns only once
 * the kernel's IOPub connections have carried it (`kernel_flush.ts`).
 *
 * The replacement is installed once per kernel, when `lib/jupyter/mod.ts` is first imported (a
 * notebook's import cell); outside the Deno kernel, or on a kernel without these internals, it
 * does nothing and says so in its return value. `NNKIT_RESULT_HOOK=0` in the kernel's
 * environment leaves the kernel's own `broadcastResult` in place (to measure the difference). Errors while formatting fall back to the kernel's
 * own `broadcastResult`, so what the kernel would show for them stays the same.
 *
 * @example A fake kernel: the result goes out as an execute_result, with its execution count
 * ```ts
 * import assert from "node:assert/strict";
 * import { installResultHook } from "./result_hook.ts";
 *
 * const sent: [string, Record<string, unknown>][] = [];
 * const jupyter = {
 *   broadcastResult: (_count: number, _value: unknown) => Promise.resolve(),
 *   formatInner: (value: unknown) => Promise.resolve({ "text/plain": String(value) }),
 * };
 * const installed = installResultHook({
 *   jupyter,
 *   broadcast: (type, content) => void sent.push([type, content]),
 *   settleMs: 0,
 * });
 * assert.equal(installed, "installed");
 * await jupyter.broadcastResult(7, 42);
 * assert.deepEqual(sent, [["execute_result", {
 *   execution_count: 7, data: { "text/plain": "42" }, metadata: {}, transient: {},
 * }]]);
 * ```
 *
 * @module
 */

import { isPlotlyFigure, type PlotlyFigure } from "../plot/charts.ts";
import { display } from "./display.ts";
import { kernelIopubPort } from "./kernel_flush.ts";
import { sendDisplay } from "./kernel.ts";

/** The part of the kernel's internal `jupyter` object the hook uses. */
export interface KernelJupyterInternals {
  /** Publishes a cell's last value as `execute_result`; the kernel awaits it. */
  broadcastResult: (executionCount: number, result: unknown) => Promise<void>;
  /** Formats a value into a MIME bundle (`raw: true` keeps a bundle as it is). */
  formatInner: (value: unknown, raw: boolean) => Promise<Record<string, unknown>>;
}

/** Sends one IOPub message of the kernel (`Deno.jupyter.broadcast`). */
export type BroadcastFunction = (
  messageType: string,
  content: Record<string, unknown>,
  options?: { metadata?: Record<string, unknown> },
) => unknown;

/** Options of {@linkcode installResultHook}; all default to the running kernel's. */
export interface ResultHookOptions {
  /** The kernel's internal `jupyter` object (`Deno[Deno.internal].jupyter`). */
  jupyter?: KernelJupyterInternals;
  /** `Deno.jupyter.broadcast`. */
  broadcast?: BroadcastFunction;
  /** A fixed wait after each result instead of waiting for delivery (tests: `0`). */
  settleMs?: number;
}

/** What {@linkcode installResultHook} did. */
export type ResultHookStatus = "installed" | "already-installed" | "not-a-kernel" | "disabled";

const HOOKED = Symbol.for("nnkit.jupyter.resultHook");

function kernelInternals(): { jupyter: KernelJupyterInternals; broadcast: BroadcastFunction } | {
  missing: string;
} {
  try {
    // deno-lint-ignore no-explicit-any
    const denoNs = Deno as any;
    const key = denoNs.internal;
    const jupyter = key === undefined ? undefined : denoNs[key]?.jupyter;
    if (
      typeof jupyter?.broadcastResult !== "function" || typeof jupyter?.formatInner !== "function"
    ) {
      return { missing: "Deno[Deno.internal].jupyter.broadcastResult is not available" };
    }
    const broadcast = denoNs.jupyter?.broadcast;
    if (typeof broadcast !== "function") return { missing: "Deno.jupyter.broadcast is missing" };
    return { jupyter, broadcast };
  } catch (error) {
    return { missing: error instanceof Error ? error.message : String(error) };
  }
}

function hookDisabled(): boolean {
  try {
    return Deno.env.get("NNKIT_RESULT_HOOK") === "0";
  } catch {
    return false; // no env permission: keep the default
  }
}

/** A file name for a figure shown as a last expression: its title, else `figure_<count>`. */
export function resultFigureName(figure: PlotlyFigure, executionCount: number): string {
  const title = String(figure.layout?.title?.text ?? "")
    .toLowerCase()
    .replace(/<[^>]*>/g, " ")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  return title ? title : `figure_${executionCount}`;
}

/**
 * Replaces the kernel's `broadcastResult` (see the module doc); idempotent.
 *
 * @param options The kernel's internals and broadcast (default: this process's), `settleMs`.
 * @returns `"installed"`, `"already-installed"`, `"not-a-kernel"` outside the Deno kernel, or
 *   `"disabled"` when `NNKIT_RESULT_HOOK=0` (and no `jupyter` is passed).
 */
export function installResultHook(options: ResultHookOptions = {}): ResultHookStatus {
  if (options.jupyter === undefined && hookDisabled()) return "disabled";
  let jupyter = options.jupyter, broadcast = options.broadcast;
  if (jupyter === undefined || broadcast === undefined) {
    const found = kernelInternals();
    if ("missing" in found) return "not-a-kernel";
    jupyter ??= found.jupyter;
    broadcast ??= found.broadcast;
  }
  const current = jupyter.broadcastResult as KernelJupyterInternals["broadcastResult"] & {
    [HOOKED]?: true;
  };
  if (current[HOOKED]) return "already-installed";
  const original = current.bind(jupyter);
  const target = jupyter;
  const send = broadcast;
  const port = options.jupyter === undefined ? kernelIopubPort() : null;
  const settleMs = options.settleMs;

  const hooked = async (executionCount: number, result: unknown): Promise<void> => {
    if (result === undefined) return;
    const asResult = (
      data: Record<string, unknown>,
      display: { metadata?: Record<string, unknown> },
    ) =>
      send("execute_result", {
        execution_count: executionCount,
        data,
        metadata: display.metadata ?? {},
        transient: {},
      });
    if (isPlotlyFigure(result)) {
      await display(result, {
        name: resultFigureName(result, executionCount),
        display: asResult,
        iopubPort: port,
        settleMs,
      });
      return;
    }
    let data: Record<string, unknown>;
    try {
      data = await target.formatInner(result, false);
    } catch {
      return await original(executionCount, result); // the kernel's own error output
    }
    await sendDisplay(data, {
      display: asResult,
      iopubPort: port,
      settleMs,
      what: "the cell's result",
    });
  };
  Object.defineProperty(hooked, HOOKED, { value: true });
  target.broadcastResult = hooked;
  return "installed";
}
