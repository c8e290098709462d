/**
 * Everything that talks to the Deno Jupyter kernel: the transport
 * (`Deno.jupyter`'s display with metadata kept, looked up lazily), the wait
 * until an output has really left the kernel (IOPub bytes read with `ss`),
 * `display` for plotly figures and canvas images, progress bars for training
 * (`progressBar`, `withProgress`, `trainWithProgress`) and `recordResults`,
 * which shows a notebook's results bundle for `deno task reproduce` to
 * collect. Importing it in the Deno kernel installs `result_hook.ts`: a
 * cell's last value then reaches the front end before the cell finishes,
 * and a plotly figure as the last value is shown like `display(figure)`;
 * and `interrupt.ts`: Kernel → Interrupt stops training instead of the
 * kernel. It sits on top: it may use figures (`lib/plot/`), the Chromium
 * export driver (`lib/export/`), training and reports; nothing below imports it.
 *
 * @module
 */

export * from "./display.ts";
export * from "./interrupt.ts";
export * from "./kernel.ts";
export * from "./kernel_flush.ts";
export * from "./progress.ts";
export * from "./results.ts";
export * from "./result_hook.ts";

import { installInterruptHandler } from "./interrupt.ts";
import { installResultHook } from "./result_hook.ts";
installResultHook(); // both are no-ops outside the Deno kernel
installInterruptHandler();
