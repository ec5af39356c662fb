// The option-name unions of the typings (activation, loss, metric and optimizer names) against what
// the library accepts at run time: every spelling a union lists must work. Each table is a Record over
// its union, so the compiler makes it list every member, and nothing else.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

const ACTIVATIONS: Record<nn.ActivationIdentifier, true> = {
  linear: true,
  relu: true,
  leakyRelu: true,
  leaky_relu: true,
  elu: true,
  sigmoid: true,
  tanh: true,
  softplus: true,
  gelu: true,
  softmax: true,
};

const LOSSES: Record<nn.LossIdentifier, true> = {
  sparseCategoricalCrossentropy: true,
  sparse_categorical_crossentropy: true,
  categoricalCrossentropy: true,
  categorical_crossentropy: true,
  binaryCrossentropy: true,
  binary_crossentropy: true,
  meanSquaredError: true,
  mean_squared_error: true,
  mse: true,
  MSE: true,
  meanAbsoluteError: true,
  mean_absolute_error: true,
  mae: true,
  MAE: true,
  huber: true,
  huber_loss: true,
};

const METRICS: Record<nn.MetricIdentifier, true> = {
  accuracy: true,
  acc: true,
  binaryAccuracy: true,
  binary_accuracy: true,
  categoricalAccuracy: true,
  categorical_accuracy: true,
  sparseCategoricalAccuracy: true,
  sparse_categorical_accuracy: true,
  precision: true,
  recall: true,
  mse: true,
  meanSquaredError: true,
  mean_squared_error: true,
  mae: true,
  meanAbsoluteError: true,
  mean_absolute_error: true,
};

const OPTIMIZERS: Record<nn.OptimizerName, true> = {
  sgd: true,
  SGD: true,
  momentum: true,
  Momentum: true,
  adam: true,
  Adam: true,
  adamw: true,
  AdamW: true,
  rmsprop: true,
  RMSprop: true,
  RMSProp: true,
  adagrad: true,
  Adagrad: true,
};

const names = <K extends string>(table: Record<K, true>) => Object.keys(table) as K[];

describe('option names in the typings', () => {
  beforeAll(() => nn.ready());

  it('every activation name of ActivationIdentifier makes a dense and an activation layer', () => {
    for (const activation of names(ACTIVATIONS)) {
      nn.layers.dense({ units: 2, activation }).dispose();
      nn.layers.activation({ activation }).dispose();
    }
  });

  it('every loss, metric and optimizer name of the unions compiles', () => {
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
    for (const loss of names(LOSSES)) model.compile({ optimizer: 'sgd', loss });
    // known names; some metrics do not fit this model's labels, which compile says in another message
    for (const metric of names(METRICS)) {
      expect(() => model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: [metric] })).not.toThrow(
        /unknown metric/,
      );
    }
    for (const optimizer of names(OPTIMIZERS)) model.compile({ optimizer, loss: 'mse' });
    model.dispose();
  });

  it('a name of Object.prototype is no optimizer, loss or metric', () => {
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
    expect(() => model.compile({ optimizer: 'constructor' as never, loss: 'mse' })).toThrow(
      /unknown optimizer "constructor"/,
    );
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => model.compile({ optimizer: 'sgd', loss: name as never })).toThrow(
        new RegExp(`unknown loss "${name}"`),
      );
      expect(() => model.compile({ optimizer: 'sgd', loss: 'mse', metrics: [name as never] })).toThrow(
        new RegExp(`unknown metric "${name}"`),
      );
    }
    model.dispose();
  });
});
