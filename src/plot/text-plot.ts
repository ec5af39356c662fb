// Highlighted text: each token on a background coloured by its attribution.

import { ValueError } from '../errors.js';
import type { TokenAttribution } from '../explain/explain-text.js';
import { diverging, textOn } from './colour.js';
import { formatSigned } from './format.js';
import { describe, intOption, optionsOf, stringOption } from './input.js';
import { el, fitText, svgDocument, text, textWidth, title, wrap } from './svg.js';

/** Options of `textPlot`. */
export interface TextPlotOptions {
  /** Width in px (default 640, at least 160): tokens wrap into lines within it. */
  width?: number;
  /** Heading drawn above the text (also the SVG's `<title>`). */
  title?: string;
  /** Font size of the tokens in px (default 14, 6 to 72). */
  fontSize?: number;
}

const OPTIONS = ['width', 'title', 'fontSize'];
const MARGIN = 10;

/** Throws unless `tokens` is an array of `{ token: string, attribution: finite number }`; returns it. */
function checkTokens(op: string, tokens: unknown): ReadonlyArray<TokenAttribution> {
  if (!Array.isArray(tokens)) {
    throw new ValueError(
      `${op}: expected tokens to be an array of { token, attribution } (explainText's result), got ${describe(tokens)}`,
    );
  }
  tokens.forEach((t, i) => {
    if (typeof t !== 'object' || t === null || typeof t.token !== 'string') {
      throw new ValueError(
        `${op}: expected tokens[${i}] to be { token: string, attribution: number }, got ${describe(t)}`,
      );
    }
    if (typeof t.attribution !== 'number' || !Number.isFinite(t.attribution)) {
      throw new ValueError(
        `${op}: expected tokens[${i}].attribution to be a finite number, got ${describe(t.attribution)}`,
      );
    }
  });
  return tokens;
}

/**
 * Text with each token in a rounded box coloured by its attribution, on a diverging scale
 * symmetric around 0 (red: towards the explained output, blue: away from it, white: no effect;
 * full colour at the largest |attribution|), wrapped into lines by estimated width; each token's
 * tooltip holds its attribution, and a colour bar below shows the scale.
 *
 * @example
 * import * as plot from 'neurasm/plot';
 * const words = await nn.explain.explainText(spamModel, 'win money now', { method: 'integratedGradients' });
 * element.innerHTML = plot.textPlot(words, { title: 'Why spam?' });
 */
export function textPlot(tokens: ReadonlyArray<TokenAttribution>, options?: TextPlotOptions): string {
  const op = 'textPlot';
  const args = optionsOf<TextPlotOptions>(op, options, OPTIONS);
  const list = checkTokens(op, tokens);
  const width = intOption(op, 'width', args.width ?? 640, 160);
  const fontSize = intOption(op, 'fontSize', args.fontSize ?? 14, 6, 72);
  const heading = stringOption(op, 'title', args.title);

  const maxAbs = Math.max(0, ...list.map((t) => Math.abs(t.attribution)));
  const scale = maxAbs > 0 ? maxAbs : 1;
  const padX = Math.round(fontSize * 0.35);
  const boxHeight = Math.round(fontSize * 1.5);
  const lineHeight = boxHeight + 6;
  const gap = Math.round(fontSize * 0.3);
  const top = heading ? 34 : MARGIN;
  const boxes: string[] = [];
  let x = MARGIN;
  let line = 0;
  list.forEach((t, i) => {
    const shown = fitText(t.token, width - 2 * MARGIN - 2 * padX, fontSize);
    const w = textWidth(shown, fontSize) + 2 * padX;
    if (x > MARGIN && x + w > width - MARGIN) {
      x = MARGIN;
      line += 1;
    }
    const y = top + line * lineHeight;
    const tone = t.attribution / scale;
    boxes.push(
      wrap(
        'g',
        { class: 'token', 'data-index': i },
        title(`${t.token}: ${formatSigned(t.attribution)}`) +
          el('rect', { x, y, width: w, height: boxHeight, rx: 4, ry: 4, fill: diverging(tone), stroke: '#dddddd' }) +
          text(x + w / 2, y + boxHeight / 2 + fontSize * 0.35, shown, {
            'text-anchor': 'middle',
            'font-size': fontSize,
            fill: textOn(tone),
          }),
      ),
    );
    x += w + gap;
  });
  const textBottom = top + (list.length > 0 ? (line + 1) * lineHeight : 0);

  // the colour bar: −max |attribution| (blue) to +max (red)
  const legendY = textBottom + 10;
  const barWidth = Math.min(240, width - 2 * MARGIN - 80);
  const lx = (width - barWidth) / 2;
  const steps = 32;
  const bar: string[] = [];
  for (let s = 0; s < steps; s++) {
    const t = -1 + (2 * (s + 0.5)) / steps;
    bar.push(
      el('rect', {
        x: lx + (barWidth * s) / steps,
        y: legendY,
        width: barWidth / steps + 0.5,
        height: 8,
        fill: diverging(t),
      }),
    );
  }
  bar.push(el('rect', { x: lx, y: legendY, width: barWidth, height: 8, fill: 'none', stroke: '#999999' }));
  bar.push(
    text(lx - 4, legendY + 8, formatSigned(-maxAbs), { 'text-anchor': 'end', fill: '#555555', 'font-size': 10 }),
  );
  bar.push(text(lx + barWidth + 4, legendY + 8, formatSigned(maxAbs), { fill: '#555555', 'font-size': 10 }));
  bar.push(
    text(lx + barWidth / 2, legendY + 22, 'attribution', { 'text-anchor': 'middle', fill: '#555555', 'font-size': 10 }),
  );
  const height = legendY + 30;

  const parts: string[] = [];
  if (heading)
    parts.push(text(width / 2, 22, heading, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  parts.push(wrap('g', { class: 'tokens' }, boxes.join('')));
  parts.push(wrap('g', { class: 'legend' }, bar.join('')));
  return svgDocument(width, height, heading ?? 'Attribution per token', parts.join(''));
}
