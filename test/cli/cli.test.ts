import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { labelProblem, loadData } from '../../src/cli/load-data.js';
import * as nn from '../../src/index.js';

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
  it('--explain 2 prints the top features of two test examples and a distilled rule list with its fidelity', async () => {
    const { code, stdout } = await start('--data', 'iris', '--explain', '2');
    expect(code).toBe(0);
    expect(stdout).toContain(
      'Integrated gradients (50 steps, baseline 0 = the mean after scaling) of 2 test examples:',
    );
    expect(stdout).toMatch(/example 2: predicted "\w+" \(p = \d\.\d{3}\), label "\w+", completeness error/);
    expect(stdout).toMatch(/ {2}petal (width|length) \(cm\) +[+-]\d\.\d{3} {2}[+-]█+/);
    const fidelity = Number(/gives the network's class on (\d+\.\d+)% of the 38 test examples/.exec(stdout)?.[1]);
    expect(fidelity).toBeGreaterThanOrEqual(90);
    expect(stdout).toMatch(/ {2}IF .* THEN \w+ {2}\(support \d\.\d{3}, precision \d\.\d{3}\)/);
    expect(stdout).toMatch(/ {2}ELSE \w+ {2}\(support/);
    const bad = await start('--data', 'spam', '--explain', '3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--explain: explains the tabular model of one split, not the spam filter');
    const zero = await start('--explain', '0');
    expect(zero.stderr).toContain('--explain: expected a positive integer, got "0"');
  }, 120_000);

  it('trains the classic Keras example model on digits to at least 97% test accuracy', async () => {
    const { code, stdout } = await start();
    expect(code).toBe(0);
    expect(stdout).toContain('Epoch 50/50');
    expect(stdout).toMatch(/val_accuracy: \d\.\d{4}/);
    const accuracy = Number(/accuracy (\d+\.\d+)% on 450 held-out examples/.exec(stdout)?.[1]);
    expect(accuracy).toBeGreaterThanOrEqual(97);
    expect(stdout).toMatch(/training: \d+ samples\/s/);
  }, 120_000);

  it('--data spam trains the text classifier on the SpamAssassin emails to at least 98.5% test accuracy', async () => {
    const { code, stdout } = await start('--data', 'spam');
    expect(code).toBe(0);
    expect(stdout).toContain('6046 emails, 1896 spam');
    expect(stdout).toContain('Epoch 10/10');
    const m = /accuracy (\d+\.\d+)%, spam precision (\d+\.\d+)%, spam recall (\d+\.\d+)% on 1210 held-out emails/.exec(
      stdout,
    );
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(98.5);
    expect(Number(m?.[2])).toBeGreaterThan(95);
    expect(Number(m?.[3])).toBeGreaterThan(95);
    expect(stdout).toMatch(/training: 10 epochs in \d+\.\d+ s/);
    const bad = await start('--data', 'spam', '--kfold', '3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--kfold applies to the tabular data sets, not to spam');
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

describe('npm start on CSV files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurasm-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help prints the usage on stdout and exits 0', async () => {
    const help = await start('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm start');
    expect(help.stdout).toContain('--label COLUMN');
    expect(help.stderr).toBe('');
    expect((await start('-h')).code).toBe(0);
  }, 60_000);

  it("trains on the project's datasets/iris.csv (scikit-learn's first line) without validation", async () => {
    const { code, stdout, stderr } = await start(
      '--data',
      'datasets/iris.csv',
      '--epochs',
      '2',
      '--hidden',
      '8',
      '--validation-split',
      '0',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('150 examples, 4 features, 3 classes');
    expect(stdout).toContain('Epoch 2/2');
    expect(stdout).not.toContain('val_');
    expect(stdout).toMatch(/test: loss \d/);
  }, 60_000);

  it('takes string labels from the column --label names, by name or by index', async () => {
    const file = join(dir, 'labelled.csv');
    const rows = ['kind,a,b,id'];
    for (let i = 0; i < 40; i++) rows.push(`${i % 2 ? 'cat' : 'dog'},${i % 2},${(i * 7) % 5},${i}`);
    writeFileSync(file, rows.join('\n'));
    for (const label of ['kind', '0']) {
      const { code, stdout } = await start('--data', file, '--label', label, '--epochs', '1', '--hidden', '4');
      expect(code).toBe(0);
      expect(stdout).toContain('40 examples, 3 features, 2 classes');
      expect(stdout).toContain('label column "kind"');
    }
    const wrong = await start('--data', file, '--label', 'species');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('label column "species" not found; the columns are "kind", "a", "b", "id"');
  }, 60_000);

  it('says what a label column unfit for classification holds', async () => {
    const one = join(dir, 'one.csv');
    writeFileSync(one, 'a,y\n1,1\n2,1\n3,1\n');
    const r = await start('--data', one);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the label column "y" has one class (1); classification needs at least 2');
  }, 60_000);
});

describe('labelProblem', () => {
  it('names one class, non-integer values with their row, and accepts two classes', async () => {
    await nn.ready();
    const cases: [string, string | null][] = [
      ['a,y\n1,1\n2,1\n', 'the label column "y" has one class (1); classification needs at least 2'],
      ['a,y\n1,0\n2,0\n', 'the label column "y" has one class (0); classification needs at least 2'],
      ['a,kind\n1,cat\n2,cat\n', 'the label column "kind" has one class (cat); classification needs at least 2'],
      ['a,y\n1,1\n2,0\n3,0.5\n', 'the label column "y" has non-integer values (e.g. 0.5 at row 3)'],
      ['a,y\n1,1\n2,0\n', null],
    ];
    for (const [text, problem] of cases) {
      const csv = nn.data.parseCsv(text);
      if (problem === null) expect(labelProblem(csv)).toBeNull();
      else expect(labelProblem(csv)).toContain(problem);
      nn.dispose([csv.x, csv.y]);
    }
  });
});

describe('loadData', () => {
  it('refuses --label with a built-in data set, and a --data that is neither', async () => {
    await expect(loadData('iris', 0)).rejects.toThrow(
      /--label applies to a CSV file, not to the built-in data set "iris"/,
    );
    await expect(loadData('iris.txt', null)).rejects.toThrow(UsageError);
  });
});

describe('parseArgs', () => {
  it('rejects empty hidden widths, takes --validation-split 0, --label and --help', () => {
    expect(() => parseArgs(['--hidden', ''])).toThrow(/--hidden: expected comma-separated layer widths/);
    expect(() => parseArgs(['--hidden', '8,,8'])).toThrow(/--hidden: .*got "8,,8" \(an empty width\)/);
    expect(() => parseArgs(['--hidden', '8,'])).toThrow(UsageError);
    expect(parseArgs(['--hidden', ' 8 , 4 ']).hidden).toEqual([8, 4]);
    expect(parseArgs(['--validation-split', '0']).validationSplit).toBe(0);
    expect(() => parseArgs(['--validation-split', ''])).toThrow(/--validation-split: expected a number from 0/);
    expect(() => parseArgs(['--validation-split', '1'])).toThrow(UsageError);
    expect(() => parseArgs(['--test-size', '0'])).toThrow(/--test-size: expected a number between 0 and 1/);
    expect(() => parseArgs(['--seed', ''])).toThrow(/--seed: expected an integer/);
    expect(parseArgs(['--label', 'species']).label).toBe('species');
    expect(parseArgs(['--label=-1']).label).toBe(-1);
    expect(parseArgs(['--label', '0']).label).toBe(0);
    expect(parseArgs([]).label).toBeNull();
    expect(() => parseArgs(['--label', ''])).toThrow(/--label: expected a column name or index/);
    expect(parseArgs(['--help']).help).toBe(true);
    expect(parseArgs(['-h']).help).toBe(true);
  });

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
