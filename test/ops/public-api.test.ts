import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

/** Exported functions of an ops module, split by whether their JSDoc marks them @internal. */
function opsExports(file: string): { pub: string[]; internal: string[] } {
  const text = readFileSync(new URL(`../../src/ops/${file}`, import.meta.url), 'utf8');
  const pub: string[] = [];
  const internal: string[] = [];
  for (const m of text.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?export function (\w+)/g)) {
    (m[1]?.includes('@internal') ? internal : pub).push(m[2]);
  }
  return { pub, internal };
}

describe('public API', () => {
  it('exports every public op by name and none of the @internal helpers', () => {
    const api = nn as unknown as Record<string, unknown>;
    const files = ['activations.ts', 'arithmetic.ts', 'create.ts', 'gradients.ts', 'reduction.ts', 'shape.ts'];
    files.push('gather.ts', 'joining.ts', 'slicing.ts'); // the slicing, joining and gathering ops
    files.push('logical.ts', 'where.ts', 'pow.ts', 'cumsum.ts', 'topk.ts', 'norm.ts', 'moments.ts');
    for (const file of files) {
      const { pub, internal } = opsExports(file);
      expect(pub.length, file).toBeGreaterThan(0);
      for (const name of pub) expect(api[name], `nn.${name} (${file})`).toBeTypeOf('function');
      for (const name of internal) expect(name in api, `nn.${name} is @internal (${file})`).toBe(false);
    }
    for (const name of ['fromFlat', 'activationOp', 'binaryOp', 'sumToShape', 'floatOperands']) {
      expect(name in api, name).toBe(false);
    }
    for (const name of ['tensor', 'zeros', 'relu', 'softmax', 'grad', 'variableGrads', 'matMul', 'squeeze', 'tidy']) {
      expect(api[name], name).toBeTypeOf('function');
    }
    expect(nn.fused.matMul).toBeTypeOf('function');
  });

  it('every chainable Tensor method is declared with JSDoc and installed', () => {
    const text = readFileSync(new URL('../../src/ops/tensor.ts', import.meta.url), 'utf8');
    const start = text.indexOf('interface TensorMethods {');
    const block = text.slice(start, text.indexOf('\n}\n', start));
    const lines = block.split('\n').slice(1);
    const methods = lines.flatMap((line, i) => {
      const m = /^\s{2}(\w+)\(/.exec(line);
      return m ? [{ name: m[1], doc: /^\s*\/\*\*.*\*\/$/.test(lines[i - 1] ?? '') }] : [];
    });
    expect(methods.length).toBe(54);
    for (const { name, doc } of methods) {
      expect(doc, `${name} has a one-line JSDoc`).toBe(true);
      expect((nn.Tensor.prototype as unknown as Record<string, unknown>)[name], name).toBeTypeOf('function');
    }
  });
});

describe('every public op under odd arguments', () => {
  beforeAll(() => nn.ready({ relaxedSimd: false }));
  // Built once: a 1e5-deep array and a self-containing one (each once overflowed the stack or looped).
  let deep: unknown = 1;
  for (let i = 0; i < 1e5; i++) deep = [deep];
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  const plainOdd: unknown[] = [
    ...[undefined, null, Number.NaN, Number.POSITIVE_INFINITY, -1, 1.5, 1e200, 10n, Symbol('s'), 'x', true, {}, []],
    ...[[[1], [1, 2]], new Array(3).fill(1, 0, 1).fill(3, 2), [Number.NaN], [1e200, 1e200], [-1], [1.5], [10n]],
    ...[[Symbol('t')], ['2'], [true, false], [0, 1n], [0, Symbol('u')], [1, 'a'], [0, {}], [0, null], [0, [1]]],
    ...[new BigInt64Array(2), new Float64Array(2), new Uint8ClampedArray(2), new DataView(new ArrayBuffer(4))],
    ...[() => 1, Object.create(null), { reduction: 10n }, { reduction: [Symbol('r')] }, { delta: 10n }, deep, cyclic],
  ];
  /** Fresh tensors for each call (a call may dispose nothing, but must not use them up either). */
  const tensorOdd = (): unknown[] => {
    const dead = nn.tensor([1, 2]);
    dead.dispose();
    return [dead, nn.tensor([1, 2], undefined, 'int32'), nn.tensor([[1, 2, 3]])];
  };
  const f2 = () =>
    nn.tensor([
      [0.2, 0.8],
      [0.6, 0.4],
    ]);
  const labels = () => nn.tensor([1, 0], undefined, 'int32');
  const k = (v: unknown) => () => v;
  type Call = (...args: never[]) => unknown;
  /** Each op with a factory of valid values for every argument; one argument at a time is replaced. */
  const ops: Array<[string, Call, Array<() => unknown>]> = [
    ['tensor', nn.tensor, [k([1, 2]), k(undefined), k(undefined)]],
    ['tensor1d', nn.tensor1d, [k([1, 2]), k(undefined)]],
    ['tensor2d', nn.tensor2d, [k([[1, 2]]), k(undefined), k(undefined)]],
    ['scalar', nn.scalar, [k(1), k(undefined)]],
    ['fill', nn.fill, [k([2]), k(1), k('float32')]],
    ['zeros', nn.zeros, [k([2]), k('int32')]],
    ['ones', nn.ones, [k([2]), k('float32')]],
    ['zerosLike', nn.zerosLike, [f2]],
    ['clone', nn.clone, [f2]],
    ['randomNormal', nn.randomNormal, [k([2]), k(0), k(1), k('int32'), k(1)]],
    ['randomUniform', nn.randomUniform, [k([2]), k(0), k(5), k('int32'), k(1)]],
    ['oneHot', nn.oneHot, [labels, k(3), k(1), k(0)]],
    ['reshape', nn.reshape, [f2, k([4])]],
    ['transpose', nn.transpose, [f2, k([1, 0])]],
    ['broadcastTo', nn.broadcastTo, [() => nn.tensor([1]), k([2])]],
    ['expandDims', nn.expandDims, [f2, k(0)]],
    ['squeeze', nn.squeeze, [() => nn.tensor([[1]]), k(undefined)]],
    ['cast', nn.cast, [f2, k('int32')]],
    ['sum', nn.sum, [f2, k(0), k(false)]],
    ['max', nn.max, [f2, k([0, 1]), k(true)]],
    ['argMax', nn.argMax, [f2, k(1)]],
    ['argMin', nn.argMin, [f2, k(0)]],
    ['matMul', nn.matMul, [f2, f2, k(false), k(true)]],
    ['add', nn.add, [f2, f2]],
    ['squaredDifference', nn.squaredDifference, [f2, k(2)]],
    ['exp', nn.exp, [f2]],
    ['clipByValue', nn.clipByValue, [f2, k(0), k(1)]],
    ['leakyRelu', nn.leakyRelu, [f2, k(0.2)]],
    ['softmax', nn.softmax, [f2, k(-1)]],
    ['softmaxCrossEntropy', nn.losses.softmaxCrossEntropy, [f2, f2, k({})]],
    ['sparseSoftmaxCrossEntropy', nn.losses.sparseSoftmaxCrossEntropy, [labels, f2, k({ reduction: 'sum' })]],
    ['huberLoss', nn.losses.huberLoss, [f2, f2, k({ delta: 1 })]],
    ['variable', nn.variable, [f2, k(true), k(undefined)]],
    ['grad', (f: never, x: never) => nn.grad(f)(x), [k((x: nn.Tensor) => nn.sum(x)), f2]],
    [
      'fused.matMul',
      (a: never, b: never, activation: never) => nn.fused.matMul({ a, b, activation }),
      [f2, f2, k('relu')],
    ],
    ['Tensor.reshape', (shape: never) => nn.tidy(() => f2().reshape(shape)), [k([4])]],
    ['dispose', nn.dispose, [k([])]],
    ['setSeed', nn.setSeed, [k(42)]],
    ['greater', nn.greater, [f2, k([1, 2])]],
    ['notEqual', nn.notEqual, [k([[1, 2]]), f2]],
    ['logicalAnd', nn.logicalAnd, [() => nn.tensor([true, false]), k([true, true])]],
    ['logicalNot', nn.logicalNot, [() => nn.tensor([true, false])]],
    ['where', nn.where, [k([true, false]), f2, k(0)]],
    ['pow', nn.pow, [f2, k([2, 1])]],
    ['range', nn.range, [k(0), k(5), k(2), k('int32')]],
    ['linspace', nn.linspace, [k(0), k(1), k(3)]],
    ['tensor4d', nn.tensor4d, [k([1, 2]), k([1, 1, 1, 2]), k(undefined)]],
    ['cumsum', nn.cumsum, [f2, k(1), k(true), k(false)]],
    ['topk', (x: never, n: never, sorted: never) => nn.dispose(nn.topk(x, n, sorted)), [f2, k(1), k(true)]],
    ['norm', nn.norm, [f2, k(1), k([0, 1]), k(true)]],
    [
      'moments',
      (x: never, axes: never, keepDims: never) => nn.dispose(nn.moments(x, axes, keepDims)),
      [f2, k(1), k(false)],
    ],
  ];

  it('throws only NeurasmErrors and leaves memory as it was', () => {
    let calls = 0;
    for (const [name, op, defaults] of ops) {
      for (let pos = 0; pos < defaults.length; pos++) {
        for (let i = 0; i < plainOdd.length + 3; i++) {
          const before = nn.memory();
          const odds = tensorOdd();
          const odd = i < plainOdd.length ? plainOdd[i] : odds[i - plainOdd.length];
          const args = defaults.map((make, j) => (j === pos ? odd : make()));
          let result: unknown;
          try {
            result = (op as (...a: unknown[]) => unknown)(...args);
          } catch (e) {
            expect(e, `${name}: argument ${pos} = ${String(describeOdd(odd))}: ${e}`).toBeInstanceOf(nn.NeurasmError);
          }
          for (const v of [...odds, ...args, result]) if (v instanceof nn.Tensor) v.dispose();
          const { numTensors, numBytes } = nn.memory();
          expect({ numTensors, numBytes }, `${name}: argument ${pos} = ${describeOdd(odd)}`).toEqual({
            numTensors: before.numTensors,
            numBytes: before.numBytes,
          });
          calls++;
        }
      }
    }
    expect(calls).toBeGreaterThan(2500);
    nn.setSeed(42);
  });
});

function describeOdd(v: unknown): string {
  if (typeof v === 'symbol' || typeof v === 'bigint') return typeof v;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return Object.prototype.toString.call(v);
}
