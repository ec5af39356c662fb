/**
 * Model files in the TensorFlow.js layers format (`model.json` + binary weights), interchangeable
 * with tfjs and Keras (through the tfjs converter). `model.save(target)` and
 * `nn.loadLayersModel(source)` take the URL-style targets and the IOHandlers below. What they do is
 * loaded on first use (in the browser, a chunk beside the bundle), so everything that reads or
 * writes a model is asynchronous, `modelArtifacts` and `modelFromArtifacts` too.
 *
 * @example
 * await model.save('file://./my-model');                        // Node: my-model/model.json + weights.bin
 * await model.save('indexeddb://my-model');                     // browser (also localstorage://)
 * await model.save('file://./small', { quantize: 'uint8' });    // 1 byte per weight, as the tfjs converter
 * await model.save('file://./ckpt', { includeOptimizer: true }); // fit resumes exactly after loading
 * model.preprocessing = scaler;                                  // saved under model.json's "neurasm" key
 * const m = await nn.loadLayersModel('https://example.com/model/model.json');
 * const k = await nn.loadLayersModel(nn.io.fromMemory(artifacts)); // also tfjs's handlers
 * const copy = await nn.io.modelFromArtifacts(await nn.io.modelArtifacts(model), 'a copy');
 * The handlers are src/io/ (they know only artifacts); the layers format is this folder.
 * @packageDocumentation
 */
export * from '../io/index.js';
export { supportedLayerClasses } from './layer-classes.js';
export type { LoadLayersOptions } from './load.js';
export { loadLayersModel, modelFromArtifacts } from './load.js';
export { modelArtifacts } from './save.js';
