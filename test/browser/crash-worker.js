// A training worker that dies mid-training: an uncaught error on the first turn of its event loop
// after it has reported the end of epoch 2 (fit keeps training until it next yields).
import * as nn from '../../dist/neurasm.browser.js';

const post = globalThis.postMessage.bind(globalThis);
globalThis.postMessage = (message, transfer) => {
  post(message, transfer);
  if (message?.neurasm === 'log' && message.hook === 'onEpochEnd' && message.index === 1) {
    setTimeout(() => {
      throw new Error('simulated crash in the training worker');
    }, 0);
  }
};

nn.serveFit(async () => {
  await nn.ready({ relaxedSimd: false });
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 32, activation: 'relu', inputShape: [8] }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return model;
});
