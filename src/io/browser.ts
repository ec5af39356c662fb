// Browser storage with tfjs's layouts, so models saved by either library load in the other:
//   localstorage://name  keys tensorflowjs_models/<name>/{info,model_topology,weight_specs,weight_data,model_metadata}
//   indexeddb://name     database 'tensorflowjs', stores 'models_store' and 'model_info_store' keyed by modelPath
// The bodies of handlers.ts's LocalStorageHandler and IndexedDBHandler (loaded on first use); `op`
// names the operation in messages ("save to indexeddb://name").
import { fromBase64, toBase64 } from '../backend/base64.js';
import { ModelFormatError, ModelIOError } from './errors.js';
import { checkArtifactsDepth } from './json-depth.js';
import { artifactsInfo } from './model-json.js';
import type { ModelArtifacts, SaveResult } from './types.js';
import { joinBuffers } from './weights.js';

function weightsFromBase64(text: string, where: string): ArrayBuffer {
  try {
    return fromBase64(text).buffer;
  } catch {
    throw new ModelFormatError(`${where}: the weight data is not valid base64`);
  }
}

function parse(text: string | null, where: string): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
}

type StorageKeys = Record<'info' | 'topology' | 'weightSpecs' | 'weightData' | 'metadata', string>;

/** tfjs's localStorage keys of a model. */
function storageKeys(modelPath: string): StorageKeys {
  const k = (s: string) => `tensorflowjs_models/${modelPath}/${s}`;
  return {
    info: k('info'),
    topology: k('model_topology'),
    weightSpecs: k('weight_specs'),
    weightData: k('weight_data'),
    metadata: k('model_metadata'),
  };
}

function storage(op: string): Storage {
  const ls = (globalThis as { localStorage?: Storage }).localStorage;
  if (!ls) throw new ModelIOError(`${op}: localStorage is not available here (it is a browser feature)`);
  return ls;
}

/** LocalStorageHandler.save: stores the artifacts; on failure (quota) removes what was written. */
export async function saveLocalStorage(modelPath: string, artifacts: ModelArtifacts, op: string): Promise<SaveResult> {
  checkArtifactsDepth(artifacts, op);
  const ls = storage(op);
  const keys = storageKeys(modelPath);
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
    ls.setItem(keys.info, JSON.stringify(info));
    ls.setItem(keys.topology, JSON.stringify(artifacts.modelTopology));
    ls.setItem(keys.weightSpecs, JSON.stringify(artifacts.weightSpecs ?? []));
    ls.setItem(keys.weightData, toBase64(new Uint8Array(joinBuffers(artifacts.weightData ?? new ArrayBuffer(0), op))));
    ls.setItem(keys.metadata, JSON.stringify(metadata));
  } catch (e) {
    for (const key of Object.values(keys)) ls.removeItem(key);
    throw new ModelIOError(
      `${op} failed (the storage quota is a likely cause; the weights take ${info.weightDataBytes} bytes): ${(e as Error).message}`,
    );
  }
  return { modelArtifactsInfo: info };
}

/** LocalStorageHandler.load: reads the artifacts back. */
export async function loadLocalStorage(modelPath: string, op: string): Promise<ModelArtifacts> {
  const ls = storage(op);
  const keys = storageKeys(modelPath);
  if (ls.getItem(keys.info) === null) throw new ModelIOError(`${op}: there is no model named "${modelPath}"`);
  const topology = parse(ls.getItem(keys.topology), `${op} model_topology`);
  const specs = parse(ls.getItem(keys.weightSpecs), `${op} weight_specs`);
  const data = ls.getItem(keys.weightData);
  if (topology === null || specs === null || data === null)
    throw new ModelFormatError(`${op}: the stored model is incomplete`);
  const out: ModelArtifacts = {
    modelTopology: topology as object,
    weightSpecs: specs as ModelArtifacts['weightSpecs'],
    weightData: weightsFromBase64(data, op),
  };
  const metadata = parse(ls.getItem(keys.metadata), `${op} model_metadata`) as Record<string, unknown> | null;
  if (metadata && typeof metadata === 'object') {
    for (const key of [
      'format',
      'generatedBy',
      'convertedBy',
      'userDefinedMetadata',
      'trainingConfig',
      'neurasm',
    ] as const) {
      if (metadata[key] !== undefined && metadata[key] !== null) (out as Record<string, unknown>)[key] = metadata[key];
    }
  }
  return out;
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

async function openDatabase(op: string): Promise<IDBDatabase> {
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

/** IndexedDBHandler.save: stores the artifacts (weights joined into one buffer) and their info, as tfjs does. */
export async function saveIndexedDB(modelPath: string, artifacts: ModelArtifacts, op: string): Promise<SaveResult> {
  checkArtifactsDepth(artifacts, op);
  const stored: ModelArtifacts = {
    ...artifacts,
    weightData: joinBuffers(artifacts.weightData ?? new ArrayBuffer(0), op),
  };
  const modelArtifactsInfo = artifactsInfo(stored);
  const db = await openDatabase(op);
  try {
    const tx = db.transaction([INFO_STORE, MODEL_STORE], 'readwrite');
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    tx.objectStore(INFO_STORE).put({ modelPath, modelArtifactsInfo });
    tx.objectStore(MODEL_STORE).put({ modelPath, modelArtifacts: stored, modelArtifactsInfo });
    await done;
  } catch (e) {
    throw new ModelIOError(`${op} failed: ${(e as Error)?.message}`);
  } finally {
    db.close();
  }
  return { modelArtifactsInfo };
}

/** IndexedDBHandler.load: reads the artifacts back. */
export async function loadIndexedDB(modelPath: string, op: string): Promise<ModelArtifacts> {
  const db = await openDatabase(op);
  let record: { modelArtifacts?: ModelArtifacts } | undefined;
  try {
    record = await request(db.transaction(MODEL_STORE, 'readonly').objectStore(MODEL_STORE).get(modelPath));
  } catch (e) {
    throw new ModelIOError(`${op} failed: ${(e as Error)?.message}`);
  } finally {
    db.close();
  }
  if (!record) throw new ModelIOError(`${op}: there is no model named "${modelPath}"`);
  if (!record.modelArtifacts || typeof record.modelArtifacts !== 'object') {
    throw new ModelFormatError(`${op}: the stored record has no model artifacts`);
  }
  return record.modelArtifacts;
}
