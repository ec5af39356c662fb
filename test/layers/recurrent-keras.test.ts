// Recurrent layers against Keras 3.15 outputs on the same weights (fixtures made by
// scripts/fixtures/recurrent.py): Keras 3's defaults (sigmoid gates, GRU reset_after), masks,
// go_backwards, return_state and Bidirectional, read from Keras's own layer configs.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, it } from 'vitest';
import { readLayer } from '../../src/format/layers.js';
import * as nn from '../../src/index.js';
import type { Recurrent } from '../../src/layers/recurrent.js';
import { expectClose } from '../helpers/close.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

interface Values {
  shape: number[];
  values: number[];
}

interface KerasCase {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  x: number[];
  mask: number[] | null;
  weights: Values[];
  outputs: Values[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/recurrent/keras3.json', import.meta.url), 'utf8')) as {
  cases: KerasCase[];
};

describe('recurrent layers match Keras 3 on the same weights', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const layer = readLayer({ class_name: c.class_name, config: c.config }, 'fixture');
    const x = nn.tensor(c.x, [3, 5, 4]);
    const mask = c.mask ? nn.tensor(c.mask, [3, 5]) : null;
    layer.build([null, 5, 4]);
    const weights = c.weights.map((w) => nn.tensor(w.values, w.shape));
    layer.setWeights(weights);
    const outputs =
      c.outputs.length > 1 ? (layer as Recurrent).applyWithState(x, { mask }) : [layer.apply(x, { mask })];
    outputs.forEach((o, i) => {
      expectClose(o.dataSync(), c.outputs[i].values, 1e-5, 1e-5, `output ${i}`);
    });
    nn.dispose([x, mask ?? [], weights, outputs]);
    layer.dispose();
  });
});
