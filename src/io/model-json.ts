// model.json <-> artifacts, shared by the file and http handlers: the JSON is checked, weight files
// are read group by group and each group's size is checked against its manifest entries. Part of the
// handler bodies (loaded on first use, see lazy-import.ts).
import { describe } from '../ops/validate.js';
import { ModelFormatError } from './errors.js';
import { checkJSONDepth } from './json-depth.js';
import type { ModelArtifacts, ModelArtifactsInfo, ModelJSON, WeightsManifestGroupConfig } from './types.js';
import { checkManifest, joinBuffers, weightByteLength } from './weights.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A parsed JSON value that is not an object, in a few words (an array may be nested deep). */
function describeJSON(json: unknown): string {
  return Array.isArray(json) ? describe(json) : String(JSON.stringify(json)).slice(0, 40);
}

/**
 * Parses the text of a model.json, with a clear error for anything that is not a JSON object or
 * nests too deep (json-depth.ts).
 */
export function parseModelJSON(text: string, where: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(json)) throw new ModelFormatError(`${where}: expected a JSON object, got ${describeJSON(json)}`);
  checkJSONDepth(json, 'model.json', where);
  return json;
}

/** The error for weight files whose total size is not what their manifest group needs. */
export function sizeMismatch(where: string, paths: string[], got: number, need: number): ModelFormatError {
  const what = got < need ? 'shorter' : 'longer';
  return new ModelFormatError(
    `${where}: weight files ${paths.join(', ')} are ${what} than the manifest says: ${got} bytes, expected ${need}`,
  );
}

/**
 * Artifacts from a parsed model.json: `readGroup(paths, bytes)` returns the files of one manifest
 * group, whose weights need `bytes` bytes; their total size must be that.
 */
export async function artifactsFromModelJSON(
  json: Record<string, unknown>,
  readGroup: (paths: string[], bytes: number) => Promise<ArrayBuffer[]>,
  where: string,
): Promise<ModelArtifacts> {
  if (json.modelTopology === undefined || json.modelTopology === null) {
    throw new ModelFormatError(`${where}: modelTopology is missing`);
  }
  if (json.weightsManifest === undefined || json.weightsManifest === null) {
    throw new ModelFormatError(`${where}: weightsManifest is missing (a layers model needs its weights)`);
  }
  if (json.format !== undefined && json.format !== null && json.format !== 'layers-model') {
    throw new ModelFormatError(
      `${where}: format is ${JSON.stringify(json.format)}; neurasm loads 'layers-model' files`,
    );
  }
  const manifest = checkManifest(json.weightsManifest, where);
  const buffers: ArrayBuffer[] = [];
  for (let g = 0; g < manifest.length; g++) {
    const { paths, weights } = manifest[g];
    const need = weights.reduce((n, w) => n + weightByteLength(w), 0);
    const data = joinBuffers(await readGroup(paths, need), where);
    if (data.byteLength !== need) throw sizeMismatch(where, paths, data.byteLength, need);
    buffers.push(data);
  }
  const artifacts: ModelArtifacts = {
    modelTopology: json.modelTopology as object,
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: joinBuffers(buffers, where),
  };
  for (const key of [
    'format',
    'generatedBy',
    'convertedBy',
    'trainingConfig',
    'userDefinedMetadata',
    'neurasm',
  ] as const) {
    if (json[key] !== undefined) (artifacts as Record<string, unknown>)[key] = json[key];
  }
  return artifacts;
}

/** The model.json for artifacts whose weights are stored in `paths` (tfjs getModelJSONForModelArtifacts). */
export function modelJSONFromArtifacts(artifacts: ModelArtifacts, paths: string[]): ModelJSON {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ModelFormatError('save: a binary model topology cannot be written as model.json');
  }
  const manifest: WeightsManifestGroupConfig[] = [{ paths, weights: artifacts.weightSpecs ?? [] }];
  const json: ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: manifest,
  };
  if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.neurasm) json.neurasm = artifacts.neurasm;
  return json;
}

/** Byte length of a string in UTF-8. */
export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).byteLength;
}

/** Sizes of artifacts, as tfjs reports them after a save. */
export function artifactsInfo(artifacts: ModelArtifacts): ModelArtifactsInfo {
  const data = artifacts.weightData;
  const bytes =
    data === undefined ? 0 : Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: artifacts.modelTopology ? utf8Length(JSON.stringify(artifacts.modelTopology)) : 0,
    weightSpecsBytes: artifacts.weightSpecs ? utf8Length(JSON.stringify(artifacts.weightSpecs)) : 0,
    weightDataBytes: bytes,
  };
}
