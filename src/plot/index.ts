/**
 * `neurasm/plot`: pictures of explanations and surrogate trees as SVG markup, with no chart
 * library and no engine: every function is synchronous, returns the `<svg>` document as a string
 * (write it to a file in Node, set it as `innerHTML` in a page) and gives the same bytes for the
 * same input. Values are arrays, typed arrays or tensors (anything with `shape` and
 * `dataSync()`); colours are shap's (red pushes the output up, blue down).
 *
 * @example
 * import { writeFileSync } from 'node:fs';
 * import * as nn from 'neurasm';
 * import * as plot from 'neurasm/plot';
 * const { values, baseValues } = await nn.explain.kernelShap(model, x, { background, seed: 1 });
 * const row = values.slice([0, 0, 1], [1, -1, 1]);   // row 0, every feature, output 1
 * writeFileSync('shap.svg', plot.waterfallPlot(row, { baseValue: baseValues[1], featureNames }));
 * writeFileSync('tree.svg', plot.treePlot(await nn.surrogate.tree(model, x, { maxDepth: 3 })));
 *
 * @module
 */
export { type BarPlotOptions, barPlot } from './bar-plot.js';
export { type BeeswarmPlotOptions, beeswarmPlot } from './beeswarm-plot.js';
export { type ForcePlotOptions, forcePlot } from './force-plot.js';
export { type HeatMapOptions, heatMap } from './heat-map.js';
export type { Matrix, TensorLike, Vector } from './input.js';
export { type TextPlotOptions, textPlot } from './text-plot.js';
export { type TreePlotOptions, treePlot } from './tree-plot.js';
export { type WaterfallPlotOptions, waterfallPlot } from './waterfall-plot.js';
