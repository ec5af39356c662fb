import { describe, expect, it } from 'vitest';
import { beeswarmPlot, swarmOffsets } from '../../src/plot/beeswarm-plot.js';
import { select, textOf } from '../helpers/xml.js';
import { checkedSvg, tensorLike } from './check-svg.js';

// 6 rows × 3 features: mean |value| 0.1, 1, 0.5 → rows ordered 1, 2, 0
const values = [
  [0.1, 1, -0.5],
  [-0.1, -1, 0.5],
  [0.1, 1, 0.5],
  [0.1, -1, -0.5],
  [-0.1, 1, 0.5],
  [0.1, 1, -0.5],
];
const featureValues = [
  [1, 0, 10],
  [2, 1, 20],
  [3, 2, 30],
  [4, 3, 40],
  [5, 4, 50],
  [6, 5, 60],
];

describe('beeswarmPlot', () => {
  it('draws a row per feature by mean |value| and a dot per explained row at its value', () => {
    const root = checkedSvg(beeswarmPlot(values, { featureNames: ['a', 'b', 'c'] }));
    const rows = select(root, 'g', 'feature');
    expect(rows.map((g) => textOf(select(g, 'text')[0]))).toEqual(['b', 'c', 'a']);
    expect(rows.map((g) => select(g, 'circle').length)).toEqual([6, 6, 6]);
    // x positions follow the values: feature b's dots sit at ±1, symmetric around the zero line
    const cx = select(rows[0], 'circle').map((c) => Number(c.attributes.cx));
    const zero = Number(select(root, 'line')[0].attributes.x1);
    expect(cx[0] - zero).toBeCloseTo(zero - cx[1], 1);
    expect(cx[0]).toBeCloseTo(cx[2], 6);
    // without feature values every dot is blue, and there is no legend
    expect(select(root, 'circle').every((c) => c.attributes.fill === '#008bfb')).toBe(true);
    expect(select(root, 'g', 'legend')).toHaveLength(0);
  });

  it('colours dots by feature value, low blue to high red, with a legend', () => {
    const root = checkedSvg(beeswarmPlot(values, { featureValues }));
    const b = select(root, 'g', 'feature')[0];
    const fills = select(b, 'circle').map((c) => c.attributes.fill);
    // feature 1's values 0..5: the 5th–95th percentile range is 0.25..4.75, clamped at the ends
    expect(fills[0]).toBe('#008bfb');
    expect(fills[5]).toBe('#ff0051');
    expect(new Set(fills).size).toBe(6);
    expect(select(root, 'g', 'legend')).toHaveLength(1);
    expect(textOf(select(root, 'g', 'legend')[0])).toContain('High');
  });

  it('sums the features past maxDisplay − 1 per row, and takes tensors', () => {
    const svg = beeswarmPlot(values, { maxDisplay: 2, featureValues });
    const rows = select(checkedSvg(svg), 'g', 'feature');
    expect(rows.map((g) => textOf(select(g, 'text')[0]))).toEqual(['Feature 1', 'Sum of 2 other features']);
    // the summed row has no value to colour by: grey
    expect(select(rows[1], 'circle').every((c) => c.attributes.fill === '#888888')).toBe(true);
    const flat = tensorLike([6, 3], values.flat());
    expect(beeswarmPlot(flat, { maxDisplay: 2, featureValues: tensorLike([6, 3, 1], featureValues.flat()) })).toBe(svg);
    expect(beeswarmPlot(values, { maxDisplay: 2, featureValues })).toBe(svg);
  });

  it('stacks crowded dots alternately above and below the row line, deterministically', () => {
    expect(swarmOffsets([1, 1, 1, 1, 1])).toEqual([0, 0.5, -0.5, 1, -1]);
    expect(swarmOffsets([0, 1, 0])).toEqual([0, 0, 1]);
    expect(swarmOffsets([3])).toEqual([0]);
  });

  it('rejects bad input', () => {
    expect(() => beeswarmPlot([1, 2] as never)).toThrow(
      'beeswarmPlot: expected values to be a non-empty array of rows (arrays of numbers) or a tensor of shape [rows, features], got an array of length 2',
    );
    expect(() => beeswarmPlot([[1, 2], [3]])).toThrow(
      'expected every row of values to have 2 values (as row 0), got 1 in row 1',
    );
    expect(() => beeswarmPlot([[1, Number.NaN]])).toThrow(
      'expected values[0] to hold finite numbers, got NaN at index 1',
    );
    expect(() => beeswarmPlot(tensorLike([4], [1, 2, 3, 4]))).toThrow(
      'expected values to be a tensor of shape [rows, features], got a tensor of shape [4]',
    );
    expect(() => beeswarmPlot(values, { featureValues: featureValues.slice(1) })).toThrow(
      'beeswarmPlot: expected featureValues to have the shape of values, [6, 3], got [5, 3]',
    );
    expect(() => beeswarmPlot(values, { maxDisplay: 0 })).toThrow('expected maxDisplay to be an integer ≥ 1, got 0');
    expect(() => beeswarmPlot(values, { featureNames: ['a'] })).toThrow('featureNames to be an array of 3 strings');
  });
});
