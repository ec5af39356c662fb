// Review: a trace reads tensors it did not make (a loss's or a layer's constants, another trace's
// tensors, the weights) at fixed addresses; nothing keeps them alive or checks them at replay.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** evaluate's loss as a number, or the error's class name. */
function lossOrError(m: nn.Sequential, x: nn.Tensor, y: nn.Tensor, batchSize = 4): number | string {
  try {
    const t = m.evaluate(x, y, { batchSize }) as nn.Tensor;
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

describe('a replay never reads memory that is no longer what the recorded run read', () => {
  it("a loss's constant disposed after the recording: DisposedError (as eagerly), not another tensor's values", () => {
    nn.setSeed(1);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [3] })] });
    const scale = nn.tensor([1, 1]);
    m.compile({ optimizer: 'sgd', loss: (yt, yp) => nn.mean(nn.mul(nn.square(nn.sub(yt, yp)), scale)) });
    const x = nn.randomNormal([8, 3]);
    const y = nn.randomNormal([8, 2]);
    const recorded = lossOrError(m, x, y);
    expect(typeof recorded).toBe('number');
    scale.dispose();
    const junk = [0, 1, 2, 3].map(() => nn.fill([2], 1000)); // takes the freed block
    const replayed = lossOrError(m, x, y);
    expect(replayed === recorded || replayed === 'DisposedError').toBe(true);
    nn.dispose(junk);
    m.dispose();
  });

  it('a tensor made in one trace and read by another: the second does not outlive it', () => {
    class Scale extends nn.layers.Layer {
      static readonly className = 'ReviewScale';
      private c: nn.Tensor | null = null;
      computeOutputShape(s: Array<number | null>) {
        return s;
      }
      call(x: nn.Tensor) {
        // a constant made lazily in the first call (while the first trace records)
        if (!this.c) this.c = nn.keep(nn.tensor([2, 2, 2]));
        return nn.mul(x, this.c);
      }
    }
    const m = nn.sequential({ layers: [new Scale({ inputShape: [3] })] });
    const predict2 = () => {
      try {
        const p = m.predict(nn.ones([2, 3]));
        const v = Array.from(p.dataSync());
        p.dispose();
        return v;
      } catch (e) {
        return (e as Error).constructor.name;
      }
    };
    m.predict(nn.ones([6, 3]), { batchSize: 4 }).dispose(); // traces for 4 rows (makes c) and 2 rows (reads c)
    expect(predict2()).toEqual([2, 2, 2, 2, 2, 2]);
    // evict the 4-row trace (6 steps are cached): it frees c's block
    for (const bs of [5, 7, 8, 9, 10]) {
      try {
        m.predict(nn.ones([bs, 3]), { batchSize: bs }).dispose();
      } catch {
        // recording again needs c, which went with its trace
      }
    }
    const junk = [0, 1, 2, 3, 4, 5].map(() => nn.fill([3], 77));
    const after = predict2();
    expect(after === 'DisposedError' || JSON.stringify(after) === JSON.stringify([2, 2, 2, 2, 2, 2])).toBe(true);
    nn.dispose(junk);
  });

  it('a tensor made before the recording, read and disposed during it: the replay reads what the recorded run read', () => {
    let w: nn.Tensor = nn.keep(nn.tensor([1, 1]));
    const loss = (yt: nn.Tensor, yp: nn.Tensor) => {
      const l = nn.mean(nn.mul(nn.square(nn.sub(yt, yp)), w));
      w.dispose(); // a one-shot weight tensor
      return l;
    };
    nn.setSeed(3);
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 2, inputShape: [3] })] });
    m.compile({ optimizer: 'sgd', loss });
    const x = nn.randomNormal([4, 3]);
    const y = nn.randomNormal([4, 2]);
    const first = lossOrError(m, x, y);
    const junk = [0, 1, 2].map(() => nn.fill([2], 1000));
    w = nn.keep(nn.tensor([1, 1]));
    // eagerly the loss would read the new w (values 1, 1): the same loss again
    expect(lossOrError(m, x, y)).toBe(first);
    nn.dispose(junk);
    m.dispose();
  });

  it('a layer disposed by a callback during fit: a DisposedError, not an internal TypeError', async () => {
    nn.setSeed(1);
    const m = nn.sequential({
      layers: [
        nn.layers.dense({ units: 4, inputShape: [3] }),
        nn.layers.batchNormalization({}),
        nn.layers.dense({ units: 2 }),
      ],
    });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nn.randomNormal([16, 3]);
    const y = nn.randomNormal([16, 2]);
    const fit = m.fit(x, y, {
      batchSize: 4,
      verbose: 0,
      callbacks: {
        onBatchEnd: (batch) => {
          if (batch === 1) m.layers[1].dispose();
        },
      },
    });
    await expect(fit).rejects.toBeInstanceOf(nn.DisposedError);
  });
});
