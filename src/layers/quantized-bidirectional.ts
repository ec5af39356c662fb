import { ValueError } from '../errors.js';
import type { InputQuantization } from '../ops/quantized.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { Bidirectional, type BidirectionalArgs } from './bidirectional.js';
import type { GRU } from './gru.js';
import type { StoredWeight } from './layer.js';
import type { LSTM } from './lstm.js';
import { floatRecurrentOf, QuantizedRecurrent, quantizedRecurrentOf } from './quantized-recurrent.js';
import type { Recurrent } from './recurrent.js';
import type { SimpleRNN } from './simple-rnn.js';

/** Options of a QuantizedBidirectional: a Bidirectional's, over int8 recurrent layers. */
export interface QuantizedBidirectionalArgs extends Omit<BidirectionalArgs, 'layer' | 'backwardLayer'> {
  /** The int8 recurrent layer to run both ways. */
  layer: QuantizedRecurrent;
  /** The int8 layer for the backward direction (default: a copy of `layer` with goBackwards flipped). */
  backwardLayer?: QuantizedRecurrent;
}

/**
 * A Bidirectional over int8 recurrent layers (QuantizedLSTM, QuantizedGRU, QuantizedSimpleRNN):
 * both directions run their input projection in int8 and their recurrent kernel in float32. Made by
 * `nn.quantize` from a Bidirectional; no gradient. Weights: the forward layer's `[kernel (int8 codes
 * as int32), recurrent_kernel, bias, kernel_scale]`, then the backward layer's, named
 * `<name>/forward_<layer>/kernel`, ... as a Bidirectional names them.
 */
export class QuantizedBidirectional extends Bidirectional {
  static override readonly className: string = 'QuantizedBidirectional';

  constructor(args: QuantizedBidirectionalArgs) {
    const where = `QuantizedBidirectional "${args?.name ?? 'bidirectional'}"`;
    for (const key of ['layer', 'backwardLayer'] as const) {
      const l = args?.[key];
      if ((key === 'layer' || l !== undefined) && !(l instanceof QuantizedRecurrent)) {
        throw new ValueError(`${where}: expected ${key} to be an int8 recurrent layer, got ${describe(l)}`);
      }
    }
    super({ ...args, trainable: false });
  }

  override get computePrecision(): 'int8' {
    return 'int8';
  }

  /** The input projection runs in int8, the recurrent kernel and the time loop in float32. */
  override get precisionNote(): string {
    return 'recurrent kernel in float32';
  }

  private get directions(): [QuantizedRecurrent, QuantizedRecurrent] {
    return [this.forwardLayer as QuantizedRecurrent, this.backwardLayer as QuantizedRecurrent];
  }

  override countParams(): number {
    return this.directions.reduce((n, l) => n + l.countParams(), 0);
  }

  /** The forward layer's weights, then the backward layer's (each as its getWeights gives them). */
  override getWeights(): Tensor[] {
    return this.directions.flatMap((l) => l.getWeights());
  }

  /** Takes what getWeights gives. */
  override setWeights(weights: Tensor[]): void {
    const [f, b] = this.directions;
    const count = f.useBias ? 4 : 3;
    if (!Array.isArray(weights) || weights.length !== 2 * count) {
      throw new ValueError(
        `QuantizedBidirectional "${this.name}".setWeights: expected ${2 * count} weight tensors (the forward layer's ${count}, then the backward layer's), got ${describe(weights)}`,
      );
    }
    // both are checked before either changes: the backward layer's first, on a copy of its weights
    const before = b.getWeights();
    try {
      b.setWeights(weights.slice(count));
      f.setWeights(weights.slice(0, count));
    } catch (e) {
      b.setWeights(before);
      throw e;
    } finally {
      for (const t of before) t.dispose();
    }
  }

  override storedWeights(): StoredWeight[] {
    return this.directions.flatMap((l) => l.storedWeights().map((w) => ({ ...w, name: `${this.name}/${w.name}` })));
  }

  override restoreWeights(values: ReadonlyMap<string, Float32Array | Int8Array>): void {
    const prefix = `${this.name}/`;
    const inner = new Map(
      [...values].map(([name, v]) => [name.startsWith(prefix) ? name.slice(prefix.length) : name, v]),
    );
    for (const l of this.directions) l.restoreWeights(inner);
  }
}

/** The wrapped layer a Bidirectional was made from: its forward copy under its own name. */
function wrappedName(copy: Recurrent, prefix: string): string {
  return copy.name.startsWith(prefix) ? copy.name.slice(prefix.length) : copy.name;
}

/** Whether a Bidirectional was given its own backward layer (its config then names it). */
function hasOwnBackwardLayer(layer: Bidirectional): boolean {
  return layer.getConfig().backward_layer !== undefined;
}

/** The int8 layer of a Bidirectional: same name, input shape, merge mode and wrapped layers' options; weights not filled yet. */
export function quantizedBidirectionalOf(
  layer: Bidirectional,
  input: InputQuantization | null,
): QuantizedBidirectional {
  const inner = (l: Recurrent, prefix: string) =>
    quantizedRecurrentOf(l as LSTM | GRU | SimpleRNN, input, wrappedName(l, prefix));
  return new QuantizedBidirectional({
    name: layer.name,
    ...(layer.batchInputShape ? { batchInputShape: layer.batchInputShape } : {}),
    mergeMode: layer.mergeMode,
    layer: inner(layer.forwardLayer, 'forward_'),
    ...(hasOwnBackwardLayer(layer) ? { backwardLayer: inner(layer.backwardLayer, 'backward_') } : {}),
  });
}

/** The float Bidirectional of an int8 one: same name, input shape, merge mode and options; weights not filled yet. */
export function floatBidirectionalOf(layer: QuantizedBidirectional): Bidirectional {
  const inner = (l: Recurrent, prefix: string) => floatRecurrentOf(l as QuantizedRecurrent, wrappedName(l, prefix));
  return new Bidirectional({
    name: layer.name,
    ...(layer.batchInputShape ? { batchInputShape: layer.batchInputShape } : {}),
    mergeMode: layer.mergeMode,
    layer: inner(layer.forwardLayer, 'forward_'),
    ...(hasOwnBackwardLayer(layer) ? { backwardLayer: inner(layer.backwardLayer, 'backward_') } : {}),
  });
}
