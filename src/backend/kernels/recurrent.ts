import { passThrough } from './exports.js';
import { gemmScratchBytes } from './gemm.js';

/** Activation code of tfjs's hardSigmoid, clip(0.2·x + 0.5, 0, 1), which only the recurrent kernels take. */
export const ACT_HARD_SIGMOID = 100;

/** Flags of the recurrent kernels (assembly/recurrent.ts). */
export const RnnFlags = {
  /** The output holds every step's state (returnSequences). */
  sequences: 1,
  /** The final states follow the output (returnState). */
  states: 2,
  /** The steps run last to first (goBackwards): the mask is read reversed. */
  reversed: 4,
  /** The sequence output in input order (Bidirectional's backward layer). */
  align: 8,
  /** Zeros in the sequence output at padded steps (Bidirectional with a mask, as Keras 3). */
  zeroMasked: 16,
} as const;

/** Bytes of GEMM scratch that every GEMM a recurrent kernel makes fits in (the largest of their sizes). */
export function recurrentScratchBytes(batch: number, steps: number, units: number, gates: number): number {
  const g = gates * units;
  return Math.max(
    gemmScratchBytes(batch, units, g),
    gemmScratchBytes(batch, g, units),
    gemmScratchBytes(units, steps * batch, g),
    gemmScratchBytes(batch, units, units),
  );
}

/**
 * LSTM forward over all steps in one call (assembly/recurrent.ts `lstmForward`): per step one GEMM
 * with the recurrent kernel and one pass applying the gates. `work` holds recurrentScratchBytes(…, 4).
 */
export const lstmForward = passThrough('lstmForward');
/** LSTM backward over all steps in one call: the gates' gradients and d(recurrent kernel). */
export const lstmBackward = passThrough('lstmBackward');
/** GRU forward over all steps in one call (both reset modes). */
export const gruForward = passThrough('gruForward');
/** GRU backward over all steps in one call. */
export const gruBackward = passThrough('gruBackward');
/** SimpleRNN forward over all steps in one call. */
export const rnnForward = passThrough('rnnForward');
/** SimpleRNN backward over all steps in one call. */
export const rnnBackward = passThrough('rnnBackward');
