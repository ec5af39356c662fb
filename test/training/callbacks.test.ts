import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray, rng } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const ROWS = 10;
const x = randomArray(ROWS * 3, 51);
const r = rng(52);
const y = Int32Array.from({ length: ROWS }, () => Math.floor(r() * 2));

function makeModel(): nn.Sequential {
  nn.setSeed(5);
  const m = nn.sequential({
    layers: [
      nn.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('callbacks', () => {
  it('are called in order with epoch/batch indices and logs', async () => {
    const m = makeModel();
    const calls: string[] = [];
    const batchLogs: nn.Logs[] = [];
    const epochLogs: nn.Logs[] = [];
    const h = await m.fit(x, y, {
      epochs: 2,
      batchSize: 4,
      verbose: 0,
      callbacks: {
        onTrainBegin: () => {
          calls.push('trainBegin');
        },
        onTrainEnd: () => {
          calls.push('trainEnd');
        },
        onEpochBegin: (e) => {
          calls.push(`epochBegin ${e}`);
        },
        onEpochEnd: (e, logs) => {
          calls.push(`epochEnd ${e}`);
          epochLogs.push({ ...logs });
        },
        onBatchBegin: (b, logs) => {
          calls.push(`batchBegin ${b} size ${logs?.size}`);
        },
        onBatchEnd: (b, logs) => {
          calls.push(`batchEnd ${b}`);
          batchLogs.push({ ...logs });
        },
      },
    });
    const epoch = (e: number) => [
      `epochBegin ${e}`,
      'batchBegin 0 size 4',
      'batchEnd 0',
      'batchBegin 1 size 4',
      'batchEnd 1',
      'batchBegin 2 size 2',
      'batchEnd 2',
      `epochEnd ${e}`,
    ];
    expect(calls).toEqual(['trainBegin', ...epoch(0), ...epoch(1), 'trainEnd']);
    for (const logs of batchLogs) {
      expect(Object.keys(logs).sort()).toEqual(['accuracy', 'batch', 'loss', 'size']);
      expect(Number.isFinite(logs.loss)).toBe(true);
    }
    expect(batchLogs.map((l) => l.batch)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(batchLogs.map((l) => l.size)).toEqual([4, 4, 2, 4, 4, 2]);
    // the epoch's loss is the example-weighted mean of its batch losses
    const b0 = batchLogs.slice(0, 3);
    expect(epochLogs[0].loss).toBeCloseTo((b0[0].loss * 4 + b0[1].loss * 4 + b0[2].loss * 2) / 10, 6);
    // the epoch's accuracy is the last batch's running accuracy
    expect(epochLogs[0].accuracy).toBe(b0[2].accuracy);
    expect(epochLogs.map((l) => l.loss)).toEqual(h.history.loss);
    expect(epochLogs.map((l) => l.accuracy)).toEqual(h.history.accuracy);
    m.dispose();
  });

  it('accepts a list of callback objects, called in list order', async () => {
    const m = makeModel();
    const calls: string[] = [];
    await m.fit(x, y, {
      epochs: 1,
      batchSize: ROWS,
      verbose: 0,
      callbacks: [{ onEpochEnd: () => void calls.push('a') }, { onEpochEnd: () => void calls.push('b') }],
    });
    expect(calls).toEqual(['a', 'b']);
    m.dispose();
  });

  it('model.stopTraining = true in onBatchEnd ends fit after that batch', async () => {
    const m = makeModel();
    let batches = 0;
    const h = await m.fit(x, y, {
      epochs: 5,
      batchSize: 2,
      verbose: 0,
      callbacks: {
        onBatchEnd: (b) => {
          batches++;
          if (b === 1) m.stopTraining = true;
        },
      },
    });
    expect(batches).toBe(2);
    expect(h.epoch).toEqual([0]);
    // the next fit starts afresh
    const h2 = await m.fit(x, y, { epochs: 2, batchSize: ROWS, verbose: 0 });
    expect(h2.epoch).toEqual([0, 1]);
    m.dispose();
  });

  it('model.stopTraining = true in onEpochEnd ends fit after that epoch', async () => {
    const m = makeModel();
    const h = await m.fit(x, y, {
      epochs: 10,
      verbose: 0,
      callbacks: {
        onEpochEnd: (e) => {
          if (e === 2) m.stopTraining = true;
        },
      },
    });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(h.history.loss).toHaveLength(3);
    m.dispose();
  });

  it('awaits async callbacks before going on', async () => {
    const m = makeModel();
    const calls: string[] = [];
    const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
    await m.fit(x, y, {
      epochs: 2,
      batchSize: 5,
      verbose: 0,
      callbacks: {
        onEpochBegin: async (e) => {
          await sleep(5);
          calls.push(`epochBegin ${e} done`);
        },
        onBatchEnd: async (b) => {
          await sleep(2);
          calls.push(`batchEnd ${b} done`);
        },
        onEpochEnd: async (e) => {
          await sleep(5);
          calls.push(`epochEnd ${e} done`);
        },
        onTrainEnd: async () => {
          await sleep(5);
          calls.push('trainEnd done');
        },
      },
    });
    expect(calls).toEqual([
      'epochBegin 0 done',
      'batchEnd 0 done',
      'batchEnd 1 done',
      'epochEnd 0 done',
      'epochBegin 1 done',
      'batchEnd 0 done',
      'batchEnd 1 done',
      'epochEnd 1 done',
      'trainEnd done',
    ]);
    m.dispose();
  });

  it('an error thrown by a callback rejects fit', async () => {
    const m = makeModel();
    await expect(
      m.fit(x, y, {
        verbose: 0,
        callbacks: {
          onEpochEnd: () => {
            throw new Error('from callback');
          },
        },
      }),
    ).rejects.toThrow('from callback');
    m.dispose();
  });

  it('fit yields to the event loop: a timer set before fit fires during it', async () => {
    const m = makeModel();
    let fired = false;
    let firedDuringFit = false;
    setTimeout(() => {
      fired = true;
    }, 0);
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        /* a slow, synchronous callback */
      }
    };
    // default yieldEvery (50 ms): 20 batches of at least 5 ms each take over 100 ms
    await m.fit(x, y, {
      epochs: 4,
      batchSize: 2,
      verbose: 0,
      callbacks: {
        onBatchEnd: () => busy(5),
        onTrainEnd: () => {
          firedDuringFit = fired;
        },
      },
    });
    expect(firedDuringFit).toBe(true);
    // with yieldEvery 0 it yields after every batch, even in a short fit
    fired = false;
    firedDuringFit = false;
    setTimeout(() => {
      fired = true;
    }, 0);
    await m.fit(x, y, {
      epochs: 1,
      batchSize: 5,
      verbose: 0,
      yieldEvery: 0,
      callbacks: {
        onTrainEnd: () => {
          firedDuringFit = fired;
        },
      },
    });
    expect(firedDuringFit).toBe(true);
    m.dispose();
  });

  it('rejects callbacks that are not objects of functions', async () => {
    const m = makeModel();
    await expect(m.fit(x, y, { verbose: 0, callbacks: [42 as never] })).rejects.toThrow(/callbacks\[0\]/);
    await expect(m.fit(x, y, { verbose: 0, callbacks: { onEpochEnd: 'no' as never } })).rejects.toThrow(
      /onEpochEnd must be a function/,
    );
    m.dispose();
  });
});
