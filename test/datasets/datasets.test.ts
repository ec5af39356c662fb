import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetNames, loadDataset } from '../../src/datasets/index.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

/** The raw numeric rows of a file in datasets/, without its first line when it is the `n,features,...` line. */
function rawRows(file: string, skipFirst: boolean): number[][] {
  const bytes = readFileSync(new URL(`../../datasets/${file}`, import.meta.url));
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return (skipFirst ? lines.slice(1) : lines).map((l) => l.split(',').map(Number));
}

const expected = {
  digits: { file: 'digits.csv.gz', rows: 1797, features: 64, classes: 10, header: false, first: '0' },
  iris: { file: 'iris.csv', rows: 150, features: 4, classes: 3, header: true, first: 'setosa' },
  wine: { file: 'wine_data.csv', rows: 178, features: 13, classes: 3, header: true, first: 'class_0' },
  'breast-cancer': { file: 'breast_cancer.csv', rows: 569, features: 30, classes: 2, header: true, first: 'malignant' },
} as const;

describe('loadDataset', () => {
  it('lists the four data sets', () => {
    expect([...datasetNames]).toEqual(['digits', 'iris', 'wine', 'breast-cancer']);
    expect(Object.isFrozen(datasetNames)).toBe(true);
  });

  for (const name of datasetNames) {
    it(`loads ${name} with the right shapes and exactly the raw CSV values`, async () => {
      const e = expected[name];
      const start = nn.memory().numTensors;
      const ds = await loadDataset(name);
      expect(ds.name).toBe(name);
      expect(ds.x.shape).toEqual([e.rows, e.features]);
      expect(ds.x.dtype).toBe('float32');
      expect(ds.y.shape).toEqual([e.rows]);
      expect(ds.y.dtype).toBe('int32');
      expect(ds.numClasses).toBe(e.classes);
      expect(ds.classNames).toHaveLength(e.classes);
      expect(ds.classNames[0]).toBe(e.first);
      expect(ds.featureNames).toHaveLength(e.features);
      expect(new Set(ds.featureNames).size).toBe(e.features);
      expect(ds.description.length).toBeGreaterThan(20);

      const raw = rawRows(e.file, e.header);
      expect(raw).toHaveLength(e.rows);
      const x = ds.x.dataSync();
      const y = ds.y.dataSync<'int32'>();
      const xRaw = Float32Array.from(raw.flatMap((r) => r.slice(0, e.features)));
      expect(x).toEqual(xRaw);
      expect(Array.from(y)).toEqual(raw.map((r) => r[e.features]));
      // every class occurs
      expect(new Set(y).size).toBe(e.classes);
      expect(nn.memory().numTensors).toBe(start + 2);
      nn.dispose(ds);
      expect(nn.memory().numTensors).toBe(start);
    });
  }

  it('spot-checks values written out by hand from the files', async () => {
    const iris = await loadDataset('iris');
    expect(Array.from(iris.x.dataSync().slice(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    expect(iris.y.dataSync()[149]).toBe(2);
    expect(iris.featureNames[2]).toBe('petal length (cm)');
    const wine = await loadDataset('wine');
    expect(wine.x.dataSync()[12]).toBe(1065); // proline of the first wine
    expect(wine.featureNames[12]).toBe('proline');
    const bc = await loadDataset('breast-cancer');
    expect(bc.x.dataSync()[0]).toBe(Math.fround(17.99));
    expect(bc.x.dataSync()[29]).toBe(Math.fround(0.1189));
    expect(bc.classNames).toEqual(['malignant', 'benign']);
    expect(bc.featureNames[0]).toBe('mean radius');
    expect(bc.featureNames[29]).toBe('worst fractal dimension');
    const digits = await loadDataset('digits');
    expect(Array.from(digits.x.dataSync().slice(0, 8))).toEqual([0, 0, 5, 13, 9, 1, 0, 0]);
    expect(digits.y.dataSync()[0]).toBe(0);
    expect(digits.y.dataSync()[1]).toBe(1);
    expect(digits.featureNames[9]).toBe('pixel_1_1');
    nn.dispose([iris, wine, bc, digits]);
  });

  it('returns fresh tensors on each call (cached decoding)', async () => {
    const a = await loadDataset('iris');
    const b = await loadDataset('iris');
    expect(a.x).not.toBe(b.x);
    a.x.dispose();
    expect(b.x.dataSync()[0]).toBe(Math.fround(5.1));
    a.classNames.push('mutated');
    const c = await loadDataset('iris');
    expect(c.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    nn.dispose([a, b, c]);
  });

  it('rejects unknown names, listing the known ones', async () => {
    await expect(loadDataset('mnist' as never)).rejects.toThrow(nn.ValueError);
    await expect(loadDataset('mnist' as never)).rejects.toThrow(/unknown data set "mnist".*'digits', 'iris'/);
  });
});
