// shap.plots.force for one explanation: the features pushing the output up and down, in one band.
import { chevronPoints } from './arrow.js';
import { BLUE, RED } from './colour.js';
import { formatNumber, formatSigned } from './format.js';
import { featureNamesOf, featureValuesOf, intOption, numberOption, optionsOf, type Vector, vectorOf } from './input.js';
import { clampCentre, el, fitText, linear, niceTicks, svgDocument, text, textWidth, title, wrap } from './svg.js';

/** Options of `forcePlot`. */
export interface ForcePlotOptions {
  /** The expected output E[f(X)] the attributions start from (kernelShap's `baseValues`). */
  baseValue: number;
  /** One name per feature (default `Feature 0`, `Feature 1`, ...). */
  featureNames?: readonly string[];
  /** The row's feature values, shown in the labels ("petal length = 5.1"). */
  featureValues?: ArrayLike<number | string> | { shape: readonly number[]; dataSync(): ArrayLike<number> };
  /** Width in px (default 800, at least 320). */
  width?: number;
}

const OPTIONS = ['baseValue', 'featureNames', 'featureValues', 'width'];
const BAND_TOP = 52;
const BAND = 24;

/**
 * shap's additive force plot in one horizontal band: the red segments (features pushing the
 * output up) end at f(x) from the left, the largest next to it; the blue ones (pushing it down)
 * start at f(x) to the right; f(x) and the base value (f(x) − Σ red + Σ blue) are marked. A
 * feature whose segment is too narrow for its label (and under 70 px) keeps its tooltip only. Features of value 0
 * draw nothing.
 *
 * @example
 * import * as plot from 'neurasm/plot';
 * document.querySelector('#force')!.innerHTML =
 *   plot.forcePlot(row, { baseValue: baseValues[1], featureNames, featureValues: x[0] });
 */
export function forcePlot(values: Vector, options: ForcePlotOptions): string {
  const op = 'forcePlot';
  const args = optionsOf<ForcePlotOptions>(op, options, OPTIONS);
  const v = vectorOf(op, 'values', values);
  const base = numberOption(op, 'baseValue', args.baseValue);
  const names = featureNamesOf(op, args.featureNames, v.length);
  const featureValues = featureValuesOf(op, args.featureValues, v.length);
  const width = intOption(op, 'width', args.width ?? 800, 320);

  const byMagnitude = (a: number, b: number) => Math.abs(v[b]) - Math.abs(v[a]) || a - b;
  const up = v
    .map((_, i) => i)
    .filter((i) => v[i] > 0)
    .sort(byMagnitude);
  const down = v
    .map((_, i) => i)
    .filter((i) => v[i] < 0)
    .sort(byMagnitude);
  const sumUp = [...up].sort((a, b) => a - b).reduce((s, i) => s + v[i], 0);
  const sumDown = [...down].sort((a, b) => a - b).reduce((s, i) => s - v[i], 0);
  const fx = v.reduce((s, x) => s + x, base);
  let lo = Math.min(base, fx - sumUp);
  let hi = Math.max(base, fx + sumDown);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const margin = 24;
  const x = linear(lo, hi, margin, width - margin);

  const label = (i: number) => {
    const shown = featureValues?.[i];
    return shown === undefined ? names[i] : `${names[i]} = ${typeof shown === 'number' ? formatNumber(shown) : shown}`;
  };
  const parts: string[] = [];
  // the legend and the axis above the band
  parts.push(text(margin, 16, 'higher', { fill: RED, 'font-size': 11 }));
  parts.push(text(margin + 40, 16, '⇄', { fill: '#555555', 'font-size': 11 }));
  parts.push(text(margin + 54, 16, 'lower', { fill: BLUE, 'font-size': 11 }));
  parts.push(el('line', { x1: x(lo), x2: x(hi), y1: 44, y2: 44, stroke: '#cccccc' }));
  for (const t of niceTicks(lo, hi, Math.max(3, Math.floor(width / 110)))) {
    parts.push(el('line', { x1: x(t), x2: x(t), y1: 40, y2: 44, stroke: '#999999' }));
    if (Math.abs(x(t) - x(fx)) > 40) {
      parts.push(text(x(t), 36, formatNumber(t), { 'text-anchor': 'middle', fill: '#777777', 'font-size': 10 }));
    }
  }
  const segment = (i: number, from: number, to: number, fill: string) => {
    const a = x(from);
    const b = x(to);
    const name = fitText(label(i), Math.abs(b - a) - 4, 11);
    const inner = [
      title(`${label(i)}: ${formatSigned(v[i])}`),
      el('polygon', { points: chevronPoints(a, b, BAND_TOP, BAND), fill, stroke: '#ffffff', 'stroke-width': 1 }),
    ];
    // a label when the whole of it fits, or a cut one on a segment of 70 px or more (shap hides the small ones)
    if (name === label(i) || Math.abs(b - a) >= 70) {
      inner.push(text((a + b) / 2, BAND_TOP + BAND + 16, name, { 'text-anchor': 'middle', fill, 'font-size': 11 }));
    }
    return wrap('g', { class: fill === RED ? 'force up' : 'force down', 'data-feature': i }, inner.join(''));
  };
  let at = fx;
  for (const i of up) {
    parts.push(segment(i, at - v[i], at, RED));
    at -= v[i];
  }
  at = fx;
  for (const i of down) {
    parts.push(segment(i, at - v[i], at, BLUE));
    at -= v[i];
  }
  // f(x) above the band, the base value below it
  parts.push(el('line', { x1: x(fx), x2: x(fx), y1: 40, y2: BAND_TOP + BAND, stroke: '#333333', 'stroke-width': 1.5 }));
  const fxText = `f(x) = ${formatNumber(fx)}`;
  parts.push(
    text(clampCentre(x(fx), textWidth(fxText) * 1.1, width), 30, fxText, {
      'text-anchor': 'middle',
      'font-weight': 'bold',
      class: 'fx',
    }),
  );
  parts.push(
    el('line', {
      x1: x(base),
      x2: x(base),
      y1: BAND_TOP,
      y2: BAND_TOP + BAND + 4,
      stroke: '#777777',
      'stroke-dasharray': '2 2',
    }),
  );
  const baseText = `base value = ${formatNumber(base)}`;
  const baseX = Math.min(
    Math.max(x(base), margin + textWidth(baseText, 11) / 2),
    width - margin - textWidth(baseText, 11) / 2,
  );
  parts.push(
    text(baseX, BAND_TOP + BAND + 40, baseText, {
      'text-anchor': 'middle',
      fill: '#555555',
      'font-size': 11,
      class: 'base',
    }),
  );
  return svgDocument(width, BAND_TOP + BAND + 52, `Force plot: f(x) = ${formatNumber(fx)}`, parts.join(''));
}
