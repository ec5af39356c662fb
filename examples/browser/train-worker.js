// The training worker: builds the classic Keras example model (experiment.js) for each fitInWorker request
// from the page, and serveFit runs the fit here, off the main thread.
import * as nn from '../../dist/neurasm.browser.js';
import { buildModel } from './experiment.js';

nn.serveFit(async ({ seed, readyOptions }) => {
  await nn.ready(readyOptions);
  return buildModel(nn, seed);
});
