import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { sizeOf } from '../../src/reference/elementwise.js';
import { concatRef, padRef, type RefTensor, stackRef, tileRef } from '../../src/reference/indexing.js';
import { expectClose } from '../helpers/close.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randomArray } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** Random float32 tensors of the shapes, with their references. */
function randomTensors(shapes: number[][], seed: number): { ts: nn.Tensor[]; refs: RefTensor[] } {
  const refs = shapes.map((shape, i) => ({
    values: Float64Array.from(randomArray(sizeOf(shape), seed + i, -3, 3)),
    shape,
  }));
  return { ts: refs.map((r) => nn.tensor(Float32Array.from(r.values), r.shape)), refs };
}

/** Int32 tensors of the shapes holding distinct integers, with their references. */
function intTensors(shapes: number[][]): { ts: nn.Tensor[]; refs: RefTensor[] } {
  let next = -5;
  const refs = shapes.map((shape) => ({
    values: Float64Array.from({ length: sizeOf(shape) }, () => next++),
    shape,
  }));
  return { ts: refs.map((r) => nn.tensor(Array.from(r.values), r.shape, 'int32')), refs };
}

/** Runs f and checks that the only new tensor is its result. */
function expectNoLeak(f: () => nn.Tensor): nn.Tensor {
  const before = nn.memory();
  const y = f();
  const after = nn.memory();
  expect(after.numTensors - before.numTensors).toBe(1);
  expect(after.numBytes - before.numBytes).toBe(y.size * 4);
  return y;
}

/** Expects f to throw `type` with a message matching `message`, leaving memory as it was. */
function expectFails(f: () => unknown, type: typeof nn.NeurasmError, message: RegExp): void {
  const before = nn.memory();
  expect(f).toThrow(type);
  expect(f).toThrow(message);
  const { numTensors, numBytes } = nn.memory();
  expect({ numTensors, numBytes }).toEqual({ numTensors: before.numTensors, numBytes: before.numBytes });
}

/** Expects a tensor to equal a reference exactly, shape and values. */
function expectRef(y: nn.Tensor, want: RefTensor, label: string): void {
  expect(y.shape, label).toEqual(want.shape);
  expectClose(y.dataSync(), want.values, 0, 0, label);
}

const CONCATS: Array<[number[][], number]> = [
  [[[3], [5], [1]], 0],
  [
    [
      [2, 3],
      [2, 1],
      [2, 4],
    ],
    1,
  ],
  [
    [
      [2, 3],
      [4, 3],
    ],
    -2,
  ],
  [
    [
      [2, 3, 4],
      [2, 0, 4],
      [2, 2, 4],
    ],
    1,
  ],
  [[[3, 2, 2, 1, 2, 3]], 4],
  [
    [
      [1, 2, 1, 3, 2, 2],
      [1, 2, 1, 3, 1, 2],
    ],
    -2,
  ],
];

describe('concat', () => {
  it('matches the reference for float32 and int32, ranks 1 to 6, empty pieces, one piece', () => {
    CONCATS.forEach(([shapes, axis], k) => {
      const a = axis < 0 ? axis + shapes[0].length : axis;
      for (const { ts, refs } of [randomTensors(shapes, 10 * k), intTensors(shapes)]) {
        const y = expectNoLeak(() => nn.concat(ts, axis));
        expect(y.dtype).toBe(ts[0].dtype);
        expectRef(y, concatRef(refs, a), `concat ${JSON.stringify(shapes)} axis ${axis}`);
        const viaMethod = ts[0].concat(ts.slice(1), axis);
        expectRef(viaMethod, concatRef(refs, a), 'method');
        nn.dispose([ts, y, viaMethod]);
      }
    });
  });

  it('has the gradient of a concat (the slices of dy), the same tensor twice summing', () => {
    for (const [shapes, axis] of CONCATS) {
      const a = axis < 0 ? axis + shapes[0].length : axis;
      gradCheck({
        shapes,
        op: (...ts) => nn.concat(ts, axis),
        forward64: (xs, ss) =>
          concatRef(
            xs.map((values, i) => ({ values, shape: ss[i] })),
            a,
          ).values,
      });
    }
    gradCheck({
      shapes: [[2, 3]],
      op: (t) => nn.concat([t, nn.mul(t, 2), t], 1),
      forward64: ([x]) =>
        concatRef(
          [
            { values: x, shape: [2, 3] },
            { values: x.map((v) => 2 * v), shape: [2, 3] },
            { values: x, shape: [2, 3] },
          ],
          1,
        ).values,
    });
  });

  it('rejects bad lists, shapes, dtypes and axes with clear errors', () => {
    const a = nn.zeros([2, 3]);
    const b = nn.zeros([3, 3]);
    const i = nn.zeros([2, 3], 'int32');
    const s = nn.scalar(1);
    expectFails(
      () => nn.concat([a, b], 1),
      nn.ShapeError,
      /concat: tensors\[1\] has shape \[3, ?3\], .*outside axis 1/,
    );
    expectFails(
      () => nn.concat([a, i]),
      nn.DTypeError,
      /concat: expected every tensor to be float32 .*int32 at tensors\[1\]/,
    );
    expectFails(() => nn.concat([]), nn.ValueError, /concat: expected tensors to be a non-empty array of Tensors/);
    expectFails(() => nn.concat([a, [1, 2, 3]] as never), nn.ValueError, /expected tensors\[1\] to be a Tensor/);
    expectFails(() => nn.concat(a as never), nn.ValueError, /non-empty array/);
    expectFails(() => nn.concat([s, s]), nn.ShapeError, /scalar/);
    expectFails(() => nn.concat([a, a], 2), nn.ValueError, /axis 2 is out of range/);
    const flat = nn.ones([6]);
    expectFails(() => nn.concat([a, flat]), nn.ShapeError, /tensors\[1\] has shape \[6\]/);
    const dead = nn.zeros([2, 3]);
    dead.dispose();
    expectFails(() => nn.concat([a, dead]), nn.DisposedError, /concat \(tensors\[1\]\)/);
    nn.dispose([a, b, i, s, flat]);
  });
});

describe('stack', () => {
  it('matches the reference for every axis, scalars included, float32 and int32', () => {
    const cases: Array<[number[], number, number]> = [
      [[], 3, 0],
      [[4], 2, 0],
      [[4], 2, 1],
      [[2, 3], 3, 1],
      [[2, 3], 2, -1],
      [[2, 1, 3, 2, 2], 2, 3],
    ];
    cases.forEach(([shape, n, axis], k) => {
      const shapes = new Array(n).fill(shape);
      const a = axis < 0 ? axis + shape.length + 1 : axis;
      for (const { ts, refs } of [randomTensors(shapes, 40 + k), intTensors(shapes)]) {
        const y = expectNoLeak(() => nn.stack(ts, axis));
        expectRef(y, stackRef(refs, a), `stack ${n} × ${JSON.stringify(shape)} axis ${axis}`);
        nn.dispose([ts, y]);
      }
    });
  });

  it('has the gradient of a stack, and unstack undoes it', () => {
    for (const [shape, axis] of [
      [[2, 3], 1],
      [[], 0],
      [[3, 2, 2], 3],
    ] as Array<[number[], number]>) {
      gradCheck({
        shapes: [shape, shape, shape],
        op: (...ts) => nn.stack(ts, axis),
        forward64: (xs, ss) =>
          stackRef(
            xs.map((values, i) => ({ values, shape: ss[i] })),
            axis,
          ).values,
      });
    }
    const { ts } = randomTensors(
      [
        [2, 3],
        [2, 3],
      ],
      7,
    );
    const y = nn.stack(ts, 2);
    const back = nn.unstack(y, 2);
    back.forEach((t, i) => {
      expect(Array.from(t.dataSync())).toEqual(Array.from(ts[i].dataSync()));
    });
    nn.dispose([ts, y, back]);
  });

  it('rejects differing shapes and bad axes with clear errors', () => {
    const a = nn.zeros([2, 3]);
    const b = nn.zeros([3, 2]);
    expectFails(
      () => nn.stack([a, b]),
      nn.ShapeError,
      /stack: expected every tensor to have tensors\[0\]'s shape \[2, ?3\], got \[3, ?2\] at tensors\[1\]/,
    );
    expectFails(() => nn.stack([a, a], 3), nn.ValueError, /stack: axis 3 is out of range/);
    expectFails(() => nn.stack([a, a], 0.5), nn.ValueError, /axis/);
    expectFails(() => nn.stack(null as never), nn.ValueError, /non-empty array/);
    nn.dispose([a, b]);
  });
});

describe('tile', () => {
  const cases: Array<[number[], number[]]> = [
    [[], []],
    [[3], [4]],
    [
      [2, 3],
      [2, 1],
    ],
    [
      [2, 3],
      [1, 3],
    ],
    [
      [2, 1, 3],
      [2, 3, 2],
    ],
    [
      [2, 3],
      [0, 2],
    ],
    [
      [1, 2, 1, 2, 1, 2],
      [2, 1, 2, 1, 3, 1],
    ],
  ];
  it('matches the reference for float32 and int32', () => {
    cases.forEach(([shape, reps], k) => {
      for (const { ts, refs } of [randomTensors([shape], 60 + k), intTensors([shape])]) {
        const y = expectNoLeak(() => nn.tile(ts[0], reps));
        expectRef(y, tileRef(refs[0].values, shape, reps), `tile ${JSON.stringify(shape)} × ${JSON.stringify(reps)}`);
        const viaMethod = ts[0].tile(reps);
        expect(viaMethod.shape).toEqual(y.shape);
        nn.dispose([ts, y, viaMethod]);
      }
    });
  });

  it('has the gradient of a tile (the sum over the repeats)', () => {
    for (const [shape, reps] of cases.filter(([, r]) => !r.includes(0))) {
      gradCheck({
        shapes: [shape],
        op: (t) => nn.tile(t, reps),
        forward64: ([x]) => tileRef(x, shape, reps).values,
      });
    }
  });

  it('has a zero gradient where a rep is 0, and an empty one for an empty x', () => {
    const x = nn.tensor([
      [1, 2],
      [3, 4],
    ]);
    const dy = nn.zeros([0, 6]);
    const g = nn.grad((t: nn.Tensor) => nn.tile(t, [0, 3]))(x, dy);
    expect(g.arraySync()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const empty = nn.zeros([0, 2]);
    const dyEmpty = nn.zeros([0, 4]);
    const ge = nn.grad((t: nn.Tensor) => nn.tile(t, [2, 2]))(empty, dyEmpty);
    expect(ge.shape).toEqual([0, 2]);
    nn.dispose([x, dy, g, empty, dyEmpty, ge]);
  });

  it('rejects bad reps with clear errors', () => {
    const t = nn.zeros([2, 3]);
    expectFails(
      () => nn.tile(t, [2]),
      nn.ValueError,
      /tile: expected reps to be an array of 2 integers >= 0, got \[2\]/,
    );
    expectFails(() => nn.tile(t, [2, -1]), nn.ValueError, /reps/);
    expectFails(() => nn.tile(t, [2, 1.5]), nn.ValueError, /reps/);
    expectFails(() => nn.tile(t, 2 as never), nn.ValueError, /reps/);
    expectFails(() => nn.tile(t, [2 ** 20, 2 ** 20]), nn.BackendError, /tile: the result/);
    t.dispose();
  });
});

describe('pad', () => {
  const cases: Array<[number[], Array<[number, number]>, number]> = [
    [[3], [[2, 1]], 0],
    [
      [2, 3],
      [
        [1, 0],
        [0, 2],
      ],
      -1.5,
    ],
    [
      [2, 3],
      [
        [0, 0],
        [0, 0],
      ],
      7,
    ],
    [
      [0, 2],
      [
        [1, 1],
        [1, 0],
      ],
      3,
    ],
    [
      [2, 1, 2, 1, 2, 1],
      [
        [1, 0],
        [0, 1],
        [1, 1],
        [0, 0],
        [2, 0],
        [0, 1],
      ],
      5,
    ],
  ];
  it('matches the reference for float32 and int32', () => {
    cases.forEach(([shape, paddings, value], k) => {
      const { ts, refs } = randomTensors([shape], 70 + k);
      const y = expectNoLeak(() => nn.pad(ts[0], paddings, value));
      expectRef(y, padRef(refs[0].values, shape, paddings, value), `pad ${JSON.stringify([shape, paddings])}`);
      const ints = intTensors([shape]);
      const yi = ints.ts[0].pad(paddings, Math.round(value));
      expect(yi.dtype).toBe('int32');
      expectRef(yi, padRef(ints.refs[0].values, shape, paddings, Math.round(value)), 'int32');
      nn.dispose([ts, y, ints.ts, yi]);
    });
    const t = nn.tensor([1, 2]);
    const y = nn.pad(t, [[1, 1]]);
    expect(Array.from(y.dataSync())).toEqual([0, 1, 2, 0]);
    const nan = nn.pad(t, [[0, 1]], Number.NaN);
    expect(Number.isNaN(nan.dataSync()[2])).toBe(true);
    nn.dispose([t, y, nan]);
  });

  it('has the gradient of a pad (the middle of dy)', () => {
    for (const [shape, paddings] of cases.filter(([s]) => !s.includes(0))) {
      gradCheck({
        shapes: [shape],
        op: (t) => nn.pad(t, paddings, 2),
        forward64: ([x]) => padRef(x, shape, paddings, 2).values,
      });
    }
  });

  it('rejects bad paddings and constants with clear errors', () => {
    const t = nn.zeros([2, 3]);
    const i = nn.zeros([2], 'int32');
    const s = nn.scalar(1);
    expectFails(
      () => nn.pad(t, [[1, 1]]),
      nn.ValueError,
      /pad: expected paddings to be an array of 2 \[before, after\] pairs/,
    );
    expectFails(
      () =>
        nn.pad(t, [
          [1, 1],
          [1, -1],
        ]),
      nn.ValueError,
      /pad: expected paddings\[1\] to be an array of 2 integers >= 0, got \[1, -1\]/,
    );
    expectFails(() => nn.pad(t, [[1, 1], [1] as never]), nn.ValueError, /paddings\[1\]/);
    expectFails(
      () =>
        nn.pad(
          t,
          [
            [1, 1],
            [0, 0],
          ],
          '1' as never,
        ),
      nn.ValueError,
      /constantValue to be a number/,
    );
    expectFails(
      () => nn.pad(i, [[1, 1]], 0.5),
      nn.ValueError,
      /constantValue to be an int32 integer \(x is int32\), got 0.5/,
    );
    expectFails(() => nn.pad(i, [[1, 1]], 2 ** 31), nn.ValueError, /int32/);
    expectFails(() => nn.pad(s, []), nn.ShapeError, /pad: x is a scalar/);
    nn.dispose([t, i, s]);
  });
});

describe('memory of the slicing, joining and gathering ops under gradients', () => {
  it('a training-like loop through all of them returns to its starting tensors and bytes', () => {
    const init = nn.randomNormal([4, 6], 0, 1, 'float32', 3);
    const w = nn.variable(init, true, 'indexing_mem_w');
    init.dispose();
    const step = () => {
      const { value, grads } = nn.variableGrads(() => {
        const [left, right] = nn.split(w, [2, -1], 1);
        const joined = nn.concat(
          [
            nn.pad(left, [
              [0, 0],
              [1, 1],
            ]),
            nn.slice(right, [0, 0], [-1, 2]),
          ],
          1,
        );
        const picked = nn.gather(nn.stack(nn.unstack(joined, 0), 1), [0, 3, 3], 1);
        const flipped = nn.stridedSlice(nn.tile(picked, [1, 1]), [0, -1], [0, 0], [1, -1], 1, 1);
        return nn.sum(nn.square(flipped));
      }, [w]);
      nn.tidy(() => w.assign(nn.sub(w, nn.mul(grads.indexing_mem_w, 0.01))));
      nn.dispose([value, grads]);
    };
    step();
    const start = nn.memory();
    for (let i = 0; i < 5; i++) step();
    const end = nn.memory();
    expect(end.numTensors).toBe(start.numTensors);
    expect(end.numBytes).toBe(start.numBytes);
    w.dispose();
  });
});
