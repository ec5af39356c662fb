import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

// The slicing, joining and gathering ops called with one odd argument at a time, as
// test/ops/public-api.test.ts does for the older ops: only NeurasmErrors, and memory as it was.
describe('slicing, joining and gathering ops under odd arguments', () => {
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  const plainOdd: unknown[] = [
    ...[undefined, null, Number.NaN, Number.POSITIVE_INFINITY, -1, -2, 0, 1.5, 1e200, 2 ** 31, 10n, Symbol('s')],
    ...['x', true, {}, [], [[1], [1, 2]], new Array(3), [Number.NaN], [-1], [-5, 9], [1.5], [10n], ['2']],
    ...[
      [0, 1, 2, 3],
      [[0, 1]],
      [
        [1, 1],
        [-1, 0],
      ],
      [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      [2 ** 31, 0],
      [0, Symbol('u')],
    ],
    ...[
      new Int32Array(2),
      new Float64Array(2),
      () => 1,
      Object.create(null),
      cyclic,
      [
        [0, 0],
        [0, 0.5],
      ],
    ],
  ];
  const tensorOdd = (): unknown[] => {
    const dead = nn.tensor([1, 2]);
    dead.dispose();
    return [dead, nn.tensor([1, 2], undefined, 'int32'), nn.tensor([[1, 2, 3]]), nn.scalar(3), nn.zeros([0, 2])];
  };
  const x23 = () =>
    nn.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  const k = (v: unknown) => () => v;
  type Call = (...args: never[]) => unknown;
  const ops: Array<[string, Call, Array<() => unknown>]> = [
    ['slice', nn.slice, [x23, k([0, 1]), k([2, -1])]],
    ['stridedSlice', nn.stridedSlice, [x23, k([1, -1]), k([0, 0]), k([-1, -2]), k(0), k(1), k(0), k(0), k(0)]],
    ['split', nn.split, [x23, k([1, -1]), k(1)]],
    ['unstack', nn.unstack, [x23, k(-1)]],
    ['concat', nn.concat, [() => [x23(), x23()], k(1)]],
    ['stack', nn.stack, [() => [x23(), x23()], k(2)]],
    ['tile', nn.tile, [x23, k([2, 1])]],
    [
      'pad',
      nn.pad,
      [
        x23,
        k([
          [1, 0],
          [0, 2],
        ]),
        k(1),
      ],
    ],
    ['gather', nn.gather, [x23, () => nn.tensor([2, 0], undefined, 'int32'), k(1), k(0)]],
    ['Tensor.slice', (begin: never) => nn.tidy(() => x23().slice(begin)), [k([1])]],
    ['Tensor.concat', (other: never) => nn.tidy(() => x23().concat(other, 0)), [x23]],
  ];

  it('throws only NeurasmErrors and leaves memory as it was', () => {
    let calls = 0;
    for (const [name, op, defaults] of ops) {
      for (let pos = 0; pos < defaults.length; pos++) {
        const odds = tensorOdd();
        const n = plainOdd.length + odds.length;
        for (const t of odds) if (t instanceof nn.Tensor) t.dispose();
        for (let i = 0; i < n; i++) {
          const before = nn.memory();
          const fresh = tensorOdd();
          const odd = i < plainOdd.length ? plainOdd[i] : fresh[i - plainOdd.length];
          const args = defaults.map((make, j) => (j === pos ? odd : make()));
          const label = `${name}: argument ${pos} = ${describeOdd(odd)}`;
          let result: unknown;
          try {
            result = (op as (...a: unknown[]) => unknown)(...args);
          } catch (e) {
            expect(e, `${label}: ${e}`).toBeInstanceOf(nn.NeurasmError);
          }
          const made = [...fresh, ...args, ...(Array.isArray(result) ? result : [result])];
          for (const v of made.flat()) if (v instanceof nn.Tensor) v.dispose();
          const { numTensors, numBytes } = nn.memory();
          expect({ numTensors, numBytes }, label).toEqual({ numTensors: before.numTensors, numBytes: before.numBytes });
          calls++;
        }
      }
    }
    expect(calls).toBeGreaterThan(1000);
  });
});

function describeOdd(v: unknown): string {
  if (typeof v === 'symbol' || typeof v === 'bigint') return typeof v;
  if (v instanceof nn.Tensor) return `a tensor ${JSON.stringify(v.shape)}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return Object.prototype.toString.call(v);
}
