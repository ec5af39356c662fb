// The URL-style handlers: file://, http(s):// and relative URLs, localstorage://, indexeddb://, and
// the in-memory ones; browser storage checked against tfjs's own handlers on the same storage.
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { expectClose } from '../helpers/close.js';
import { randomArray } from '../helpers/random.js';
import { FakeIndexedDB, MemoryStorage, serve, tempDir, tfjsReady } from './helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));
beforeAll(tfjsReady);

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function dir(): Promise<string> {
  const d = await tempDir();
  dirs.push(d);
  return d;
}

function makeModel(seed = 1): nn.Sequential {
  nn.setSeed(seed);
  return nn.sequential({
    layers: [
      nn.layers.dense({ units: 6, activation: 'relu', inputShape: [4] }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

const X = randomArray(7 * 4, 2);
function predict(model: nn.Sequential): number[] {
  const t = nn.tensor(X, [7, 4]);
  const p = model.predict(t);
  const out = Array.from(p.dataSync());
  nn.dispose([t, p]);
  return out;
}
function tfjsPredict(m: tfl.LayersModel): Float32Array {
  return tf.tidy(() => (m.predict(tf.tensor(X, [7, 4])) as tf.Tensor).dataSync() as Float32Array);
}

describe('file://', () => {
  it('saves into a new nested directory; loads by directory or by model.json, absolute or relative', async () => {
    const model = makeModel();
    const d = join(await dir(), 'a', 'b');
    const result = await model.save(`file://${d}`);
    expect((await readdir(d)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(result.files?.map((f) => f.bytes)).toEqual([
      (await stat(join(d, 'model.json'))).size,
      (4 * 6 + 6 + 6 * 3 + 3) * 4,
    ]);
    const json = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^neurasm v/);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 4]);
    for (const src of [`file://${d}`, `file://${d}/model.json`, `file://${relative(process.cwd(), d)}/model.json`]) {
      const loaded = await nn.loadLayersModel(src);
      expect(predict(loaded)).toEqual(predict(model));
      loaded.dispose();
    }
    model.dispose();
  });

  it('saving over a model replaces both files and leaves no temporary files', async () => {
    const d = await dir();
    const [a, b] = [makeModel(1), makeModel(2)];
    await a.save(`file://${d}`);
    await b.save(`file://${d}`);
    expect((await readdir(d)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await nn.loadLayersModel(`file://${d}`);
    expect(predict(loaded)).toEqual(predict(b));
    for (const m of [a, b, loaded]) m.dispose();
  });

  it('a path that cannot be written: an error, and nothing left behind', async () => {
    const d = await dir();
    await writeFile(join(d, 'file'), 'x');
    const model = makeModel();
    await expect(model.save(`file://${join(d, 'file')}`)).rejects.toThrow(nn.io.ModelIOError);
    await expect(model.save(`file://${join(d, 'file', 'sub')}`)).rejects.toThrow(nn.io.ModelIOError);
    expect(await readdir(d)).toEqual(['file']);
    model.dispose();
  });

  it('a failure at the last step restores the previous model (old weights back, no temporary files)', async () => {
    const d = await dir();
    const old = makeModel(3);
    await old.save(`file://${d}`);
    const oldWeights = await readFile(join(d, 'weights.bin'));
    await rm(join(d, 'model.json'));
    await mkdir(join(d, 'model.json')); // a directory where model.json goes: the final rename fails
    await writeFile(join(d, 'model.json', 'keep'), 'x');
    const model = makeModel(4);
    await expect(model.save(`file://${d}`)).rejects.toThrow(nn.io.ModelIOError);
    expect((await readdir(d)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(Buffer.compare(await readFile(join(d, 'weights.bin')), oldWeights)).toBe(0);
    for (const m of [old, model]) m.dispose();
  });

  it('leftovers of a killed save load as they are and are removed by the next save, named files and live ones kept', async () => {
    const d = await dir();
    const [a, b] = [makeModel(5), makeModel(6)];
    await a.save(`file://${d}`);
    // what a save killed after switching model.json, before renaming the weights, leaves
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const staged = `weights.bin.tmp-${dead}-mx0-abc`;
    const json = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = [staged];
    await writeFile(join(d, 'model.json'), JSON.stringify(json));
    await rename(join(d, 'weights.bin'), join(d, staged));
    const junk = [
      `model.json.tmp-${dead}-mx1-abc`,
      `weights.bin.tmp-${dead}-mx2-abc`,
      `weights.bin.old-${dead}-mx3-abc`,
    ];
    for (const f of junk) await writeFile(join(d, f), 'x');
    // a save running in another process, and files that are not a save's
    const live = `weights.bin.tmp-${process.ppid}-mx4-abc`;
    for (const f of [live, 'notes.txt', 'weights.bin.tmp-old']) await writeFile(join(d, f), 'x');
    const loaded = await nn.loadLayersModel(`file://${d}`);
    expect(predict(loaded)).toEqual(predict(a));
    await b.save(`file://${d}`);
    expect((await readdir(d)).sort()).toEqual(
      ['model.json', 'notes.txt', 'weights.bin', live, 'weights.bin.tmp-old'].sort(),
    );
    const again = await nn.loadLayersModel(`file://${d}`);
    expect(predict(again)).toEqual(predict(b));
    for (const m of [a, b, loaded, again]) m.dispose();
  });

  it('saves into one directory at the same time run one after the other', async () => {
    const d = await dir();
    const models = [makeModel(7), makeModel(8), makeModel(9)];
    await Promise.all(models.map((m) => m.save(`file://${d}`)));
    expect((await readdir(d)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await nn.loadLayersModel(`file://${d}`);
    expect(predict(loaded)).toEqual(predict(models[2]));
    for (const m of [...models, loaded]) m.dispose();
  });

  it('a missing file is a ModelIOError naming it', async () => {
    const d = await dir();
    await expect(nn.loadLayersModel(`file://${d}/nothing/model.json`)).rejects.toThrow(/not found/);
    await cp(join(FIXTURES, 'keras-sequential'), join(d, 'k'), { recursive: true });
    await rm(join(d, 'k', 'group1-shard2of2.bin'));
    await expect(nn.loadLayersModel(`file://${d}/k`)).rejects.toThrow(/group1-shard2of2\.bin: not found/);
  });
});

describe('http(s):// and relative URLs', () => {
  it('fetches model.json, then every shard listed in the manifest (query string kept)', async () => {
    const server = await serve(FIXTURES);
    try {
      const progress: number[] = [];
      const model = await nn.loadLayersModel(`${server.url}/keras-sequential/model.json?v=2`, {
        onProgress: (f) => progress.push(f),
      });
      expect(server.requests).toEqual([
        'GET /keras-sequential/model.json?v=2',
        'GET /keras-sequential/group1-shard1of2.bin?v=2',
        'GET /keras-sequential/group1-shard2of2.bin?v=2',
      ]);
      expect(progress).toEqual([0.5, 1]);
      const local = await nn.loadLayersModel(`file://${FIXTURES}/keras-sequential`);
      expect(predict(model)).toEqual(predict(local));
      model.dispose();
      local.dispose();
    } finally {
      await server.close();
    }
  });

  it('weightPathPrefix and a relative URL (through fetchFunc, as a page would resolve it)', async () => {
    const server = await serve(FIXTURES);
    try {
      const fetched: string[] = [];
      const fetchFunc = ((url: string, init?: RequestInit) => {
        fetched.push(url);
        return fetch(new URL(url, `${server.url}/keras-legacy/`), init);
      }) as typeof fetch;
      const model = await nn.loadLayersModel('model.json', { fetchFunc });
      expect(fetched).toEqual(['model.json', 'group1-shard1of1']);
      model.dispose();
      fetched.length = 0;
      const prefixed = await nn.loadLayersModel(`${server.url}/keras-legacy/model.json`, {
        fetchFunc,
        weightPathPrefix: `${server.url}/keras-legacy/`,
      });
      expect(fetched[1]).toBe(`${server.url}/keras-legacy/group1-shard1of1`);
      prefixed.dispose();
    } finally {
      await server.close();
    }
  });

  it('weights longer than the manifest says: the download stops there (an endless body too)', async () => {
    const d = await dir();
    await cp(join(FIXTURES, 'keras-legacy'), d, { recursive: true });
    const json = await readFile(join(d, 'model.json'), 'utf8');
    const [name] = JSON.parse(json).weightsManifest[0].paths;
    const need = (await readFile(join(d, name))).length;
    let sent = 0;
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += 65536;
          controller.enqueue(new Uint8Array(65536));
        },
      });
    const fetchFunc = (async (url: string) =>
      url.endsWith('model.json') ? new Response(json) : new Response(endless())) as typeof fetch;
    const p = nn.loadLayersModel(nn.io.http('http://host/m/model.json', { fetchFunc }));
    await expect(p).rejects.toThrow(nn.io.ModelFormatError);
    await expect(p).rejects.toThrow(new RegExp(`are longer than the manifest says: more than ${need} bytes`));
    expect(sent).toBeLessThan(4 * 65536);
  });

  it('HTTP errors and non-JSON answers are clear errors', async () => {
    const server = await serve(FIXTURES);
    try {
      await expect(nn.loadLayersModel(`${server.url}/missing/model.json`)).rejects.toThrow(/status 404/);
      await expect(nn.loadLayersModel(`${server.url}/make-weights.mjs`)).rejects.toThrow(nn.io.ModelFormatError);
      await expect(nn.loadLayersModel('http://127.0.0.1:1/model.json')).rejects.toThrow(nn.io.ModelIOError);
    } finally {
      await server.close();
    }
  });

  it('save POSTs model.json and model.weights.bin as tfjs does; neurasm and tfjs load what arrived', async () => {
    const d = await dir();
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = await new Response(Buffer.concat(chunks), {
        headers: { 'content-type': req.headers['content-type']! },
      }).formData();
      for (const name of ['model.json', 'model.weights.bin']) {
        await writeFile(join(d, name), Buffer.from(await (form.get(name) as Blob).arrayBuffer()));
      }
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/upload`;
    try {
      const model = makeModel(5);
      const result = await model.save(url);
      expect(result.responses?.[0].status).toBe(200);
      expect((await readdir(d)).sort()).toEqual(['model.json', 'model.weights.bin']);
      const loaded = await nn.loadLayersModel(`file://${d}`);
      expect(predict(loaded)).toEqual(predict(model));
      // tfjs's http save arrives in the same form
      const m = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4] })] });
      await m.save(tf.io.http(url));
      const fromTfjs = await nn.loadLayersModel(`file://${d}`);
      expectClose(predict(fromTfjs), tfjsPredict(m), 1e-5, 1e-6);
      for (const x of [model, loaded, fromTfjs]) x.dispose();
      m.dispose();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('browser storage, with tfjs reading and writing the same storage', () => {
  const g = globalThis as Record<string, unknown>;
  beforeAll(() => {
    g.localStorage = new MemoryStorage();
    g.indexedDB = new FakeIndexedDB();
    g.window = { localStorage: g.localStorage, indexedDB: g.indexedDB };
    tf.env().set('IS_BROWSER', true);
  });
  afterAll(() => {
    tf.env().set('IS_BROWSER', false);
    delete g.localStorage;
    delete g.indexedDB;
    delete g.window;
  });

  for (const scheme of ['localstorage://', 'indexeddb://']) {
    it(`${scheme}: neurasm and tfjs load each other's models`, async () => {
      const model = makeModel(6);
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      await model.save(`${scheme}ours`, { includeOptimizer: true });
      const back = await nn.loadLayersModel(`${scheme}ours`);
      expect(predict(back)).toEqual(predict(model));
      expect(back.optimizer?.className).toBe('Adam');
      const m = await tfl.loadLayersModel(`${scheme}ours`);
      expectClose(tfjsPredict(m), predict(model), 1e-5, 1e-6);
      await m.save(`${scheme}theirs`);
      const theirs = await nn.loadLayersModel(`${scheme}theirs`);
      expectClose(predict(theirs), tfjsPredict(m), 1e-5, 1e-6);
      await expect(nn.loadLayersModel(`${scheme}nobody`)).rejects.toThrow(/no model named "nobody"/);
      for (const x of [model, back, theirs]) x.dispose();
      m.dispose();
    });
  }

  it('localstorage: a full quota is a ModelIOError and leaves no keys behind', async () => {
    const ls = g.localStorage as MemoryStorage;
    const before = ls.length;
    ls.quota = 2000;
    const model = makeModel(7);
    await expect(model.save('localstorage://big')).rejects.toThrow(/quota/);
    ls.quota = Number.POSITIVE_INFINITY;
    expect(ls.length).toBe(before);
    model.dispose();
  });

  it('indexeddb: a failed write is a ModelIOError', async () => {
    const db = g.indexedDB as FakeIndexedDB;
    db.failPuts = true;
    const model = makeModel(8);
    await expect(model.save('indexeddb://fails')).rejects.toThrow(nn.io.ModelIOError);
    db.failPuts = false;
    model.dispose();
  });
});

describe('in memory and routing', () => {
  it('fromMemory takes artifacts (or the older 4-argument form); withSaveHandler receives them', async () => {
    const model = makeModel(9);
    let saved: nn.io.ModelArtifacts | undefined;
    const result = await model.save(
      nn.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: 42 } };
      }),
    );
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(42);
    const a = saved!;
    for (const handler of [nn.io.fromMemory(a), nn.io.fromMemory(a.modelTopology!, a.weightSpecs, a.weightData)]) {
      const loaded = await nn.loadLayersModel(handler);
      expect(predict(loaded)).toEqual(predict(model));
      loaded.dispose();
    }
    // tfjs's handlers work with neurasm, and neurasm's with tfjs
    const viaTfjs = await nn.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
    expect(predict(viaTfjs)).toEqual(predict(model));
    const m = await tfl.loadLayersModel(nn.io.fromMemory(a) as tf.io.IOHandler);
    expectClose(tfjsPredict(m), predict(model), 1e-5, 1e-6);
    for (const x of [model, viaTfjs]) x.dispose();
    m.dispose();
  });

  it('unknown targets and handlers without save/load are ValueErrors', async () => {
    const model = makeModel(10);
    await expect(model.save('ftp://x')).rejects.toThrow(
      /file:\/\/, http:\/\/, https:\/\/, indexeddb:\/\/, localstorage:\/\//,
    );
    await expect(model.save({} as nn.io.IOHandler)).rejects.toThrow(nn.ValueError);
    await expect(nn.loadLayersModel({} as nn.io.IOHandler)).rejects.toThrow(nn.ValueError);
    await expect(nn.loadLayersModel(nn.io.withSaveHandler(async () => ({}) as never))).rejects.toThrow(nn.ValueError);
    await expect(nn.loadLayersModel({ load: async () => Promise.reject(new Error('boom')) })).rejects.toThrow(
      nn.io.ModelIOError,
    );
    const unbuilt = nn.sequential({ layers: [nn.layers.dense({ units: 2 })] });
    await expect(unbuilt.save(nn.io.withSaveHandler(async () => ({}) as never))).rejects.toThrow(/not built/);
    model.dispose();
  });
});
