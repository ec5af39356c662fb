// Browser storage with tfjs's layouts, so models saved by either library load in the other:
//   localstorage://name  keys tensorflowjs_models/<name>/{info,model_topology,weight_specs,weight_data,model_metadata}
//   indexeddb://name     database 'tensorflowjs', stores 'models_store' and 'model_info_store' keyed by modelPath
import { ModelFormatError, ModelIOError } from './errors.js';
import { artifactsInfo } from './model-json.js';
import type { IOHandler, ModelArtifacts, SaveResult } from './types.js';
import { joinBuffers } from './weights.js';

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string, where: string): ArrayBuffer {
  let s: string;
  try {
    s = atob(text);
  } catch {
    throw new ModelFormatError(`${where}: the weight data is not valid base64`);
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

function parse(text: string | null, where: string): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Saves to and loads from `window.localStorage` (tfjs's keys). */
export class LocalStorageHandler implements IOHandler {
  private readonly keys: Record<'info' | 'topology' | 'weightSpecs' | 'weightData' | 'metadata', string>;

  constructor(readonly modelPath: string) {
    if (typeof modelPath !== 'string' || modelPath === '')
      throw new ModelIOError('localstorage: expected a model name');
    const k = (s: string) => `tensorflowjs_models/${modelPath}/${s}`;
    this.keys = {
      info: k('info'),
      topology: k('model_topology'),
      weightSpecs: k('weight_specs'),
      weightData: k('weight_data'),
      metadata: k('model_metadata'),
    };
  }

  private storage(op: string): Storage {
    const ls = (globalThis as { localStorage?: Storage }).localStorage;
    if (!ls) throw new ModelIOError(`${op}: localStorage is not available here (it is a browser feature)`);
    return ls;
  }

  /** Stores the artifacts; on failure (quota) removes what was written. */
  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const op = `save to localstorage://${this.modelPath}`;
    const ls = this.storage(op);
    const info = artifactsInfo(artifacts);
    const metadata = {
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      userDefinedMetadata: artifacts.userDefinedMetadata,
      trainingConfig: artifacts.trainingConfig,
      neurasm: artifacts.neurasm,
    };
    try {
      ls.setItem(this.keys.info, JSON.stringify(info));
      ls.setItem(this.keys.topology, JSON.stringify(artifacts.modelTopology));
      ls.setItem(this.keys.weightSpecs, JSON.stringify(artifacts.weightSpecs ?? []));
      ls.setItem(this.keys.weightData, toBase64(joinBuffers(artifacts.weightData ?? new ArrayBuffer(0), op)));
      ls.setItem(this.keys.metadata, JSON.stringify(metadata));
    } catch (e) {
      for (const key of Object.values(this.keys)) ls.removeItem(key);
      throw new ModelIOError(
        `${op} failed (the storage quota is a likely cause; the weights take ${info.weightDataBytes} bytes): ${(e as Error).message}`,
      );
    }
    return { modelArtifactsInfo: info };
  }

  /** Reads the artifacts back. */
  async load(): Promise<ModelArtifacts> {
    const op = `load localstorage://${this.modelPath}`;
    const ls = this.storage(op);
    if (ls.getItem(this.keys.info) === null)
      throw new ModelIOError(`${op}: there is no model named "${this.modelPath}"`);
    const topology = parse(ls.getItem(this.keys.topology), `${op} model_topology`);
    const specs = parse(ls.getItem(this.keys.weightSpecs), `${op} weight_specs`);
    const data = ls.getItem(this.keys.weightData);
    if (topology === null || specs === null || data === null)
      throw new ModelFormatError(`${op}: the stored model is incomplete`);
    const out: ModelArtifacts = {
      modelTopology: topology as object,
      weightSpecs: specs as ModelArtifacts['weightSpecs'],
      weightData: fromBase64(data, op),
    };
    const metadata = parse(ls.getItem(this.keys.metadata), `${op} model_metadata`) as Record<string, unknown> | null;
    if (metadata && typeof metadata === 'object') {
      for (const key of [
        'format',
        'generatedBy',
        'convertedBy',
        'userDefinedMetadata',
        'trainingConfig',
        'neurasm',
      ] as const) {
        if (metadata[key] !== undefined && metadata[key] !== null)
          (out as Record<string, unknown>)[key] = metadata[key];
      }
    }
    return out;
  }
}

const DATABASE = 'tensorflowjs';
const MODEL_STORE = 'models_store';
const INFO_STORE = 'model_info_store';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Saves to and loads from IndexedDB (tfjs's database and stores). */
export class IndexedDBHandler implements IOHandler {
  constructor(readonly modelPath: string) {
    if (typeof modelPath !== 'string' || modelPath === '') throw new ModelIOError('indexeddb: expected a model name');
  }

  private async open(op: string): Promise<IDBDatabase> {
    const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!factory) throw new ModelIOError(`${op}: IndexedDB is not available here (it is a browser feature)`);
    const open = factory.open(DATABASE, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore(MODEL_STORE, { keyPath: 'modelPath' });
      open.result.createObjectStore(INFO_STORE, { keyPath: 'modelPath' });
    };
    try {
      return await request(open);
    } catch (e) {
      throw new ModelIOError(`${op}: cannot open IndexedDB: ${(e as Error)?.message}`);
    }
  }

  /** Stores the artifacts (weights joined into one buffer) and their info, as tfjs does. */
  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const op = `save to indexeddb://${this.modelPath}`;
    const stored: ModelArtifacts = {
      ...artifacts,
      weightData: joinBuffers(artifacts.weightData ?? new ArrayBuffer(0), op),
    };
    const modelArtifactsInfo = artifactsInfo(stored);
    const db = await this.open(op);
    try {
      const tx = db.transaction([INFO_STORE, MODEL_STORE], 'readwrite');
      const done = new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
      tx.objectStore(INFO_STORE).put({ modelPath: this.modelPath, modelArtifactsInfo });
      tx.objectStore(MODEL_STORE).put({ modelPath: this.modelPath, modelArtifacts: stored, modelArtifactsInfo });
      await done;
    } catch (e) {
      throw new ModelIOError(`${op} failed: ${(e as Error)?.message}`);
    } finally {
      db.close();
    }
    return { modelArtifactsInfo };
  }

  /** Reads the artifacts back. */
  async load(): Promise<ModelArtifacts> {
    const op = `load indexeddb://${this.modelPath}`;
    const db = await this.open(op);
    let record: { modelArtifacts?: ModelArtifacts } | undefined;
    try {
      record = await request(db.transaction(MODEL_STORE, 'readonly').objectStore(MODEL_STORE).get(this.modelPath));
    } catch (e) {
      throw new ModelIOError(`${op} failed: ${(e as Error)?.message}`);
    } finally {
      db.close();
    }
    if (!record) throw new ModelIOError(`${op}: there is no model named "${this.modelPath}"`);
    if (!record.modelArtifacts || typeof record.modelArtifacts !== 'object') {
      throw new ModelFormatError(`${op}: the stored record has no model artifacts`);
    }
    return record.modelArtifacts;
  }
}

/** A localStorage handler, as tfjs's `localstorage://` URLs. */
export function browserLocalStorage(modelPath: string): LocalStorageHandler {
  return new LocalStorageHandler(modelPath);
}

/** An IndexedDB handler, as tfjs's `indexeddb://` URLs. */
export function browserIndexedDB(modelPath: string): IndexedDBHandler {
  return new IndexedDBHandler(modelPath);
}
