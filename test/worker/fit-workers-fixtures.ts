// The model and data the data-parallel fit tests share (fit-workers.test.ts, fit-workers-transfer.test.ts).
import * as nn from '../../src/index.js';
import { replicaStall } from '../../src/worker/replica-layout.js';
import { replicaFaults } from '../../src/worker/replica-start.js';
import { randomArray } from '../helpers/random.js';
import { weightsOf } from '../helpers/weights.js';

// the tensors below are made on import: the tests that use them run on the plain SIMD module
await nn.ready({ relaxedSimd: false });

const stallMs = replicaStall.minMs;

/** Takes back the faults a test injected and the silent-worker limit it shortened (for afterEach). */
export function clearReplicaFaults(): void {
  replicaFaults.failAtStep = undefined;
  replicaFaults.exitAtStep = undefined;
  replicaFaults.hangAtStep = undefined;
  replicaStall.minMs = stallMs;
}

/**
 * Callbacks that shorten the wait for a silent worker to 0.5 s from step `step` (from 1) on, so
 * that the earlier steps (the first records the traces) keep the usual limit on a busy machine.
 */
export function shortStallFrom(step: number): nn.CustomCallbackArgs {
  let steps = 0;
  return {
    onBatchEnd: () => {
      if (++steps === step - 1) replicaStall.minMs = 500;
    },
  };
}

/** Examples in `x`, `y`, and features per example. */
export const N = 300;
export const D = 12;

/** `n` rows of 12 random features, labelled 0..2 by two of them. */
export function toyData(n: number, seed: number): { x: nn.Tensor; y: nn.Tensor } {
  const x = randomArray(n * D, seed);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) y[r] = (x[r * D] + x[r * D + 1] > 0 ? 1 : 0) + (x[r * D + 2] > 0.3 ? 1 : 0);
  return { x: nn.tensor(x, [n, D]), y: nn.tensor(y, [n], 'int32') };
}

/** Dense layers with an L2 penalty, dropout and Gaussian noise (their draws must match single-threaded fits). */
export function makeModel(
  options: { noise?: boolean; loss?: nn.LossIdentifier | ((yTrue: nn.Tensor, yPred: nn.Tensor) => nn.Tensor) } = {},
): nn.Sequential {
  nn.setSeed(5);
  const noise = options.noise ?? true;
  const model = nn.sequential({
    layers: [
      nn.layers.dense({
        units: 24,
        activation: 'relu',
        inputShape: [D],
        kernelRegularizer: nn.regularizers.l2({ l2: 1e-3 }),
      }),
      ...(noise ? [nn.layers.dropout({ rate: 0.25 }), nn.layers.gaussianNoise({ stddev: 0.1 })] : []),
      nn.layers.dense({ units: 16, activation: 'tanh' }),
      ...(noise ? [nn.layers.dropout({ rate: 0.1 })] : []),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: options.loss ?? 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

export const { x, y } = toyData(N, 1);
const val = toyData(60, 2);
/** 300 examples in batches of 64: four full batches and a last one of 44; validation each epoch. */
export const FIT = {
  epochs: 2,
  batchSize: 64,
  seed: 9,
  verbose: 0 as const,
  validationData: [val.x, val.y] as [nn.Tensor, nn.Tensor],
};

/** The weights of a single-threaded fit of makeModel() stopped after `steps` optimizer steps. */
export async function stoppedAfter(steps: number): Promise<Float32Array[]> {
  const model = makeModel();
  let done = 0;
  await model.fit(x, y, {
    ...FIT,
    callbacks: {
      onBatchEnd: () => {
        if (++done === steps) model.stopTraining = true;
      },
    },
  });
  const w = weightsOf(model);
  model.dispose();
  return w;
}
