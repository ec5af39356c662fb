// quantize's and dequantize's bodies (quantize.ts) are loaded on first use: the browser bundle
// fetches them in the chunk of code that pages need later or never (src/lazy-import.ts).
import { loadedOnFirstUse } from '../lazy-import.js';
import type { dequantize as dequantizeBody, quantize as quantizeBody } from './quantize.js';

export type { QuantizeOptions } from './quantize.js';

/** What quantize and dequantize take from the chunk loaded on first use (src/lazy.ts). */
export interface QuantizeBodies {
  quantize: typeof quantizeBody;
  dequantize: typeof dequantizeBody;
}

/**
 * A copy of a model for inference whose Dense layers compute with int8 weights and int8 kernels
 * and whose Embedding tables are int8 (about 4x smaller); Conv1D layers run the int8 product over
 * their windows, and LSTM, GRU and SimpleRNN layers for their input projection (their recurrent
 * kernel and time loop stay float32); other layers stay float32. Dynamic mode
 * (default) quantizes each input row with its own range; static mode uses ranges found by running
 * `calibrationData` through the model. The copy predicts, evaluates, saves and loads, but does not
 * train: train the float model and quantize it again.
 *
 * @example
 * const int8 = await nn.quantize(model);
 * const fixed = await nn.quantize(model, { mode: 'static', calibrationData: xTrain });
 */
export const quantize: typeof quantizeBody = loadedOnFirstUse<QuantizeBodies>('quantize');

/**
 * A float32 copy of a quantized model (weights code · scale), for TensorFlow.js, which cannot read
 * int8 layers.
 */
export const dequantize: typeof dequantizeBody = loadedOnFirstUse<QuantizeBodies>('dequantize');
