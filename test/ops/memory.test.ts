import { beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../src/backend/loader.js';
import * as nn from '../../src/index.js';
import { trainableVariables } from '../../src/ops/variable.js';
import { collectUntil, exposedGc } from '../helpers/memory.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

describe('memory', () => {
  it('tidy frees everything but the result; nested scopes pass results up', () => {
    const start = nn.memory();
    const x = nn.tensor([1, 2, 3]);
    const y = nn.tidy(() => {
      const inner = nn.tidy(() => nn.mul(nn.add(x, 1), 2));
      const discarded = nn.exp(x);
      void discarded;
      return nn.sum(inner);
    });
    expect(y.dataSync()[0]).toBe(18);
    expect(nn.memory().numTensors).toBe(start.numTensors + 2);
    nn.dispose([x, y]);
    expect(nn.memory().numTensors).toBe(start.numTensors);
    expect(nn.memory().numBytes).toBe(start.numBytes);
  });

  it('tidy keeps tensors returned in arrays/objects and kept ones, and frees on throw', () => {
    const start = nn.memory().numTensors;
    let kept: nn.Tensor | undefined;
    const { a, list } = nn.tidy(() => {
      kept = nn.keep(nn.ones([2]));
      nn.zeros([5]);
      return { a: nn.ones([1]), list: [nn.ones([3])] };
    });
    expect(nn.memory().numTensors).toBe(start + 3);
    expect(() =>
      nn.tidy(() => {
        nn.zeros([10]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(nn.memory().numTensors).toBe(start + 3);
    nn.dispose([a, list, kept]);
    expect(nn.memory().numTensors).toBe(start);
    expect(() => nn.tidy((async () => nn.zeros([1])) as never)).toThrow(/synchronous/);
  });

  it('numbers used as operands do not leak', () => {
    const x = nn.tensor([1, 2]);
    const before = nn.memory();
    const tripled = nn.mul(x, 3);
    const y = nn.add(tripled, 1);
    expect(Array.from(y.dataSync())).toEqual([4, 7]);
    expect(nn.memory().numTensors).toBe(before.numTensors + 2); // y and tripled, no scalars
    nn.dispose([x, y, tripled]);
  });

  it('memory returns to its starting numBytes after a gradient computation in a loop', () => {
    const init = nn.randomNormal([16, 8], 0, 1, 'float32', 1);
    const w = nn.variable(init, true, 'mem_w');
    init.dispose();
    const x = nn.randomNormal([32, 16], 0, 1, 'float32', 2);
    const step = () => {
      const { value, grads } = nn.variableGrads(() => nn.mean(nn.square(nn.relu(nn.matMul(x, w)))), [w]);
      nn.tidy(() => w.assign(nn.sub(w, nn.mul(grads.mem_w, 0.01))));
      nn.dispose([value, grads]);
    };
    step();
    const warm = nn.memory();
    const blocksWarm = backend().allocator.liveBlocks;
    for (let i = 0; i < 50; i++) step();
    const after = nn.memory();
    expect(after.numTensors).toBe(warm.numTensors);
    expect(after.numBytes).toBe(warm.numBytes);
    expect(after.wasmBytes).toBe(warm.wasmBytes);
    expect(backend().allocator.liveBlocks).toBe(blocksWarm);
    nn.dispose([w, x]);
  });

  it('results stay right when memory grows in the middle of an op sequence', () => {
    const a = nn.tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = nn.add(a, 1);
    const growBy = backend().memory.buffer.byteLength; // force a grow: allocate as much as exists
    const big = nn.zeros([growBy / 4]);
    const c = nn.matMul(b, a);
    expect(c.arraySync()).toEqual([
      [11, 16],
      [19, 28],
    ]);
    expect(nn.memory().wasmBytes).toBeGreaterThanOrEqual(2 * growBy);
    nn.dispose([a, b, big, c]);
  });

  it('the FinalizationRegistry frees tensors that were dropped without dispose', async () => {
    exposedGc();
    const start = nn.memory().numTensors;
    (() => {
      for (let i = 0; i < 20; i++) nn.zeros([1000]);
    })();
    expect(nn.memory().numTensors).toBe(start + 20);
    await collectUntil(() => nn.memory().numTensors === start);
    expect(nn.memory().numTensors).toBe(start);
  });

  it('variables dropped without dispose (a dropped model) are freed too, and leave trainableVariables', async () => {
    const start = nn.memory();
    const trainableBefore = trainableVariables().length;
    (() => {
      for (let i = 0; i < 20; i++) {
        const init = nn.zeros([1000]);
        nn.variable(init, true, i === 0 ? 'dropped_w' : undefined);
        init.dispose();
      }
    })();
    expect(nn.memory().numTensors).toBe(start.numTensors + 20);
    await collectUntil(() => nn.memory().numTensors === start.numTensors);
    expect(nn.memory().numTensors).toBe(start.numTensors);
    expect(nn.memory().numBytes).toBe(start.numBytes);
    expect(trainableVariables().length).toBe(trainableBefore);
    const again = nn.variable(
      nn.tidy(() => nn.ones([2])),
      true,
      'dropped_w',
    ); // the name is free again
    again.dispose();
  });

  it('an allocation past wasm32 memory throws a BackendError and leaves memory usable', () => {
    const start = nn.memory();
    expect(() => nn.zeros([70000, 70000])).toThrow(nn.BackendError);
    expect(() => nn.zeros([70000, 70000])).toThrow(
      /^zeros: shape \[70000, 70000\] asks for 4900000000 elements \(18\.3 GiB .*4 GiB/,
    );
    // exactly 4 GiB passes the shape check but not the allocator (the heap does not start at 0)
    expect(() => nn.zeros([2 ** 30])).toThrow(/cannot allocate 4294967296 bytes.*4 GiB/);
    expect(nn.memory().numTensors).toBe(start.numTensors);
    expect(nn.memory().numBytes).toBe(start.numBytes);
    const t = nn.ones([3]);
    const u = nn.add(t, 1);
    expect(Array.from(u.dataSync())).toEqual([2, 2, 2]);
    nn.dispose([t, u]);
  });

  it('module switch is refused while tensors are alive', async () => {
    const t = nn.zeros([1]);
    const info = nn.backendInfo();
    if (info.relaxedSimdAvailable) {
      await expect(nn.ready({ relaxedSimd: true })).rejects.toThrow(/while \d+ tensor\(s\) are alive/);
    }
    t.dispose();
  });
});
