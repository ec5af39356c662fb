// The points and weights of the path integral in integrated gradients, as captum's approximation methods.

/** The ways to approximate the path integral (captum's names). */
export type IntegrationMethod =
  | 'gausslegendre'
  | 'riemann_left'
  | 'riemann_right'
  | 'riemann_middle'
  | 'riemann_trapezoid';

/** The methods `integratedGradients` takes. */
export const INTEGRATION_METHODS: readonly IntegrationMethod[] = [
  'gausslegendre',
  'riemann_left',
  'riemann_right',
  'riemann_middle',
  'riemann_trapezoid',
];

/** Where on the path the gradient is taken (alphas in [0, 1]) and the weight of each point. */
export interface Quadrature {
  alphas: Float64Array;
  weights: Float64Array;
}

/**
 * Gauss–Legendre nodes (ascending, in (-1, 1)) and weights of n points, as numpy's
 * `numpy.polynomial.legendre.leggauss(n)`: the roots of the Legendre polynomial P_n found by
 * Newton's method from Tricomi's estimate, weights 2 / ((1 − x²) P_n'(x)²).
 */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // the i-th largest root, then Newton steps on P_n (by the three-term recurrence)
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p = 1;
      let previous = 0;
      for (let k = 1; k <= n; k++) {
        const older = previous;
        previous = p;
        p = ((2 * k - 1) * x * previous - (k - 1) * older) / k;
      }
      // P_n'(x) = n (x P_n − P_{n−1}) / (x² − 1)
      derivative = (n * (x * p - previous)) / (x * x - 1);
      const step = p / derivative;
      x -= step;
      if (Math.abs(step) <= 1e-16) break;
    }
    nodes[n - 1 - i] = x;
    weights[n - 1 - i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  return { nodes, weights };
}

/**
 * captum's alphas and step sizes for `steps` points: Gauss–Legendre rescaled from [-1, 1] to
 * [0, 1]; Riemann sums with steps of 1/steps at the left ends, right ends or middles of the
 * intervals; or captum's trapezoid (alphas linspace(0, 1, steps), steps of 1/steps halved at both
 * ends, so its weights sum to (steps − 1)/steps as captum's do).
 */
export function quadrature(method: IntegrationMethod, steps: number): Quadrature {
  const alphas = new Float64Array(steps);
  const weights = new Float64Array(steps);
  if (method === 'gausslegendre') {
    const { nodes, weights: w } = gaussLegendre(steps);
    for (let k = 0; k < steps; k++) {
      alphas[k] = 0.5 * (1 + nodes[k]);
      weights[k] = 0.5 * w[k];
    }
    return { alphas, weights };
  }
  weights.fill(1 / steps);
  for (let k = 0; k < steps; k++) {
    if (method === 'riemann_left') alphas[k] = k / steps;
    else if (method === 'riemann_right') alphas[k] = (k + 1) / steps;
    else if (method === 'riemann_middle') alphas[k] = (k + 0.5) / steps;
    else alphas[k] = k / (steps - 1);
  }
  if (method === 'riemann_trapezoid') {
    weights[0] /= 2;
    weights[steps - 1] /= 2;
  }
  return { alphas, weights };
}
