import { describe, expect, it } from 'vitest';
import { diverging, lowHigh } from '../../src/plot/colour.js';
import { escapeXml } from '../../src/plot/escape.js';
import { formatFixed, formatNumber, formatSigned, px } from '../../src/plot/format.js';
import * as plot from '../../src/plot/index.js';
import { fitText, niceTicks, textWidth } from '../../src/plot/svg.js';
import { parseXml } from '../helpers/xml.js';
import { checkedSvg } from './check-svg.js';

describe('the pieces the plots share', () => {
  it('escapes the five XML characters and replaces what XML cannot hold', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('tab\tok\u0000\u001b\ud800 \ud83d\ude00')).toBe('tab\tok\ufffd\ufffd\ufffd \ud83d\ude00');
    expect(parseXml(`<t>${escapeXml('a\u0001<&>"\'')}</t>`).text).toBe('a\ufffd<&>"\'');
  });

  it('formats numbers short, with a true minus sign', () => {
    expect([0.1236, 12.5, 1234, 0.3, -0.05, 0, 1e-7, 2.5e7, 123.45].map(formatNumber)).toEqual([
      '0.124',
      '12.5',
      '1234',
      '0.3',
      '−0.05',
      '0',
      '1e-7',
      '2.5e7',
      '123.5',
    ]);
    expect([0.35, -0.2, 0].map(formatSigned)).toEqual(['+0.35', '−0.2', '0']);
    expect([formatFixed(2.449, 2), formatFixed(-0.001, 2), formatFixed(-1.5, 1)]).toEqual(['2.45', '0.00', '−1.5']);
    expect([px(1 / 3), px(-0.001), px(2)]).toEqual(['0.33', '0', '2']);
  });

  it('picks round ticks within the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-0.23, 0.1)).toEqual([-0.2, -0.1, 0, 0.1]);
    expect(niceTicks(0.3, 0.3)).toEqual([0.3]);
  });

  it('colours through white on the diverging scale, blue to red on the feature-value scale', () => {
    expect([diverging(-1), diverging(0), diverging(1), diverging(5)]).toEqual([
      '#008bfb',
      '#ffffff',
      '#ff0051',
      '#ff0051',
    ]);
    expect([lowHigh(0), lowHigh(1)]).toEqual(['#008bfb', '#ff0051']);
  });

  it('estimates text width from characters, and cuts text with an ellipsis', () => {
    expect(textWidth('MMMM')).toBeGreaterThan(textWidth('iiii'));
    expect(textWidth('abc', 24)).toBeCloseTo(2 * textWidth('abc', 12), 10);
    expect(fitText('short', 200)).toBe('short');
    const cut = fitText('a rather long feature name', 60);
    expect(cut.endsWith('…')).toBe(true);
    expect(textWidth(cut)).toBeLessThanOrEqual(60);
  });

  it('every plot is an SVG document with a size, a viewBox, a title and sans-serif text', () => {
    const tree = {
      kind: 'classification',
      featureNames: ['x'],
      classNames: null,
      left: [1, -1, -1],
      right: [2, -1, -1],
      feature: [0, -2, -2],
      threshold: [0, -2, -2],
      samples: [2, 1, 1],
      value: [
        [0.5, 0.5],
        [1, 0],
        [0, 1],
      ],
    };
    const svgs = [
      plot.barPlot([1, -1]),
      plot.waterfallPlot([1, -1], { baseValue: 0 }),
      plot.forcePlot([1, -1], { baseValue: 0 }),
      plot.beeswarmPlot([[1, -1]]),
      plot.heatMap([1, -1], { width: 2, height: 1 }),
      plot.textPlot([{ token: 'a', attribution: 1 }]),
      plot.treePlot(tree as never),
    ];
    for (const svg of svgs) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" ')).toBe(true);
      checkedSvg(svg);
    }
  });
});
