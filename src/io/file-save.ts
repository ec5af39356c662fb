// file:// save in Node, safe against a crash at any moment: the directory always holds the old
// model or the new one, never a mix and never nothing. model.json names its weight files, so the
// switch is one atomic rename of model.json:
//   1. the weights are written under a fresh name (weights.bin.tmp-<pid>-…) and flushed to disk;
//   2. a model.json naming that file is written beside, flushed, and renamed over model.json;
//   3. the weights get their usual name weights.bin (a hard link, else a copy, renamed over it:
//      model.json does not name weights.bin at that moment), and a model.json naming weights.bin
//      replaces the one of step 2 the same way; then the fresh name is removed.
// A crash leaves temporary files beside the model; every save starts and ends by removing those of
// processes that are no longer running, never a file the current model.json names. Saves into one directory
// from one process run one after the other; saves from two processes at once are not serialized.
// Part of the handler bodies (loaded on first use, see lazy-import.ts).
import { ModelIOError } from './errors.js';
import { ioError, nodeModules } from './file-system.js';
import { checkArtifactsDepth } from './json-depth.js';
import { artifactsInfo, modelJSONFromArtifacts, utf8Length } from './model-json.js';
import type { ModelArtifacts, SaveResult } from './types.js';
import { joinBuffers } from './weights.js';

type Fs = Awaited<ReturnType<typeof nodeModules>>['fs'];
type Path = Awaited<ReturnType<typeof nodeModules>>['path'];

/** Temporary files of the saves running in this process (full paths): never cleaned up as leftovers. */
const inFlight = new Set<string>();

/** The last save into each directory in this process: the next one waits for it. */
const queues = new Map<string, Promise<unknown>>();

/** `<name>.tmp-<pid>-<time>-<random>`: the temporary names of a save, and of leftovers (older saves also used `.old-`). */
const TEMP = /^(.+)\.(?:tmp|old)-(\d+)-[0-9a-z]+-[0-9a-z]+$/;

/** A unique temporary name beside `file`. */
function tempName(file: string): string {
  return `${file}.tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Writes `data` to a new file and flushes it to disk. */
async function writeDurably(fs: Fs, file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a directory's entries (the renames) to disk, where the platform allows it. */
async function syncDirectory(fs: Fs, dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a directory for this; its renames are durable on their own
  }
}

/** Whether process `pid` runs (on this machine). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes what crashed saves left in `dir`: temporary files of model.json or `weightsName` made by a
 * process that no longer runs (or by this one, and no longer in use), unless model.json names them.
 */
async function removeLeftovers(fs: Fs, path: Path, dir: string, weightsName: string): Promise<void> {
  let named: Set<string>;
  try {
    const modelFile = path.join(dir, 'model.json');
    const stat = await fs.stat(modelFile);
    if (!stat.isFile() || stat.size > 2 ** 28) return;
    const json = JSON.parse(await fs.readFile(modelFile, 'utf8'));
    named = new Set((json.weightsManifest as Array<{ paths: string[] }>).flatMap((g) => g.paths));
  } catch {
    return; // model.json is not ours to read now: leave everything as it is
  }
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const m = TEMP.exec(name);
    if (!m || (m[1] !== 'model.json' && m[1] !== weightsName) || named.has(name)) continue;
    const file = path.join(dir, name);
    const pid = Number(m[2]);
    if (inFlight.has(file) || (pid !== process.pid && running(pid))) continue;
    await fs.rm(file, { force: true }).catch(() => {});
  }
}

/**
 * Gives the weights in `staged` the name `weightsFile` and switches model.json to it (step 3 of the
 * file comment). Returns false if that could not be done: the model then stays saved under `staged`.
 */
async function settle(fs: Fs, staged: string, weightsFile: string, modelFile: string, json: string): Promise<boolean> {
  const linkTemp = tempName(weightsFile);
  const jsonTemp = tempName(modelFile);
  inFlight.add(linkTemp).add(jsonTemp);
  try {
    try {
      await fs.link(staged, linkTemp);
    } catch {
      await fs.copyFile(staged, linkTemp, fs.constants.COPYFILE_EXCL);
      const handle = await fs.open(linkTemp, 'r+');
      await handle.sync().finally(() => handle.close());
    }
    await fs.rename(linkTemp, weightsFile);
    await writeDurably(fs, jsonTemp, json);
    await fs.rename(jsonTemp, modelFile);
  } catch {
    for (const t of [linkTemp, jsonTemp]) await fs.rm(t, { force: true }).catch(() => {});
    return false;
  } finally {
    inFlight.delete(linkTemp);
    inFlight.delete(jsonTemp);
  }
  await fs.rm(staged, { force: true }).catch(() => {});
  return true;
}

/** Creates `dir` if needed; returns the first directory it created, to remove if the save fails. */
async function ensureDirectory(fs: Fs, dir: string, op: string): Promise<string | undefined> {
  try {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw new ModelIOError(`${op}: ${dir} exists and is not a directory`);
    return undefined;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
    return fs.mkdir(dir, { recursive: true });
  }
}

async function saveNow(
  fs: Fs,
  path: Path,
  dir: string,
  weightsName: string,
  artifacts: ModelArtifacts,
  op: string,
): Promise<SaveResult> {
  const weights = new Uint8Array(joinBuffers(artifacts.weightData ?? new ArrayBuffer(0), op));
  const modelFile = path.join(dir, 'model.json');
  const weightsFile = path.join(dir, weightsName);
  const staged = tempName(weightsFile);
  const stagedJSON = JSON.stringify(modelJSONFromArtifacts(artifacts, [path.basename(staged)]));
  const finalJSON = JSON.stringify(modelJSONFromArtifacts(artifacts, [weightsName]));
  const jsonTemp = tempName(modelFile);
  inFlight.add(staged).add(jsonTemp);
  let created: string | undefined;
  try {
    try {
      created = await ensureDirectory(fs, dir, op);
      await removeLeftovers(fs, path, dir, weightsName);
      await writeDurably(fs, staged, weights);
      await writeDurably(fs, jsonTemp, stagedJSON);
      await fs.rename(jsonTemp, modelFile);
    } catch (e) {
      for (const t of [staged, jsonTemp]) await fs.rm(t, { force: true }).catch(() => {});
      if (created) await fs.rm(created, { recursive: true, force: true }).catch(() => {});
      if (e instanceof ModelIOError) throw e;
      throw ioError(op, `write in ${dir}`, e);
    }
    await syncDirectory(fs, dir);
    const settled = await settle(fs, staged, weightsFile, modelFile, finalJSON);
    await syncDirectory(fs, dir);
    return {
      modelArtifactsInfo: artifactsInfo(artifacts),
      files: [
        { path: modelFile, bytes: utf8Length(settled ? finalJSON : stagedJSON) },
        { path: settled ? weightsFile : staged, bytes: weights.byteLength },
      ],
    };
  } finally {
    inFlight.delete(staged);
    inFlight.delete(jsonTemp);
    await removeLeftovers(fs, path, dir, weightsName);
  }
}

/** FileSystemHandler.save: writes model.json and `weightsName` into the directory `target` (created if needed). */
export async function saveFiles(
  target: string,
  weightsName: string,
  artifacts: ModelArtifacts,
  op: string,
): Promise<SaveResult> {
  checkArtifactsDepth(artifacts, op);
  const { fs, path } = await nodeModules(op);
  const dir = path.resolve(target);
  const run = (queues.get(dir) ?? Promise.resolve()).then(() => saveNow(fs, path, dir, weightsName, artifacts, op));
  const done = run.catch(() => {});
  queues.set(dir, done);
  done.then(() => {
    if (queues.get(dir) === done) queues.delete(dir);
  });
  return run;
}
