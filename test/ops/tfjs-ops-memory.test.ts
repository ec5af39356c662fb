import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** Every op of this family once, on inputs made outside; each returns what it allocated. */
function calls(x: nn.Tensor, b: nn.Tensor, c: nn.Tensor): Array<[string, () => nn.Tensor | nn.Tensor[]]> {
  return [
    ['equal', () => nn.equal(x, b)],
    ['notEqual', () => nn.notEqual(x, [1, 2, 3])],
    ['greater', () => nn.greater(x, 0)],
    ['greaterEqual (int32 with float32)', () => nn.greaterEqual(nn.cast(x, 'int32'), x)],
    ['less', () => nn.less(1, x)],
    ['lessEqual', () => x.lessEqual(b)],
    ['logicalAnd', () => nn.logicalAnd(c, [true, false, true])],
    ['logicalOr', () => nn.logicalOr(c, c)],
    ['logicalXor', () => nn.logicalXor(c, true)],
    ['logicalNot', () => nn.logicalNot(c)],
    ['where', () => nn.where(c, x, 0)],
    ['where (booleans)', () => nn.where([true, false, true], x, [1, 2, 3])],
    ['pow', () => nn.pow(x, 2)],
    ['pow (arrays)', () => nn.pow([1, 2, 3], b)],
    ['cast to bool', () => nn.cast(x, 'bool')],
    ['cast from bool', () => nn.cast(c, 'float32')],
    ['range', () => nn.range(0, 10, 3)],
    ['linspace', () => nn.linspace(0, 1, 7)],
    ['cumsum', () => nn.cumsum(x, 0, true, true)],
    ['topk', () => Object.values(nn.topk(x, 2))],
    ['norm', () => nn.norm(x, Infinity)],
    ['norm (matrix)', () => nn.norm(nn.reshape(x, [1, 3]), 1, [0, 1], true)],
    ['moments', () => Object.values(nn.moments(x))],
    ['tensor3d', () => nn.tensor3d([[[1, 2]]])],
  ];
}

describe('memory of the comparison, logical, where, pow, scan, topk, norm and moments ops', () => {
  it('each op allocates only its results (disposing them restores memory exactly)', () => {
    const x = nn.tensor([0.5, -2, 3]);
    const b = nn.tensor([0.5, 1, 3]);
    const c = nn.tensor([true, false, true]);
    for (const [name, call] of calls(x, b, c)) {
      const before = nn.memory();
      const out = call();
      const outs = Array.isArray(out) ? out : [out];
      const bytes = outs.reduce((s, t) => s + t.size * 4, 0);
      // a helper input made inside the call (reshape, cast) is the caller's; subtract those
      const extra = nn.memory().numTensors - before.numTensors - outs.length;
      if (name === 'greaterEqual (int32 with float32)' || name === 'norm (matrix)') expect(extra, name).toBe(1);
      else expect(extra, name).toBe(0);
      if (extra === 0) expect(nn.memory().numBytes, name).toBe(before.numBytes + bytes);
      nn.dispose(outs);
      if (extra === 0) expect(nn.memory(), name).toEqual(before);
    }
    nn.dispose([x, b, c]);
  });

  it('taking gradients through them inside tidy leaves only the gradients', () => {
    const x = nn.tensor([0.5, 1.5, 3]);
    const c = nn.tensor([true, false, true]);
    const before = nn.memory();
    const grads = nn.tidy(() =>
      nn.grads((p: nn.Tensor) =>
        nn.sum(
          nn.add(
            nn.add(nn.where(c, nn.pow(p, [2, 1, 0.5]), nn.cumsum(p)), nn.topk(p, 2).values.sum()),
            nn.add(nn.norm(p), nn.moments(p).variance),
          ),
        ),
      )([x]),
    );
    expect(nn.memory().numTensors).toBe(before.numTensors + 1);
    expect(grads[0].dataSync().every(Number.isFinite)).toBe(true);
    nn.dispose([grads, x, c]);
  });

  it('failed calls leave memory as it was', () => {
    const x = nn.tensor([0.5, -2, 3]);
    const c = nn.tensor([true, false, true]);
    const before = nn.memory();
    const failing: Array<() => unknown> = [
      () => nn.equal(x, [1, 2]),
      () => nn.greater([[1], [2, 3]], x),
      () => nn.logicalAnd(c, [true, false]),
      () => nn.logicalOr(c, [1, 0, 1]),
      () => nn.where([true, false], x, 0),
      () => nn.where(c, x, [1, 2]),
      () => nn.where(c, [1, 2], x),
      () => nn.pow(x, [1, 2]),
      () => nn.pow([1, 'a'] as never, x),
      () => nn.cumsum(x, 2),
      () => nn.topk(x, 5),
      () => nn.norm(x, 'nuc' as never),
      () => nn.moments(x, [0, 0]),
      () => nn.range(0, 1, 0),
      () => nn.tensor3d([1]),
    ];
    for (const call of failing) {
      expect(call).toThrow(nn.NeurasmError);
      expect(nn.memory()).toEqual(before);
    }
    // inside a gradient too: the scalars and arrays converted for a failing op are freed
    const inGrad = () => nn.grad((p: nn.Tensor) => nn.sum(nn.where(c, p, [1, 2])))(x);
    expect(inGrad).toThrow(nn.ShapeError);
    expect(nn.memory()).toEqual(before);
    nn.dispose([x, c]);
  });
});
