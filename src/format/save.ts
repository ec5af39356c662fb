// model.save(target) and nn.io.modelArtifacts, as the bundle carries them: the target is checked at
// once, and what makes the artifacts (to-artifacts.ts) is imported on first use (lazy-import.ts).
// The model does not import this module (it stands below the format): importing it gives
// Sequential.save its body (setModelSaver).
import { saveHandlerFor } from '../io/router.js';
import type { ModelArtifacts, SaveConfig, SaveResult, SaveTarget } from '../io/types.js';
import { lazyPart, lazyPartIfLoaded } from '../lazy-import.js';
import { type Sequential, setModelSaver } from '../models/sequential.js';
import type { modelArtifacts as modelArtifactsBody } from './to-artifacts.js';

/** What saving takes from the chunk loaded on first use (src/lazy.ts). */
export interface SaveBodies {
  modelArtifacts: typeof modelArtifactsBody;
}

/**
 * The artifacts of a model, as `model.save` hands them to a save handler: its topology, weights
 * (optionally quantized), optimizer state and preprocessing, per `config` (see SaveConfig).
 * Asynchronous because the code that writes them is loaded on first use; the model is read when it
 * is there (at once, after the first use in a page), so leave the model as it is until the promise
 * settles.
 *
 * @example
 * const artifacts = await nn.io.modelArtifacts(model, { includeOptimizer: true });
 * const copy = await nn.loadLayersModel(nn.io.fromMemory(artifacts));
 */
export async function modelArtifacts(model: Sequential, config: SaveConfig = {}): Promise<ModelArtifacts> {
  // no await once the code is loaded: the model is read in the caller's turn
  const io = lazyPartIfLoaded<SaveBodies>() ?? (await lazyPart<SaveBodies>('modelArtifacts'));
  return io.modelArtifacts(model, config);
}

/** `model.save(target, config)`: writes the model to a URL-style target or an IOHandler. */
export async function saveModel(model: Sequential, target: SaveTarget, config?: SaveConfig): Promise<SaveResult> {
  const handler = saveHandlerFor(target);
  const io = lazyPartIfLoaded<SaveBodies>() ?? (await lazyPart<SaveBodies>('save'));
  return handler.save(io.modelArtifacts(model, config));
}

setModelSaver(saveModel);
