// file:// models in Node: load reads model.json and exactly the weight bytes its manifest declares,
// from regular files inside the model's directory (symlinks resolved); save is file-save.ts.
// node:fs is imported lazily through a variable, so browser bundles do not pull it in. The bodies of
// handlers.ts's FileSystemHandler (loaded on first use).
import { ModelFormatError, ModelIOError } from './errors.js';
import { artifactsFromModelJSON, parseModelJSON, sizeMismatch } from './model-json.js';
import type { ModelArtifacts } from './types.js';

const FS_MODULE = 'node:fs/promises';
const PATH_MODULE = 'node:path';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

/** node:fs/promises and node:path, or a ModelIOError where there is no Node. */
export async function nodeModules(op: string): Promise<{ fs: Fs; path: Path }> {
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

/** A ModelIOError for a failed file operation, with the usual causes in words. */
export function ioError(op: string, what: string, e: unknown): ModelIOError {
  const code = (e as { code?: string }).code;
  const reason =
    code === 'ENOENT'
      ? 'not found'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : (e as Error).message;
  return new ModelIOError(`${op}: cannot ${what}: ${reason}`);
}

/** What a file is, in words, when it is not a regular file. */
function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isFIFO()) return 'a pipe';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Opens `file` for reading if it is a regular file (checked before opening, so that a pipe or a
 * device is never opened, and again on the open file); `what` names it in messages.
 */
async function openRegular(fs: Fs, file: string, what: string, op: string) {
  let stat: import('node:fs').Stats;
  try {
    stat = await fs.stat(file);
  } catch (e) {
    throw ioError(op, `read ${what} ${file}`, e);
  }
  if (!stat.isFile()) throw new ModelFormatError(`${op}: ${what} ${file} is ${kindOf(stat)}, not a regular file`);
  const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants;
  let handle: Awaited<ReturnType<Fs['open']>>;
  try {
    handle = await fs.open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    throw ioError(op, `read ${what} ${file}`, e);
  }
  const opened = await handle.stat();
  if (!opened.isFile()) {
    await handle.close();
    throw new ModelFormatError(`${op}: ${what} ${file} is ${kindOf(opened)}, not a regular file`);
  }
  return { handle, size: opened.size };
}

/** Reads `length` bytes from the start of an open file into `out` at `offset`; returns how many it got. */
async function readInto(handle: Awaited<ReturnType<Fs['open']>>, out: Uint8Array, offset: number, length: number) {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(out, offset + got, length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * The weight files of one manifest group, as one buffer of exactly `need` bytes: each path must be
 * a regular file beside model.json, also after symlinks are resolved, and their sizes must add up
 * to `need` (checked before anything is read).
 */
async function readWeightGroup(
  fs: Fs,
  path: Path,
  dir: string,
  paths: string[],
  need: number,
  where: string,
  op: string,
): Promise<ArrayBuffer> {
  let realDir: string;
  try {
    realDir = await fs.realpath(dir);
  } catch (e) {
    throw ioError(op, `read ${dir}`, e);
  }
  const inside = (root: string, p: string) => {
    const rel = path.relative(root, p);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  const files: Array<Awaited<ReturnType<typeof openRegular>>> = [];
  try {
    for (const p of paths) {
      const full = path.resolve(dir, p);
      if (path.isAbsolute(p) || /^[a-z]+:\/\//i.test(p) || !inside(dir, full)) {
        throw new ModelFormatError(`${where}: weight path ${JSON.stringify(p)} must be a file beside model.json`);
      }
      let real: string;
      try {
        real = await fs.realpath(full);
      } catch (e) {
        throw ioError(op, `read weight file ${full}`, e);
      }
      if (!inside(realDir, real)) {
        throw new ModelFormatError(
          `${where}: weight file ${JSON.stringify(p)} leads to ${real}, outside the model's directory ${realDir}`,
        );
      }
      files.push(await openRegular(fs, real, 'weight file', op));
    }
    const total = files.reduce((n, f) => n + f.size, 0);
    if (total !== need) throw sizeMismatch(where, paths, total, need);
    const out = new Uint8Array(need);
    let offset = 0;
    for (const f of files) {
      const got = await readInto(f.handle, out, offset, f.size);
      offset += got;
      if (got < f.size) throw sizeMismatch(where, paths, offset, need);
    }
    return out.buffer;
  } catch (e) {
    if (e instanceof ModelFormatError || e instanceof ModelIOError) throw e;
    throw ioError(op, `read the weight files in ${dir}`, e);
  } finally {
    for (const f of files) await f.handle.close().catch(() => {});
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
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (e) {
    throw ioError(op, `read ${file}`, e);
  }
  const { handle, size } = await openRegular(fs, real, 'model file', op);
  let text: string;
  try {
    const bytes = new Uint8Array(size);
    text = new TextDecoder().decode(bytes.subarray(0, await readInto(handle, bytes, 0, size)));
  } catch (e) {
    throw ioError(op, `read ${file}`, e);
  } finally {
    await handle.close().catch(() => {});
  }
  const dir = path.dirname(file);
  return artifactsFromModelJSON(
    parseModelJSON(text, file),
    async (paths, need) => [await readWeightGroup(fs, path, dir, paths, need, file, op)],
    file,
  );
}
