import { describe, expect, it } from 'vitest';
import { forcePlot } from '../../src/plot/force-plot.js';
import { select, textOf, type XmlElement } from '../helpers/xml.js';
import { checkedSvg, tensorLike } from './check-svg.js';

const values = [0.1, -0.5, 0.02, 0.3, -0.05, 0];
const names = ['a', 'b', 'c', 'd', 'e', 'f'];

function xs(g: XmlElement): number[] {
  return select(g, 'polygon')[0]
    .attributes.points.split(' ')
    .map((p) => Number(p.split(',')[0]));
}

describe('forcePlot', () => {
  it('puts the red segments left of f(x) and the blue ones right of it, largest next to f(x)', () => {
    const root = checkedSvg(forcePlot(values, { baseValue: 0.4, featureNames: names, width: 600 }));
    const up = select(root, 'g', 'up');
    const down = select(root, 'g', 'down');
    expect(up.map((g) => g.attributes['data-feature'])).toEqual(['3', '0', '2']);
    expect(down.map((g) => g.attributes['data-feature'])).toEqual(['1', '4']);
    expect(up.every((g) => select(g, 'polygon')[0].attributes.fill === '#ff0051')).toBe(true);
    expect(down.every((g) => select(g, 'polygon')[0].attributes.fill === '#008bfb')).toBe(true);
    // 0.4 + Σ values
    expect(textOf(select(root, 'text', 'fx')[0])).toBe('f(x) = 0.27');
    expect(textOf(select(root, 'text', 'base')[0])).toBe('base value = 0.4');
    // the segments tile [f(x) − Σ red, f(x) + Σ blue] without gaps: red ends at f(x), blue starts there
    const fxX = Math.max(...xs(up[0]));
    expect(Math.min(...xs(down[0]))).toBeCloseTo(fxX, 1);
    expect(Math.max(...xs(up[1]))).toBeCloseTo(Math.min(...xs(up[0])), 1);
    // widths ∝ |value|
    const width = (g: XmlElement) => Math.max(...xs(g)) - Math.min(...xs(g));
    expect(width(up[0]) / width(down[0])).toBeCloseTo(0.6, 2);
    expect(select(down[0], 'title')[0].text).toBe('b: −0.5');
  });

  it('labels segments wide enough with name = value, and is deterministic', () => {
    const options = { baseValue: 0, featureNames: ['wide <one>', 'narrow'], featureValues: [5.1, 'x'] };
    const svg = forcePlot([1, 0.001], options);
    expect(forcePlot(tensorLike([1, 2], [1, 0.001]), options)).toBe(forcePlot(Float32Array.from([1, 0.001]), options));
    expect(forcePlot([1, 0.001], options)).toBe(svg);
    const up = select(checkedSvg(svg), 'g', 'up');
    expect(textOf(select(up[0], 'text')[0])).toBe('wide <one> = 5.1');
    expect(select(up[1], 'text')).toHaveLength(0);
    expect(select(up[1], 'title')[0].text).toBe('narrow = x: +0.001');
  });

  it('rejects bad input', () => {
    expect(() => forcePlot([1, 2], {} as never)).toThrow(
      'forcePlot: expected baseValue to be a finite number, got undefined',
    );
    expect(() => forcePlot([1, Number.NaN], { baseValue: 0 })).toThrow(
      'forcePlot: expected values to hold finite numbers, got NaN',
    );
    expect(() => forcePlot([1, 2], { baseValue: 0, width: 100 })).toThrow(
      'expected width to be an integer ≥ 320, got 100',
    );
    expect(() => forcePlot([1, 2], { baseValue: 0, featureNames: ['a'] })).toThrow(
      'featureNames to be an array of 2 strings',
    );
  });
});
