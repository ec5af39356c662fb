// A training worker that dies mid-training: an uncaught error 150 ms after the fit starts
// (fit yields to the event loop every few milliseconds, so the timer fires while it runs).
import * as nn from '../../dist/neurasm.browser.js';

nn.serveFit(async () => {
  await nn.ready({ relaxedSimd: false });
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 32, activation: 'relu', inputShape: [8] }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  setTimeout(() => {
    throw new Error('simulated crash in the training worker');
  }, 150);
  return model;
});
