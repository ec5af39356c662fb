import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

describe('chainable tensor methods', () => {
  it('call the ops of the same name', () => {
    const x = nn.tensor([
      [1, -2],
      [3, -4],
    ]);
    const y = nn.tidy(() => x.mul(2).add(1).relu().sum(1));
    expect(Array.from(y.dataSync())).toEqual([3, 7]);
    const z = nn.tidy(() => x.matMul(x, false, true).reshape([4]).max());
    expect(z.dataSync()[0]).toBe(25);
    const classes = nn.tidy(() => x.softmax().argMax(-1));
    expect(Array.from(classes.dataSync())).toEqual([0, 0]);
    const flat = nn.tidy(() => x.transpose().flatten().abs().cast('int32'));
    expect(Array.from(flat.dataSync())).toEqual([1, 3, 2, 4]);
    nn.dispose([x, y, z, classes, flat]);
  });
});
