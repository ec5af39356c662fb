// What neurasm loads on first use (imported by lazy-import.ts): the bodies of the IOHandlers' save
// and load, making artifacts of a model and a model of artifacts, and the bodies of crossValidate,
// fitInWorker and of serveFit's answer to a request. Imported only by lazy-import.ts, with import(),
// so that bundlers make it (and the modules only it needs) a chunk of its own.

export { crossValidate } from '../data/cross-validate.js';
export { fitInWorker } from '../worker/host.js';
export { runWorkerFit } from '../worker/serve-fit-run.js';
export { loadIndexedDB, loadLocalStorage, saveIndexedDB, saveLocalStorage } from './browser.js';
export { saveFiles } from './file-save.js';
export { loadFiles } from './file-system.js';
export { modelFromArtifacts } from './from-artifacts.js';
export { loadHTTP, saveHTTP } from './http.js';
export { modelArtifacts } from './to-artifacts.js';
