import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { heatMap } from '../../src/plot/heat-map.js';
import { select, textOf } from '../helpers/xml.js';
import { checkedSvg, tensorLike } from './check-svg.js';

// 2 rows × 3 columns
const values = [0.5, -1, 0, 0.25, 1, -0.5];

describe('heatMap', () => {
  it('draws a cell per value, row-major, on a diverging scale symmetric around 0', () => {
    const root = checkedSvg(heatMap(values, { width: 3, height: 2, cellSize: 10 }));
    const cells = select(root, 'g', 'cell');
    expect(cells).toHaveLength(6);
    const rects = cells.map((g) => select(g, 'rect')[0].attributes);
    expect(rects.map((r) => [Number(r.x), Number(r.y)])).toEqual([
      [8, 8],
      [18, 8],
      [28, 8],
      [8, 18],
      [18, 18],
      [28, 18],
    ]);
    // full blue at −max, white at 0, full red at +max, halfway to red at +max/2
    expect(rects.map((r) => r.fill)).toEqual(['#ff80a8', '#008bfb', '#ffffff', '#ffbfd4', '#ff0051', '#80c5fd']);
    expect(select(cells[1], 'title')[0].text).toBe('row 0, column 1: −1');
    expect(textOf(select(root, 'g', 'legend')[0])).toContain('+1');
    expect(textOf(select(root, 'g', 'legend')[0])).toContain('−1');
  });

  it('draws the image in grey under translucent attributions', () => {
    const image = [0, 16, 8, 0, 0, 16];
    const root = checkedSvg(heatMap(values, { width: 3, height: 2, image, legend: false }));
    const cells = select(root, 'g', 'cell');
    const under = cells.map((g) => select(g, 'rect')[0].attributes.fill);
    expect(under).toEqual(['#ffffff', '#606060', '#afafaf', '#ffffff', '#ffffff', '#606060']);
    const over = cells.map((g) => select(g, 'rect')[1]?.attributes);
    expect(over[0]).toMatchObject({ fill: '#ff0051', 'fill-opacity': '0.43' });
    expect(over[1]).toMatchObject({ fill: '#008bfb', 'fill-opacity': '0.85' });
    expect(over[2]).toBeUndefined();
    expect(select(cells[1], 'title')[0].text).toBe('row 0, column 1: −1 (input 16)');
    expect(select(root, 'g', 'legend')).toHaveLength(0);
  });

  it('takes tensors of any shape with the right size, and is deterministic', () => {
    const svg = heatMap(values, { width: 3, height: 2, title: 'a <digit>' });
    expect(heatMap(tensorLike([1, 6], values), { width: 3, height: 2, title: 'a <digit>' })).toBe(
      heatMap(Float32Array.from(values), { width: 3, height: 2, title: 'a <digit>' }),
    );
    expect(heatMap(values, { width: 3, height: 2, title: 'a <digit>' })).toBe(svg);
    expect(checkedSvg(svg).children[0].text).toBe('a <digit>');
    // all zeros: all white, no division by zero
    const zeros = checkedSvg(heatMap([0, 0], { width: 2, height: 1 }));
    expect(select(zeros, 'g', 'cell').map((g) => select(g, 'rect')[0].attributes.fill)).toEqual(['#ffffff', '#ffffff']);
  });

  it('rejects bad input', () => {
    expect(() => heatMap(values, { width: 4, height: 2 })).toThrow(
      new ShapeError('heatMap: expected values to hold width × height = 4 × 2 = 8 values, got 6'),
    );
    expect(() => heatMap(values, {} as never)).toThrow('heatMap: expected width to be an integer ≥ 1, got undefined');
    expect(() => heatMap(values, { width: 3, height: 0 })).toThrow('expected height to be an integer ≥ 1, got 0');
    expect(() => heatMap(values, { width: 3, height: 2, image: [1, 2] })).toThrow(
      'heatMap: expected image to hold 6 values (one per cell, as values), got an array of length 2',
    );
    expect(() => heatMap(values, { width: 3, height: 2, image: [1, 2, 3, 4, 5, Number.NaN] })).toThrow(
      'heatMap: expected image to hold finite numbers, got NaN at index 5',
    );
    expect(() => heatMap([0, Number.NEGATIVE_INFINITY], { width: 2, height: 1 })).toThrow('got -Infinity at index 1');
    expect(() => heatMap(values, { width: 3, height: 2, cellSize: 0 })).toThrow(
      'expected cellSize to be an integer ≥ 2, got 0',
    );
    expect(() => heatMap(values, { width: 3, height: 2, legend: 'yes' as never })).toThrow(
      'expected legend to be true or false, got "yes"',
    );
  });
});
