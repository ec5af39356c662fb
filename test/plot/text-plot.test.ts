import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { textPlot } from '../../src/plot/text-plot.js';
import { select, textOf } from '../helpers/xml.js';
import { checkedSvg } from './check-svg.js';

const tokens = [
  { token: 'win', attribution: 0.8 },
  { token: 'money', attribution: 0.4 },
  { token: 'at', attribution: 0 },
  { token: 'the', attribution: -0.2 },
  { token: 'meeting', attribution: -0.8 },
];

describe('textPlot', () => {
  it('draws a box per token, in order, coloured by attribution on a symmetric diverging scale', () => {
    const root = checkedSvg(textPlot(tokens));
    const boxes = select(root, 'g', 'token');
    expect(boxes.map((g) => textOf(select(g, 'text')[0]))).toEqual(['win', 'money', 'at', 'the', 'meeting']);
    expect(boxes.map((g) => select(g, 'rect')[0].attributes.fill)).toEqual([
      '#ff0051',
      '#ff80a8',
      '#ffffff',
      '#bfe2fe',
      '#008bfb',
    ]);
    expect(boxes.map((g) => select(g, 'title')[0].text)).toEqual([
      'win: +0.8',
      'money: +0.4',
      'at: 0',
      'the: −0.2',
      'meeting: −0.8',
    ]);
    // one line: the same y, x increasing
    const rects = boxes.map((g) => select(g, 'rect')[0].attributes);
    expect(new Set(rects.map((r) => r.y)).size).toBe(1);
    expect(rects.map((r) => Number(r.x))).toEqual([...rects.map((r) => Number(r.x))].sort((a, b) => a - b));
    expect(textOf(select(root, 'g', 'legend')[0])).toContain('+0.8');
  });

  it('wraps into lines within the width', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ token: `word${i}`, attribution: i % 3 === 0 ? -i : i }));
    const root = checkedSvg(textPlot(many, { width: 300, fontSize: 12 }));
    const rects = select(root, 'g', 'token').map((g) => select(g, 'rect')[0].attributes);
    expect(rects).toHaveLength(40);
    expect(new Set(rects.map((r) => r.y)).size).toBeGreaterThan(4);
    for (const r of rects) expect(Number(r.x) + Number(r.width)).toBeLessThanOrEqual(300);
    // reading order: each box is right of the one before on its line, or starts a lower line
    for (let i = 1; i < rects.length; i++) {
      const sameLine = rects[i].y === rects[i - 1].y;
      expect(sameLine ? Number(rects[i].x) > Number(rects[i - 1].x) : Number(rects[i].y) > Number(rects[i - 1].y)).toBe(
        true,
      );
    }
  });

  it('escapes tokens, is deterministic, and draws an empty list', () => {
    const evil = [
      { token: '<script>alert("x")</script>', attribution: 1 },
      { token: "&'", attribution: -1 },
    ];
    const svg = textPlot(evil, { title: '<b>spam</b>' });
    expect(svg).not.toContain('<script>');
    expect(textPlot(evil, { title: '<b>spam</b>' })).toBe(svg);
    const boxes = select(checkedSvg(svg), 'g', 'token');
    expect(boxes.map((g) => textOf(select(g, 'text')[0]))).toEqual(['<script>alert("x")</script>', "&'"]);
    expect(select(checkedSvg(textPlot([])), 'g', 'token')).toHaveLength(0);
  });

  it('rejects bad input', () => {
    expect(() => textPlot('win money' as never)).toThrow(
      new ValueError(
        'textPlot: expected tokens to be an array of { token, attribution } (explainText\'s result), got "win money"',
      ),
    );
    expect(() => textPlot([{ token: 'a', attribution: Number.NaN }])).toThrow(
      'textPlot: expected tokens[0].attribution to be a finite number, got NaN',
    );
    expect(() => textPlot([{ token: 3, attribution: 1 }] as never)).toThrow(
      'expected tokens[0] to be { token: string, attribution: number }, got object',
    );
    expect(() => textPlot(tokens, { fontSize: 0 })).toThrow('expected fontSize to be an integer in [6, 72], got 0');
    expect(() => textPlot(tokens, { width: 50 })).toThrow('expected width to be an integer ≥ 160, got 50');
  });
});
