// file:// models in Node: `save` writes <dir>/model.json and <dir>/weights.bin (as tfjs-node does),
// each first under a temporary name and then renamed, so a failed save leaves nothing behind.
// node:fs is imported lazily through a variable, so browser bundles do not pull it in. The bodies of
// handlers.ts's FileSystemHandler (loaded on first use).
import { ModelFormatError, ModelIOError } from './errors.js';
import { artifactsFromModelJSON, artifactsInfo, modelJSONFromArtifacts, parseModelJSON } from './model-json.js';
import type { ModelArtifacts, SaveResult } from './types.js';
import { joinBuffers } from './weights.js';

const FS_MODULE = 'node:fs/promises';
const PATH_MODULE = 'node:path';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

async function nodeModules(op: string): Promise<{ fs: Fs; path: Path }> {
  try {
    const fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ FS_MODULE)) as Fs;
    const path = (await import(/* @vite-ignore */ /* webpackIgnore: true */ PATH_MODULE)) as Path;
    return { fs, path };
  } catch {
    throw new ModelIOError(
      `${op}: file:// needs Node (node:fs); in a browser use indexeddb://, localstorage:// or http(s)://`,
    );
  }
}

function ioError(op: string, what: string, e: unknown): ModelIOError {
  const code = (e as { code?: string }).code;
  const reason =
    code === 'ENOENT'
      ? 'not found'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : (e as Error).message;
  return new ModelIOError(`${op}: cannot ${what}: ${reason}`);
}

/** A unique temporary name beside `file`. */
function tempName(file: string, tag: string): string {
  return `${file}.${tag}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** FileSystemHandler.save: writes model.json and `weightsName` into the directory `target` (created if needed). */
export async function saveFiles(
  target: string,
  weightsName: string,
  artifacts: ModelArtifacts,
  op: string,
): Promise<SaveResult> {
  const { fs, path } = await nodeModules(op);
  const dir = path.resolve(target);
  const weights = new Uint8Array(joinBuffers(artifacts.weightData ?? new ArrayBuffer(0), op));
  const json = JSON.stringify(modelJSONFromArtifacts(artifacts, [weightsName]));
  let created: string | undefined;
  const temps: string[] = [];
  try {
    try {
      const stat = await fs.stat(dir);
      if (!stat.isDirectory()) throw new ModelIOError(`${op}: ${dir} exists and is not a directory`);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
      created = await fs.mkdir(dir, { recursive: true });
    }
    const modelFile = path.join(dir, 'model.json');
    const weightsFile = path.join(dir, weightsName);
    const weightsTemp = tempName(weightsFile, 'tmp');
    temps.push(weightsTemp);
    await fs.writeFile(weightsTemp, weights);
    const jsonTemp = tempName(modelFile, 'tmp');
    temps.push(jsonTemp);
    await fs.writeFile(jsonTemp, json);
    // model.json is renamed last; until then the previous weights.bin waits aside, so that a
    // failure puts it back and the directory holds the old model or the new one, never a mix
    let backup: string | undefined;
    if (
      await fs.stat(weightsFile).then(
        () => true,
        () => false,
      )
    ) {
      backup = tempName(weightsFile, 'old');
      await fs.rename(weightsFile, backup);
    }
    let placed = false;
    try {
      await fs.rename(weightsTemp, weightsFile);
      placed = true;
      await fs.rename(jsonTemp, modelFile);
    } catch (e) {
      if (placed) await fs.rm(weightsFile, { force: true }).catch(() => {});
      if (backup) await fs.rename(backup, weightsFile).catch(() => {});
      throw e;
    }
    temps.length = 0;
    if (backup) await fs.rm(backup, { force: true }).catch(() => {});
    return {
      modelArtifactsInfo: artifactsInfo(artifacts),
      files: [
        { path: modelFile, bytes: Buffer.byteLength(json) },
        { path: weightsFile, bytes: weights.byteLength },
      ],
    };
  } catch (e) {
    for (const t of temps) await fs.rm(t, { force: true }).catch(() => {});
    if (created) await fs.rm(created, { recursive: true, force: true }).catch(() => {});
    if (e instanceof ModelIOError) throw e;
    throw ioError(op, `write in ${dir}`, e);
  }
}

/** FileSystemHandler.load: reads `target` (a model.json, or a directory holding one) and the weight files it lists. */
export async function loadFiles(target: string, op: string): Promise<ModelArtifacts> {
  const { fs, path } = await nodeModules(op);
  let file = path.resolve(target);
  try {
    if ((await fs.stat(file)).isDirectory()) file = path.join(file, 'model.json');
  } catch (e) {
    throw ioError(op, `read ${file}`, e);
  }
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw ioError(op, `read ${file}`, e);
  }
  const where = file;
  const dir = path.dirname(file);
  return artifactsFromModelJSON(
    parseModelJSON(text, where),
    async (paths) => {
      const out: ArrayBuffer[] = [];
      for (const p of paths) {
        const full = path.resolve(dir, p);
        if (path.isAbsolute(p) || /^[a-z]+:\/\//i.test(p) || path.relative(dir, full).startsWith('..')) {
          throw new ModelFormatError(`${where}: weight path ${JSON.stringify(p)} must be a file beside model.json`);
        }
        try {
          const b = await fs.readFile(full);
          out.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        } catch (e) {
          throw ioError(op, `read weight file ${full}`, e);
        }
      }
      return out;
    },
    where,
  );
}
