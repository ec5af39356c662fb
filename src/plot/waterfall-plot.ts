// shap.plots.waterfall: from the expected output to this row's output, one feature at a time.

import { arrowPoints } from './arrow.js';
import { BLUE, GREY, RED } from './colour.js';
import { shownFeatures } from './features.js';
import { formatNumber, formatSigned } from './format.js';
import {
  featureNamesOf,
  featureValuesOf,
  intOption,
  numberOption,
  optionsOf,
  stringOption,
  type Vector,
  vectorOf,
} from './input.js';
import { clampCentre, el, fitText, linear, svgDocument, text, textWidth, title, wrap, xAxis } from './svg.js';

/** Options of `waterfallPlot`. */
export interface WaterfallPlotOptions {
  /** The expected output E[f(X)] the attributions start from (kernelShap's `baseValues`). */
  baseValue: number;
  /** The row's feature values, shown beside the names ("5.1 = sepal length"). */
  featureValues?: ArrayLike<number | string> | { shape: readonly number[]; dataSync(): ArrayLike<number> };
  /** One name per feature (default `Feature 0`, `Feature 1`, ...). */
  featureNames?: readonly string[];
  /** Rows shown (default 10): past it, the smallest features are summed into "N other features". */
  maxDisplay?: number;
  /** Heading drawn above the plot (also the SVG's `<title>`). */
  title?: string;
  /** Width in px (default 640, at least 280). */
  width?: number;
}

const OPTIONS = ['baseValue', 'featureValues', 'featureNames', 'maxDisplay', 'title', 'width'];
const ROW = 26;

/**
 * shap's waterfall plot of one explanation: starting from E[f(X)] = baseValue at the bottom, each
 * feature's arrow moves the output by its value (red up, blue down), the largest |value| at the
 * top, to f(x) = baseValue + Σ values; past `maxDisplay` rows the smallest features are summed
 * into "N other features" at the bottom.
 *
 * @example
 * import { writeFileSync } from 'node:fs';
 * import * as plot from 'neurasm/plot';
 * const { values, baseValues } = await nn.explain.kernelShap(model, x, { background, seed: 1 });
 * const row = values.slice([0, 0, 2], [1, -1, 1]);   // row 0, every feature, output 2
 * writeFileSync('shap.svg', plot.waterfallPlot(row, { baseValue: baseValues[2], featureNames }));
 */
export function waterfallPlot(values: Vector, options: WaterfallPlotOptions): string {
  const op = 'waterfallPlot';
  const args = optionsOf<WaterfallPlotOptions>(op, options, OPTIONS);
  const v = vectorOf(op, 'values', values);
  const base = numberOption(op, 'baseValue', args.baseValue);
  const names = featureNamesOf(op, args.featureNames, v.length);
  const featureValues = featureValuesOf(op, args.featureValues, v.length);
  const maxDisplay = intOption(op, 'maxDisplay', args.maxDisplay ?? 10, 1);
  const heading = stringOption(op, 'title', args.title);
  const width = intOption(op, 'width', args.width ?? 640, 280);

  const rows = shownFeatures(v, maxDisplay);
  // cumulative from the bottom row up: the bottom starts at the base value, the top ends at f(x)
  const start = new Array<number>(rows.length);
  let at = base;
  for (let i = rows.length - 1; i >= 0; i--) {
    start[i] = at;
    at += rows[i].value;
  }
  const fx = at;
  const end = rows.map((r, i) => start[i] + r.value);
  const labels = rows.map((r) => {
    if (r.index < 0) return `${r.count} other features`;
    const shown = featureValues?.[r.index];
    const value = shown === undefined ? '' : `${typeof shown === 'number' ? formatNumber(shown) : shown} = `;
    return fitText(`${value}${names[r.index]}`, width * 0.4);
  });
  const labelWidth = Math.max(...labels.map((l) => textWidth(l))) + 14;
  const valueLabels = rows.map((r) => formatSigned(r.value));
  const pad = Math.max(...valueLabels.map((l) => textWidth(l, 11))) + 10;
  const top = (heading ? 36 : 10) + 22;
  const plotBottom = top + rows.length * ROW;
  const height = plotBottom + 50;
  let lo = Math.min(base, fx, ...start, ...end);
  let hi = Math.max(base, fx, ...start, ...end);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const x = linear(lo, hi, labelWidth + pad, width - pad);

  const parts: string[] = [];
  if (heading)
    parts.push(text(width / 2, 22, heading, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  // E[f(X)] below the bottom row, f(x) above the top row, as dashed guides
  parts.push(
    el('line', { x1: x(base), x2: x(base), y1: top, y2: plotBottom + 4, stroke: '#bbbbbb', 'stroke-dasharray': '3 3' }),
  );
  parts.push(
    el('line', { x1: x(fx), x2: x(fx), y1: top - 8, y2: plotBottom, stroke: '#bbbbbb', 'stroke-dasharray': '3 3' }),
  );
  parts.push(
    text(x(fx), top - 12, `f(x) = ${formatNumber(fx)}`, {
      'text-anchor': 'middle',
      'font-weight': 'bold',
      class: 'fx',
    }),
  );
  rows.forEach((r, i) => {
    const y = top + i * ROW;
    const positive = r.value >= 0;
    const fill = positive ? RED : BLUE;
    const x0 = x(start[i]);
    const x1 = x(end[i]);
    const labelInside = Math.abs(x1 - x0) > textWidth(valueLabels[i], 11) + 14;
    const labelX = labelInside ? (x0 + x1) / 2 : positive ? x1 + 4 : x1 - 4;
    const bar = [
      title(`${labels[i]}: ${formatSigned(r.value)} (${formatNumber(start[i])} → ${formatNumber(end[i])})`),
      el('polygon', { points: arrowPoints(x0, x1, y + 4, ROW - 8), fill }),
      text(labelWidth - 8, y + ROW / 2 + 4, labels[i], { 'text-anchor': 'end', fill: r.index < 0 ? GREY : '#333333' }),
      text(labelX, y + ROW / 2 + 4, valueLabels[i], {
        'text-anchor': labelInside ? 'middle' : positive ? 'start' : 'end',
        fill: labelInside ? '#ffffff' : fill,
        'font-size': 11,
      }),
    ];
    parts.push(wrap('g', { class: 'bar', 'data-feature': r.index }, bar.join('')));
    // a thin connector from this arrow's start down to the end of the arrow below
    if (i < rows.length - 1) {
      parts.push(
        el('line', { x1: x0, x2: x0, y1: y + ROW - 4, y2: y + ROW + 4, stroke: '#999999', 'stroke-width': 0.75 }),
      );
    }
  });
  parts.push(xAxis(x, lo, hi, plotBottom + 4, '', formatNumber));
  const baseText = `E[f(X)] = ${formatNumber(base)}`;
  parts.push(
    text(clampCentre(x(base), textWidth(baseText), width), plotBottom + 38, baseText, {
      'text-anchor': 'middle',
      fill: '#333333',
      class: 'base',
    }),
  );
  return svgDocument(width, height, heading ?? `Waterfall: f(x) = ${formatNumber(fx)}`, parts.join(''));
}
