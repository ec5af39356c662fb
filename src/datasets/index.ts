/**
 * Small real data sets embedded in the package (`neurasm/datasets`), for examples, tests and the
 * CLI: nothing is fetched at run time. The CSV files are stored gzipped and decoded with the
 * platform's `DecompressionStream`, so the same code runs in Node (>= 18) and browsers.
 * @module
 */
import { fromBase64 } from '../backend/base64.js';
import { parseCsvAs } from '../data/csv.js';
import { BackendError, ValueError } from '../errors.js';
import { fromFlat } from '../ops/create.js';
import type { Tensor } from '../ops/tensor.js';
import { describe } from '../ops/validate.js';
import { CATALOG, type DatasetInfo } from './catalog.js';
import { EMBEDDED_DATASETS } from './embedded.generated.js';

/** Names of the embedded data sets. */
export type DatasetName = 'digits' | 'iris' | 'wine' | 'breast-cancer';

/** The names `loadDataset` accepts. */
export const datasetNames: readonly DatasetName[] = Object.freeze(['digits', 'iris', 'wine', 'breast-cancer'] as const);

/** A loaded data set. The caller owns `x` and `y`: `nn.dispose(dataset)` frees both. */
export interface Dataset {
  /** The name it was loaded by. */
  name: DatasetName;
  /** Features, float32 [samples, features]. */
  x: Tensor;
  /** Class indices, int32 [samples]. */
  y: Tensor;
  /** Number of classes (the length of `classNames`). */
  numClasses: number;
  /** The class of each index in `y`. */
  classNames: string[];
  /** The name of each feature column. */
  featureNames: string[];
  /** One line of provenance: title, authors, year, licence, what the rows are. */
  description: string;
}

interface Parsed {
  x: Float32Array;
  y: Int32Array;
  rows: number;
  classNames: string[];
}

const cache = new Map<DatasetName, Promise<Parsed>>();

/** Gunzips bytes to text with the platform's DecompressionStream. */
async function gunzipText(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  if (typeof DecompressionStream !== 'function') {
    throw new BackendError(
      "loadDataset: this platform lacks DecompressionStream('gzip') (Node >= 18 and current browsers have it)",
    );
  }
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/**
 * Parses one embedded file. All but digits start with a line `rows,features,class names...`;
 * the numbers are checked against what was parsed, so a damaged file cannot pass unnoticed.
 */
async function parse(name: DatasetName): Promise<Parsed> {
  const op = `loadDataset "${name}"`;
  const info: DatasetInfo = CATALOG[name];
  let text = await gunzipText(fromBase64(EMBEDDED_DATASETS[name]));
  let classNames = info.classNames;
  let expectedRows: number | undefined;
  if (!classNames) {
    const end = text.indexOf('\n');
    const meta = text.slice(0, end).trim().split(',');
    expectedRows = Number(meta[0]);
    if (Number(meta[1]) !== info.featureNames.length) {
      throw new ValueError(`${op}: the file declares ${meta[1]} features, expected ${info.featureNames.length}`);
    }
    classNames = meta.slice(2);
    text = text.slice(end + 1);
  }
  const parsed = parseCsvAs(op, text, { header: false });
  try {
    const [rows, features] = parsed.x.shape;
    if (features !== info.featureNames.length || (expectedRows !== undefined && rows !== expectedRows)) {
      throw new ValueError(
        `${op}: parsed ${rows} rows of ${features} features, expected ${expectedRows ?? 'any number of'} rows of ${info.featureNames.length}`,
      );
    }
    const y = parsed.y.dataSync<'int32'>();
    if (parsed.y.dtype !== 'int32' || parsed.classNames.length > classNames.length) {
      throw new ValueError(`${op}: labels must be class indices below ${classNames.length}`);
    }
    return { x: parsed.x.dataSync(), y, rows, classNames };
  } finally {
    parsed.x.dispose();
    parsed.y.dispose();
  }
}

/**
 * Loads an embedded data set as tensors: `x` float32 [samples, features], `y` int32 class indices.
 * The files are decoded once and cached as plain arrays; every call returns new tensors.
 *
 * | name | samples | features | classes |
 * |---|---|---|---|
 * | `'digits'` | 1797 | 64 (8x8 pixels, 0..16) | 10 |
 * | `'iris'` | 150 | 4 | 3 |
 * | `'wine'` | 178 | 13 | 3 |
 * | `'breast-cancer'` | 569 | 30 | 2 (malignant, benign) |
 *
 * @example
 * const { x, y, numClasses } = await loadDataset('iris');
 */
export async function loadDataset(name: DatasetName): Promise<Dataset> {
  if (!datasetNames.includes(name)) {
    throw new ValueError(
      `loadDataset: unknown data set ${describe(name)}; expected one of ${datasetNames.map((n) => `'${n}'`).join(', ')}`,
    );
  }
  let pending = cache.get(name);
  if (!pending) {
    pending = parse(name);
    cache.set(name, pending);
    pending.catch(() => cache.delete(name));
  }
  const data = await pending;
  const info = CATALOG[name];
  const x = fromFlat([data.rows, info.featureNames.length], 'float32', data.x);
  const y = fromFlat([data.rows], 'int32', data.y);
  return {
    name,
    x,
    y,
    numClasses: data.classNames.length,
    classNames: [...data.classNames],
    featureNames: [...info.featureNames],
    description: info.description,
  };
}

export type { LoadSpamOptions, SpamCorpus } from './spam.js';
export { loadSpam } from './spam.js';
