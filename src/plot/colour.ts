// The colours of the plots, as shap draws them: red pushes the output up, blue pushes it down.

/** Positive attributions (shap's red). */
export const RED = '#ff0051';
/** Negative attributions (shap's blue). */
export const BLUE = '#008bfb';
/** Axes, zero lines and secondary text. */
export const GREY = '#888888';

type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
const RED_RGB: Rgb = [255, 0, 81];
const BLUE_RGB: Rgb = [0, 139, 251];

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

const clamp = (t: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, t));

/** The diverging scale through white: t in [−1, 1], −1 blue, 0 white, 1 red (clamped). */
export function diverging(t: number): string {
  const c = clamp(t, -1, 1);
  return hex(c >= 0 ? mix(WHITE, RED_RGB, c) : mix(WHITE, BLUE_RGB, -c));
}

/** shap's feature-value scale: t in [0, 1], 0 (low) blue, 1 (high) red, through purple (clamped). */
export function lowHigh(t: number): string {
  return hex(mix(BLUE_RGB, RED_RGB, clamp(t, 0, 1)));
}

/** A grey for an image cell: t in [0, 1], 0 white, 1 black (ink on paper; clamped). */
export function ink(t: number): string {
  return hex(mix(WHITE, [0, 0, 0], clamp(t, 0, 1)));
}

/** Text drawn on a fill of the diverging scale at t: white on the strong colours, else near black. */
export function textOn(t: number): string {
  return Math.abs(t) > 0.6 ? '#ffffff' : '#222222';
}

/** Light categorical colours (ColorBrewer Set3) for classes, by class index modulo their number. */
export const CATEGORICAL: readonly string[] = [
  '#8dd3c7',
  '#ffffb3',
  '#bebada',
  '#fb8072',
  '#80b1d3',
  '#fdb462',
  '#b3de69',
  '#fccde5',
  '#d9d9d9',
  '#bc80bd',
  '#ccebc5',
  '#ffed6f',
];

/** The fill of class `k`. */
export function classColour(k: number): string {
  return CATEGORICAL[k % CATEGORICAL.length];
}

/** A regression leaf's fill: t in [0, 1] from white to orange (low to high predicted value). */
export function sequential(t: number): string {
  return hex(mix(WHITE, [229, 129, 57], clamp(t, 0, 1)));
}
