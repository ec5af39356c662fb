// What neurasm loads on first use (imported by lazy-import.ts): the bodies of the IOHandlers' save
// and load, making artifacts of a model and a model of artifacts, and the bodies of crossValidate,
// fitInWorker and of serveFit's answer to a request. The browser build makes it a chunk of its own (tsup.config.ts); the modules below
// it that the bundle has too are the bundle's there.

export { crossValidate } from '../data/cross-validate.js';
export { fitInWorker } from '../worker/host.js';
export { runWorkerFit } from '../worker/serve-fit-run.js';
export { loadIndexedDB, loadLocalStorage, saveIndexedDB, saveLocalStorage } from './browser.js';
export { saveFiles } from './file-save.js';
export { loadFiles } from './file-system.js';
export { modelFromArtifacts } from './from-artifacts.js';
export { loadHTTP, saveHTTP } from './http.js';
export { modelArtifacts } from './to-artifacts.js';
