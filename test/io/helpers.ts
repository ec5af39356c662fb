// Shared by the io tests: tfjs set-up, writing tfjs artifacts the way tfjs-node does, a static
// HTTP server over a directory, and an in-memory Storage.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** A fresh temporary directory. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'neurasm-io-'));
}

/** tfjs on its CPU backend (once). */
export async function tfjsReady(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** A tfjs save handler that writes model.json + weights.bin into `dir`, as tfjs-node's file:// does. */
export function tfjsFileSaver(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (a) => {
    const json: Record<string, unknown> = {
      modelTopology: a.modelTopology,
      format: a.format,
      generatedBy: a.generatedBy,
      convertedBy: a.convertedBy,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    };
    if (a.trainingConfig) json.trainingConfig = a.trainingConfig;
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const data = tf.io.CompositeArrayBuffer.join(a.weightData!);
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(data));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  });
}

/** A tfjs load handler reading model.json and its weight files from `dir` (tfjs has no file:// without tfjs-node). */
export function tfjsFileLoader(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const g of manifest) {
          for (const p of g.paths) {
            const b = await readFile(join(dir, p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [tf.io.getWeightSpecs(manifest), tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/** A static file server over `dir` on 127.0.0.1; also records POSTed bodies. */
export async function serve(
  dir: string,
): Promise<{ url: string; server: Server; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (path.includes('..')) {
      res.writeHead(400).end();
      return;
    }
    try {
      const body = await readFile(join(dir, path));
      res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An in-memory Web Storage (for localstorage:// in Node). */
export class MemoryStorage implements Storage {
  private readonly map = new Map<string, string>();
  quota = Number.POSITIVE_INFINITY;
  get length(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  key(i: number): string | null {
    return [...this.map.keys()][i] ?? null;
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  setItem(key: string, value: string): void {
    const used = [...this.map.values()].reduce((n, v) => n + v.length, 0);
    if (used + value.length > this.quota) throw new Error('QuotaExceededError');
    this.map.set(key, String(value));
  }
}

/** Rows of a flat array. */
export function rows(flat: ArrayLike<number>, width: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += width) out.push(Array.from(flat).slice(i, i + width));
  return out;
}

type Handler = ((ev?: unknown) => void) | null;

/** A request of the fake IndexedDB: handlers fire asynchronously, after the caller attached them. */
class FakeRequest<T = unknown> {
  result: T | undefined;
  error: Error | null = null;
  onsuccess: Handler = null;
  onerror: Handler = null;
  onupgradeneeded: Handler = null;
  settle(fn: () => T, after?: () => void): void {
    setTimeout(() => {
      try {
        this.result = fn();
        this.onsuccess?.({ target: this });
      } catch (e) {
        this.error = e as Error;
        this.onerror?.({ target: this });
      }
      after?.();
    }, 0);
  }
}

/**
 * A small in-memory IndexedDB (open, object stores keyed by keyPath, get/put/delete/getAll,
 * transactions completing after their requests): enough for tfjs's and neurasm's handlers.
 * Values are structured-cloned, as a real database stores copies.
 */
export class FakeIndexedDB {
  readonly databases = new Map<
    string,
    { version: number; stores: Map<string, { keyPath: string; rows: Map<unknown, unknown> }> }
  >();
  failPuts = false;

  open(name: string, version = 1): FakeRequest {
    const req = new FakeRequest();
    setTimeout(() => {
      let db = this.databases.get(name);
      const fresh = !db;
      if (!db) {
        db = { version, stores: new Map() };
        this.databases.set(name, db);
      }
      const store = db;
      const handle = {
        createObjectStore: (s: string, opts: { keyPath: string }) =>
          store.stores.set(s, { keyPath: opts.keyPath, rows: new Map() }),
        close: () => {},
        transaction: (names: string | string[], _mode?: string) => this.transaction(store, names),
      };
      req.result = handle;
      if (fresh) req.onupgradeneeded?.({ target: req });
      req.onsuccess?.({ target: req });
    }, 0);
    return req;
  }

  private transaction(
    db: { stores: Map<string, { keyPath: string; rows: Map<unknown, unknown> }> },
    names: string | string[],
  ) {
    let pending = 0;
    const tx = {
      oncomplete: null as Handler,
      onerror: null as Handler,
      onabort: null as Handler,
      error: null as Error | null,
      objectStore: (name: string) => {
        if (!(Array.isArray(names) ? names : [names]).includes(name))
          throw new Error(`store ${name} not in transaction`);
        const store = db.stores.get(name);
        if (!store) throw new Error(`no store ${name}`);
        const op = <T>(fn: () => T) => {
          const r = new FakeRequest<T>();
          pending++;
          r.settle(fn, () => {
            if (r.error) {
              // a failed request aborts its transaction
              tx.error = r.error;
              setTimeout(() => tx.onerror?.(), 0);
            } else if (--pending === 0) setTimeout(() => tx.oncomplete?.(), 0);
          });
          return r;
        };
        return {
          get: (key: unknown) => op(() => structuredClone(store.rows.get(key))),
          getAll: () => op(() => [...store.rows.values()].map((v) => structuredClone(v))),
          put: (value: Record<string, unknown>) =>
            op(() => {
              if (this.failPuts) throw new Error('QuotaExceededError');
              store.rows.set(value[store.keyPath], structuredClone(value));
            }),
          delete: (key: unknown) => op(() => store.rows.delete(key)),
        };
      },
    };
    return tx;
  }
}
