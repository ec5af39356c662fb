// Fuzzing the loader: valid files mutated (truncated, bytes flipped, keys dropped, values of the
// wrong type, values nested thousands of levels deep). Every case either loads a working model or throws ModelFormatError/ModelIOError;
// none crashes, hangs, leaks tensors or returns a broken model.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray, rng } from '../helpers/random.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

interface Files {
  name: string;
  json: string;
  bins: Map<string, Uint8Array>;
  inputShape: number[];
}

function fixture(dir: string, inputShape: number[]): Files {
  const json = readFileSync(join(FIXTURES, dir, 'model.json'), 'utf8');
  const bins = new Map<string, Uint8Array>();
  for (const p of JSON.parse(json).weightsManifest[0].paths as string[])
    bins.set(p, new Uint8Array(readFileSync(join(FIXTURES, dir, p))));
  return { name: dir, json, bins, inputShape };
}

async function neurasmFiles(quantize?: 'uint8'): Promise<Files> {
  nn.setSeed(4);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 6, activation: 'tanh', inputShape: [5] }),
      nn.layers.dropout({ rate: 0.2 }),
      nn.layers.batchNormalization(),
      nn.layers.gaussianNoise({ stddev: 0.1 }),
      nn.layers.dense({ units: 3 }),
      nn.layers.activation({ activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const xs = nn.tensor2d(randomArray(20, 1), [4, 5]);
  model.preprocessing = nn.data.standardScaler().fit(xs);
  xs.dispose();
  const a = await nn.io.modelArtifacts(model, { includeOptimizer: true, quantize });
  model.dispose();
  const json = JSON.stringify({
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    trainingConfig: a.trainingConfig,
    neurasm: a.neurasm,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  });
  return {
    name: `neurasm${quantize ? `-${quantize}` : ''}`,
    json,
    bins: new Map([['weights.bin', new Uint8Array(a.weightData as ArrayBuffer)]]),
    inputShape: [5],
  };
}

/** A handler serving the files from memory through the http handler (so model.json text is parsed). */
function handler(files: { json: string; bins: Map<string, Uint8Array> }): nn.io.IOHandler {
  const fetchFunc = (async (url: string) => {
    const name = url.slice('http://fuzz/'.length);
    if (name === 'model.json') return new Response(files.json);
    const bin = files.bins.get(name);
    return bin ? new Response(bin.slice()) : new Response('missing', { status: 404 });
  }) as typeof fetch;
  return nn.io.http('http://fuzz/model.json', { fetchFunc });
}

// biome-ignore lint/suspicious/noExplicitAny: mutating JSON of any shape
type Json = any;

const ODD_VALUES: Json[] = [
  null,
  0,
  -1,
  1.5,
  1e9,
  2 ** 40,
  '',
  'x',
  'relu',
  true,
  [],
  [null],
  [1, 2],
  {},
  { class_name: 'X' },
  -0,
  Number.MAX_SAFE_INTEGER,
];

/** A random path into the JSON (keys and indices), at least one step long. */
function randomPath(root: Json, r: () => number): Array<string | number> {
  const path: Array<string | number> = [];
  let node = root;
  for (;;) {
    const keys = Array.isArray(node)
      ? node.map((_: unknown, i: number) => i)
      : node && typeof node === 'object'
        ? Object.keys(node)
        : [];
    if (keys.length === 0 || (path.length > 0 && r() < 0.25)) return path;
    const k = keys[Math.floor(r() * keys.length)];
    path.push(k);
    node = node[k];
  }
}

function mutateJson(text: string, r: () => number): string {
  const root = JSON.parse(text);
  const path = randomPath(root, r);
  if (path.length === 0) return text;
  const parent = path.slice(0, -1).reduce((n: Json, k) => n[k], root);
  const key: Json = path[path.length - 1];
  const roll = r();
  if (roll < 0.3) {
    if (Array.isArray(parent)) parent.splice(key, 1);
    else delete parent[key];
  } else if (roll < 0.8) {
    parent[key] = ODD_VALUES[Math.floor(r() * ODD_VALUES.length)];
  } else if (roll < 0.9 && Array.isArray(parent)) {
    parent.splice(key, 0, structuredClone(parent[key]));
  } else if (typeof parent[key] === 'number') {
    parent[key] = parent[key] + (r() < 0.5 ? 1 : -1);
  } else {
    parent[key] = ODD_VALUES[Math.floor(r() * ODD_VALUES.length)];
  }
  return JSON.stringify(root);
}

/**
 * Puts a random value of the JSON `depth` arrays or objects deep. Built as text: JSON.stringify of
 * thousands of levels would itself overflow the stack.
 */
function nestJson(text: string, r: () => number, depth: number): string {
  const root = JSON.parse(text);
  const path = randomPath(root, r);
  if (path.length === 0) return text;
  const parent = path.slice(0, -1).reduce((n: Json, k) => n[k], root);
  const key: Json = path[path.length - 1];
  const inner = JSON.stringify(parent[key]);
  parent[key] = '\u0000deep';
  const object = r() < 0.5;
  const open = object ? '{"class_name":"Dense","config":' : '[';
  const close = object ? '}' : ']';
  return JSON.stringify(root).replace('"\\u0000deep"', () => open.repeat(depth) + inner + close.repeat(depth));
}

function mutate(base: Files, r: () => number): { json: string; bins: Map<string, Uint8Array>; kind: string } {
  const bins = new Map([...base.bins].map(([k, v]) => [k, v.slice()]));
  const names = [...bins.keys()];
  const bin = names[Math.floor(r() * names.length)];
  const kind = Math.floor(r() * 8);
  switch (kind) {
    case 7: {
      const depth = r() < 0.5 ? 1e4 : 50 + Math.floor(r() * 100);
      return { json: nestJson(base.json, r, depth), bins, kind: 'nest deep' };
    }
    case 0:
      return { json: base.json.slice(0, Math.floor(r() * base.json.length)), bins, kind: 'truncate json' };
    case 1: {
      const chars = base.json.split('');
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--)
        chars[Math.floor(r() * chars.length)] = String.fromCharCode(32 + Math.floor(r() * 95));
      return { json: chars.join(''), bins, kind: 'flip json chars' };
    }
    case 2:
      bins.set(bin, bins.get(bin)!.slice(0, Math.floor(r() * bins.get(bin)!.length)));
      return { json: base.json, bins, kind: 'truncate weights' };
    case 3: {
      const b = bins.get(bin)!;
      for (let n = 1 + Math.floor(r() * 4); n > 0; n--) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
      return { json: base.json, bins, kind: 'flip weight bits' };
    }
    case 4: {
      const b = bins.get(bin)!;
      const extra = new Uint8Array(b.length + 1 + Math.floor(r() * 8));
      extra.set(b);
      bins.set(bin, extra);
      return { json: base.json, bins, kind: 'append weight bytes' };
    }
    default:
      return { json: mutateJson(base.json, r), bins, kind: 'json structure' };
  }
}

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`hang: no answer in ${ms} ms`)), ms));
}

/**
 * A loaded model must work: finite weights and predictions of the declared width (finite too, unless
 * a weight is so large that float32 overflows); with
 * `roundTrip`, saving and loading it again must give the same predictions bit for bit.
 */
async function checkModel(model: nn.Sequential, inputShape: number[], roundTrip: boolean): Promise<void> {
  const width = inputShape.reduce((a, b) => a * b, 1);
  const x = nn.tensor(randomArray(3 * width, 8), [3, ...inputShape]);
  const p = model.predict(x);
  const values = p.dataSync();
  try {
    const want = [3, ...(model.outputShape!.slice(1) as number[])];
    if (p.shape.join() !== want.join()) throw new Error(`predict gave shape [${p.shape}], expected [${want}]`);
    if (!model.weights.every((w) => w.dataSync().every(Number.isFinite))) throw new Error('a weight is not finite');
    // a flipped exponent bit makes a weight as large as 3e38, whose products overflow float32
    const largest = Math.max(...model.weights.map((w) => w.dataSync().reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    if (!values.every(Number.isFinite) && largest < 1e15)
      throw new Error(`predict gave non-finite values (largest weight ${largest})`);
    if (roundTrip) {
      const again = await nn.loadLayersModel(
        nn.io.fromMemory(await nn.io.modelArtifacts(model, { includeOptimizer: model.compiled !== null })),
      );
      const q = again.predict(x);
      const same = q.dataSync().every((v, i) => v === values[i]);
      nn.dispose(q);
      again.dispose();
      if (!same) throw new Error('saving and loading it again changed its predictions');
    }
  } finally {
    nn.dispose([x, p]);
  }
}

describe('fuzzing model files', () => {
  it('3000 mutated files: a working model or one of our errors, never a crash, hang or leak', async () => {
    const bases = [
      await neurasmFiles(),
      await neurasmFiles('uint8'),
      fixture('keras-sequential', [4]),
      fixture('keras-legacy', [5]),
      fixture('keras-functional', [2, 3]),
    ];
    // every base loads as it is
    for (const b of bases) {
      const m = await nn.loadLayersModel(handler(b));
      await checkModel(m, b.inputShape, true);
      m.dispose();
    }
    const r = rng(2024);
    const outcomes: Record<string, number> = {};
    const start = Date.now();
    for (let i = 0; i < 3000; i++) {
      const base = bases[i % bases.length];
      const files = mutate(base, r);
      const before = nn.memory().numTensors;
      let model: nn.Sequential | null = null;
      try {
        model = await Promise.race([nn.loadLayersModel(handler(files)), timeout(2000)]);
      } catch (e) {
        if (!(e instanceof nn.io.ModelFormatError || e instanceof nn.io.ModelIOError)) {
          throw new Error(
            `case ${i} (${base.name}, ${files.kind}): ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}\n${files.json.slice(0, 400)}`,
          );
        }
        if (nn.memory().numTensors !== before)
          throw new Error(`case ${i} (${base.name}, ${files.kind}): a failed load left tensors`);
        const key = `${files.kind}: ${(e as Error).constructor.name}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        continue;
      }
      try {
        await checkModel(model, base.inputShape, i % 4 === 0);
      } catch (e) {
        throw new Error(
          `case ${i} (${base.name}, ${files.kind}) loaded a broken model: ${(e as Error).message}\n${files.json.slice(0, 400)}`,
        );
      }
      model.dispose();
      if (nn.memory().numTensors !== before) throw new Error(`case ${i}: the model's tensors were not all freed`);
      outcomes[`${files.kind}: loaded`] = (outcomes[`${files.kind}: loaded`] ?? 0) + 1;
    }
    const loaded = Object.entries(outcomes)
      .filter(([k]) => k.endsWith('loaded'))
      .reduce((n, [, v]) => n + v, 0);
    // both outcomes happen: the fuzzer is not only producing garbage, nor only harmless changes
    expect(loaded).toBeGreaterThan(100);
    expect(loaded).toBeLessThan(2900);
    // values nested 10,000 levels deep are rejected (no RangeError, which would have failed above)
    expect(outcomes['nest deep: ModelFormatError'], JSON.stringify(outcomes)).toBeGreaterThan(100);
    expect(Date.now() - start).toBeLessThan(30_000);
  });
});
