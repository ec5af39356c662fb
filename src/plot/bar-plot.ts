// shap.plots.bar for one explanation: a bar per feature, largest |value| on top.
import { BLUE, GREY, RED } from './colour.js';
import { shownFeatures } from './features.js';
import { formatNumber, formatSigned } from './format.js';
import { featureNamesOf, intOption, optionsOf, stringOption, type Vector, vectorOf } from './input.js';
import { el, FONT_SIZE, fitText, linear, svgDocument, text, textWidth, title, wrap, xAxis } from './svg.js';

/** Options of `barPlot`. */
export interface BarPlotOptions {
  /** One name per feature (default `Feature 0`, `Feature 1`, ...). */
  featureNames?: readonly string[];
  /** Rows shown (default 10): past it, the smallest features are summed into "Sum of N other features". */
  maxDisplay?: number;
  /** Heading drawn above the plot (also the SVG's `<title>`). */
  title?: string;
  /** Width in px (default 640, at least 240). */
  width?: number;
  /** Caption of the x axis (default 'attribution'). */
  xLabel?: string;
}

const OPTIONS = ['featureNames', 'maxDisplay', 'title', 'width', 'xLabel'];
const ROW = 26;

/**
 * A horizontal bar per feature of one explanation (one row's attributions), ordered by |value|,
 * red for positive and blue for negative values, each labelled with its value; past `maxDisplay`
 * rows the rest are summed into one "Sum of N other features" bar, as `shap.plots.bar` does.
 *
 * @example
 * import { writeFileSync } from 'node:fs';
 * import * as plot from 'neurasm/plot';
 * const { attributions } = await nn.explain.integratedGradients(model, x.slice([0, 0], [1, -1]));
 * writeFileSync('bars.svg', plot.barPlot(attributions, { featureNames, maxDisplay: 8 }));
 */
export function barPlot(values: Vector, options?: BarPlotOptions): string {
  const op = 'barPlot';
  const args = optionsOf<BarPlotOptions>(op, options, OPTIONS);
  const v = vectorOf(op, 'values', values);
  const names = featureNamesOf(op, args.featureNames, v.length);
  const maxDisplay = intOption(op, 'maxDisplay', args.maxDisplay ?? 10, 1);
  const heading = stringOption(op, 'title', args.title);
  const width = intOption(op, 'width', args.width ?? 640, 240);
  const xLabel = stringOption(op, 'xLabel', args.xLabel) ?? 'attribution';

  const rows = shownFeatures(v, maxDisplay);
  const labels = rows.map((r) =>
    fitText(r.index < 0 ? `Sum of ${r.count} other features` : names[r.index], width * 0.4),
  );
  const valueLabels = rows.map((r) => formatSigned(r.value));
  const labelWidth = Math.max(...labels.map((l) => textWidth(l))) + 14;
  const pad = Math.max(...valueLabels.map((l) => textWidth(l, 11))) + 10;
  const top = heading ? 36 : 14;
  const plotBottom = top + rows.length * ROW;
  const height = plotBottom + 46;
  const lo = Math.min(0, ...rows.map((r) => r.value));
  const hi = Math.max(0, ...rows.map((r) => r.value));
  const x = linear(lo, hi === lo ? 1 : hi, labelWidth + pad, width - pad);

  const parts: string[] = [];
  if (heading)
    parts.push(text(width / 2, 22, heading, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  rows.forEach((r, i) => {
    const y = top + i * ROW;
    const x0 = x(0);
    const x1 = x(r.value);
    const positive = r.value >= 0;
    const fill = positive ? RED : BLUE;
    const bar = [
      title(`${r.index < 0 ? `Sum of ${r.count} other features` : names[r.index]}: ${formatSigned(r.value)}`),
      el('rect', { x: Math.min(x0, x1), y: y + 4, width: Math.abs(x1 - x0), height: ROW - 8, fill }),
      text(labelWidth - 8, y + ROW / 2 + FONT_SIZE / 3, labels[i], {
        'text-anchor': 'end',
        fill: r.index < 0 ? GREY : '#333333',
      }),
      text(positive ? x1 + 4 : x1 - 4, y + ROW / 2 + 4, valueLabels[i], {
        'text-anchor': positive ? 'start' : 'end',
        fill,
        'font-size': 11,
      }),
    ];
    parts.push(wrap('g', { class: 'bar', 'data-feature': r.index }, bar.join('')));
  });
  parts.push(el('line', { x1: x(0), x2: x(0), y1: top, y2: plotBottom, stroke: '#999999' }));
  parts.push(xAxis(x, lo, hi === lo ? 1 : hi, plotBottom + 4, xLabel, formatNumber));
  return svgDocument(width, height, heading ?? 'Attributions per feature', parts.join(''));
}
