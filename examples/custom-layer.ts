// A layer of your own: a dense layer with a learnable Swish activation, y = z·sigmoid(β·z) with
// z = x·W + b and one β per unit (Ramachandran et al., 2017). It is written once, as tensor ops:
// its backward pass comes from the ops' gradients, and fit runs it on the fast path (a recorded
// trace of its kernels, replayed every step). Registered, it saves and loads like a built-in layer.
// Run: npx tsx examples/custom-layer.ts [epochs]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../src/datasets/index.js';
import * as nn from '../src/index.js';

/** Options of the SwishDense layer. */
interface SwishDenseArgs extends nn.layers.LayerArgs {
  units: number;
}

/** A dense layer with a learnable Swish activation per unit. */
export class SwishDense extends nn.layers.Layer {
  /** The name model files give the class. */
  static readonly className = 'SwishDense';
  readonly units: number;
  private kernel: nn.Variable | null = null;
  private bias: nn.Variable | null = null;
  private beta: nn.Variable | null = null;

  constructor(args: SwishDenseArgs) {
    super(args);
    this.units = args.units;
  }

  /** [batch, features] → [batch, units]. */
  computeOutputShape(inputShape: Array<number | null>): Array<number | null> {
    return [inputShape[0], this.units];
  }

  protected override createWeights(inputShape: Array<number | null>): void {
    this.kernel = this.addWeight('kernel', [inputShape[1] as number, this.units], 'glorotUniform');
    this.bias = this.addWeight('bias', [this.units], 'zeros');
    this.beta = this.addWeight('beta', [this.units], 'ones');
  }

  call(x: nn.Tensor): nn.Tensor {
    const z = nn.add(nn.matMul(x, this.kernel!), this.bias!);
    return nn.mul(z, nn.sigmoid(nn.mul(z, this.beta!)));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units };
  }
}

nn.serialization.registerClass(SwishDense);

/** Trains a 64-32-10 network with a SwishDense hidden layer on the digits; returns what it measured. */
export async function runCustomLayerExample(epochs = 30): Promise<{
  accuracy: number;
  reloadedAccuracy: number;
  samplesPerSecond: number;
}> {
  await nn.ready();
  nn.setSeed(3);
  const data = await loadDataset('digits');
  const split = nn.data.trainTestSplit(data.x, data.y, { testSize: 0.25, stratify: true, seed: 42 });
  const scaler = nn.data.minMaxScaler().fit(split.xTrain);
  const xTrain = scaler.transform(split.xTrain);
  const xTest = scaler.transform(split.xTest);
  const model = nn.sequential({
    layers: [new SwishDense({ units: 32, inputShape: [64] }), nn.layers.dense({ units: 10, activation: 'softmax' })],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const started = performance.now();
  await model.fit(xTrain, split.yTrain, { epochs, batchSize: 32, verbose: 0 });
  const seconds = (performance.now() - started) / 1000;
  const accuracyOf = (m: nn.Sequential) => {
    const [, acc] = m.evaluate(xTest, split.yTest) as nn.Tensor[];
    return acc.dataSync()[0];
  };
  const accuracy = accuracyOf(model);
  const dir = mkdtempSync(join(tmpdir(), 'neurasm-custom-layer-'));
  try {
    await model.save(`file://${dir}`);
    const reloaded = await nn.loadLayersModel(`file://${dir}/model.json`);
    reloaded.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return {
      accuracy,
      reloadedAccuracy: accuracyOf(reloaded),
      samplesPerSecond: (epochs * xTrain.shape[0]) / seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runCustomLayerExample(Number(process.argv[2] ?? 30));
  console.log(`SwishDense 64-32-10 on digits: test accuracy ${(100 * r.accuracy).toFixed(2)}%`);
  console.log(`saved and loaded back: test accuracy ${(100 * r.reloadedAccuracy).toFixed(2)}%`);
  console.log(`training: ${Math.round(r.samplesPerSecond)} samples/s`);
}
