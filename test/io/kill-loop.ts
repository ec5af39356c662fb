// The kill loop of save-kill.test.ts: a child process saves two models alternately into one
// directory and is SIGKILLed at a random moment, round after round; after each kill the directory
// is loaded and must be one of the two models. Counts what went wrong.
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import * as nn from '../../src/index.js';
import { rng } from '../helpers/random.js';

/** A model the directory may hold: its name and weights. */
export interface Expected {
  name: string;
  weights: Float32Array[];
}

/** What the rounds found. */
export interface KillLoopResult {
  rounds: number;
  /** Rounds after which the directory did not load. */
  unloadable: number;
  /** Rounds after which it loaded with one model's topology and (some of) the other's weights. */
  mixed: number;
  /** Files in the directory that model.json does not name, after the last round. */
  leftovers: number;
  /** The most such files after any round. */
  maxLeftovers: number;
  /** Saves the children finished, and the average time of a child's first save (ms). */
  saves: number;
  saveMs: number;
  /** How often each expected model was found. */
  loaded: Record<string, number>;
  /** The first few load errors. */
  errors: string[];
}

/** Bundles the child's entry (TypeScript) into one ES module that Node starts fast. */
export async function bundleChild(entry: string, outfile: string): Promise<void> {
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent' });
}

/** Files in `dir` other than model.json and the weight files it names. */
export async function leftoverFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  let named: string[] = [];
  try {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    named = json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths);
  } catch {}
  return names.filter((n) => n !== 'model.json' && !named.includes(n));
}

function same(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Starts the child, waits for its "ready", kills it after `delay` ms, and waits for its exit;
 * returns how long each save it finished took (ms).
 */
async function killRound(child: string, args: string[], delay: number): Promise<number[]> {
  const p = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  p.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<void>((resolve) => p.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    p.stdout.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    p.on('exit', (code) => reject(new Error(`the child exited (${code}) before it was ready: ${err}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, delay));
  p.kill('SIGKILL');
  await exited;
  if (err) throw new Error(`the child failed: ${err}`);
  return [...out.matchAll(/saved ([\d.]+)/g)].map((m) => Number(m[1]));
}

/**
 * Runs `rounds` rounds: `child` (a bundled script) is started with `dir`, `inputs` and the name of
 * the model `dir` does not hold (so that its first save replaces one model by the other), and killed
 * after a random delay of up to twice its first save's average time, so that about half the rounds
 * kill it within that save; then `dir` is loaded and compared with the `expected` models.
 */
export async function killLoop(options: {
  child: string;
  dir: string;
  inputs: string;
  rounds: number;
  expected: Expected[];
  seed?: number;
}): Promise<KillLoopResult> {
  const { child, dir, inputs, rounds, expected } = options;
  const r = rng(options.seed ?? 1);
  const result: KillLoopResult = {
    rounds,
    unloadable: 0,
    mixed: 0,
    leftovers: 0,
    maxLeftovers: 0,
    saves: 0,
    saveMs: 20,
    loaded: {},
    errors: [],
  };
  let firsts = 0;
  let current = expected[0].name;
  for (let round = 0; round < rounds; round++) {
    const next = expected.find((m) => m.name !== current)?.name ?? current;
    const saves = await killRound(child, [dir, inputs, next], r() * 2 * result.saveMs);
    result.saves += saves.length;
    if (saves.length > 0) result.saveMs = (result.saveMs * firsts + saves[0]) / ++firsts;
    let model: nn.Sequential;
    try {
      model = await nn.loadLayersModel(`file://${dir}`);
    } catch (e) {
      result.unloadable++;
      if (result.errors.length < 3) result.errors.push(`round ${round}: ${(e as Error).message}`);
      continue;
    } finally {
      const left = (await leftoverFiles(dir)).length;
      result.leftovers = left;
      result.maxLeftovers = Math.max(result.maxLeftovers, left);
    }
    const want = expected.find((m) => m.name === model.name);
    const weights = model.weights.map((v) => v.dataSync() as Float32Array);
    if (!want || want.weights.length !== weights.length || !want.weights.every((w, i) => same(w, weights[i])))
      result.mixed++;
    else {
      result.loaded[want.name] = (result.loaded[want.name] ?? 0) + 1;
      current = want.name;
    }
    model.dispose();
  }
  return result;
}
