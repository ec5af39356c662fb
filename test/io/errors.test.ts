// Bad input: each problem is a clear ModelFormatError / ModelIOError naming what is wrong, and a
// failed load leaves nothing allocated (no half-loaded model).
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import { randomArray } from '../helpers/random.js';
import { MemoryStorage, tempDir } from './helpers.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: mutating test data of any shape
type Json = Record<string, any>;

/** Valid artifacts of a small compiled model, saved with its optimizer. */
async function baseline(): Promise<nn.io.ModelArtifacts> {
  nn.setSeed(2);
  const model = nn.sequential({
    layers: [
      nn.layers.dense({ units: 5, activation: 'relu', inputShape: [3] }),
      nn.layers.dropout({ rate: 0.5 }),
      nn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const a = await nn.io.modelArtifacts(model, { includeOptimizer: true });
  model.dispose();
  return a;
}

function clone(a: nn.io.ModelArtifacts): Json {
  return { ...structuredClone({ ...a, weightData: undefined }), weightData: (a.weightData as ArrayBuffer).slice(0) };
}

/** Loading must fail with `type` matching `message`, and leave no tensor behind. */
async function expectFailure(
  a: Json,
  message: RegExp,
  type: typeof nn.NeurasmError = nn.io.ModelFormatError,
): Promise<void> {
  const before = nn.memory().numTensors;
  const p = nn.loadLayersModel(nn.io.fromMemory(a as nn.io.ModelArtifacts));
  await expect(p).rejects.toThrow(type);
  await expect(p).rejects.toThrow(message);
  expect(nn.memory().numTensors).toBe(before);
}

let base: nn.io.ModelArtifacts;
beforeAll(async () => {
  base = await baseline();
});

const layers = (a: Json) => a.modelTopology.config.layers;

describe('topology', () => {
  it('an unsupported layer class names it and lists the supported ones', async () => {
    const a = clone(base);
    layers(a)[1].class_name = 'Conv2D';
    await expectFailure(
      a,
      /unsupported layer class "Conv2D"; supported: Dense, Activation, Dropout, Flatten, .*InputLayer/,
    );
    // every layer class the library has is in that list (TextVectorization, which takes strings, is
    // kept under the file's neurasm key, not in the topology: test/io/text-models.test.ts)
    const modelLayers = (k: string) => /^[A-Z]/.test(k) && k !== 'Layer' && k !== 'TextVectorization';
    for (const name of Object.keys(nn.layers).filter(modelLayers)) {
      expect(nn.io.supportedLayerClasses).toContain(name);
    }
  });

  it('a weight constraint is "not supported yet", naming it; an unknown regularizer lists the known', async () => {
    const a = clone(base);
    layers(a)[0].config.kernel_constraint = { class_name: 'MaxNorm', config: { max_value: 2 } };
    await expectFailure(a, /kernel_constraint: "MaxNorm" is not supported yet/);
    const b = clone(base);
    layers(b)[0].config.kernel_regularizer = { class_name: 'OrthogonalRegularizer', config: {} };
    await expectFailure(b, /unsupported regularizer "OrthogonalRegularizer"; supported: L1, L2, L1L2/);
    const c = clone(base);
    layers(c)[0].config.bias_regularizer = { class_name: 'L2', config: { l2: -1 } };
    await expectFailure(c, /bias_regularizer.config.l2: expected a number >= 0/);
  });

  it('missing pieces and wrong types', async () => {
    const cases: Array<[(a: Json) => void, RegExp]> = [
      [(a) => delete a.modelTopology, /expected modelTopology to be an object/],
      [(a) => (a.modelTopology.class_name = 'Graph'), /expected 'Sequential'/],
      [(a) => (a.modelTopology.config.layers = 'dense'), /expected \{name, layers/],
      [(a) => (a.modelTopology.config.layers = []), /the model has no layers/],
      [(a) => (layers(a)[0].config.units = -5), /units: expected a positive integer, got -5/],
      [(a) => (layers(a)[0].config.activation = 'swish'), /unknown activation "swish"/],
      [(a) => delete layers(a)[0].config.batch_input_shape, /input shape is missing/],
      [(a) => (layers(a)[2].config.batch_input_shape = [null, 9]), /disagrees with the input/],
      [(a) => (layers(a)[1].config.rate = 1.5), /expected rate in \[0, 1\)/],
      [(a) => (layers(a)[0].config.dtype = 'float16'), /layers compute in float32/],
      [(a) => (layers(a)[2].config.name = 'dense_x'), /weight "dense_x\/kernel" is missing from the manifest/],
      [(a) => (a.format = 'graph-model'), /neurasm loads 'layers-model'/],
      [(a) => delete a.weightSpecs, /no weight manifest/],
    ];
    for (const [mutate, message] of cases) {
      const a = clone(base);
      mutate(a);
      await expectFailure(a, message);
    }
  });
});

describe('data nested too deep', () => {
  const deepArray = (n: number): Json => {
    let o: Json = [1];
    for (let i = 1; i < n; i++) o = [o];
    return o;
  };
  const deepObject = (n: number): Json => {
    let o: Json = {};
    for (let i = 1; i < n; i++) o = { class_name: 'X', config: o };
    return o;
  };

  it('10,000 levels anywhere in the artifacts: a ModelFormatError naming where, nothing allocated', async () => {
    const cases: Array<[(a: Json) => void, string]> = [
      [(a) => (a.modelTopology = deepArray(1e4)), 'modelTopology[0][0]'],
      [(a) => (a.modelTopology.config.layers = deepArray(1e4)), 'modelTopology.config.layers[0]'],
      [(a) => (layers(a)[0] = deepArray(1e4)), 'modelTopology.config.layers[0][0]'],
      [(a) => (layers(a)[0].config.name = deepArray(1e4)), 'modelTopology.config.layers[0].config.name[0]'],
      [(a) => (layers(a)[0].config.dtype = deepObject(1e4)), 'modelTopology.config.layers[0].config.dtype.config'],
      [(a) => (layers(a)[0].config.batch_input_shape = [null, deepArray(1e4)]), '.batch_input_shape[1][0]'],
      [(a) => (a.weightSpecs[0].shape = deepArray(1e4)), 'weightSpecs[0].shape[0]'],
      [(a) => (a.weightSpecs[0].name = deepArray(1e4)), 'weightSpecs[0].name[0]'],
      [(a) => (a.format = deepArray(1e4)), 'format[0]'],
      [(a) => (a.neurasm.training.loss = deepArray(1e4)), 'neurasm.training.loss[0]'],
      [(a) => (a.neurasm.training.metrics = deepArray(1e4)), 'neurasm.training.metrics[0]'],
      [(a) => (a.neurasm.preprocessing = { x: deepObject(1e4) }), 'neurasm.preprocessing.x.config'],
      [(a) => (a.trainingConfig = deepObject(1e4)), 'trainingConfig.config'],
    ];
    for (const [mutate, at] of cases) {
      const a = clone(base);
      mutate(a);
      const escaped = at.replace(/[.[\]]/g, '\\$&');
      await expectFailure(a, new RegExp(`${escaped}.*is nested more than 100 levels deep`));
    }
    // in memory, a topology that contains itself
    const c = clone(base);
    layers(c)[0].config.self = layers(c)[0];
    await expectFailure(c, /modelTopology\.config\.layers\[0\]\.config\.self.* \(or contains itself\)/);
    // 100 levels are read as usual (here under a key of the topology that is not read)
    const ok = clone(base);
    ok.modelTopology.extra = deepArray(100 - 1);
    (await nn.loadLayersModel(nn.io.fromMemory(ok as nn.io.ModelArtifacts))).dispose();
  });

  it('saving artifacts nested 10,000 levels deep: a ModelFormatError from every handler, nothing written', async () => {
    const d = await tempDir();
    dirs.push(d);
    const a = clone(base);
    a.userDefinedMetadata = { notes: deepArray(1e4) };
    const storage = new MemoryStorage();
    (globalThis as { localStorage?: Storage }).localStorage = storage;
    try {
      for (const handler of [
        nn.io.fileSystem(join(d, 'm')),
        nn.io.browserLocalStorage('m'),
        nn.io.http('http://host/m', { fetchFunc: (async () => new Response('')) as typeof fetch }),
      ]) {
        const p = handler.save!(a as nn.io.ModelArtifacts);
        await expect(p).rejects.toThrow(nn.io.ModelFormatError);
        await expect(p).rejects.toThrow(/userDefinedMetadata\.notes\[0\].* is nested more than 100 levels deep/);
      }
    } finally {
      delete (globalThis as { localStorage?: Storage }).localStorage;
    }
    expect(await readdir(d)).toEqual([]);
    expect(storage.length).toBe(0);
  });

  it('a model.json nested 100,000 levels deep is a ModelFormatError, through files too', async () => {
    const d = await tempDir();
    dirs.push(d);
    const text = `{"modelTopology": ${'['.repeat(1e5)}${']'.repeat(1e5)}, "weightsManifest": []}`;
    await writeFile(join(d, 'model.json'), text);
    await expectFailureFile(
      `file://${d}`,
      /model\.json\.modelTopology\[0\]\[0\].* is nested more than 100 levels deep/,
    );
    await writeFile(
      join(d, 'model.json'),
      `{"modelTopology": {}, "weightsManifest": ${'['.repeat(1e5)}${']'.repeat(1e5)}}`,
    );
    await expectFailureFile(`file://${d}`, /model\.json\.weightsManifest\[0\].* is nested more than 100 levels deep/);
    await writeFile(join(d, 'model.json'), '['.repeat(1e5) + ']'.repeat(1e5));
    await expectFailureFile(`file://${d}`, /expected a JSON object, got an array of length 1/);
  });
});

describe('weights', () => {
  it('a weight missing from the manifest, or one with no layer', async () => {
    const a = clone(base);
    const spec = a.weightSpecs[1];
    a.weightSpecs.splice(1, 1);
    const bytes = new Uint8Array(base.weightData as ArrayBuffer);
    a.weightData = new Uint8Array([...bytes.subarray(0, 60), ...bytes.subarray(60 + 20)]).buffer;
    expect(spec.name).toMatch(/\/bias$/);
    await expectFailure(a, new RegExp(`weight "${spec.name}" is missing from the manifest`));
    const b = clone(base);
    b.weightSpecs.splice(4, 0, { name: 'extra/kernel', shape: [1], dtype: 'float32' });
    const bb = new Uint8Array(base.weightData as ArrayBuffer);
    const at = (3 * 5 + 5 + 5 * 2 + 2) * 4;
    b.weightData = new Uint8Array([...bb.subarray(0, at), 0, 0, 0, 0, ...bb.subarray(at)]).buffer;
    await expectFailure(b, /manifest weights with no layer to go to: extra\/kernel/);
  });

  it('weight data shorter or longer than the manifest says', async () => {
    const a = clone(base);
    a.weightData = a.weightData.slice(0, a.weightData.byteLength - 1);
    await expectFailure(a, /shorter than the manifest says/);
    const b = clone(base);
    b.weightData = new Uint8Array([...new Uint8Array(b.weightData), 1, 2]).buffer;
    await expectFailure(b, /longer than the manifest says/);
  });

  it('a shape that disagrees with the topology, a dtype we do not read, NaN', async () => {
    const a = clone(base);
    a.weightSpecs[0].shape = [5, 3];
    await expectFailure(a, /"dense_\d+\/kernel" has shape \[5, 3\] in the manifest, the topology needs \[3, 5\]/);
    const b = clone(base);
    b.weightSpecs[0].dtype = 'complex64';
    await expectFailure(b, /reads float32, int32 and int8 weights, got "complex64"/);
    const c = clone(base);
    new Float32Array(c.weightData)[7] = Number.NaN;
    await expectFailure(c, /has NaN at index 7; weights must be finite/);
    const d = clone(base);
    d.weightSpecs[0].quantization = { dtype: 'int4' };
    await expectFailure(d, /quantization.dtype: expected 'uint8', 'uint16' or 'float16'/);
    const e = clone(base);
    e.weightSpecs[0].shape = [3, 1e6, 1e6];
    await expectFailure(e, /more than neurasm loads/);
  });

  it("values out of a weight's domain: a negative moving variance or second moment, named with the index", async () => {
    /** Artifacts of a trained model with batch normalization, saved with its optimizer. */
    const trained = async (optimizer: nn.Optimizer | string) => {
      nn.setSeed(3);
      const model = nn.sequential({
        layers: [
          nn.layers.dense({ units: 4, inputShape: [3], name: 'd' }),
          nn.layers.batchNormalization({ name: 'bn' }),
          nn.layers.dense({ units: 2, activation: 'softmax', name: 'out' }),
        ],
      });
      model.compile({ optimizer: optimizer as nn.Optimizer, loss: 'categoricalCrossentropy' });
      const xs = nn.tensor2d(randomArray(24, 5), [8, 3]);
      const ys = nn.oneHot(
        nn.tensor1d(
          Int32Array.from({ length: 8 }, (_, i) => i % 2),
          'int32',
        ),
        2,
      );
      await model.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0 });
      nn.dispose([xs, ys]);
      const a = clone(await nn.io.modelArtifacts(model, { includeOptimizer: true }));
      model.dispose();
      // the trained file loads as it is
      (await nn.loadLayersModel(nn.io.fromMemory(a as nn.io.ModelArtifacts))).dispose();
      return a;
    };
    /** Sets value `index` of weight `name` (float32) in the artifacts' data. */
    const set = (a: Json, name: string, index: number, value: number) => {
      let offset = 0;
      for (const spec of a.weightSpecs) {
        if (spec.name === name) {
          new Float32Array(a.weightData, offset, index + 1)[index] = value;
          return a;
        }
        offset += 4 * spec.shape.reduce((p: number, d: number) => p * d, 1);
      }
      throw new Error(`no weight ${name}`);
    };
    const adam = await trained('adam');
    await expectFailure(
      set(clone(adam), 'bn/moving_variance', 2, -0.5),
      /weight "bn\/moving_variance" has -0.5 at index 2; a moving variance must be >= 0/,
    );
    await expectFailure(
      set(clone(adam), 'd/kernel/v', 5, -0.25),
      /weight "d\/kernel\/v" has -0.25 at index 5; an Adam second moment \(v\) must be >= 0/,
    );
    // the same file without the optimizer loads
    const b = set(clone(adam), 'd/kernel/v', 5, -0.25);
    (await nn.loadLayersModel(nn.io.fromMemory(b as nn.io.ModelArtifacts), { includeOptimizer: false })).dispose();
    const adamw = await trained(nn.train.adamw(0.01));
    await expectFailure(set(adamw, 'out/bias/v', 1, -1), /"out\/bias\/v" has -1 at index 1; an AdamW second moment/);
    const rms = await trained(nn.train.rmsprop(0.01, 0.9, 0, 1e-7, true));
    await expectFailure(
      set(clone(rms), 'bn/gamma/rms', 0, -2),
      /"bn\/gamma\/rms" has -2 at index 0; an RMSprop mean square \(rms\) must be >= 0/,
    );
    await expectFailure(
      set(clone(rms), 'd/bias/mg', 3, 100),
      /"d\/bias\/mg" has 100 at index 3 while "d\/bias\/rms" has .*; centered RMSprop needs mg² <= rms/,
    );
    const adagrad = await trained(nn.train.adagrad(0.1));
    await expectFailure(
      set(adagrad, 'd/kernel/accumulator', 0, -0.125),
      /"d\/kernel\/accumulator" has -0.125 at index 0; an Adagrad accumulator must be >= 0/,
    );
  });

  it('optimizer state that does not fit', async () => {
    const a = clone(base);
    const i = a.weightSpecs.findIndex((s: Json) => s.name.endsWith('/kernel/v'));
    a.weightSpecs[i].name = 'nothing/v';
    await expectFailure(a, /optimizer state ".*\/kernel\/v" is missing/);
    const b = clone(base);
    b.neurasm.training.optimizer.className = 'Nadam';
    await expectFailure(b, /unsupported optimizer class "Nadam"/);
    // without the optimizer the same file loads
    const model = await nn.loadLayersModel(nn.io.fromMemory(b as nn.io.ModelArtifacts), { includeOptimizer: false });
    expect(model.compiled).toBeNull();
    model.dispose();
  });
});

describe('saving', () => {
  it('modelArtifacts of something that is not a Sequential model says what came', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [5, /modelArtifacts: expected a Sequential model, got 5$/],
      ['model', /expected a Sequential model, got "model"$/],
      [null, /expected a Sequential model, got null$/],
      [undefined, /expected a Sequential model, got undefined$/],
      [{ layers: [] }, /expected a Sequential model, got object$/],
      [new Map(), /expected a Sequential model, got a Map$/],
    ];
    for (const [value, message] of cases) {
      const p = nn.io.modelArtifacts(value as nn.Sequential);
      await expect(p).rejects.toThrow(nn.ValueError);
      await expect(p).rejects.toThrow(message);
    }
    // an unbuilt model is still told so
    const model = nn.sequential({ layers: [nn.layers.dense({ units: 2 })] });
    await expect(nn.io.modelArtifacts(model)).rejects.toThrow(/the model is not built yet/);
    model.dispose();
  });

  it('modelFromArtifacts without a name for its source calls them model artifacts', async () => {
    await expect(nn.io.modelFromArtifacts(5 as never)).rejects.toThrow(
      /^model artifacts: expected model artifacts, got 5/,
    );
  });
});

describe('files', () => {
  it('missing or malformed model.json', async () => {
    const d = await tempDir();
    dirs.push(d);
    await expectFailureFile(`file://${d}/model.json`, /not found/, nn.io.ModelIOError);
    await writeFile(join(d, 'model.json'), '{"modelTopology": ');
    await expectFailureFile(`file://${d}/model.json`, /is not valid JSON/);
    await writeFile(join(d, 'model.json'), '[1, 2]');
    await expectFailureFile(`file://${d}/model.json`, /expected a JSON object/);
    await writeFile(join(d, 'model.json'), '{"modelTopology": {}}');
    await expectFailureFile(`file://${d}/model.json`, /weightsManifest is missing/);
  });

  it('a weight file shorter or longer than its manifest group, or outside the model directory', async () => {
    const d = await tempDir();
    dirs.push(d);
    await cp(join(FIXTURES, 'keras-sequential'), d, { recursive: true });
    const shard = join(d, 'group1-shard2of2.bin');
    const good = await readFile(shard);
    await writeFile(shard, good.subarray(0, good.length - 4));
    await expectFailureFile(
      `file://${d}`,
      /group1-shard1of2\.bin, group1-shard2of2\.bin are shorter than the manifest says: 264 bytes, expected 268/,
    );
    await writeFile(shard, Buffer.concat([good, Buffer.alloc(1)]));
    await expectFailureFile(`file://${d}`, /are longer than the manifest says/);
    await writeFile(shard, good);
    const json = JSON.parse(await readFile(join(d, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths[0] = '../../etc/passwd';
    await writeFile(join(d, 'model.json'), JSON.stringify(json));
    await expectFailureFile(`file://${d}`, /must be a file beside model.json/);
  });

  it.skipIf(process.platform === 'win32')(
    'weight files: exactly the declared bytes, regular files only, nothing outside the model directory',
    async () => {
      const d = await tempDir();
      dirs.push(d);
      const model = join(d, 'model');
      await cp(join(FIXTURES, 'keras-legacy'), model, { recursive: true });
      const json = JSON.parse(await readFile(join(model, 'model.json'), 'utf8'));
      const [name] = json.weightsManifest[0].paths as string[];
      const weights = join(model, name);
      const good = await readFile(weights);
      // a symlink to /dev/zero: refused at once, nothing read
      await rm(weights);
      await symlink('/dev/zero', weights);
      const rss = process.memoryUsage().rss;
      await expectFailureFile(`file://${model}`, /leads to \/dev\/zero, outside the model's directory/);
      expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 2 ** 20);
      // a symlink to a good copy outside the directory: refused too
      await writeFile(join(d, 'outside.bin'), good);
      await rm(weights);
      await symlink(join(d, 'outside.bin'), weights);
      await expectFailureFile(`file://${model}`, /outside.bin, outside the model's directory/);
      // a symlink to a file inside the directory is fine
      await writeFile(join(model, 'real.bin'), good);
      await rm(weights);
      await symlink('real.bin', weights);
      (await nn.loadLayersModel(`file://${model}`)).dispose();
      // a pipe (which would block a reader) and a directory are not regular files
      await rm(weights);
      execFileSync('mkfifo', [weights]);
      await expectFailureFile(`file://${model}`, /weight file .* is a pipe, not a regular file/);
      await rm(weights);
      await mkdir(weights);
      await expectFailureFile(`file://${model}`, /weight file .* is a directory, not a regular file/);
      // a huge file: its size is compared with the manifest before anything is read
      await rm(weights, { recursive: true });
      await writeFile(weights, good);
      await truncate(weights, 2 ** 33);
      await expectFailureFile(
        `file://${model}`,
        new RegExp(`are longer than the manifest says: ${2 ** 33} bytes, expected ${good.length}`),
      );
      expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 2 ** 20);
      // model.json itself must be a regular file
      await writeFile(weights, good);
      await rm(join(model, 'model.json'));
      await symlink('/dev/zero', join(model, 'model.json'));
      await expectFailureFile(`file://${model}/model.json`, /model file \/dev\/zero is a device, not a regular file/);
    },
  );
});

async function expectFailureFile(url: string, message: RegExp, type: typeof nn.NeurasmError = nn.io.ModelFormatError) {
  const before = nn.memory().numTensors;
  const p = nn.loadLayersModel(url);
  await expect(p).rejects.toThrow(type);
  await expect(p).rejects.toThrow(message);
  expect(nn.memory().numTensors).toBe(before);
}
