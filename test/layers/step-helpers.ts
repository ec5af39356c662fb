// Runs one layer's compiled step (makeStep) on fixed buffers, outside a model, for layer tests.
import { backend } from '../../src/backend/loader.js';
import type { Layer } from '../../src/layers/layer.js';
import { globalRandom } from '../../src/random.js';
import { free, putF32, readF32 } from '../helpers/wasm.js';

/** A layer's compiled step over `rows` rows of `x` (width `width`), with buffers freed by `dispose`. */
export function compiledStep(layer: Layer, x: ArrayLike<number>, rows: number, width: number, withInputGrad = true) {
  layer.build([null, width]);
  const blocks: number[] = [];
  const alloc = (n: number) => {
    const p = backend().allocator.alloc(Math.max(1, n) * 4);
    blocks.push(p);
    return p;
  };
  const input = putF32(x);
  const inputGrad = withInputGrad ? alloc(rows * width) : 0;
  const step = layer.makeStep({
    input,
    inputGrad,
    maxRows: rows,
    inputWidth: width,
    emitLogits: false,
    alloc,
    uniform: () => globalRandom.uniform(),
  });
  const outWidth = step.outputWidth;
  return {
    step,
    /** Runs forward (committing its state, as a training step with a finite loss does) and returns a copy of the output. */
    forward(training: boolean): Float32Array {
      step.forward(rows, training);
      if (training) step.commit?.();
      return readF32(step.output, rows * outWidth);
    },
    /** Runs backward for the output gradient dy; returns dx (if asked for) and each parameter gradient. */
    backward(dy: ArrayLike<number>): { dx: Float32Array | null; params: Float32Array[] } {
      // a step may leave outputGrad 0 when it has no input gradient to pass on (identity layers)
      if (step.outputGrad) backend().views.f32.set(dy, step.outputGrad >> 2);
      step.backward(rows);
      return {
        dx: inputGrad ? readF32(inputGrad, rows * width) : null,
        params: step.paramGrads.map((p) => readF32(p.grad, p.variable.size)),
      };
    },
    dispose() {
      free(input, ...blocks);
    },
  };
}
