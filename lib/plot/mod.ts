/**
 * Figures: plotly chart builders, Skia canvas images, Jupyter display,
 * headless Chromium rendering for export, and training progress bars.
 *
 * @module
 */

export * from "./charts.ts";
export * from "./chromium.ts";
export * from "./display.ts";
export * from "./fonts.ts";
export * from "./images.ts";
export * from "./kernel.ts";
export * from "./kernel_flush.ts";
export * from "./png.ts";
export * from "./progress.ts";
