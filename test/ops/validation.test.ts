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

describe('variables', () => {
  it('assign takes only the variable shape (ShapeError) and dtype (DTypeError), as in TensorFlow.js', () => {
    const init = nn.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const v = nn.variable(init, true, 'assign_checks');
    const transposedShape = nn.zeros([3, 2]);
    const ints = nn.zeros([2, 3], 'int32');
    expectThrowsWithoutLeak(
      () => v.assign(transposedShape),
      nn.ShapeError,
      /^Variable "assign_checks"\.assign: expected value of shape \[2, 3\] \(the variable's shape\), got \[3, 2\]$/,
    );
    expectThrowsWithoutLeak(
      () => v.assign(ints),
      nn.DTypeError,
      /^Variable "assign_checks"\.assign: expected value of dtype float32 \(the variable's dtype\), got int32$/,
    );
    expect(v.shape).toEqual([2, 3]);
    expect(Array.from(v.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    nn.dispose([init, v, transposedShape, ints]);
  });
});

describe('creation functions reject odd values with a NeurasmError and allocate nothing', () => {
  it('arrays nested deeper than a tensor can be (or nested in themselves) are a ShapeError', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1e5; i++) deep = [deep];
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    for (const values of [deep, cyclic]) {
      for (const make of [nn.tensor, nn.tensor1d, nn.tensor2d]) {
        expectThrowsWithoutLeak(
          () => make(values as never),
          nn.ShapeError,
          /values are arrays nested more than 32 deep/,
        );
      }
    }
    let ok: unknown = 7;
    for (let i = 0; i < 32; i++) ok = [ok];
    const t = nn.tensor(ok as nn.NestedArray);
    expect(t.rank).toBe(32);
    expect(t.dataSync()[0]).toBe(7);
    t.dispose();
    expectThrowsWithoutLeak(() => nn.zeros(new Array(33).fill(1)), nn.ShapeError, /at most 32 dimensions, got 33/);
  });

  it('BigInt typed arrays are a DTypeError naming the accepted arrays; other numeric typed arrays are taken', () => {
    for (const values of [new BigInt64Array(2), new BigUint64Array(2), new DataView(new ArrayBuffer(8))]) {
      expectThrowsWithoutLeak(
        () => nn.tensor(values as never),
        nn.DTypeError,
        /^tensor: expected values to be a Float32Array, Int32Array or another typed array of numbers .*, got (BigInt64Array|BigUint64Array|DataView)$/,
      );
      expectThrowsWithoutLeak(() => nn.tensor1d(values as never), nn.DTypeError, /^tensor1d: /);
    }
    const f64 = nn.tensor(new Float64Array([1.5, -2]));
    const clamped = nn.tensor(new Uint8ClampedArray([3, 255]), undefined, 'int32');
    expect([f64.dtype, ...f64.dataSync()]).toEqual(['float32', 1.5, -2]);
    expect([clamped.dtype, ...clamped.dataSync()]).toEqual(['int32', 3, 255]);
    nn.dispose([f64, clamped]);
  });

  it('shapes show NaN, holes and BigInts as they are (not as null), naming the function called', () => {
    expectThrowsWithoutLeak(() => nn.zeros([2, Number.NaN]), nn.ShapeError, /^zeros: .*got \[2, NaN\]$/);
    expectThrowsWithoutLeak(
      () => nn.ones(new Array(3).fill(1, 0, 1).fill(3, 2) as never),
      nn.ShapeError,
      /^ones: .*got \[1, undefined, 3\]$/,
    );
    expectThrowsWithoutLeak(() => nn.fill([2n] as never, 1), nn.ShapeError, /^fill: .*got \[2n\]$/);
    expectThrowsWithoutLeak(() => nn.tensor([1, 2], [2n] as never), nn.ShapeError, /got \[2n\]$/);
    expectThrowsWithoutLeak(() => nn.randomNormal(2n as never), nn.ShapeError, /got 2n \(a BigInt\)$/);
    const x = nn.zeros([2, 2]);
    expectThrowsWithoutLeak(() => nn.reshape(x, [Number.NaN]), nn.ShapeError, /got \[NaN\]$/);
    expectThrowsWithoutLeak(() => nn.transpose(x, [0, Number.NaN]), nn.ValueError, /perm \[0, NaN\] is not a/);
    expectThrowsWithoutLeak(() => nn.transpose(x, [0, 1n] as never), nn.ValueError, /perm \[0, 1n\] is not a/);
    expectThrowsWithoutLeak(() => nn.tensor2d([1, 2, 3]), nn.ShapeError, /^tensor2d: expected values of rank 2/);
    x.dispose();
  });

  it('a shape that can never fit in wasm32 memory names the function, the shape, its size and the 4 GiB limit', () => {
    expectThrowsWithoutLeak(
      () => nn.zeros([1e200, 1e200]),
      nn.BackendError,
      /^zeros: shape \[1e\+200, 1e\+200\] asks for about 1e\+400 elements \(about 4e\+400 bytes .*\), more than wasm32 memory can ever hold \(4 GiB\)$/,
    );
    // 1.2e+401 bytes, not "12e+400"
    expectThrowsWithoutLeak(() => nn.zeros([3e200, 1e200]), nn.BackendError, /about 1e\+401 bytes/);
    expectThrowsWithoutLeak(() => nn.randomUniform([65536, 65536]), nn.BackendError, /^randomUniform: .*16\.0 GiB/);
    expectThrowsWithoutLeak(() => nn.oneHot([0, 1], 2 ** 40), nn.BackendError, /^oneHot: the result shape \[2, /);
  });

  it('symbols, BigInts and objects among values are a ValueError, not a TypeError', () => {
    const x = nn.zeros([1]);
    const messages: Array<[() => unknown, RegExp]> = [
      [() => nn.oneHot([0, Symbol('k')] as never, 2), /^oneHot: index 1 is symbol, expected an integer/],
      [() => nn.oneHot([0, 1n] as never, 2), /^oneHot: index 1 is 1n \(a BigInt\)/],
      [() => nn.tensor([1, 2n] as never), /^tensor: expected a number at \[1\], got 2n/],
      [() => nn.cast(x, [Symbol('d')] as never), /^cast: expected dtype/],
      [() => nn.variable(x, true, [Symbol('n')] as never), /^variable: expected name .*got an array/],
      [() => nn.setSeed(Symbol('s') as never), /^seed: expected a finite number, got symbol$/],
    ];
    for (const [call, message] of messages) expectThrowsWithoutLeak(call, nn.ValueError, message);
    x.dispose();
  });
});

describe('huge sparse arrays as shapes or axes', () => {
  it('are rejected by their length, without walking billions of holes', () => {
    const x = nn.zeros([2]);
    const huge = () => new Array(2 ** 32 - 1);
    expectThrowsWithoutLeak(
      () => nn.zeros(huge()),
      nn.ShapeError,
      /^zeros: expected shape to have at most 32 dimensions/,
    );
    expectThrowsWithoutLeak(() => nn.reshape(x, huge()), nn.ShapeError, /^reshape: expected shape to have at most 32/);
    expectThrowsWithoutLeak(() => nn.sum(x, huge()), nn.ValueError, /^sum: axis lists 4294967295 axes, but the tensor/);
    expectThrowsWithoutLeak(() => nn.squeeze(x, huge()), nn.ValueError, /^squeeze: axis lists 4294967295 axes/);
    expectThrowsWithoutLeak(
      () => nn.transpose(x, huge()),
      nn.ValueError,
      /^transpose: perm an array of length 4294967295/,
    );
    expectThrowsWithoutLeak(
      () => nn.tensor(huge()),
      nn.BackendError,
      /^tensor: values of shape \[4294967295\] asks for/,
    );
    x.dispose();
  });
});

describe('random tensors of dtype int32', () => {
  it('randomNormal rounds each sample to the nearest integer, as TensorFlow.js does', () => {
    const floats = nn.randomNormal([200], 3, 10, 'float32', 11);
    const ints = nn.randomNormal([200], 3, 10, 'int32', 11);
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual(Array.from(floats.dataSync(), (v) => Math.round(v)));
    nn.dispose([floats, ints]);
    expectThrowsWithoutLeak(
      () => nn.randomNormal([2], 1e10, 1, 'int32', 1),
      nn.ValueError,
      /^randomNormal: sample 0 is 1000000000\d, outside the int32 range/,
    );
    expectThrowsWithoutLeak(
      () => nn.randomNormal([2], 0, 1, 'bool' as never),
      nn.ValueError,
      /randomNormal: expected dtype/,
    );
  });

  it('randomUniform gives integers in [minval, maxval) and rejects bounds outside int32', () => {
    const t = nn.randomUniform([500], -3, 4, 'int32', 2);
    const values = Array.from(t.dataSync());
    expect(t.dtype).toBe('int32');
    expect(new Set(values)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
    t.dispose();
    expectThrowsWithoutLeak(
      () => nn.randomUniform([2], 0, 2 ** 40, 'int32'),
      nn.ValueError,
      /maxval to be an integer in/,
    );
  });
});

describe('axes', () => {
  it('argMax and argMin take a single axis and say so', () => {
    const x = nn.tensor([
      [1, 5],
      [7, 2],
    ]);
    for (const [op, argOp] of [
      ['argMax', nn.argMax],
      ['argMin', nn.argMin],
    ] as const) {
      expectThrowsWithoutLeak(
        () => argOp(x, [0, 1] as never),
        nn.ValueError,
        new RegExp(`^${op}: takes a single axis \\(a number\\), got \\[0, 1\\]$`),
      );
      expectThrowsWithoutLeak(
        () => argOp(x, 1.5),
        nn.ValueError,
        new RegExp(`^${op}: expected axis to be an integer, got 1.5$`),
      );
      expectThrowsWithoutLeak(
        () => argOp(x, null as never),
        nn.ValueError,
        /expected axis to be an integer, got null$/,
      );
    }
    const y = nn.argMax(x, 1);
    expect(Array.from(y.dataSync())).toEqual([1, 0]);
    y.dispose();
    expectThrowsWithoutLeak(
      () => nn.sum(x, [0, Number.NaN]),
      nn.ValueError,
      /^sum: expected axis to be an integer, got NaN$/,
    );
    expectThrowsWithoutLeak(
      () => nn.mean(x, -3),
      nn.ValueError,
      /^mean: axis -3 is out of range for a tensor of rank 2 \(expected an integer in \[-2, 2\)\)$/,
    );
    x.dispose();
  });
});

describe('dispose and tidy walk containers of any depth', () => {
  it('a deep or self-containing container is walked without a stack overflow', () => {
    const t = nn.zeros([2]);
    let deep: unknown = t;
    for (let i = 0; i < 1e5; i++) deep = [deep];
    const cyclic: Record<string, unknown> = { t };
    cyclic.self = cyclic;
    const kept = nn.tidy(() => {
      const u = nn.ones([2]);
      nn.zeros([3]);
      return { u, cyclic: [cyclic] };
    });
    expect(kept.u.isDisposed).toBe(false);
    const before = nn.memory().numTensors;
    nn.dispose(deep);
    expect(t.isDisposed).toBe(true);
    nn.dispose(kept);
    expect(nn.memory().numTensors).toBe(before - 2);
  });
});

describe('shapes in layer messages', () => {
  it('show NaN and BigInts as they are (JSON showed NaN as null and threw a TypeError on a BigInt)', () => {
    const dense = (options: object) => () => nn.layers.dense({ units: 1, ...options } as never);
    expectThrowsWithoutLeak(dense({ inputShape: [Number.NaN] }), nn.ShapeError, /got \[NaN\]$/);
    expectThrowsWithoutLeak(dense({ inputShape: [3n] }), nn.ShapeError, /got \[3n\]$/);
    expectThrowsWithoutLeak(
      dense({ inputDim: 3, inputShape: [4, Number.NaN] }),
      nn.NeurasmError,
      /got \[4, NaN\]$|disagrees with the input shape \[4, NaN\]$/,
    );
  });
});
