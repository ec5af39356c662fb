import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args.js';

const run = promisify(execFile);

/** Runs `npm start`'s program (src/cli/main.ts) as npm does, without the Wasm rebuild. */
async function start(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('npm start', () => {
  it('trains the request model on digits to at least 97% test accuracy', async () => {
    const { code, stdout } = await start();
    expect(code).toBe(0);
    expect(stdout).toContain('Epoch 50/50');
    expect(stdout).toMatch(/val_accuracy: \d\.\d{4}/);
    const accuracy = Number(/accuracy (\d+\.\d+)% on 450 held-out examples/.exec(stdout)?.[1]);
    expect(accuracy).toBeGreaterThanOrEqual(97);
    expect(stdout).toMatch(/training: \d+ samples\/s/);
  }, 120_000);

  it('takes a CSV file with a header and the label last', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neurasm-cli-'));
    const file = join(dir, 'xor.csv');
    const rows = ['a,b,label'];
    for (let i = 0; i < 200; i++) {
      const a = ((i * 7919) % 100) / 100;
      const b = ((i * 104729) % 100) / 100;
      rows.push(`${a},${b},${a > 0.5 !== b > 0.5 ? 'yes' : 'no'}`);
    }
    writeFileSync(file, rows.join('\n'));
    const { code, stdout } = await start('--data', file, '--epochs', '3', '--hidden', '8');
    expect(code).toBe(0);
    expect(stdout).toContain('200 examples, 2 features, 2 classes');
    expect(stdout).toMatch(/test: loss \d/);
  }, 120_000);

  it('exits 2 with the usage text on a bad flag, and 1 with the error on a bad file', async () => {
    const bad = await start('--epochs', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--epochs: expected a positive integer, got "0"');
    expect(bad.stderr).toContain('Usage: npm start');
    const missing = await start('--data', 'no/such/file.csv');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/file not found/);
  }, 120_000);
});

describe('parseArgs', () => {
  it('reads every flag, in both spellings', () => {
    const o = parseArgs([
      '--data=iris',
      '--epochs',
      '7',
      '--batch-size',
      '16',
      '--hidden',
      '32,16',
      '--lr',
      '0.01',
      '--seed',
      '3',
    ]);
    expect(o).toMatchObject({ data: 'iris', epochs: 7, batchSize: 16, hidden: [32, 16], lr: 0.01, seed: 3 });
    expect(() => parseArgs(['--frobnicate'])).toThrow(UsageError);
    expect(() => parseArgs(['--hidden', '8,x'])).toThrow(/--hidden: expected a positive integer, got "x"/);
    expect(() => parseArgs(['--lr'])).toThrow(/--lr: expected a value/);
  });
});
