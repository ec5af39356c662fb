// The IOHandlers of URL-style targets, as tfjs has them. Constructing one is synchronous and checks
// its arguments; what `save` and `load` do (storage layouts, fetch, files, model.json) lives in
// browser.ts, http.ts, file-save.ts and file-system.ts, imported on the first save or load with the
// rest of what lazy-import.ts loads on first use: the browser bundle fetches it as a chunk beside
// the bundle, only on pages that use it.
import { lazyPart } from '../lazy-import.js';
import type { loadIndexedDB, loadLocalStorage, saveIndexedDB, saveLocalStorage } from './browser.js';
import { ModelIOError } from './errors.js';
import type { saveFiles } from './file-save.js';
import type { loadFiles } from './file-system.js';
import type { loadHTTP, saveHTTP } from './http.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveResult } from './types.js';

/** The handler bodies, which the chunk loaded on first use (src/lazy.ts) carries. */
export interface HandlerBodies {
  loadIndexedDB: typeof loadIndexedDB;
  loadLocalStorage: typeof loadLocalStorage;
  saveIndexedDB: typeof saveIndexedDB;
  saveLocalStorage: typeof saveLocalStorage;
  saveFiles: typeof saveFiles;
  loadFiles: typeof loadFiles;
  loadHTTP: typeof loadHTTP;
  saveHTTP: typeof saveHTTP;
}

/** The handler bodies, imported on first use; `op` names the call in the error of a failed import. */
const bodies = (op: string) => lazyPart<HandlerBodies>(op);

/** Saves to and loads from `window.localStorage` (tfjs's keys). */
export class LocalStorageHandler implements IOHandler {
  constructor(readonly modelPath: string) {
    if (typeof modelPath !== 'string' || modelPath === '')
      throw new ModelIOError('localstorage: expected a model name');
  }

  /** Stores the artifacts; on failure (quota) removes what was written. */
  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const op = `save to localstorage://${this.modelPath}`;
    return (await bodies(op)).saveLocalStorage(this.modelPath, artifacts, op);
  }

  /** Reads the artifacts back. */
  async load(): Promise<ModelArtifacts> {
    const op = `load localstorage://${this.modelPath}`;
    return (await bodies(op)).loadLocalStorage(this.modelPath, op);
  }
}

/** Saves to and loads from IndexedDB (tfjs's database and stores). */
export class IndexedDBHandler implements IOHandler {
  constructor(readonly modelPath: string) {
    if (typeof modelPath !== 'string' || modelPath === '') throw new ModelIOError('indexeddb: expected a model name');
  }

  /** Stores the artifacts (weights joined into one buffer) and their info, as tfjs does. */
  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const op = `save to indexeddb://${this.modelPath}`;
    return (await bodies(op)).saveIndexedDB(this.modelPath, artifacts, op);
  }

  /** Reads the artifacts back. */
  async load(): Promise<ModelArtifacts> {
    const op = `load indexeddb://${this.modelPath}`;
    return (await bodies(op)).loadIndexedDB(this.modelPath, op);
  }
}

/** Loads from and saves to an http(s) URL (or a URL relative to the page). */
export class HTTPHandler implements IOHandler {
  private readonly fetchFunc: typeof fetch;

  constructor(
    readonly url: string,
    private readonly options: LoadOptions = {},
  ) {
    if (typeof url !== 'string' || url === '') throw new ModelIOError('http: expected a non-empty URL');
    if (options.requestInit?.body != null) throw new ModelIOError('http: requestInit must not have a body');
    const f = options.fetchFunc ?? (typeof fetch === 'function' ? fetch : undefined);
    if (typeof f !== 'function') throw new ModelIOError('http: no fetch function here; pass options.fetchFunc');
    this.fetchFunc = f;
  }

  /** Fetches model.json and its weight files. */
  async load(): Promise<ModelArtifacts> {
    return (await bodies(`load ${this.url}`)).loadHTTP(this.url, this.options, this.fetchFunc);
  }

  /** POSTs model.json and model.weights.bin as a multipart form (requestInit may change the method). */
  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    return (await bodies(`save to ${this.url}`)).saveHTTP(this.url, this.options, this.fetchFunc, artifacts);
  }
}

/** Saves to and loads from the file system (Node); `path` is a directory, or a model.json file to load. */
export class FileSystemHandler implements IOHandler {
  /** Name of the weights file written by `save`. */
  static readonly WEIGHTS = 'weights.bin';

  constructor(readonly path: string) {
    if (typeof path !== 'string' || path === '') throw new ModelIOError('fileSystem: expected a non-empty path');
  }

  /**
   * Writes model.json and weights.bin into the directory `path` (created if needed). A crash at any
   * moment leaves the previous model or the new one, never a mix (see file-save.ts).
   */
  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const op = `save to file://${this.path}`;
    return (await bodies(op)).saveFiles(this.path, FileSystemHandler.WEIGHTS, artifacts, op);
  }

  /** Reads `path` (a model.json, or a directory holding one) and the weight files it lists. */
  async load(): Promise<ModelArtifacts> {
    const op = `load file://${this.path}`;
    return (await bodies(op)).loadFiles(this.path, op);
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

/** An http(s) handler, as `tf.io.http`. */
export function http(url: string, options?: LoadOptions): HTTPHandler {
  return new HTTPHandler(url, options);
}

/** A file-system handler (Node), as tfjs-node's `tf.io.fileSystem`. */
export function fileSystem(path: string): FileSystemHandler {
  return new FileSystemHandler(path);
}
