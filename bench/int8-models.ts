// The committed int8 ONNX peers of the benchmarked MLPs (bench/models/): made offline by onnxruntime's Python
// quantization tools from the bench's own f32 weights, and checked against them before use. The f32 side (model
// files and calibration rows) is written by scripts/onnx/write-f32-models.ts, the int8 side and the manifest by
// scripts/onnx/quantize_models.py; `npm run bench:onnx-models` runs both (PYTHON=<a python with onnxruntime, onnx and
// numpy> when python3 lacks them). See bench/models/README.md.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as nn from '../src/index.js';
import { randomFloats } from './harness.js';
import { denseLayersOf, encodeMlp, type OnnxDense } from './onnx-mlp.js';
import { buildMlp, SHAPES } from './training.js';

/** The command that regenerates bench/models/ (needs Python with onnxruntime, onnx and numpy). */
export const REGENERATE_COMMAND = 'npm run bench:onnx-models';

/** Where the int8 models and their manifest are committed. */
export const MODELS_DIR = fileURLToPath(new URL('models', import.meta.url));

/** The int8 variants: onnxruntime's quantize_dynamic and quantize_static (QDQ). */
export const INT8_VARIANTS = ['int8-dynamic', 'int8-qdq'] as const;
export type Int8Variant = (typeof INT8_VARIANTS)[number];

/**
 * Calibration rows of quantize_static: the bench's input distribution (uniform in [-1, 1), bench/harness.ts
 * randomFloats) under a seed of their own, so the timed inputs (seed 3) are not the calibration set.
 */
export const CALIBRATION = { rows: 256, seed: 1001 } as const;

/** One model of bench/models/manifest.json. */
export interface ManifestModel {
  /** Layer widths, input first (a bench/training.ts SHAPES entry). */
  sizes: number[];
  /** sha256 of the f32 weights the int8 files were made from (see weightsSha256). */
  weightsSha256: string;
  /** The calibration rows of the QDQ model (see CALIBRATION). */
  calibration: { rows: number; seed: number; distribution: string };
  /** Per variant: file name in bench/models/, its size in bytes and sha256. */
  files: Record<Int8Variant, { file: string; bytes: number; sha256: string }>;
}

/** bench/models/manifest.json: what made the files, and one entry per model keyed by modelName. */
export interface Manifest {
  generator: Record<string, unknown>;
  models: Record<string, ManifestModel>;
}

/** The name of a benchmarked MLP in file names and the manifest: its widths joined by '-'. */
export function modelName(sizes: readonly number[]): string {
  return sizes.join('-');
}

/** sha256 (hex) of an MLP's f32 weights: every layer's kernel then bias, as little-endian float32 bytes. */
export function weightsSha256(layers: readonly OnnxDense[]): string {
  const hash = createHash('sha256');
  const bytesOf = (values: Float32Array) => {
    const out = new Uint8Array(values.length * 4);
    const view = new DataView(out.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return out;
  };
  for (const { kernel, bias } of layers) hash.update(bytesOf(kernel)).update(bytesOf(bias));
  return hash.digest('hex');
}

/** The bench's weights of the MLP `sizes` (bench/training.ts buildMlp, seed 1) as ONNX dense layers. */
export function benchLayers(lib: typeof nn, sizes: readonly number[]): OnnxDense[] {
  const model = buildMlp(lib, sizes);
  const layers = denseLayersOf(model);
  model.dispose();
  return layers;
}

/** Reads bench/models/manifest.json (or the manifest of another directory). */
export function readManifest(dir = MODELS_DIR): Manifest {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} is missing: run \`${REGENERATE_COMMAND}\``);
  }
  return JSON.parse(text) as Manifest;
}

/**
 * The int8 ONNX files of the MLP whose f32 weights are `layers`, after checking that the manifest was made from
 * exactly these weights and that the files are the ones it lists. Throws, naming the regenerate command, if not.
 */
export function loadInt8Models(
  layers: readonly OnnxDense[],
  manifest: Manifest = readManifest(),
  dir = MODELS_DIR,
): Record<Int8Variant, Uint8Array> {
  const sizes = [layers[0].inputs, ...layers.map((l) => l.units)];
  const name = modelName(sizes);
  const entry = manifest.models[name];
  if (!entry) throw new Error(`bench/models/manifest.json has no model ${name}: run \`${REGENERATE_COMMAND}\``);
  const actual = weightsSha256(layers);
  if (entry.weightsSha256 !== actual) {
    throw new Error(
      `the int8 models of ${name} were made from other weights than the bench builds now ` +
        `(weights sha256 ${actual}, manifest ${entry.weightsSha256}): run \`${REGENERATE_COMMAND}\``,
    );
  }
  const out = {} as Record<Int8Variant, Uint8Array>;
  for (const variant of INT8_VARIANTS) {
    const { file, sha256 } = entry.files[variant];
    const bytes = new Uint8Array(readFileSync(path.join(dir, file)));
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== sha256) {
      throw new Error(`bench/models/${file} is not the file the manifest lists: run \`${REGENERATE_COMMAND}\``);
    }
    out[variant] = bytes;
  }
  return out;
}

/**
 * Writes the quantizer's inputs to `dir`: per benchmarked MLP the f32 ONNX model (<name>.f32.onnx) and its
 * calibration rows (<name>.calibration.f32, raw little-endian float32 [rows, inputs]), and models.json listing
 * them with the weights' sha256. `lib` must be ready (nn.ready).
 */
export function writeF32Models(lib: typeof nn, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const models = SHAPES.map(({ sizes }) => {
    const name = modelName(sizes);
    const layers = benchLayers(lib, sizes);
    writeFileSync(path.join(dir, `${name}.f32.onnx`), encodeMlp(layers));
    const rows = randomFloats(CALIBRATION.rows * sizes[0], CALIBRATION.seed);
    writeFileSync(path.join(dir, `${name}.calibration.f32`), new Uint8Array(rows.buffer));
    return {
      name,
      sizes,
      f32: `${name}.f32.onnx`,
      calibration: `${name}.calibration.f32`,
      calibrationRows: CALIBRATION.rows,
      calibrationSeed: CALIBRATION.seed,
      weightsSha256: weightsSha256(layers),
    };
  });
  writeFileSync(path.join(dir, 'models.json'), `${JSON.stringify({ models }, null, 2)}\n`);
}
