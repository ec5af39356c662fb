// The SVG document around a plot and the few elements every plot draws.
import { escapeXml } from './escape.js';
import { px } from './format.js';

/** Font size of labels, in px. */
export const FONT_SIZE = 12;

/**
 * The width of `text` at `fontSize`, estimated from its characters (no measuring, so layout is
 * pure): an average sans-serif glyph is about 0.6 em wide, narrow letters less, wide ones more.
 */
export function textWidth(text: string, fontSize = FONT_SIZE): number {
  let em = 0;
  for (const c of text) {
    if ("iljtfI.,:;|!'() ".includes(c)) em += 0.32;
    else if ('mwMW@%'.includes(c)) em += 0.9;
    else if (c >= 'A' && c <= 'Z') em += 0.68;
    else if (c.charCodeAt(0) > 0x2e80) em += 1;
    else em += 0.57;
  }
  return em * fontSize;
}

/** `text` cut to at most `maxWidth` px (estimated), with an ellipsis when cut. */
export function fitText(text: string, maxWidth: number, fontSize = FONT_SIZE): string {
  if (textWidth(text, fontSize) <= maxWidth) return text;
  const chars = Array.from(text);
  while (chars.length > 0 && textWidth(`${chars.join('')}…`, fontSize) > maxWidth) chars.pop();
  return `${chars.join('')}…`;
}

/** The x of a label of `width` px centred at `x`, moved inwards so it stays within [margin, total − margin]. */
export function clampCentre(x: number, width: number, total: number, margin = 4): number {
  return Math.min(Math.max(x, margin + width / 2), total - margin - width / 2);
}

/** Attributes from a record: `name="value"` pairs, numbers as coordinates, strings escaped. */
function attributes(attrs: Record<string, string | number | undefined>): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? px(v) : escapeXml(v as string)}"`)
    .join('');
}

/** An empty element: `<rect x="1" .../>`. */
export function el(name: string, attrs: Record<string, string | number | undefined>): string {
  return `<${name}${attributes(attrs)}/>`;
}

/** An element around markup already built (not escaped here). */
export function wrap(name: string, attrs: Record<string, string | number | undefined>, inner: string): string {
  return `<${name}${attributes(attrs)}>${inner}</${name}>`;
}

/** A text element holding `content` (escaped). */
export function text(
  x: number,
  y: number,
  content: string,
  attrs: Record<string, string | number | undefined> = {},
): string {
  return wrap('text', { x, y, ...attrs }, escapeXml(content));
}

/** A `<title>` (tooltip) holding `content` (escaped). */
export function title(content: string): string {
  return `<title>${escapeXml(content)}</title>`;
}

/**
 * The SVG document: `width` × `height` px with a matching viewBox (or the layout's own size
 * scaled to `displayWidth`), a white background, the `<title>` and sans-serif text.
 */
export function svgDocument(
  width: number,
  height: number,
  documentTitle: string,
  body: string,
  displayWidth = width,
): string {
  const scale = displayWidth / width;
  const w = px(displayWidth);
  const h = px(height * scale);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${px(width)} ${px(height)}" ` +
    `font-family="sans-serif" font-size="${FONT_SIZE}">${title(documentTitle)}` +
    `${el('rect', { width, height, fill: '#ffffff' })}${body}</svg>`
  );
}

/**
 * About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k), within the range.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    // multiply, not accumulate: 0.1 + 0.2 style drift would print 0.30000000000000004
    ticks.push(Number((k * step).toPrecision(12)));
  }
  return ticks;
}

/** A linear map from [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** A horizontal axis at y with ticks and labels for the scale `x` over [lo, hi], and its caption. */
export function xAxis(
  x: (v: number) => number,
  lo: number,
  hi: number,
  y: number,
  caption: string,
  format: (v: number) => string,
): string {
  const parts = [el('line', { x1: x(lo), x2: x(hi), y1: y, y2: y, stroke: '#888888' })];
  for (const t of niceTicks(lo, hi)) {
    parts.push(el('line', { x1: x(t), x2: x(t), y1: y, y2: y + 4, stroke: '#888888' }));
    parts.push(text(x(t), y + 16, format(t), { 'text-anchor': 'middle', fill: '#555555', 'font-size': 11 }));
  }
  if (caption) parts.push(text((x(lo) + x(hi)) / 2, y + 34, caption, { 'text-anchor': 'middle', fill: '#333333' }));
  return wrap('g', { class: 'axis' }, parts.join(''));
}
