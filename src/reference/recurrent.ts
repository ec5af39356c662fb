// Plain float64 LSTM, GRU and SimpleRNN, step by step as Keras writes them: the oracle of the fused
// recurrent kernels (test/kernels/recurrent.test.ts).

/** Activation names the reference knows. */
export type RecurrentReferenceActivation = 'tanh' | 'sigmoid' | 'hardSigmoid' | 'relu' | 'linear';

/** Options of `recurrentReference` (as the fused op's). */
export interface RecurrentReferenceOptions {
  cell: 'lstm' | 'gru' | 'simpleRnn';
  units: number;
  activation: RecurrentReferenceActivation;
  recurrentActivation: RecurrentReferenceActivation;
  returnSequences: boolean;
  /** Append the final states (h, and c for the LSTM) as extra rows. */
  returnState: boolean;
  goBackwards: boolean;
  resetAfter: boolean;
  /** [batch, steps]: 0 marks a padded step. */
  mask?: ArrayLike<number> | null;
  /** [batch, units]: recurrent dropout mask. */
  recurrentMask?: ArrayLike<number> | null;
  /** Sequence output in input order (a goBackwards layer in a Bidirectional). */
  alignReversed?: boolean;
  /** Zeros in the sequence output at padded steps. */
  zeroMaskedOutput?: boolean;
}

function activate(name: RecurrentReferenceActivation, x: number): number {
  switch (name) {
    case 'tanh':
      return Math.tanh(x);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'hardSigmoid':
      return Math.min(1, Math.max(0, 0.2 * x + 0.5));
    case 'relu':
      return Math.max(0, x);
    default:
      return x;
  }
}

/**
 * The layer's output for x [batch, steps, features] (flat), kernel [features, G·u], recurrent
 * kernel [u, G·u], bias [G·u] (GRU resetAfter: [2, 3u]) or null: [batch, steps, u] or [batch, u],
 * or with returnState [batch, K + states, u], flat.
 */
export function recurrentReference(
  x: ArrayLike<number>,
  shape: readonly number[],
  kernel: ArrayLike<number>,
  recurrentKernel: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  o: RecurrentReferenceOptions,
): Float64Array {
  const [batch, steps, features] = shape;
  const u = o.units;
  const G = o.cell === 'lstm' ? 4 : o.cell === 'gru' ? 3 : 1;
  const g = G * u;
  const nStates = o.returnState ? (o.cell === 'lstm' ? 2 : 1) : 0;
  const outK = (o.returnSequences ? steps : 1) + nStates;
  const out = new Float64Array(batch * outK * u);
  const a = (v: number) => activate(o.activation, v);
  const ra = (v: number) => activate(o.recurrentActivation, v);
  for (let b = 0; b < batch; b++) {
    let h = new Float64Array(u);
    let c = new Float64Array(u);
    for (let t = 0; t < steps; t++) {
      const tt = o.goBackwards ? steps - 1 - t : t;
      const real = o.mask?.[b * steps + tt] !== 0;
      // input projection and recurrent product of this step
      const xp = new Float64Array(g);
      for (let j = 0; j < g; j++) {
        let s = bias ? bias[j] : 0;
        for (let i = 0; i < features; i++) s += x[(b * steps + tt) * features + i] * kernel[i * g + j];
        xp[j] = s;
      }
      const hd = Float64Array.from(h, (v, j) => (o.recurrentMask ? v * o.recurrentMask[b * u + j] : v));
      const rec = (j: number, state: ArrayLike<number>) => {
        let s = 0;
        for (let i = 0; i < u; i++) s += state[i] * recurrentKernel[i * g + j];
        return s;
      };
      const hNew = new Float64Array(u);
      const cNew = new Float64Array(u);
      if (o.cell === 'lstm') {
        for (let j = 0; j < u; j++) {
          const i = ra(xp[j] + rec(j, hd));
          const f = ra(xp[u + j] + rec(u + j, hd));
          const gg = a(xp[2 * u + j] + rec(2 * u + j, hd));
          const og = ra(xp[3 * u + j] + rec(3 * u + j, hd));
          cNew[j] = f * c[j] + i * gg;
          hNew[j] = og * a(cNew[j]);
        }
      } else if (o.cell === 'gru') {
        const z = new Float64Array(u);
        const r = new Float64Array(u);
        for (let j = 0; j < u; j++) {
          const recBias = (k: number) => (o.resetAfter && bias ? bias[g + k] : 0);
          z[j] = ra(xp[j] + rec(j, hd) + recBias(j));
          r[j] = ra(xp[u + j] + rec(u + j, hd) + recBias(u + j));
        }
        const rh = Float64Array.from(hd, (v, j) => r[j] * v);
        for (let j = 0; j < u; j++) {
          const hh = o.resetAfter
            ? a(xp[2 * u + j] + r[j] * (rec(2 * u + j, hd) + (bias ? bias[g + 2 * u + j] : 0)))
            : a(xp[2 * u + j] + rec(2 * u + j, rh));
          hNew[j] = z[j] * h[j] + (1 - z[j]) * hh;
        }
      } else {
        for (let j = 0; j < u; j++) hNew[j] = a(xp[j] + rec(j, hd));
      }
      if (real) {
        h = hNew;
        c = cNew;
      }
      if (o.returnSequences) {
        const row = o.alignReversed ? steps - 1 - t : t;
        for (let j = 0; j < u; j++) {
          out[(b * outK + row) * u + j] = !real && o.zeroMaskedOutput ? 0 : h[j];
        }
      }
    }
    const first = o.returnSequences ? steps : 1;
    for (let j = 0; j < u; j++) {
      if (!o.returnSequences) out[b * outK * u + j] = h[j];
      if (nStates > 0) out[(b * outK + first) * u + j] = h[j];
      if (nStates > 1) out[(b * outK + first + 1) * u + j] = c[j];
    }
  }
  return out;
}
