// Numbers as the plots print them: short, signed where a direction matters, the same bytes everywhere.

/** The minus sign plots print (U+2212, as shap does). */
const MINUS = '\u2212';

/**
 * `v` short: 3 significant digits below 100 with trailing zeros dropped (0.1236 → "0.124",
 * 12.5 → "12.5"), one decimal below 1000 (123.45 → "123.5"), whole numbers up to a million
 * (1234 → "1234"), and very small or large magnitudes in exponent form ("1e-7", "2.5e7").
 */
export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  let s: string;
  if (a >= 1e6 || a < 1e-3) {
    s = a
      .toExponential(2)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  } else if (a >= 100) {
    s = a.toFixed(a >= 1000 ? 0 : 1).replace(/\.0$/, '');
  } else {
    s = a.toPrecision(3);
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  return v < 0 ? `${MINUS}${s}` : s;
}

/** `formatNumber` with a sign on positive values too ("+0.35", "−0.2"), as attribution labels. */
export function formatSigned(v: number): string {
  return v > 0 ? `+${formatNumber(v)}` : formatNumber(v);
}

/** `v` with exactly `decimals` decimals (a threshold in a tree: "2.45"), −0 as 0. */
export function formatFixed(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s.replace('-', MINUS);
}

/** A coordinate in the SVG: at most 2 decimals, no trailing zeros. */
export function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}
