// The arrow-shaped bars of the waterfall and force plots.
import { px } from './format.js';

/**
 * The points of a horizontal arrow from x0 to x1 (pointing at x1), between y and y + h, with a
 * head at most `head` px long (shorter on short arrows): a `<polygon points>` value.
 */
export function arrowPoints(x0: number, x1: number, y: number, h: number, head = 8): string {
  const dir = x1 >= x0 ? 1 : -1;
  const len = Math.min(head, Math.abs(x1 - x0));
  const neck = x1 - dir * len;
  const pts: [number, number][] = [
    [x0, y],
    [neck, y],
    [x1, y + h / 2],
    [neck, y + h],
    [x0, y + h],
  ];
  return pts.map(([a, b]) => `${px(a)},${px(b)}`).join(' ');
}

/**
 * The points of a chevron segment of a force plot from x0 to x1 (pointing towards x1), between y
 * and y + h: notched at its tail, pointed at its head.
 */
export function chevronPoints(x0: number, x1: number, y: number, h: number, head = 6): string {
  const dir = x1 >= x0 ? 1 : -1;
  const len = Math.min(head, Math.abs(x1 - x0) / 2);
  const pts: [number, number][] = [
    [x0, y],
    [x1 - dir * len, y],
    [x1, y + h / 2],
    [x1 - dir * len, y + h],
    [x0, y + h],
    [x0 + dir * len, y + h / 2],
  ];
  return pts.map(([a, b]) => `${px(a)},${px(b)}`).join(' ');
}
