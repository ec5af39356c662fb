// What every plot's SVG must be: well-formed, sized, titled, in sans-serif.
import { expect } from 'vitest';
import { parseXml, type XmlElement } from '../helpers/xml.js';

/** Parses `svg` and checks the root: the SVG namespace, width/height/viewBox that agree, a <title>, sans-serif. */
export function checkedSvg(svg: string): XmlElement {
  const root = parseXml(svg);
  expect(root.name).toBe('svg');
  const a = root.attributes;
  expect(a.xmlns).toBe('http://www.w3.org/2000/svg');
  expect(a['font-family']).toBe('sans-serif');
  const [x0, y0, w, h] = a.viewBox.split(' ').map(Number);
  expect([x0, y0]).toEqual([0, 0]);
  expect(w).toBeGreaterThan(0);
  expect(h).toBeGreaterThan(0);
  // the displayed size keeps the layout's aspect ratio
  expect(Number(a.width) / Number(a.height)).toBeCloseTo(w / h, 2);
  expect(root.children[0].name).toBe('title');
  expect(root.children[0].text.length).toBeGreaterThan(0);
  return root;
}

/** A tensor-like object (shape and dataSync) without the engine. */
export function tensorLike(shape: number[], data: number[]) {
  return { shape, dataSync: () => Float32Array.from(data) };
}
