// A Keras 3 model of the sequence convolution and pooling layers (written by
// scripts/fixtures/keras-conv1d.py) loads and predicts as Keras did.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const DIR = join(import.meta.dirname, '..', 'fixtures', 'keras3-conv1d');

describe('Keras 3 conv1d fixture', () => {
  it('loads causal/dilated and strided/same Conv1D, the poolings, SpatialDropout1D and TimeDistributed(Dense), and predicts as Keras', async () => {
    const model = await nn.loadLayersModel(`file://${DIR}`);
    expect(model.layers.map((l) => l.className)).toEqual([
      'Conv1D',
      'MaxPooling1D',
      'Conv1D',
      'AveragePooling1D',
      'SpatialDropout1D',
      'TimeDistributed',
      'GlobalMaxPooling1D',
      'Dense',
    ]);
    const expected = JSON.parse(await readFile(join(DIR, 'expected.json'), 'utf8'));
    const x = nn.tensor(expected.x, expected.shape);
    const y = model.predict(x);
    expectClose(y.dataSync(), expected.y, 1e-5, 1e-5);
    nn.dispose([x, y, model]);
  });
});
