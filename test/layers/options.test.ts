import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

// Options given from JavaScript (or spread from a config) reach the factories untyped.
const untyped = <T>(v: unknown) => v as T;

describe('layer factories reject missing and wrong options', () => {
  it('activation needs an activation (as in Keras), naming the choices', () => {
    expect(() => nn.layers.activation(untyped({}))).toThrow(nn.ValueError);
    expect(() => nn.layers.activation(untyped({}))).toThrow(
      /Activation "activation_\d+": expected an activation, e.g. layers.activation\({activation: 'relu'}\); one of linear, relu/,
    );
    expect(() => nn.layers.activation(untyped({ activation: null }))).toThrow(/expected an activation/);
    expect(nn.layers.activation({ activation: 'relu' }).activation).toBe('relu');
  });

  it('dense: units, useBias, constraints', () => {
    expect(() => nn.layers.dense(untyped({}))).toThrow(/expected units to be a positive integer, got undefined/);
    expect(() => nn.layers.dense(untyped({ units: '3' }))).toThrow(/expected units to be a positive integer, got "3"/);
    expect(() => nn.layers.dense(untyped({ units: 3, useBias: 'no' }))).toThrow(
      /Dense "dense_\d+": expected useBias to be true or false, got "no"/,
    );
    expect(() => nn.layers.dense(untyped({ units: 3, kernelConstraint: 'maxNorm' }))).toThrow(
      /kernelConstraint is not supported \(got "maxNorm"\); weight constraints are not supported yet/,
    );
    expect(() => nn.layers.dense(untyped({ units: 3, biasConstraint: null }))).not.toThrow();
  });

  it('dense takes inputDim as TensorFlow.js does', () => {
    const d = nn.layers.dense({ units: 2, inputDim: 3 });
    expect(d.batchInputShape).toEqual([null, 3]);
    expect(nn.layers.dense({ units: 2, inputDim: 3, inputShape: [3] }).batchInputShape).toEqual([null, 3]);
    expect(() => nn.layers.dense({ units: 2, inputDim: 0 })).toThrow(
      /expected inputDim to be a positive integer, got 0/,
    );
    expect(() => nn.layers.dense({ units: 2, inputDim: 3, inputShape: [4] })).toThrow(
      /inputDim 3 disagrees with the input shape \[4\]/,
    );
  });

  it('an inputShape with a hole or NaN is rejected and shown as written', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the bad input under test
    expect(() => nn.layers.dense({ units: 2, inputShape: [3, , 2] as never })).toThrow(
      /expected inputShape to be an array of positive integers, got \[3, undefined, 2\]/,
    );
    expect(() => nn.layers.dense({ units: 2, inputShape: [Number.NaN] })).toThrow(/got \[NaN\]/);
  });

  it('every layer: trainable, dtype and the TensorFlow.js options neurasm does not apply', () => {
    expect(() => nn.layers.dense(untyped({ units: 1, trainable: 'yes' }))).toThrow(
      /layer "dense": expected trainable to be true or false, got "yes"/,
    );
    expect(() => nn.layers.flatten(untyped({ dtype: 'int32' }))).toThrow(
      /expected dtype 'float32' \(layers compute in float32\), got "int32"/,
    );
    expect(nn.layers.dense({ units: 1, dtype: 'float32' }).units).toBe(1);
    const w = nn.zeros([1, 1]);
    expect(() => nn.layers.dense(untyped({ units: 1, weights: [w] }))).toThrow(
      /weights is not supported \(got an array of length 1\); build the layer \(or the model\), then call setWeights/,
    );
    w.dispose();
    expect(() => nn.layers.dropout(untyped({ rate: 0.1, batchSize: 8 }))).toThrow(/batchSize is not supported/);
    expect(() => nn.layers.dropout(untyped({ rate: 0.1, noiseShape: [1, 3] }))).toThrow(
      /Dropout "dropout_\d+": noiseShape is not supported/,
    );
    expect(() => nn.layers.flatten(untyped({ dataFormat: 'channelsFirst' }))).toThrow(
      /expected dataFormat 'channelsLast' \(the only layout\), got "channelsFirst"/,
    );
    expect(() => nn.layers.batchNormalization(untyped({ gammaConstraint: 'nonNeg' }))).toThrow(
      /gammaConstraint is not supported/,
    );
    expect(() => nn.layers.dropout(untyped({}))).toThrow(/expected rate in \[0, 1\), got undefined/);
    expect(() => nn.layers.gaussianNoise(untyped({}))).toThrow(/expected stddev >= 0, got undefined/);
  });

  it('initializers and regularizers take options objects with finite numbers', () => {
    expect(() => nn.initializers.randomNormal({ stddev: -1 })).toThrow(/randomNormal: expected stddev >= 0, got -1/);
    expect(() => nn.initializers.randomNormal({ mean: Number.NaN })).toThrow(
      /randomNormal: expected mean to be a finite number, got NaN/,
    );
    expect(() => nn.initializers.randomUniform({ maxval: Number.POSITIVE_INFINITY })).toThrow(
      /randomUniform: expected maxval to be a finite number/,
    );
    expect(() => nn.initializers.glorotUniform(untyped(42))).toThrow(
      /glorotUniform: expected an options object like {seed: 42}, got 42/,
    );
    expect(() => nn.initializers.heNormal({ seed: Number.NaN })).toThrow(
      /heNormal: expected seed to be a finite number/,
    );
    expect(() => nn.initializers.constant(untyped(0.5))).toThrow(
      /constant: expected an options object like {value: 0.1}/,
    );
    // Keras's l2(0.01) is positional; here it would silently become the default 0.01
    expect(() => nn.regularizers.l2(untyped(0.001))).toThrow(
      /regularizers.l2: expected an options object like {l2: 0.01}, got 0.001/,
    );
    expect(() => nn.regularizers.l1(untyped('0.1'))).toThrow(/regularizers.l1: expected an options object/);
    expect(() => nn.regularizers.l1l2(untyped(null))).toThrow(/regularizers.l1l2: expected an options object/);
    expect(nn.regularizers.l2().l2).toBe(0.01);
  });

  it('a misspelt or foreign option is an error naming the near one, not ignored', () => {
    expect(() => nn.layers.dense(untyped({ units: 2, activaton: 'relu' }))).toThrow(
      /layer "dense": unknown option "activaton"; did you mean activation\?/,
    );
    expect(() => nn.layers.dense(untyped({ units: 2, use_bias: false }))).toThrow(
      /unknown option "use_bias"; did you mean useBias\?/,
    );
    expect(() => nn.layers.dropout(untyped({ rate: 0.5, p: 0.5 }))).toThrow(/layer "dropout": unknown option "p"/);
    expect(() => nn.layers.batchNormalization(untyped({ eps: 0.1 }))).toThrow(/unknown option "eps"/);
    expect(() => nn.layers.gaussianNoise(untyped({ stddev: 1, mean: 0 }))).toThrow(/unknown option "mean"/);
    expect(() => nn.layers.activation(untyped({ activation: 'relu', alpha: 0.1 }))).toThrow(/unknown option "alpha"/);
    expect(() => nn.layers.flatten(untyped({ units: 3 }))).toThrow(/unknown option "units"/);
    expect(() => nn.layers.inputLayer(untyped({ inputShape: [2], sparse: false }))).toThrow(/unknown option "sparse"/);
    // a subclass of Layer written by a user keeps its own options
    class Scale extends nn.layers.Layer {
      static readonly className = 'Scale';
      constructor(args: nn.layers.LayerArgs & { factor: number }) {
        super(args, 'scale');
      }
      computeOutputShape(s: Array<number | null>) {
        return s;
      }
      call(x: nn.Tensor) {
        return x;
      }
    }
    expect(new Scale({ factor: 2 }).name).toMatch(/^scale_\d+$/);
  });

  it('trainable and apply options are checked', () => {
    const d = nn.layers.dense({ units: 1, name: 'flags' });
    expect(() => {
      d.trainable = untyped('false');
    }).toThrow('layer "flags": expected trainable to be true or false, got "false"');
    expect(d.trainable).toBe(true);
    const x = nn.zeros([1, 2]);
    expect(() => d.apply(x, untyped({ training: 'yes' }))).toThrow(
      'layer "flags".apply: expected training to be true or false, got "yes"',
    );
    expect(() => d.apply(x, untyped({ trainig: true }))).toThrow(
      'layer "flags".apply: unknown option "trainig"; did you mean training?',
    );
    expect(() => d.apply(x, untyped(true))).toThrow(
      /layer "flags".apply: expected an options object like {training: true}/,
    );
    const y = d.apply(x, { training: true });
    expect(y.shape).toEqual([1, 1]);
    nn.dispose([x, y]);
    d.dispose();
  });

  it('a rejected layer does not use up a generated name', () => {
    const first = nn.layers.dense({ units: 1 }).name;
    expect(() => nn.layers.dense(untyped({ units: 1, trainable: 1 }))).toThrow(/trainable/);
    const n = Number(first.split('_').pop());
    expect(nn.layers.dense({ units: 1 }).name).toBe(`dense_${n + 1}`);
  });
});
