// Four-lane float math. PLACEHOLDER implementations (lane by lane through Mathf) with the final
// signatures; being replaced by polynomial SIMD versions. Keep the signatures.

/** e^x on four lanes. */
export function exp4(x: v128): v128 {
  return f32x4(
    Mathf.exp(f32x4.extract_lane(x, 0)),
    Mathf.exp(f32x4.extract_lane(x, 1)),
    Mathf.exp(f32x4.extract_lane(x, 2)),
    Mathf.exp(f32x4.extract_lane(x, 3)),
  );
}

/** Natural log on four lanes (NaN below 0, -Infinity at 0). */
export function log4(x: v128): v128 {
  return f32x4(
    Mathf.log(f32x4.extract_lane(x, 0)),
    Mathf.log(f32x4.extract_lane(x, 1)),
    Mathf.log(f32x4.extract_lane(x, 2)),
    Mathf.log(f32x4.extract_lane(x, 3)),
  );
}

/** log(1 + x) on four lanes, accurate for small x. */
export function log1p4(x: v128): v128 {
  return f32x4(
    Mathf.log1p(f32x4.extract_lane(x, 0)),
    Mathf.log1p(f32x4.extract_lane(x, 1)),
    Mathf.log1p(f32x4.extract_lane(x, 2)),
    Mathf.log1p(f32x4.extract_lane(x, 3)),
  );
}

/** tanh on four lanes. */
export function tanh4(x: v128): v128 {
  return f32x4(
    Mathf.tanh(f32x4.extract_lane(x, 0)),
    Mathf.tanh(f32x4.extract_lane(x, 1)),
    Mathf.tanh(f32x4.extract_lane(x, 2)),
    Mathf.tanh(f32x4.extract_lane(x, 3)),
  );
}

/** erf on four lanes. */
export function erf4(x: v128): v128 {
  return f32x4(erfScalar(f32x4.extract_lane(x, 0)), erfScalar(f32x4.extract_lane(x, 1)), erfScalar(f32x4.extract_lane(x, 2)), erfScalar(f32x4.extract_lane(x, 3)));
}

/** erf of one value (float64 inside: Abramowitz-Stegun 7.1.26 is too coarse, so use a series/continued fraction). */
export function erfScalar(x: f32): f32 {
  // Placeholder: W. J. Cody-style rational approximations are coming; this uses the tanh-free
  // formula erf(x) = sign(x) * sqrt(1 - exp(-x^2 (4/pi + a x^2) / (1 + a x^2))), error ~1e-4.
  const a: f64 = 0.147;
  const xx: f64 = <f64>x * <f64>x;
  const r = Math.sqrt(1.0 - Math.exp((-xx * (4.0 / Math.PI + a * xx)) / (1.0 + a * xx)));
  return <f32>(x < 0 ? -r : r);
}
