import { describe, expect, it } from 'vitest';
import { NeurasmError, ShapeError, ValueError } from '../../src/errors.js';
import { barPlot } from '../../src/plot/bar-plot.js';
import { select, textOf } from '../helpers/xml.js';
import { checkedSvg, tensorLike } from './check-svg.js';

const values = [0.1, -0.5, 0.02, 0.3, -0.05];
const names = ['a', 'b', 'c', 'd', 'e'];

/** The bars of a plot: feature index, label, value label and fill, top to bottom. */
function bars(svg: string) {
  return select(checkedSvg(svg), 'g', 'bar').map((g) => {
    const [label, value] = select(g, 'text');
    return {
      feature: Number(g.attributes['data-feature']),
      label: textOf(label),
      value: textOf(value),
      fill: select(g, 'rect')[0].attributes.fill,
      width: Number(select(g, 'rect')[0].attributes.width),
    };
  });
}

describe('barPlot', () => {
  it('draws a bar per feature, largest |value| first, red for positive and blue for negative', () => {
    const b = bars(barPlot(values, { featureNames: names }));
    expect(b.map((r) => r.label)).toEqual(['b', 'd', 'a', 'e', 'c']);
    expect(b.map((r) => r.value)).toEqual(['−0.5', '+0.3', '+0.1', '−0.05', '+0.02']);
    expect(b.map((r) => r.fill)).toEqual(['#008bfb', '#ff0051', '#ff0051', '#008bfb', '#ff0051']);
    // lengths proportional to |value|
    expect(b[1].width / b[0].width).toBeCloseTo(0.6, 2);
    expect(b[4].width / b[0].width).toBeCloseTo(0.04, 2);
  });

  it('sums the features past maxDisplay − 1 into "Sum of N other features"', () => {
    const b = bars(barPlot(values, { featureNames: names, maxDisplay: 3 }));
    expect(b.map((r) => r.label)).toEqual(['b', 'd', 'Sum of 3 other features']);
    // 0.1 − 0.05 + 0.02
    expect(b[2].value).toBe('+0.07');
    expect(b[2].feature).toBe(-1);
    expect(bars(barPlot(values, { maxDisplay: 5 })).map((r) => r.label)).toEqual([
      'Feature 1',
      'Feature 3',
      'Feature 0',
      'Feature 4',
      'Feature 2',
    ]);
    expect(bars(barPlot(values, { maxDisplay: 1 })).map((r) => r.label)).toEqual(['Sum of 5 other features']);
  });

  it('takes typed arrays and tensor-like slices, and gives the same bytes for the same input', () => {
    const svg = barPlot(values, { featureNames: names, title: 'one row' });
    expect(barPlot(Float64Array.from(values), { featureNames: names, title: 'one row' })).toBe(svg);
    expect(barPlot(tensorLike([1, 5, 1], values), { featureNames: names, title: 'one row' })).toBe(
      barPlot(Float32Array.from(values), { featureNames: names, title: 'one row' }),
    );
    expect(select(checkedSvg(svg), 'title')[0].text).toBe('one row');
  });

  it('escapes names and titles', () => {
    const svg = barPlot([1, 2], { featureNames: ['<script>alert(1)</script>', 'a & "b"'], title: "it's <b>" });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    const root = checkedSvg(svg);
    expect(root.children[0].text).toBe("it's <b>");
    expect(select(root, 'g', 'bar').map((g) => textOf(select(g, 'text')[0]))).toEqual([
      'a & "b"',
      '<script>alert(1)</script>',
    ]);
  });

  it('rejects bad input with the argument named', () => {
    expect(() => barPlot([1, Number.NaN])).toThrow(ValueError);
    expect(() => barPlot([1, Number.NaN])).toThrow(
      'barPlot: expected values to hold finite numbers, got NaN at index 1',
    );
    expect(() => barPlot([1, Number.POSITIVE_INFINITY])).toThrow('got Infinity at index 1');
    expect(() => barPlot([])).toThrow(new ShapeError('barPlot: expected values to hold at least one value, got none'));
    expect(() => barPlot('12' as never)).toThrow('expected values to be an array of numbers or a tensor, got "12"');
    expect(() => barPlot(tensorLike([2, 2], [1, 2, 3, 4]))).toThrow(
      'barPlot: expected values to hold one value per feature (a tensor with one axis longer than 1), got a tensor of shape [2, 2]',
    );
    expect(() => barPlot([1, 2], { featureNames: ['a'] })).toThrow(
      'barPlot: expected featureNames to be an array of 2 strings (one per feature), got an array of length 1',
    );
    expect(() => barPlot([1, 2], { featureNames: ['a', 3 as never] })).toThrow(
      'featureNames to hold strings, got 3 at index 1',
    );
    expect(() => barPlot([1, 2], { maxDisplay: 0 })).toThrow(
      'barPlot: expected maxDisplay to be an integer ≥ 1, got 0',
    );
    expect(() => barPlot([1, 2], { maxDisplay: 2.5 })).toThrow('got 2.5');
    expect(() => barPlot([1, 2], { width: 10 })).toThrow('expected width to be an integer ≥ 240, got 10');
    expect(() => barPlot([1, 2], { maxDisplai: 3 } as never)).toThrow('barPlot: unknown option "maxDisplai"');
    expect(() => barPlot([1, 2], 3 as never)).toThrow('barPlot: expected an options object, got 3');
    expect(() => barPlot([1, 2], { title: 5 as never })).toThrow('expected title to be a string, got 5');
    for (const bad of [() => barPlot([Number.NaN]), () => barPlot([1], { maxDisplay: -1 })]) {
      expect(bad).toThrow(NeurasmError);
    }
  });
});
