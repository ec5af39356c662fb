import type { LayerStep, StepContext } from './step.js';

/** A step that changes nothing in row-major memory: it shares its input's buffers (value and gradient). */
export function sharedBuffersStep(ctx: StepContext): LayerStep {
  return {
    output: ctx.input,
    outputGrad: ctx.inputGrad,
    outputWidth: ctx.inputWidth,
    paramGrads: [],
    forward() {},
    backward() {},
  };
}
