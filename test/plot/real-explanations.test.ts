// The plots of real explanations: KernelSHAP of an iris network (waterfall, force, bar, beeswarm),
// integrated gradients of a digits network (heat map over the digit), the words of a spam model
// (text), and a surrogate tree of the iris network. With PLOT_SAMPLES=<folder> the SVGs are also
// written there, to look at.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/datasets/index.js';
import { explainText } from '../../src/explain/explain-text.js';
import { integratedGradients } from '../../src/explain/integrated-gradients.js';
import { kernelShap } from '../../src/explain/kernel-shap.js';
import * as nn from '../../src/index.js';
import * as plot from '../../src/plot/index.js';
import { tree as surrogateTree } from '../../src/surrogate/tree.js';
import { parseXml, select, textOf } from '../helpers/xml.js';

const samples = process.env.PLOT_SAMPLES;

function keep(name: string, svg: string): void {
  parseXml(svg);
  if (!samples) return;
  mkdirSync(samples, { recursive: true });
  writeFileSync(join(samples, name), svg);
}

async function trained(name: 'iris' | 'digits', hidden: number, epochs: number) {
  const data = await loadDataset(name);
  nn.setSeed(1);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: hidden, activation: 'relu', inputShape: [data.featureNames.length] }),
      nn.layers.dense({ units: data.numClasses, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: nn.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
  await model.fit(data.x, data.y, { epochs, batchSize: 32, seed: 1, verbose: 0 });
  return { data, model };
}

beforeAll(() => nn.ready());

describe('plots of real explanations', () => {
  it('iris KernelSHAP: the waterfall ends at the network output f(x), the force plot too', async () => {
    const { data, model } = await trained('iris', 16, 60);
    const x = data.x.slice([100, 0], [1, -1]);
    const background = data.x.slice([0, 0], [150, -1]).gather(
      nn.tensor1d(
        Array.from({ length: 30 }, (_, i) => i * 5),
        'int32',
      ),
    );
    const { values, baseValues } = await kernelShap(model, x, { background, seed: 1 });
    const output = 2;
    const row = values.slice([0, 0, output], [1, -1, 1]);
    const fx = (model.predict(x) as nn.Tensor).dataSync()[output];
    const featureValues = Array.from(x.dataSync());
    const options = { baseValue: baseValues[output], featureNames: data.featureNames, featureValues };

    const waterfall = plot.waterfallPlot(row, { ...options, title: `iris row 100: P(${data.classNames[output]})` });
    keep('iris-waterfall.svg', waterfall);
    const fxLabel = select(parseXml(waterfall), 'text', 'fx')[0];
    expect(Number(textOf(fxLabel).replace('f(x) = ', ''))).toBeCloseTo(fx, 2);
    const force = plot.forcePlot(row, options);
    keep('iris-force.svg', force);
    expect(Number(textOf(select(parseXml(force), 'text', 'fx')[0]).replace('f(x) = ', ''))).toBeCloseTo(fx, 2);
    keep('iris-bar.svg', plot.barPlot(row, { featureNames: data.featureNames }));

    const all = await kernelShap(model, data.x.slice([0, 0], [60, -1]), { background, seed: 1 });
    const ofOutput = all.values.slice([0, 0, output], [-1, -1, 1]).reshape([60, 4]);
    const swarm = plot.beeswarmPlot(ofOutput, {
      featureValues: data.x.slice([0, 0], [60, -1]),
      featureNames: data.featureNames,
    });
    keep('iris-beeswarm.svg', swarm);
    expect(select(parseXml(swarm), 'circle')).toHaveLength(240);
    nn.dispose([x, background, values, row, all.values, ofOutput]);
  }, 60_000);

  it('digits integrated gradients: a heat map of 64 cells over the digit', async () => {
    const { data, model } = await trained('digits', 32, 20);
    const digit = data.x.slice([5, 0], [1, -1]);
    const { attributions } = await integratedGradients(model, digit);
    const svg = plot.heatMap(attributions, {
      width: 8,
      height: 8,
      image: digit,
      title: `digit ${data.y.dataSync()[5]}`,
    });
    keep('digits-heatmap.svg', svg);
    keep('digits-heatmap-plain.svg', plot.heatMap(attributions, { width: 8, height: 8 }));
    expect(select(parseXml(svg), 'g', 'cell')).toHaveLength(64);
    nn.dispose([digit, attributions]);
  }, 60_000);

  it('iris surrogate tree: every node drawn, the JSON and the tree give the same picture', async () => {
    const { data, model } = await trained('iris', 16, 60);
    const tree = await surrogateTree(model, data.x, {
      maxDepth: 3,
      featureNames: data.featureNames,
      classNames: data.classNames,
    });
    const svg = plot.treePlot(tree);
    keep('iris-tree.svg', svg);
    expect(select(parseXml(svg), 'g', 'node')).toHaveLength(tree.nodeCount);
    expect(plot.treePlot(JSON.parse(JSON.stringify(tree)))).toBe(svg);
  }, 60_000);

  it('spam words: a box per token', async () => {
    const texts = ['win money now', 'win big money today', 'see you at the meeting', 'lunch with the team today'];
    nn.setSeed(3);
    const vectorizer = nn.layers.textVectorization({ maxTokens: 30, outputSequenceLength: 6 });
    vectorizer.adapt(texts);
    const model = nn.sequential({
      layers: [
        vectorizer,
        nn.layers.embedding({ inputDim: 30, outputDim: 8, maskZero: true }),
        nn.layers.globalAveragePooling1d(),
        nn.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    model.compile({ optimizer: nn.train.adam(0.05), loss: 'binaryCrossentropy' });
    await model.fit(texts, [1, 1, 0, 0], { epochs: 40, batchSize: 2, seed: 3, verbose: 0 });
    const words = await explainText(model, 'win money at the meeting today', { method: 'integratedGradients' });
    const svg = plot.textPlot(words, { title: 'spam probability', width: 320 });
    keep('spam-text.svg', svg);
    expect(select(parseXml(svg), 'g', 'token')).toHaveLength(words.length);
  }, 60_000);
});
