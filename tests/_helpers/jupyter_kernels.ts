/**
 * Test helpers for tests that start Jupyter kernels: a limit on how many run
 * at once, and the `deno` kernelspec they need.
 *
 * @module
 */
import assert from "node:assert/strict";
import { defaultPython } from "../../tools/reproduce/run_notebook.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * A function that runs async work at most `max` at a time, in call order.
 * Kernels spend most of their time starting up or idle, so a few at once
 * overlap their start-up; more would starve the kernels' output timing on a
 * 2-core machine.
 *
 * @param max How many works may run at once, e.g. `3` kernels.
 * @returns `limited(work)`: waits for a free slot, runs `work`, frees the slot.
 */
export function kernelSlots(max: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function limited<T>(work: () => Promise<T>): Promise<T> {
    while (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/**
 * Installs the Deno kernelspec (`deno jupyter --install`) unless Jupyter
 * already knows a kernel named `deno`.
 *
 * @param python The python with jupyter_client; default `$NNKIT_PYTHON` or `/usr/bin/python3`.
 */
export async function ensureDenoKernelspec(python: string = defaultPython()): Promise<void> {
  const probe = await new Deno.Command(python, {
    args: [
      "-c",
      "from jupyter_client.kernelspec import KernelSpecManager as M; M().get_kernel_spec('deno')",
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  if (probe.code === 0) return;
  const install = await new Deno.Command(`${ROOT}node_modules/.bin/deno`, {
    args: ["jupyter", "--install"],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(
    install.code,
    0,
    `Cannot install the deno kernelspec: ${new TextDecoder().decode(install.stderr)}`,
  );
}
