/**
 * The storage of model artifacts, as tfjs's `tf.io` handlers: URL-style targets and IOHandlers
 * (file://, http(s), indexeddb://, localstorage://, memory), the artifacts types and the
 * weights' coding. Handlers know only `ModelArtifacts`, never a model: the layers format, which
 * turns a model into artifacts and back, stands above the models (src/format/), and
 * src/format/io-namespace.ts joins both as `nn.io`.
 * @module
 */
export { ModelFormatError, ModelIOError } from './errors.js';
export {
  browserIndexedDB,
  browserLocalStorage,
  FileSystemHandler,
  fileSystem,
  HTTPHandler,
  http,
  IndexedDBHandler,
  LocalStorageHandler,
} from './handlers.js';
export { fromMemory, withSaveHandler } from './router.js';
export type {
  HandlerLike,
  IOHandler,
  LoadOptions,
  LoadSource,
  ModelArtifacts,
  ModelArtifactsInfo,
  ModelJSON,
  SaveConfig,
  SaveResult,
  SaveTarget,
  TrainingConfig,
  WeightsManifestEntry,
  WeightsManifestGroupConfig,
} from './types.js';
