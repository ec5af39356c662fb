import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { waterfallPlot } from '../../src/plot/waterfall-plot.js';
import { select, textOf, type XmlElement } from '../helpers/xml.js';
import { checkedSvg, tensorLike } from './check-svg.js';

const values = [0.1, -0.5, 0.02, 0.3, -0.05];
const names = ['a', 'b', 'c', 'd', 'e'];

/** The x extent of an arrow polygon: [tail, head]. */
function extent(g: XmlElement): [number, number] {
  const xs = select(g, 'polygon')[0]
    .attributes.points.split(' ')
    .map((p) => Number(p.split(',')[0]));
  // the tail is the first point; the head is the farthest point from it
  const tail = xs[0];
  const head = xs.reduce((far, x) => (Math.abs(x - tail) > Math.abs(far - tail) ? x : far), tail);
  return [tail, head];
}

describe('waterfallPlot', () => {
  it('goes from E[f(X)] at the bottom to f(x) = base + Σ values at the top, largest |value| on top', () => {
    const root = checkedSvg(waterfallPlot(values, { baseValue: 0.4, featureNames: names }));
    const rows = select(root, 'g', 'bar');
    expect(rows.map((g) => textOf(select(g, 'text')[0]))).toEqual(['b', 'd', 'a', 'e', 'c']);
    expect(rows.map((g) => textOf(select(g, 'text')[1]))).toEqual(['−0.5', '+0.3', '+0.1', '−0.05', '+0.02']);
    expect(rows.map((g) => select(g, 'polygon')[0].attributes.fill)).toEqual([
      '#008bfb',
      '#ff0051',
      '#ff0051',
      '#008bfb',
      '#ff0051',
    ]);
    // 0.4 + 0.1 − 0.5 + 0.02 + 0.3 − 0.05
    expect(textOf(select(root, 'text', 'fx')[0])).toBe('f(x) = 0.27');
    expect(textOf(select(root, 'text', 'base')[0])).toBe('E[f(X)] = 0.4');
    // each arrow starts where the one below it ends; the bottom one at the base value
    const spans = rows.map(extent);
    for (let i = 0; i < spans.length - 1; i++) expect(spans[i][0]).toBeCloseTo(spans[i + 1][1], 1);
    // arrows point the way their value moves the output, with lengths ∝ |value|
    expect(spans[0][1]).toBeLessThan(spans[0][0]);
    expect(spans[1][1]).toBeGreaterThan(spans[1][0]);
    const unit = Math.abs(spans[0][1] - spans[0][0]) / 0.5;
    expect(Math.abs(spans[1][1] - spans[1][0]) / unit).toBeCloseTo(0.3, 2);
    // the tooltips carry the running output
    expect(select(rows[4], 'title')[0].text).toBe('c: +0.02 (0.4 → 0.42)');
    expect(select(rows[0], 'title')[0].text).toBe('b: −0.5 (0.77 → 0.27)');
  });

  it('sums the rest into "N other features" at the bottom, and shows feature values beside names', () => {
    const root = checkedSvg(
      waterfallPlot(values, {
        baseValue: 1,
        featureNames: names,
        featureValues: [1.5, 2, 'red', 4.25, 0],
        maxDisplay: 3,
      }),
    );
    const rows = select(root, 'g', 'bar');
    expect(rows.map((g) => textOf(select(g, 'text')[0]))).toEqual(['2 = b', '4.25 = d', '3 other features']);
    expect(textOf(select(rows[2], 'text')[1])).toBe('+0.07');
    expect(textOf(select(root, 'text', 'fx')[0])).toBe('f(x) = 0.87');
    const tensor = waterfallPlot(tensorLike([5], values), {
      baseValue: 1,
      featureValues: tensorLike([1, 5], [1, 2, 3, 4, 5]),
    });
    expect(textOf(select(checkedSvg(tensor), 'g', 'bar')[0])).toContain('2 = Feature 1');
  });

  it('is deterministic and escapes what it draws', () => {
    const options = {
      baseValue: 0,
      featureNames: ['<script>x</script>', 'b&c'],
      featureValues: ['<i>', 2],
      title: '"t"',
    };
    const svg = waterfallPlot([1, -2], options);
    expect(waterfallPlot([1, -2], options)).toBe(svg);
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<i>');
    expect(select(checkedSvg(svg), 'g', 'bar').map((g) => textOf(select(g, 'text')[0]))).toEqual([
      '2 = b&c',
      '<i> = <script>x</script>',
    ]);
  });

  it('rejects bad input', () => {
    expect(() => waterfallPlot([1, 2], undefined as never)).toThrow(
      new ValueError('waterfallPlot: expected baseValue to be a finite number, got undefined'),
    );
    expect(() => waterfallPlot([1, 2], { baseValue: Number.NaN })).toThrow(
      'expected baseValue to be a finite number, got NaN',
    );
    expect(() => waterfallPlot([1, Number.NaN], { baseValue: 0 })).toThrow(
      'waterfallPlot: expected values to hold finite numbers, got NaN at index 1',
    );
    expect(() => waterfallPlot([1, 2], { baseValue: 0, featureValues: [1] })).toThrow(
      'waterfallPlot: expected featureValues to hold 2 values (one per feature), got an array of length 1',
    );
    expect(() => waterfallPlot([1, 2], { baseValue: 0, featureValues: [1, Number.POSITIVE_INFINITY] })).toThrow(
      'expected featureValues to hold finite numbers or strings, got Infinity at index 1',
    );
    expect(() => waterfallPlot([1, 2], { baseValue: 0, maxDisplay: 0 })).toThrow(
      'waterfallPlot: expected maxDisplay to be an integer ≥ 1, got 0',
    );
    expect(() => waterfallPlot([1, 2], { baseValue: 0, featureNames: ['a', 'b', 'c'] })).toThrow(
      'expected featureNames to be an array of 2 strings (one per feature), got an array of length 3',
    );
  });
});
