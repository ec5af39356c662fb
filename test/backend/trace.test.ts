// The trace recorder (src/backend/trace.ts): what a recording keeps, what a replay runs, what
// dispose frees, and what happens when the recorded function fails or reads values in JavaScript.
import { beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../src/backend/loader.js';
import { hostStep, isRecording, recordTrace } from '../../src/backend/trace.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const liveBytes = () => backend().allocator.liveBytes;

describe('recordTrace and replay', () => {
  it('replay runs the recorded kernels again on the same memory: new input values, new results', () => {
    const a = nn.tensor([1, 2, 3, 4]);
    const b = nn.tensor([10, 20, 30, 40]);
    const { trace, result } = recordTrace(() => nn.tidy(() => nn.relu(nn.sub(nn.mul(a, b), 25))));
    expect(trace.replayable).toBe(true);
    expect(trace.length).toBeGreaterThanOrEqual(2);
    expect(trace.names.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
    expect(Array.from(result.dataSync())).toEqual([0, 15, 65, 135]);
    // the inputs change in place (as a step's input buffers do); the replay computes on them
    a.view().set([-1, 3, 0, 1]);
    trace.replay();
    expect(Array.from(result.dataSync())).toEqual([0, 35, 0, 15]);
    trace.dispose();
    nn.dispose([a, b]);
  });

  it('hostStep runs its function at the recording and again at every replay, in order with the kernels', () => {
    const t = nn.zeros([3]);
    const calls: number[] = [];
    let n = 0;
    const { trace, result } = recordTrace(() => {
      hostStep(() => {
        n++;
        calls.push(n);
        t.view().set([n, 2 * n, 3 * n]);
      });
      return nn.mul(t, 10);
    });
    expect(calls).toEqual([1]);
    expect(Array.from(result.dataSync())).toEqual([10, 20, 30]);
    expect(trace.names[0]).toBe('host');
    trace.replay();
    trace.replay();
    expect(calls).toEqual([1, 2, 3]);
    // the host step wrote before the kernel read: the product of the last draw
    expect(Array.from(result.dataSync())).toEqual([30, 60, 90]);
    // outside a recording a host step just runs
    hostStep(() => calls.push(0));
    expect(calls).toEqual([1, 2, 3, 0]);
    trace.replay();
    expect(calls).toEqual([1, 2, 3, 0, 4]);
    trace.dispose();
    t.dispose();
  });

  it('recordings do not nest', () => {
    expect(() => recordTrace(() => recordTrace(() => 0))).toThrow(/already being recorded/);
    expect(isRecording()).toBe(false);
  });

  it('a function that throws: everything it allocated is freed, the error comes through, nothing stays recording', () => {
    const x = nn.tensor([1, 2, 3]);
    const before = nn.memory();
    const bytes = liveBytes();
    expect(() =>
      recordTrace(() => {
        const y = nn.keep(nn.exp(x));
        nn.keep(nn.matMul(nn.reshape(y, [3, 1]), nn.reshape(y, [1, 3])));
        throw new Error('boom in the middle');
      }),
    ).toThrow('boom in the middle');
    expect(isRecording()).toBe(false);
    expect(nn.memory()).toEqual(before);
    expect(liveBytes()).toBe(bytes);
    // the next recording works as usual
    const { trace, result } = recordTrace(() => nn.add(x, 1));
    expect(Array.from(result.dataSync())).toEqual([2, 3, 4]);
    trace.dispose();
    x.dispose();
  });

  it('dispose marks the tensors made in the trace disposed and frees its memory; replay after it throws', () => {
    const x = nn.tensor([1, 2, 3, 4]);
    const before = nn.memory();
    const bytes = liveBytes();
    const { trace, result } = recordTrace(() => nn.tidy(() => nn.add(nn.mul(x, 2), nn.exp(x))));
    expect(trace.bytes).toBeGreaterThan(0);
    expect(liveBytes()).toBeGreaterThan(bytes);
    expect(nn.memory().numTensors).toBeGreaterThan(before.numTensors);
    // the temporaries (mul, exp) were disposed by tidy, but their memory stays the trace's until dispose
    trace.replay();
    expect(Array.from(result.dataSync())).toEqual(
      Array.from(Float32Array.from([1, 2, 3, 4], (v) => 2 * v + Math.exp(v))),
    );
    trace.dispose();
    expect(result.isDisposed).toBe(true);
    expect(() => result.dataSync()).toThrow(nn.DisposedError);
    expect(nn.memory()).toEqual(before);
    expect(liveBytes()).toBe(bytes);
    expect(() => trace.replay()).toThrow(/disposed/);
    trace.dispose(); // twice: nothing more happens
    expect(liveBytes()).toBe(bytes);
    x.dispose();
  });

  it('a tensor made in the trace and disposed by the user keeps its memory for the trace', () => {
    const x = nn.tensor([1, 2]);
    const bytes = liveBytes();
    const { trace, result } = recordTrace(() => nn.add(x, 1));
    result.dispose();
    expect(liveBytes()).toBeGreaterThan(bytes); // still the trace's
    trace.replay(); // writes into that memory: nothing else was given it
    const other = nn.tensor([7, 7]);
    trace.replay();
    expect(Array.from(other.dataSync())).toEqual([7, 7]);
    trace.dispose();
    other.dispose();
    expect(liveBytes()).toBe(bytes);
    x.dispose();
  });

  it('a function that reads values in JavaScript is recorded as not replayable, with the reason', () => {
    const x = nn.tensor([1, -2, 3]);
    const { trace, result } = recordTrace(() => {
      const m = nn.max(nn.abs(x));
      const scale = m.dataSync()[0];
      m.dispose();
      return nn.div(x, scale);
    });
    expect(trace.replayable).toBe(false);
    expect(trace.unreplayable).toMatch(/dataSync read the values of tensor/);
    expect(Array.from(result.dataSync())).toEqual([1 / 3, -2 / 3, 1].map(Math.fround));
    trace.dispose();
    // reading outside a recording marks nothing
    const { trace: clean } = recordTrace(() => nn.add(x, 1));
    expect(clean.replayable).toBe(true);
    clean.dispose();
    x.dispose();
  });

  it('a trace recorded on a module replaced by ready() refuses to replay', async () => {
    const x = nn.tensor([1, 2]);
    const { trace, result } = recordTrace(() => nn.add(x, 1));
    nn.dispose([x, result]); // a module switch needs every tensor disposed
    await nn.ready({ relaxedSimd: true });
    expect(() => trace.replay()).toThrow(/replaced by ready\(\)/);
    trace.dispose();
    await nn.ready({ relaxedSimd: false });
  });
});
