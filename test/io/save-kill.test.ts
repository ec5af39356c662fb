// model.save('file://dir') under SIGKILL: a child process saves two models alternately into one
// directory and is killed at a random moment, 100 times; after every kill the directory loads as
// one of the two models (never a mix of them, never nothing), and the next save clears what the
// killed one left.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { tempDir } from './helpers.js';
import { bundleChild, type Expected, killLoop, leftoverFiles } from './kill-loop.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

let work: string;
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Two models of the same shapes (so a mix of their files would load), told apart by name and weights. */
function makeModel(name: string, seed: number): nn.Sequential {
  nn.setSeed(seed);
  return nn.sequential({
    name,
    layers: [
      nn.layers.dense({ units: 256, activation: 'relu', inputShape: [256], name: `${name}_hidden` }),
      nn.layers.dense({ units: 4, name: `${name}_out` }),
    ],
  });
}

describe('file:// save under SIGKILL', () => {
  it('100 kills at random moments: 0 unloadable, 0 mixed, leftovers cleared by the next save', async () => {
    work = await tempDir();
    const inputs = join(work, 'inputs');
    await mkdir(inputs);
    const expected: Expected[] = [];
    for (const [name, seed] of [
      ['a', 1],
      ['b', 2],
    ] as const) {
      const model = makeModel(name, seed);
      const { weightData, ...rest } = await nn.io.modelArtifacts(model);
      await writeFile(join(inputs, `${name}.json`), JSON.stringify(rest));
      await writeFile(join(inputs, `${name}.bin`), new Uint8Array(weightData as ArrayBuffer));
      expected.push({ name, weights: model.weights.map((v) => v.dataSync().slice() as Float32Array) });
      if (name === 'a') await model.save(`file://${join(work, 'model')}`);
      model.dispose();
    }
    const child = join(work, 'child.mjs');
    await bundleChild(join(import.meta.dirname, 'save-kill-child.ts'), child);
    const dir = join(work, 'model');
    const start = Date.now();
    const r = await killLoop({ child, dir, inputs, rounds: 100, expected });
    const counts =
      `unloadable ${r.unloadable}, mixed ${r.mixed}, leftovers ${r.leftovers} (at most ${r.maxLeftovers}) ` +
      `after ${r.rounds} kills in ${Date.now() - start} ms (${r.saves} saves finished, ${r.saveMs.toFixed(1)} ms each; ` +
      `loaded ${JSON.stringify(r.loaded)}) ${r.errors.join('; ')}`;
    expect(r.unloadable, counts).toBe(0);
    expect(r.mixed, counts).toBe(0);
    // the kills fell between saves and within them: both models were found
    expect(r.loaded.a, counts).toBeGreaterThan(5);
    expect(r.loaded.b, counts).toBeGreaterThan(5);
    // a killed save leaves at most its own few files: the next save starts by removing them
    expect(r.maxLeftovers, counts).toBeLessThanOrEqual(3);
    const last = makeModel('b', 2);
    await last.save(`file://${dir}`);
    last.dispose();
    expect(await leftoverFiles(dir), counts).toEqual([]);
  });
});
