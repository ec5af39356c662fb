// nn.explain: why a model predicts what it does. Each method's body is loaded on first use (the
// entries below name it); the bodies evaluate perturbed or interpolated inputs in large batches on
// the model's Wasm path.
export * from './explain-text-entry.js';
export * from './gradients-entry.js';
export * from './integrated-gradients-entry.js';
export * from './lime-entry.js';
export * from './lime-text-entry.js';
export * from './permutation-entry.js';
export * from './shap-entry.js';
