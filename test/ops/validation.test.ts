import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** Runs `fn`, which must throw `error`, and checks that no tensor was left behind. */
function expectThrowsWithoutLeak(fn: () => unknown, error: new (...args: never[]) => Error, message?: RegExp): void {
  const before = nn.memory();
  expect(fn).toThrow(error);
  if (message) expect(fn).toThrow(message);
  expect(nn.memory().numTensors).toBe(before.numTensors);
  expect(nn.memory().numBytes).toBe(before.numBytes);
}

function disposed(values: number[] = [1, 2, 3, 4], shape = [2, 2]): nn.Tensor {
  const t = nn.tensor(values, shape);
  t.dispose();
  return t;
}

describe('a failed validation leaks nothing', () => {
  it('fill with a non-integer int32 value checks before allocating', () => {
    expectThrowsWithoutLeak(() => nn.fill([2], 1.5, 'int32'), nn.ValueError, /fill: expected value to be an integer/);
    expectThrowsWithoutLeak(() => nn.fill([2], 2 ** 31, 'int32'), nn.ValueError);
    const t = nn.fill([2], -3, 'int32');
    expect(Array.from(t.dataSync())).toEqual([-3, -3]);
    t.dispose();
  });

  it('a number operand is not turned into a scalar when the other operand is bad', () => {
    const ints = nn.tensor([1, 2], undefined, 'int32');
    for (const bad of [undefined, null, 'x', ints, disposed()]) {
      expectThrowsWithoutLeak(() => nn.add(1, bad as never), nn.NeurasmError, /^add: |^add \(b\)/);
      expectThrowsWithoutLeak(() => nn.mul(bad as never, 2), nn.NeurasmError, /^mul: |^mul \(a\)/);
    }
    ints.dispose();
  });

  it('a bad loss reduction is rejected before the per-example losses are computed', () => {
    const a = nn.tensor([[0.2, 0.8]]);
    const labels = nn.tensor([1], undefined, 'int32');
    const bad = { reduction: 'average' as never };
    expectThrowsWithoutLeak(() => nn.losses.meanSquaredError(a, a, bad), nn.ValueError, /reduction/);
    expectThrowsWithoutLeak(() => nn.losses.softmaxCrossEntropy(a, a, bad), nn.ValueError, /reduction/);
    expectThrowsWithoutLeak(() => nn.losses.sparseSoftmaxCrossEntropy(labels, a, bad), nn.ValueError, /reduction/);
    expectThrowsWithoutLeak(() => nn.losses.huberLoss(a, a, null as never), nn.ValueError, /options object/);
    nn.dispose([a, labels]);
  });

  it('squaredDifference leaves only its result', () => {
    const a = nn.tensor([1, 2]);
    const before = nn.memory().numTensors;
    const y = nn.squaredDifference(a, 3);
    expect(Array.from(y.dataSync())).toEqual([4, 1]);
    expect(nn.memory().numTensors).toBe(before + 1);
    nn.dispose([a, y]);
  });
});

describe('validation', () => {
  it('fused.matMul accepts only activation names of its own (not Object.prototype members)', () => {
    const a = nn.ones([2, 2]);
    for (const activation of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'softmax', 7]) {
      expectThrowsWithoutLeak(
        () => nn.fused.matMul({ a, b: a, activation: activation as never }),
        nn.ValueError,
        /fused.matMul: unknown activation/,
      );
    }
    const y = nn.fused.matMul({ a, b: a, activation: 'relu' });
    expect(Array.from(y.dataSync())).toEqual([2, 2, 2, 2]);
    nn.dispose([a, y]);
  });

  it('fused.matMul checks leakyreluAlpha', () => {
    const a = nn.tensor([
      [-1, 0],
      [0, -1],
    ]);
    const b = nn.ones([2, 2]);
    for (const alpha of ['a', Number.NaN, Number.POSITIVE_INFINITY, null]) {
      expectThrowsWithoutLeak(
        () => nn.fused.matMul({ a, b, activation: 'leakyRelu', leakyreluAlpha: alpha as never }),
        nn.ValueError,
        /fused.matMul: expected leakyreluAlpha to be a finite number/,
      );
    }
    const y = nn.fused.matMul({ a, b, activation: 'leakyRelu', leakyreluAlpha: 0.5 });
    expect(Array.from(y.dataSync())).toEqual([-0.5, -0.5, -0.5, -0.5]);
    nn.dispose([a, b, y]);
  });

  it('squeeze takes one axis or a list of axes, and rejects anything else clearly', () => {
    const x = nn.zeros([1, 3, 1]);
    const shapeOf = (t: nn.Tensor) => {
      const s = [...t.shape];
      t.dispose();
      return s;
    };
    expect(shapeOf(nn.squeeze(x, 0))).toEqual([3, 1]);
    expect(shapeOf(nn.squeeze(x, -1))).toEqual([1, 3]);
    expect(shapeOf(nn.squeeze(x, [0, 2]))).toEqual([3]);
    expect(shapeOf(x.squeeze(2))).toEqual([1, 3]);
    expect(shapeOf(nn.squeeze(x))).toEqual([3]);
    expectThrowsWithoutLeak(() => nn.squeeze(x, 1), nn.ShapeError, /squeeze: axis 1 of \[1, 3, 1\] is not 1/);
    expectThrowsWithoutLeak(() => nn.squeeze(x, 3), nn.ValueError, /squeeze: axis 3 is out of range/);
    expectThrowsWithoutLeak(() => nn.squeeze(x, 'a' as never), nn.ValueError, /squeeze: expected axis/);
    expectThrowsWithoutLeak(() => nn.squeeze(x, [0, 0]), nn.ValueError, /repeats an axis/);
    x.dispose();
  });

  it('a disposed tensor is reported under the name of the public entry point', () => {
    const live = nn.ones([2, 2]);
    const calls: Array<[string, () => unknown]> = [
      ['relu', () => nn.relu(disposed())],
      ['leakyRelu', () => nn.leakyRelu(disposed())],
      ['softmax', () => nn.softmax(disposed())],
      ['exp', () => nn.exp(disposed())],
      ['clipByValue', () => nn.clipByValue(disposed(), 0, 1)],
      ['add', () => nn.add(live, disposed())],
      ['squaredDifference', () => nn.squaredDifference(disposed(), live)],
      ['squaredDifference', () => nn.squaredDifference(1, disposed())],
      ['matMul', () => nn.matMul(live, disposed())],
      ['fused.matMul', () => nn.fused.matMul({ a: live, b: disposed() })],
      ['fused.matMul', () => nn.fused.matMul({ a: live, b: live, bias: disposed([1, 2], [2]) })],
      ['sum', () => nn.sum(disposed())],
      ['argMax', () => nn.argMax(disposed())],
      ['reshape', () => nn.reshape(disposed(), [4])],
      ['squeeze', () => nn.squeeze(disposed())],
      ['transpose', () => nn.transpose(disposed())],
      ['broadcastTo', () => nn.broadcastTo(disposed(), [2, 2])],
      ['cast', () => nn.cast(disposed(), 'int32')],
      ['clone', () => nn.clone(disposed())],
      ['oneHot', () => nn.oneHot(disposed([0, 1], [2]), 2)],
      ['meanSquaredError', () => nn.losses.meanSquaredError(live, disposed())],
      ['sparseSoftmaxCrossEntropy', () => nn.losses.sparseSoftmaxCrossEntropy(disposed([0, 1], [2]), live)],
      ['variable', () => nn.variable(disposed())],
      ['grad', () => nn.grad((x) => nn.sum(x))(disposed())],
      ['dataSync', () => disposed().dataSync()],
      ['arraySync', () => disposed().arraySync()],
      ['flatten', () => disposed().flatten()],
      ['mul', () => disposed().mul(2)],
    ];
    for (const [op, call] of calls) {
      expect(call, op).toThrow(nn.DisposedError);
      expect(call, op).toThrow(
        new RegExp(`^${op.replace('.', '\\.')}( \\([^)]+\\))?: tensor \\d+ \\[[\\d, ]*\\] was disposed`),
      );
    }
    live.dispose();
  });

  it('the async readers name themselves too', async () => {
    await expect(disposed().data()).rejects.toThrow(/^data: tensor \d+ \[2, 2\] was disposed/);
    await expect(disposed().array()).rejects.toThrow(/^array: tensor \d+ \[2, 2\] was disposed/);
  });
});
