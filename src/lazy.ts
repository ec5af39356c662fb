// The chunk neurasm loads on first use (see lazy-import.ts): the bodies of the IOHandlers' save and
// load, of making artifacts of a model and a model of artifacts, and of crossValidate, fitInWorker
// and serveFit's answer to a request. Only index.ts names it, with import(), so that bundlers make
// it (and the modules only it needs) a chunk of its own; it stands above every floor it takes from.

export { explainText } from './explain/explain-text.js';
export { serveGradientRows } from './explain/gradient-serve.js';
export { gradientTimesInput, saliency } from './explain/gradients.js';
export { serveIgRows } from './explain/ig-serve.js';
export { integratedGradients } from './explain/integrated-gradients.js';
export { kernelShap } from './explain/kernel-shap.js';
export { kmeans } from './explain/kmeans.js';
export { lime } from './explain/lime.js';
export { limeText } from './explain/lime-text.js';
export { permutationImportance } from './explain/permutation.js';
export { serveShapRows } from './explain/shap-serve.js';
export { modelFromArtifacts } from './format/from-artifacts.js';
export { modelArtifacts } from './format/to-artifacts.js';
export { loadIndexedDB, loadLocalStorage, saveIndexedDB, saveLocalStorage } from './io/browser.js';
export { saveFiles } from './io/file-save.js';
export { loadFiles } from './io/file-system.js';
export { loadHTTP, saveHTTP } from './io/http.js';
export { dequantize, quantize } from './quantize/quantize.js';
export { crossValidate } from './selection/cross-validate.js';
export { ruleList as surrogateRuleList } from './surrogate/rules.js';
export { tree as surrogateTree, treeFromJSON as surrogateTreeFromJSON } from './surrogate/tree.js';
export { fitInWorker } from './worker/host.js';
export { predictOnThreads } from './worker/predict-host.js';
export { servePredictRows } from './worker/predict-serve.js';
export { serveReplica } from './worker/replica-serve.js';
export { startReplicas } from './worker/replica-start.js';
export { runWorkerFit } from './worker/serve-fit-run.js';
