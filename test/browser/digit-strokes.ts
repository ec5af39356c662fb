// Digits 0-9 drawn as a person draws them on the demo's pad: strokes of points in [0, 1] of the
// pad (0,0 top left), in the order and direction of the pen, not centred and not filling the pad.
// Shared by the pad's Node test (raster.test.ts) and the browser test (demo.test.ts).

/** One pen stroke: [x, y] points in [0, 1] of the pad. */
export type Stroke = Array<[number, number]>;

/** Points of an elliptic arc around (cx, cy), from angle `from` to `to` in degrees (0 = right, 90 = down). */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, n = 24): Stroke {
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = ((from + ((to - from) * i) / n) * Math.PI) / 180;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)];
  });
}

/** The strokes scaled by `size` about the pad's centre and moved by (dx, dy): drawn smaller, off-centre. */
function placed(size: number, dx: number, dy: number, strokes: Stroke[]): Stroke[] {
  return strokes.map((s) =>
    s.map(([x, y]): [number, number] => [0.5 + (x - 0.5) * size + dx, 0.5 + (y - 0.5) * size + dy]),
  );
}

/** Each digit as drawn full size in the middle of the pad, index = digit. */
const SHAPES: Stroke[][] = [
  // 0: one loop from the top, anticlockwise, closing with a small overlap
  [arc(0.5, 0.5, 0.24, 0.36, -90, -440, 40)],
  // 1: a clean vertical line
  [
    [
      [0.52, 0.14],
      [0.51, 0.5],
      [0.5, 0.86],
    ],
  ],
  // 2: a hook over the top, a diagonal down to the left, a base line
  [[...arc(0.5, 0.33, 0.21, 0.18, 200, 380, 16), [0.48, 0.6], [0.27, 0.84], [0.76, 0.84]]],
  // 3: two bulges to the right
  [[...arc(0.47, 0.32, 0.2, 0.16, -150, 90, 16), ...arc(0.47, 0.66, 0.23, 0.18, -90, 150, 16)]],
  // 4: down-left diagonal and across, then the vertical
  [
    [
      [0.58, 0.15],
      [0.25, 0.6],
      [0.78, 0.6],
    ],
    [
      [0.62, 0.36],
      [0.62, 0.88],
    ],
  ],
  // 5: the top bar from the right, down, then the belly
  [[[0.72, 0.16], [0.36, 0.16], [0.33, 0.46], ...arc(0.5, 0.64, 0.23, 0.2, -125, 145, 20)]],
  // 6: a curve down from the top right into a loop at the bottom
  [[[0.67, 0.15], [0.47, 0.28], [0.35, 0.48], ...arc(0.51, 0.67, 0.18, 0.17, 180, 530, 24)]],
  // 7: the bar, then the long diagonal
  [
    [
      [0.25, 0.16],
      [0.76, 0.16],
      [0.43, 0.88],
    ],
  ],
  // 8: a small loop on top of a larger one, drawn as two circles
  [arc(0.5, 0.3, 0.17, 0.15, 90, 450, 24), arc(0.5, 0.67, 0.21, 0.19, -90, 270, 24)],
  // 9: the loop, then the stem down from its right side
  [[...arc(0.49, 0.32, 0.19, 0.16, 0, -360, 24), [0.66, 0.6], [0.63, 0.88]]],
];

/** Each digit, index = digit, drawn as people do: at 55-80% of the pad's height, anywhere on it. */
export const DIGIT_STROKES: Stroke[][] = SHAPES.map((strokes, k) =>
  placed(
    [0.6, 0.7, 0.8, 0.55, 0.65, 0.75, 0.6, 0.7, 0.8, 0.65][k],
    [-0.1, 0.12, 0.05, -0.15, 0.1, -0.05, 0.15, -0.12, 0, 0.08][k],
    [0.1, -0.1, 0.06, 0.15, -0.12, 0.08, -0.1, 0.05, -0.06, 0.12][k],
    strokes,
  ),
);

/** The strokes as the pad stores them: points {x, y}. */
export function padStrokes(strokes: Stroke[]): Array<Array<{ x: number; y: number }>> {
  return strokes.map((s) => s.map(([x, y]) => ({ x, y })));
}
