import { ValueError } from '../errors.js';
import { optionsObject } from '../ops/options.js';
import { l1l2Penalty } from '../ops/penalty.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';

/** A weight (or activity) penalty l1·Σ|x| + l2·Σx², added to the training loss. */
export class Regularizer {
  /** Keras class name: L1, L2 or L1L2. */
  readonly className: 'L1' | 'L2' | 'L1L2';
  readonly l1: number;
  readonly l2: number;

  constructor(className: 'L1' | 'L2' | 'L1L2', l1: number, l2: number) {
    for (const [name, v] of [
      ['l1', l1],
      ['l2', l2],
    ] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new ValueError(`regularizers.${className.toLowerCase()}: expected ${name} >= 0, got ${describe(v)}`);
      }
    }
    this.className = className;
    this.l1 = l1;
    this.l2 = l2;
  }

  /** Keras config (for model files). */
  getConfig(): Record<string, number> {
    if (this.className === 'L1') return { l1: this.l1 };
    if (this.className === 'L2') return { l2: this.l2 };
    return { l1: this.l1, l2: this.l2 };
  }

  /** The penalty of a tensor, as a scalar op (recorded for gradients); `scale` multiplies it. */
  penalty(x: Tensor, scale = 1): Tensor {
    return l1l2Penalty(x, this.l1 * scale, this.l2 * scale);
  }
}

/** L1 penalty l1·Σ|w| (Keras default l1 = 0.01). */
export function l1(args: { l1?: number } = {}): Regularizer {
  return new Regularizer('L1', optionsObject('regularizers.l1', args, '{l1: 0.01}').l1 ?? 0.01, 0);
}

/** L2 penalty l2·Σw² (Keras default l2 = 0.01). */
export function l2(args: { l2?: number } = {}): Regularizer {
  return new Regularizer('L2', 0, optionsObject('regularizers.l2', args, '{l2: 0.01}').l2 ?? 0.01);
}

/** L1 + L2 penalty (an unspecified part is 0, as in Keras). */
export function l1l2(args: { l1?: number; l2?: number } = {}): Regularizer {
  const { l1, l2 } = optionsObject('regularizers.l1l2', args, '{l1: 0.01, l2: 0.01}');
  return new Regularizer('L1L2', l1 ?? 0, l2 ?? 0);
}

/**
 * Resolves a regularizer option: a Regularizer, a name ('l1', 'l2', 'l1l2' with Keras defaults), or
 * a Keras-style {className, config} object as found in model files.
 */
export function getRegularizer(what: unknown, arg: string): Regularizer | null {
  if (what === undefined || what === null) return null;
  if (what instanceof Regularizer) return what;
  if (typeof what === 'string') {
    const key = what.toLowerCase().replace(/_/g, '');
    if (key === 'l1') return l1();
    if (key === 'l2') return l2();
    if (key === 'l1l2') return l1l2({ l1: 0.01, l2: 0.01 });
  }
  if (typeof what === 'object') {
    const o = what as { className?: unknown; class_name?: unknown; config?: { l1?: number; l2?: number } };
    const name = String(o.className ?? o.class_name ?? '');
    const config = o.config ?? {};
    if (name === 'L1') return new Regularizer('L1', config.l1 ?? 0.01, 0);
    if (name === 'L2') return new Regularizer('L2', 0, config.l2 ?? 0.01);
    if (name === 'L1L2') return new Regularizer('L1L2', config.l1 ?? 0, config.l2 ?? 0);
  }
  throw new ValueError(
    `${arg}: unknown regularizer ${describe(what)}; expected nn.regularizers.l1/l2/l1l2, or 'l1', 'l2', 'l1l2'`,
  );
}
