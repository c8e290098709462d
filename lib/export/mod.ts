/**
 * Figure export: the headless Chromium driver that renders plotly figures to
 * PNG and SVG the way plotly's own exporter does (a browser page with
 * plotly.js from `node_modules`, `Plotly.toImage`), one renderer per export
 * run or kernel session, and plotly.js's source for pages that draw figures
 * themselves. It builds on the figures of `lib/plot/` and knows nothing of
 * Jupyter; `tools/export.ts` and `lib/jupyter/display.ts` use it.
 *
 * @module
 */

export * from "./chromium.ts";
