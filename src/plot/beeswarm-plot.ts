// shap.plots.beeswarm (the summary plot): every row's attribution of every feature, as dots.

import { ShapeError } from '../errors.js';
import { BLUE, GREY, lowHigh } from './colour.js';
import { formatNumber, formatSigned, px } from './format.js';
import { featureNamesOf, intOption, type Matrix, matrixOf, optionsOf, stringOption } from './input.js';
import { el, fitText, linear, svgDocument, text, textWidth, title, wrap, xAxis } from './svg.js';

/** Options of `beeswarmPlot`. */
export interface BeeswarmPlotOptions {
  /** The explained rows' feature values, [rows, features]: colour the dots from low (blue) to high (red). */
  featureValues?: Matrix;
  /** One name per feature (default `Feature 0`, `Feature 1`, ...). */
  featureNames?: readonly string[];
  /** Feature rows shown (default 10): past it, the others are summed per row into "Sum of N other features". */
  maxDisplay?: number;
  /** Heading drawn above the plot (also the SVG's `<title>`). */
  title?: string;
  /** Width in px (default 640, at least 320). */
  width?: number;
  /** Caption of the x axis (default 'attribution (impact on model output)'). */
  xLabel?: string;
}

const OPTIONS = ['featureValues', 'featureNames', 'maxDisplay', 'title', 'width', 'xLabel'];
const ROW = 32;
const BINS = 100;

/**
 * Vertical offsets in [−1, 1] for the dots of one feature row, as shap stacks them: values binned
 * into 100 bins over their range, the dots of a bin alternately above and below the centre line
 * (0, +1, −1, +2, −2, ...), then scaled so the tallest stack fills the row. Deterministic: dots
 * of a bin are taken in row order.
 */
export function swarmOffsets(xs: readonly number[]): number[] {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const bin = xs.map((x) => (hi > lo ? Math.round((BINS * (x - lo)) / (hi - lo)) : 0));
  const order = xs.map((_, i) => i).sort((a, b) => bin[a] - bin[b] || a - b);
  const ys = new Array<number>(xs.length).fill(0);
  let layer = 0;
  let lastBin = -1;
  for (const i of order) {
    if (bin[i] !== lastBin) layer = 0;
    ys[i] = layer === 0 ? 0 : Math.ceil(layer / 2) * (layer % 2 === 1 ? 1 : -1);
    layer += 1;
    lastBin = bin[i];
  }
  const tallest = Math.max(1, ...ys.map(Math.abs));
  return ys.map((y) => y / tallest);
}

/** The value at quantile q (linear interpolation, as numpy's percentile) of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  return i + 1 < sorted.length ? sorted[i] + (sorted[i + 1] - sorted[i]) * (pos - i) : sorted[i];
}

/**
 * shap's beeswarm (summary) plot of many explanations: a row per feature, ordered by mean |value|
 * (largest on top), a dot per explained row at its attribution, stacked vertically where dots
 * crowd. With `featureValues` the dots are coloured by the feature's value, blue (low) to red
 * (high) between its 5th and 95th percentiles as shap does, with a colour legend. Past
 * `maxDisplay` feature rows, the others are summed per explained row into a last row.
 *
 * @example
 * import * as plot from 'neurasm/plot';
 * const { values } = await nn.explain.kernelShap(model, xTest, { background, seed: 1 });
 * const ofClass1 = values.slice([0, 0, 1], [-1, -1, 1]).reshape([-1, nFeatures]);
 * writeFileSync('summary.svg', plot.beeswarmPlot(ofClass1, { featureValues: xTest, featureNames }));
 */
export function beeswarmPlot(values: Matrix, options?: BeeswarmPlotOptions): string {
  const op = 'beeswarmPlot';
  const args = optionsOf<BeeswarmPlotOptions>(op, options, OPTIONS);
  const rowsOfValues = matrixOf(op, 'values', values);
  const n = rowsOfValues.length;
  const d = rowsOfValues[0].length;
  const names = featureNamesOf(op, args.featureNames, d);
  const colourBy = args.featureValues === undefined ? undefined : matrixOf(op, 'featureValues', args.featureValues);
  if (colourBy && (colourBy.length !== n || colourBy[0].length !== d)) {
    throw new ShapeError(
      `${op}: expected featureValues to have the shape of values, [${n}, ${d}], got [${colourBy.length}, ${colourBy[0].length}]`,
    );
  }
  const maxDisplay = intOption(op, 'maxDisplay', args.maxDisplay ?? 10, 1);
  const heading = stringOption(op, 'title', args.title);
  const width = intOption(op, 'width', args.width ?? 640, 320);
  const xLabel = stringOption(op, 'xLabel', args.xLabel) ?? 'attribution (impact on model output)';

  const column = (j: number) => rowsOfValues.map((r) => r[j]);
  const meanAbs = Array.from({ length: d }, (_, j) => column(j).reduce((s, x) => s + Math.abs(x), 0) / n);
  const order = meanAbs.map((_, j) => j).sort((a, b) => meanAbs[b] - meanAbs[a] || a - b);
  type Row = { label: string; feature: number; xs: number[] };
  let shown: Row[];
  if (d <= maxDisplay) {
    shown = order.map((j) => ({ label: names[j], feature: j, xs: column(j) }));
  } else {
    const rest = order.slice(maxDisplay - 1).sort((a, b) => a - b);
    shown = order.slice(0, maxDisplay - 1).map((j) => ({ label: names[j], feature: j, xs: column(j) }));
    shown.push({
      label: `Sum of ${rest.length} other features`,
      feature: -1,
      xs: rowsOfValues.map((r) => rest.reduce((s, j) => s + r[j], 0)),
    });
  }

  const labels = shown.map((r) => fitText(r.label, width * 0.35));
  const labelWidth = Math.max(...labels.map((l) => textWidth(l))) + 14;
  const legendWidth = colourBy ? 70 : 16;
  const top = heading ? 36 : 14;
  const plotBottom = top + shown.length * ROW;
  const height = plotBottom + 50;
  const all = shown.flatMap((r) => r.xs);
  let lo = Math.min(0, ...all);
  let hi = Math.max(0, ...all);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const x = linear(lo, hi, labelWidth + 8, width - legendWidth - 8);

  const parts: string[] = [];
  if (heading)
    parts.push(text(width / 2, 22, heading, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  parts.push(el('line', { x1: x(0), x2: x(0), y1: top, y2: plotBottom, stroke: '#999999' }));
  shown.forEach((r, k) => {
    const cy = top + k * ROW + ROW / 2;
    const offsets = swarmOffsets(r.xs);
    // without feature values every dot is blue; the summed row has no feature value to colour by
    let colours: string[] = r.xs.map(() => (colourBy ? GREY : BLUE));
    if (colourBy && r.feature >= 0) {
      const fv = colourBy.map((row) => row[r.feature]);
      const sorted = [...fv].sort((a, b) => a - b);
      let vmin = quantile(sorted, 0.05);
      let vmax = quantile(sorted, 0.95);
      if (vmin === vmax) [vmin, vmax] = [quantile(sorted, 0.01), quantile(sorted, 0.99)];
      if (vmin === vmax) [vmin, vmax] = [sorted[0], sorted[sorted.length - 1]];
      colours = fv.map((f) => (vmax > vmin ? lowHigh((f - vmin) / (vmax - vmin)) : lowHigh(0.5)));
    }
    const dots = r.xs.map((xv, i) =>
      el('circle', { cx: x(xv), cy: cy + offsets[i] * (ROW * 0.4), r: 2.5, fill: colours[i], 'fill-opacity': 0.85 }),
    );
    const inner = [
      title(`${r.label}: mean |value| ${formatNumber(r.xs.reduce((s, v) => s + Math.abs(v), 0) / n)}`),
      el('line', {
        x1: labelWidth + 8,
        x2: width - legendWidth - 8,
        y1: cy,
        y2: cy,
        stroke: '#eeeeee',
        'stroke-dasharray': '2 3',
      }),
      text(labelWidth - 8, cy + 4, labels[k], { 'text-anchor': 'end', fill: r.feature < 0 ? GREY : '#333333' }),
      ...dots,
    ];
    parts.push(wrap('g', { class: 'feature', 'data-feature': r.feature }, inner.join('')));
  });
  parts.push(xAxis(x, lo, hi, plotBottom + 4, xLabel, formatSigned));
  if (colourBy) {
    // the colour legend: a bar from low (bottom) to high (top)
    const lx = width - legendWidth + 14;
    const steps = 24;
    const barHeight = plotBottom - top - 24;
    const cells: string[] = [];
    for (let s = 0; s < steps; s++) {
      cells.push(
        el('rect', {
          x: lx,
          y: top + 12 + (barHeight * s) / steps,
          width: 8,
          height: barHeight / steps + 0.5,
          fill: lowHigh(1 - (s + 0.5) / steps),
        }),
      );
    }
    cells.push(text(lx + 12, top + 20, 'High', { fill: '#555555', 'font-size': 10 }));
    cells.push(text(lx + 12, top + 12 + barHeight, 'Low', { fill: '#555555', 'font-size': 10 }));
    cells.push(
      text(lx + 44, top + 12 + barHeight / 2, 'Feature value', {
        'text-anchor': 'middle',
        fill: '#555555',
        'font-size': 10,
        transform: `rotate(-90 ${px(lx + 44)} ${px(top + 12 + barHeight / 2)})`,
      }),
    );
    parts.push(wrap('g', { class: 'legend' }, cells.join('')));
  }
  return svgDocument(width, height, heading ?? 'Attributions of every row, per feature', parts.join(''));
}
