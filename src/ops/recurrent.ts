import { gemm } from '../backend/kernels/gemm.js';
import { copyStrided } from '../backend/kernels/indexing.js';
import {
  gruBackward,
  gruForward,
  lstmBackward,
  lstmForward,
  RnnFlags,
  recurrentScratchBytes,
  rnnBackward,
  rnnForward,
} from '../backend/kernels/recurrent.js';
import { workspace } from '../backend/scratch.js';
import { ValueError } from '../errors.js';
import { activeTape, record } from './tape.js';
import { Tensor } from './tensor.js';

/** The cells the fused recurrent op runs. */
export type RecurrentCell = 'lstm' | 'gru' | 'simpleRnn';

/** Gates per cell: the kernel holds G·units columns. */
export const CELL_GATES: Record<RecurrentCell, number> = { lstm: 4, gru: 3, simpleRnn: 1 };

/** Options of the fused recurrent op. */
export interface RecurrentOpOptions {
  cell: RecurrentCell;
  units: number;
  /** Activation code (Act, or ACT_HARD_SIGMOID) of the candidate/state. */
  activation: number;
  /** Activation code of the gates (LSTM, GRU). */
  recurrentActivation: number;
  returnSequences: boolean;
  /** Append the final states (h, and c for the LSTM) as extra rows: output [batch, K + states, units]. */
  returnState: boolean;
  goBackwards: boolean;
  /** GRU: the reset gate applies after the recurrent product (bias [2, 3u]). */
  resetAfter: boolean;
  /** float32 [batch, steps], 1 for a real step; null for none. */
  mask: Tensor | null;
  /** float32 [batch, units]: the recurrent dropout mask, fixed over time; null for none. */
  recurrentMask: Tensor | null;
  /** With goBackwards and returnSequences: the output in input order (Bidirectional's backward layer). */
  alignReversed?: boolean;
  /** Zeros in the sequence output at padded steps instead of the carried state (Bidirectional, as Keras 3). */
  zeroMaskedOutput?: boolean;
}

/** Number of state rows a cell appends with returnState. */
export function stateCount(cell: RecurrentCell): number {
  return cell === 'lstm' ? 2 : 1;
}

/**
 * Copies x [batch, steps, width] into time-major y [steps, batch, width], reversing time when
 * `reverse` (and back: the same copy with `toTimeMajor` false).
 */
function transposeTime(
  x: number,
  y: number,
  batch: number,
  steps: number,
  width: number,
  reverse: boolean,
  toTimeMajor: boolean,
): void {
  // the batch-major side, indexed [t, b, w]: strides (±width, steps·width, 1)
  const tStride = reverse ? -width : width;
  const start = reverse ? (steps - 1) * width * 4 : 0;
  const batchMajor = [tStride, steps * width, 1];
  const timeMajor = [batch * width, width, 1];
  const shape = [steps, batch, width];
  if (toTimeMajor) copyStrided(x + start, y, shape, batchMajor, timeMajor);
  else copyStrided(x, y + start, shape, timeMajor, batchMajor);
}

/**
 * @internal The fused recurrent op: a whole LSTM, GRU or SimpleRNN layer over x [batch, steps, in]
 * as a handful of kernel calls, recorded as one op. Forward: x to time-major (reversed for
 * goBackwards), one GEMM for the input projections of every step (with the input bias), one kernel
 * running the time loop. Backward: one kernel running the steps in reverse (the gates' gradients,
 * d(bias) summed a step at a time while they are in cache, and d(recurrent kernel)), then d(kernel)
 * and dx as one GEMM each over all steps. kernel [in, G·u], recurrentKernel [u, G·u], bias [G·u] (GRU resetAfter: [2, 3u]) or
 * null. The output is [batch, steps, u] (returnSequences) or [batch, u]; with returnState it is
 * [batch, K + states, u] with the final states in the last rows. The caller has checked shapes.
 *
 * With `kernel` null, x is the input projection already made, x·kernel + input bias of every step
 * [batch, steps, G·u] (the int8 layers make it with the int8 GEMM): it is only put time-major, and
 * of `bias` only a resetAfter GRU's recurrent row is read. That form is forward only (inference).
 */
export function recurrentOp(
  x: Tensor,
  kernel: Tensor | null,
  recurrentKernel: Tensor,
  bias: Tensor | null,
  o: RecurrentOpOptions,
): Tensor {
  const [batch, steps, inDim] = x.shape;
  const u = o.units;
  const G = CELL_GATES[o.cell];
  const g = G * u;
  const rows = steps * batch;
  const outK = (o.returnSequences ? steps : 1) + (o.returnState ? stateCount(o.cell) : 0);
  const outShape = o.returnState ? [batch, outK, u] : o.returnSequences ? [batch, steps, u] : [batch, u];
  const flags =
    (o.returnSequences ? RnnFlags.sequences : 0) |
    (o.returnState ? RnnFlags.states : 0) |
    (o.goBackwards ? RnnFlags.reversed : 0) |
    (o.alignReversed ? RnnFlags.align : 0) |
    (o.zeroMaskedOutput ? RnnFlags.zeroMasked : 0);
  const resetAfter = o.cell === 'gru' && o.resetAfter;
  const maskPtr = o.mask ? o.mask.ptr() : 0;
  const recMaskPtr = o.recurrentMask ? o.recurrentMask.ptr() : 0;

  const xT = new Tensor([steps, batch, inDim], 'float32');
  transposeTime(x.ptr(), xT.ptr(), batch, steps, inDim, o.goBackwards, true);
  // the projection given: its time-major copy is the gates' buffer
  const gates = kernel ? new Tensor([steps, batch, g], 'float32') : xT;
  if (kernel) gemm(xT.ptr(), kernel.ptr(), gates.ptr(), rows, inDim, g, { bias: bias ? bias.ptr() : 0 });
  const h = new Tensor([steps + 1, batch, u], 'float32');
  const c = o.cell === 'lstm' ? new Tensor([steps + 1, batch, u], 'float32') : null;
  const ac = o.cell === 'lstm' ? new Tensor([steps, batch, u], 'float32') : null;
  const hd = o.recurrentMask ? new Tensor([steps, batch, u], 'float32') : null;
  const aux = o.cell === 'gru' ? new Tensor([steps, batch, u], 'float32') : null;
  const rSplit = o.cell === 'gru' ? new Tensor([u, g], 'float32') : null;
  const y = new Tensor(outShape, 'float32');
  const work = workspace(recurrentScratchBytes(batch, steps, u, G));
  const hdPtr = hd ? hd.ptr() : 0;
  const recBias = resetAfter && bias ? bias.ptr() + g * 4 : 0;
  if (o.cell === 'lstm') {
    lstmForward(
      gates.ptr(),
      recurrentKernel.ptr(),
      h.ptr(),
      c!.ptr(),
      ac!.ptr(),
      hdPtr,
      maskPtr,
      recMaskPtr,
      y.ptr(),
      batch,
      steps,
      u,
      outK,
      flags,
      o.activation,
      o.recurrentActivation,
      work,
    );
  } else if (o.cell === 'gru') {
    const q = new Tensor([batch, g], 'float32');
    gruForward(
      gates.ptr(),
      recurrentKernel.ptr(),
      recBias,
      aux!.ptr(),
      q.ptr(),
      rSplit!.ptr(),
      h.ptr(),
      hdPtr,
      maskPtr,
      recMaskPtr,
      y.ptr(),
      batch,
      steps,
      u,
      outK,
      flags,
      o.activation,
      o.recurrentActivation,
      resetAfter ? 1 : 0,
      work,
    );
    q.dispose();
  } else {
    rnnForward(
      gates.ptr(),
      recurrentKernel.ptr(),
      h.ptr(),
      hdPtr,
      maskPtr,
      recMaskPtr,
      y.ptr(),
      batch,
      steps,
      u,
      outK,
      flags,
      o.activation,
      work,
    );
  }
  const saved = [xT, kernel ? gates : null, h, c, ac, hd, aux, rSplit].filter((t): t is Tensor => t !== null);
  if (o.mask) saved.push(o.mask);
  if (o.recurrentMask) saved.push(o.recurrentMask);
  const tape = activeTape();
  if (!kernel) {
    for (const t of saved) if (t !== o.mask && t !== o.recurrentMask) t.dispose();
    const inputs = bias ? [x, recurrentKernel, bias] : [x, recurrentKernel];
    return record(inputs, y, () => {
      throw new ValueError(
        'a recurrent layer given its input projection (an int8 layer) has no gradient: quantized models are for inference; train the float model and quantize it again',
      );
    });
  }
  const inputs = bias ? [x, kernel, recurrentKernel, bias] : [x, kernel, recurrentKernel];
  if (!tape || !inputs.some((t) => tape.isTracked(t))) {
    // nothing will differentiate: the kept values go now
    for (const t of saved) if (t !== o.mask && t !== o.recurrentMask) t.dispose();
    return y;
  }
  return record(
    inputs,
    y,
    (dy, needed) => {
      const dz = new Tensor([steps, batch, g], 'float32');
      const dR = new Tensor(recurrentKernel.shape, 'float32');
      const dh = new Tensor([batch, u], 'float32');
      const tmp = new Tensor([batch, u], 'float32');
      const temps: Tensor[] = [dh, tmp];
      const bwork = workspace(recurrentScratchBytes(batch, steps, u, G));
      let dBias: Tensor | null = null;
      if (bias && needed[3]) dBias = new Tensor(bias.shape, 'float32');
      // the kernels sum the bias's gradient a step at a time: float64 totals and a float32 block
      const sums = bias ? new Tensor([6 * g], 'float32') : null;
      if (sums) temps.push(sums);
      const db = dBias ? dBias.ptr() : 0;
      const sumsPtr = sums ? sums.ptr() : 0;
      if (o.cell === 'lstm') {
        const dc = new Tensor([batch, u], 'float32');
        const rT = new Tensor([g, u], 'float32');
        temps.push(dc, rT);
        lstmBackward(
          gates.ptr(),
          recurrentKernel.ptr(),
          h.ptr(),
          c!.ptr(),
          ac!.ptr(),
          hdPtr,
          maskPtr,
          recMaskPtr,
          dy.ptr(),
          dz.ptr(),
          dR.ptr(),
          dh.ptr(),
          dc.ptr(),
          tmp.ptr(),
          rT.ptr(),
          db,
          sumsPtr,
          batch,
          steps,
          u,
          outK,
          flags,
          o.activation,
          o.recurrentActivation,
          bwork,
        );
      } else if (o.cell === 'gru') {
        const dq = new Tensor([steps, batch, g], 'float32');
        const direct = new Tensor([batch, u], 'float32');
        const drSplit = new Tensor([u, g], 'float32');
        // the recurrent bias's gradient: without a bias's gradient wanted, into a scratch row
        const dbRec = resetAfter && bias ? (dBias ?? new Tensor(bias.shape, 'float32')) : null;
        if (dbRec && dbRec !== dBias) temps.push(dbRec);
        temps.push(dq, direct, drSplit);
        gruBackward(
          gates.ptr(),
          recurrentKernel.ptr(),
          aux!.ptr(),
          h.ptr(),
          hdPtr,
          maskPtr,
          recMaskPtr,
          dy.ptr(),
          dz.ptr(),
          dq.ptr(),
          dR.ptr(),
          dbRec ? dbRec.ptr() + g * 4 : 0,
          dh.ptr(),
          direct.ptr(),
          tmp.ptr(),
          rSplit!.ptr(),
          drSplit.ptr(),
          db,
          sumsPtr,
          batch,
          steps,
          u,
          outK,
          flags,
          o.activation,
          o.recurrentActivation,
          resetAfter ? 1 : 0,
          bwork,
        );
      } else {
        rnnBackward(
          recurrentKernel.ptr(),
          h.ptr(),
          hdPtr,
          maskPtr,
          recMaskPtr,
          dy.ptr(),
          dz.ptr(),
          dR.ptr(),
          dh.ptr(),
          tmp.ptr(),
          db,
          sumsPtr,
          batch,
          steps,
          u,
          outK,
          flags,
          o.activation,
          bwork,
        );
      }
      let dx: Tensor | null = null;
      let dKernel: Tensor | null = null;
      if (needed[1]) {
        dKernel = new Tensor(kernel.shape, 'float32');
        gemm(xT.ptr(), dz.ptr(), dKernel.ptr(), inDim, rows, g, { transA: true });
      }
      if (needed[0]) {
        const dxT = new Tensor([steps, batch, inDim], 'float32');
        gemm(dz.ptr(), kernel.ptr(), dxT.ptr(), rows, g, inDim, { transB: true });
        dx = new Tensor(x.shape, 'float32');
        transposeTime(dxT.ptr(), dx.ptr(), batch, steps, inDim, o.goBackwards, false);
        dxT.dispose();
      }
      for (const t of temps) t.dispose();
      dz.dispose();
      if (!needed[2]) dR.dispose();
      const dRecurrent = needed[2] ? dR : null;
      return bias ? [dx, dKernel, dRecurrent, dBias] : [dx, dKernel, dRecurrent];
    },
    saved,
  );
}
