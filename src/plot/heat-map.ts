// Attributions over an image-shaped input (an 8×8 digit, say): a cell per pixel, red or blue by sign.
import { ShapeError, ValueError } from '../errors.js';
import { BLUE, diverging, ink, RED } from './colour.js';
import { formatNumber, formatSigned } from './format.js';
import { describe, intOption, optionsOf, stringOption, type Vector, vectorOf } from './input.js';
import { el, svgDocument, text, title, wrap } from './svg.js';

/** Options of `heatMap`. */
export interface HeatMapOptions {
  /** Columns of the image (values are row-major: value r·width + c is row r, column c). */
  width: number;
  /** Rows of the image; width × height must equal the number of values. */
  height: number;
  /** The input itself, one value per cell: drawn in grey (its largest value mid grey) under the attributions. */
  image?: Vector;
  /** Side of a cell in px (default 24). */
  cellSize?: number;
  /** Heading drawn above the map (also the SVG's `<title>`). */
  title?: string;
  /** Draw the colour bar with ±max |value| (default true). */
  legend?: boolean;
}

const OPTIONS = ['width', 'height', 'image', 'cellSize', 'title', 'legend'];
/** The image's darkest grey (a share of black): light enough for the attribution overlay to show on ink. */
const IMAGE_INK = 0.625;

/**
 * A heat map of attributions over an image-shaped input: a cell per value, on a diverging scale
 * symmetric around 0 (white at 0, full red at +max |value|, full blue at −max |value|). With
 * `image`, the image is drawn in grey (white at its minimum, mid grey at its maximum) and each
 * attribution as a translucent red or blue overlay, more opaque the larger |value|. A colour bar
 * shows the scale with its ±max |value|; every cell has a tooltip with its row, column and value.
 *
 * @example
 * import * as plot from 'neurasm/plot';
 * const { attributions } = await nn.explain.integratedGradients(model, digit);   // digit: [1, 64]
 * element.innerHTML = plot.heatMap(attributions, { width: 8, height: 8, image: digit });
 */
export function heatMap(values: Vector, options: HeatMapOptions): string {
  const op = 'heatMap';
  const args = optionsOf<HeatMapOptions>(op, options, OPTIONS);
  const v = vectorOf(op, 'values', values);
  const columns = intOption(op, 'width', args.width, 1);
  const rows = intOption(op, 'height', args.height, 1);
  if (columns * rows !== v.length) {
    throw new ShapeError(
      `${op}: expected values to hold width × height = ${columns} × ${rows} = ${columns * rows} values, got ${v.length}`,
    );
  }
  const image = args.image === undefined ? undefined : vectorOf(op, 'image', args.image);
  if (image && image.length !== v.length) {
    throw new ShapeError(
      `${op}: expected image to hold ${v.length} values (one per cell, as values), got ${describe(args.image)}`,
    );
  }
  const cell = intOption(op, 'cellSize', args.cellSize ?? 24, 2);
  const heading = stringOption(op, 'title', args.title);
  const legend = args.legend ?? true;
  if (typeof legend !== 'boolean')
    throw new ValueError(`${op}: expected legend to be true or false, got ${describe(legend)}`);

  const maxAbs = Math.max(...v.map(Math.abs));
  const scale = maxAbs > 0 ? maxAbs : 1;
  const imageLo = image ? Math.min(...image) : 0;
  const imageHi = image ? Math.max(...image) : 0;
  const top = heading ? 30 : 8;
  const left = 8;
  const mapWidth = columns * cell;
  const mapHeight = rows * cell;
  const legendWidth = legend ? 70 : 0;
  const width = left + mapWidth + legendWidth + 8;
  const height = top + Math.max(mapHeight, legend ? 120 : 0) + 8;

  const parts: string[] = [];
  if (heading)
    parts.push(text(width / 2, 20, heading, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  const cells: string[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const k = r * columns + c;
      const t = v[k] / scale;
      const box = { x: left + c * cell, y: top + r * cell, width: cell, height: cell };
      const tip = title(
        `row ${r}, column ${c}: ${formatSigned(v[k])}${image ? ` (input ${formatNumber(image[k])})` : ''}`,
      );
      if (image) {
        const grey = ink(IMAGE_INK * (imageHi > imageLo ? (image[k] - imageLo) / (imageHi - imageLo) : 0));
        const overlay =
          t === 0
            ? ''
            : el('rect', { ...box, fill: t > 0 ? RED : BLUE, 'fill-opacity': Math.round(Math.abs(t) * 85) / 100 });
        cells.push(wrap('g', { class: 'cell' }, `${tip}${el('rect', { ...box, fill: grey })}${overlay}`));
      } else {
        cells.push(wrap('g', { class: 'cell' }, `${tip}${el('rect', { ...box, fill: diverging(t) })}`));
      }
    }
  }
  parts.push(wrap('g', { class: 'cells' }, cells.join('')));
  parts.push(el('rect', { x: left, y: top, width: mapWidth, height: mapHeight, fill: 'none', stroke: '#999999' }));
  if (legend) {
    const lx = left + mapWidth + 14;
    const barHeight = Math.max(mapHeight, 120) - 12;
    const steps = 32;
    const bar: string[] = [];
    for (let s = 0; s < steps; s++) {
      const t = 1 - (2 * (s + 0.5)) / steps;
      bar.push(
        el('rect', {
          x: lx,
          y: top + 6 + (barHeight * s) / steps,
          width: 10,
          height: barHeight / steps + 0.5,
          fill: diverging(t),
        }),
      );
    }
    bar.push(el('rect', { x: lx, y: top + 6, width: 10, height: barHeight, fill: 'none', stroke: '#999999' }));
    bar.push(text(lx + 14, top + 14, formatSigned(maxAbs), { fill: '#555555', 'font-size': 10 }));
    bar.push(text(lx + 14, top + 6 + barHeight / 2 + 3, '0', { fill: '#555555', 'font-size': 10 }));
    bar.push(text(lx + 14, top + 6 + barHeight, formatSigned(-maxAbs), { fill: '#555555', 'font-size': 10 }));
    parts.push(wrap('g', { class: 'legend' }, bar.join('')));
  }
  return svgDocument(width, height, heading ?? `Attributions over a ${rows}×${columns} input`, parts.join(''));
}
