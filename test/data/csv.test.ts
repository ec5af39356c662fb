import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../src/data/index.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const rows = (t: nn.Tensor) => t.arraySync();

describe('parseCsv', () => {
  it('detects a header, takes the last column as label and encodes string labels in sorted order', () => {
    const start = nn.memory().numTensors;
    const out = parseCsv('a, b ,kind\n1,2,dog\n\n3.5,-4e1,cat\r\n  \n5,.5,dog\n');
    expect(out.featureNames).toEqual(['a', 'b']);
    expect(out.labelName).toBe('kind');
    expect(out.classNames).toEqual(['cat', 'dog']);
    expect(out.x.shape).toEqual([3, 2]);
    expect(rows(out.x)).toEqual([
      [1, 2],
      [3.5, -40],
      [5, 0.5],
    ]);
    expect(out.y.dtype).toBe('int32');
    expect(Array.from(out.y.dataSync())).toEqual([1, 0, 1]);
    expect(nn.memory().numTensors).toBe(start + 2);
    nn.dispose([out.x, out.y]);
    expect(nn.memory().numTensors).toBe(start);
  });

  it('uses integer labels as class indices, without a header, with generated names', () => {
    const out = parseCsv('0.1,0.2,2\n0.3,0.4,0\n');
    expect(out.featureNames).toEqual(['col0', 'col1']);
    expect(out.labelName).toBe('col2');
    expect(out.classNames).toEqual(['0', '1', '2']);
    expect(Array.from(out.y.dataSync())).toEqual([2, 0]);
    expect(out.y.dtype).toBe('int32');
    nn.dispose([out.x, out.y]);
  });

  it('takes the label by name or index (negative from the end), anywhere in the row', () => {
    const text = 'species,len,width\nb,1,2\na,3,4\n';
    const byName = parseCsv(text, { label: 'species' });
    const byIndex = parseCsv(text, { label: 0 });
    const byNegative = parseCsv(text, { label: -3 });
    for (const out of [byName, byIndex, byNegative]) {
      expect(out.featureNames).toEqual(['len', 'width']);
      expect(out.labelName).toBe('species');
      expect(rows(out.x)).toEqual([
        [1, 2],
        [3, 4],
      ]);
      expect(Array.from(out.y.dataSync())).toEqual([1, 0]);
      nn.dispose([out.x, out.y]);
    }
  });

  it('honours header: true for numeric header names and header: false', () => {
    const withHeader = parseCsv('10,20,30\n1,2,0\n', { header: true });
    expect(withHeader.featureNames).toEqual(['10', '20']);
    expect(withHeader.x.shape).toEqual([1, 2]);
    const without = parseCsv('1,2,0\n3,4,1\n', { header: false });
    expect(without.x.shape).toEqual([2, 2]);
    nn.dispose([withHeader, without].flatMap((o) => [o.x, o.y]));
  });

  it('reads quoted cells with delimiters, quotes and a custom delimiter', () => {
    const out = parseCsv('"x, first";"say ""hi""";label\n1;2;"a;b"\n3;4;c\n', { delimiter: ';' });
    expect(out.featureNames).toEqual(['x, first', 'say "hi"']);
    expect(out.classNames).toEqual(['a;b', 'c']);
    nn.dispose([out.x, out.y]);
  });

  it('encodes negative integer labels by sorted value and keeps non-integer labels as float values', () => {
    const signs = parseCsv('1,-1\n2,1\n3,-1\n');
    expect(signs.classNames).toEqual(['-1', '1']);
    expect(Array.from(signs.y.dataSync())).toEqual([0, 1, 0]);
    const values = parseCsv('1,0.5\n2,1\n');
    expect(values.y.dtype).toBe('float32');
    expect(Array.from(values.y.dataSync())).toEqual([0.5, 1]);
    expect(values.classNames).toEqual([]);
    nn.dispose([signs.x, signs.y, values.x, values.y]);
  });

  it('names the row, line and column of a ragged row or a bad cell, and leaks nothing', () => {
    const start = nn.memory().numTensors;
    expect(() => parseCsv('a,b,c\n1,2,0\n1,2\n')).toThrow(
      /parseCsv: row 2 \(line 3\) has 2 cells, expected 3 like the header/,
    );
    expect(() => parseCsv('a,b,c\n1,2,0\n\n1,x,1\n')).toThrow(
      /parseCsv: row 2 \(line 4\), column "b" \(index 1\): expected a number, got "x"/,
    );
    expect(() => parseCsv('1,2,0\n1,,1\n')).toThrow(
      /row 2 \(line 2\), column "col1" \(index 1\): expected a number, got ""/,
    );
    expect(() => parseCsv('1,2,0\n1,NaN,1\n')).toThrow(nn.ValueError);
    expect(() => parseCsv('1,2,0\n1,2,3,4\n')).toThrow(/row 2 \(line 2\) has 4 cells, expected 3 like the first row/);
    expect(() => parseCsv('1,x,0\n1,2,0\n')).toThrow(/row 1 \(line 1\).*pass header: true/);
    expect(() => parseCsv('a,b,c\n1,2,\n')).toThrow(/row 1 \(line 2\), column "c" \(index 2\): the label is empty/);
    expect(nn.memory().numTensors).toBe(start);
  });

  it('rejects bad options and degenerate texts clearly', () => {
    expect(() => parseCsv('')).toThrow(/no rows/);
    expect(() => parseCsv('\n\n')).toThrow(/no rows/);
    expect(() => parseCsv('a,b\n')).toThrow(/header but no data rows/);
    expect(() => parseCsv('1\n2\n')).toThrow(/at least 2 columns/);
    expect(() => parseCsv('a,b\n1,2\n', { label: 'c' })).toThrow(
      /label column "c" not found; the columns are "a", "b"/,
    );
    expect(() => parseCsv('a,a\n1,2\n', { label: 'a' })).toThrow(/more than one column/);
    expect(() => parseCsv('1,2\n', { label: 2 })).toThrow(/label to be an integer in \[-2, 1\], got 2/);
    expect(() => parseCsv('1,2\n', { label: 'x', header: false })).toThrow(/needs a header/);
    expect(() => parseCsv('1,2\n', { delimiter: '::' })).toThrow(/delimiter/);
    expect(() => parseCsv('"a,b\n1,2\n')).toThrow(/line 1: a quoted cell is never closed/);
    expect(() => parseCsv('"a"x,b\n1,2\n')).toThrow(/unexpected "x" after a quoted cell/);
    expect(() => parseCsv(42 as never)).toThrow(/expected the CSV text to be a string, got 42/);
    expect(() => parseCsv('1,99999999\n')).toThrow(/too large for a class index/);
  });
});

describe("parseCsv on scikit-learn's files", () => {
  it('reads a first line `rows,features,class names...` as the class names of the last column', () => {
    const out = parseCsv('3,2,setosa,versicolor,virginica\n5.1,3.5,0\n4.9,3.0,2\n6.3,2.9,1\n');
    expect(out.x.shape).toEqual([3, 2]);
    expect(out.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(out.y.dataSync())).toEqual([0, 2, 1]);
    expect(out.featureNames).toEqual(['col0', 'col1']);
    expect(out.labelName).toBe('col2');
    nn.dispose([out.x, out.y]);
    // the first line's width need not match the rows' (wine: 5 cells, rows of 14)
    const wide = parseCsv('2,4,class_0,class_1\n1,2,3,4,1\n5,6,7,8,0\n');
    expect(wide.x.shape).toEqual([2, 4]);
    expect(wide.classNames).toEqual(['class_0', 'class_1']);
    nn.dispose([wide.x, wide.y]);
  });

  it("reads the project's own datasets/*.csv files", async () => {
    for (const [file, shape, classes] of [
      ['iris.csv', [150, 4], ['setosa', 'versicolor', 'virginica']],
      ['wine_data.csv', [178, 13], ['class_0', 'class_1', 'class_2']],
      ['breast_cancer.csv', [569, 30], ['malignant', 'benign']],
    ] as const) {
      const out = await readCsv(join(import.meta.dirname, '../../datasets', file));
      expect(out.x.shape).toEqual(shape);
      expect(out.classNames).toEqual(classes);
      nn.dispose([out.x, out.y]);
    }
  });

  it('rejects a label outside the named classes and a label column other than the last', () => {
    const start = nn.memory().numTensors;
    expect(() => parseCsv('2,1,a,b\n1,0\n2,2\n')).toThrow(
      /row 2 \(line 3\), column "col1" \(index 1\): expected a class index in \[0, 2\) as the first line names 2 classes, got "2"/,
    );
    expect(() => parseCsv('2,1,a,b\n1,0\n2,1\n', { label: 0 })).toThrow(/the label is the last column; got label 0/);
    expect(nn.memory().numTensors).toBe(start);
  });

  it('keeps numeric rows that happen to match the counts as data, and honours header: false', () => {
    const numeric = parseCsv('2,2,0\n1,1,1\n3,3,0\n');
    expect(numeric.x.shape).toEqual([3, 2]);
    const off = () => parseCsv('2,1,a,b\n1,0\n2,1\n', { header: false });
    expect(off).toThrow(/expected a number, got "a"/);
    nn.dispose([numeric.x, numeric.y]);
  });
});

describe('readCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurasm-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names the file in parse errors', async () => {
    const ok = join(dir, 'ok.csv');
    writeFileSync(ok, 'f1,f2,label\n1,2,yes\n3,4,no\n');
    const out = await readCsv(ok, { label: 'label' });
    expect(out.x.shape).toEqual([2, 2]);
    expect(out.classNames).toEqual(['no', 'yes']);
    nn.dispose([out.x, out.y]);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'f1,f2,label\n1,oops,yes\n');
    await expect(readCsv(bad)).rejects.toThrow(`readCsv "${bad}": row 1 (line 2), column "f2" (index 1)`);
  });

  it('reports a missing file or a directory with its path', async () => {
    const missing = join(dir, 'nope.csv');
    await expect(readCsv(missing)).rejects.toThrow(nn.ValueError);
    await expect(readCsv(missing)).rejects.toThrow(`readCsv: file not found: "${missing}"`);
    await expect(readCsv(dir)).rejects.toThrow(/is a directory/);
    await expect(readCsv('' as never)).rejects.toThrow(/non-empty string/);
  });
});
