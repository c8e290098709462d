/**
 * Figures only: plotly chart builders (line, heatmap and bar charts as plain
 * `{ data, layout }` figures), raster images drawn on the Skia canvas (digit
 * grids, one digit large, weight tiles), the PNG encoder they use and the
 * fonts they draw with. Nothing here talks to Jupyter or launches a browser:
 * showing a figure in a notebook is `lib/jupyter/`'s work, rendering a plotly
 * figure to PNG or SVG is `lib/export/`'s.
 *
 * @module
 */

export * from "./charts.ts";
export * from "./fonts.ts";
export * from "./images.ts";
export * from "./png.ts";
