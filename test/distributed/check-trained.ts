// The neurasm side of the distributed test (npm run test:distributed), after the Python side ran:
//   digits: the model trained by torchrun (DDP, 2 processes) loads; its test accuracy is >= 96%; neurasm's
//           predictions equal torch's within 1e-5; the preprocessing saved with the model came back; its
//           weights equal those of one process trained on the same global batches (1e-5 relative)
//   cases:  each model written back by the bridge without training (roundtrip/) has the original's weights, bit for bit
//           (and a text model its text layer: the same strings give the same outputs)
//   text:   the text model trained by DDP takes strings in neurasm and predicts as torch did on their ids
//   from-torch: models built in PyTorch and saved by the bridge predict in neurasm as in torch (1e-5)
// Usage: npx tsx test/distributed/check-trained.ts DIR; exits 1 when a check fails.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as nn from '../../src/index.js';

const TOLERANCE = 1e-5;
const root = process.argv[2];
if (!root) throw new Error('usage: check-trained.ts DIR');
const failures: string[] = [];

function check(ok: boolean, what: string): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

function readF32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The float32 data of a little-endian .npy file (numpy's format, version 1 or 2). */
function readNpyF32(path: string): Float32Array {
  const bytes = readFileSync(path);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = bytes.subarray(major === 1 ? 10 : 12, start).toString('latin1');
  if (!header.includes("'<f4'") || header.includes("'fortran_order': True"))
    throw new Error(`${path}: expected C-order <f4`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.byteLength));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function checkDigits(): Promise<void> {
  const dir = join(root, 'digits');
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  const model = await nn.loadLayersModel(`file://${join(dir, 'trained')}`);
  const x = nn.tensor(readF32(join(dir, 'x_test.bin')), [meta.test, meta.features]);
  const labels = readF32(join(dir, 'y_test.bin'));
  const p = model.predict(x) as nn.Tensor;
  const probabilities = p.dataSync();
  const diff = maxAbsDiff(probabilities, readNpyF32(join(dir, 'torch_pred.npy')));
  check(diff <= TOLERANCE, `digits: neurasm's predictions == torch's (max |diff| ${diff.toExponential(2)})`);
  let correct = 0;
  for (let i = 0; i < meta.test; i++) {
    const row = probabilities.subarray(i * meta.classes, (i + 1) * meta.classes);
    if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
  }
  const accuracy = correct / meta.test;
  check(
    accuracy >= 0.96,
    `digits: test accuracy in neurasm after DDP training ${(100 * accuracy).toFixed(2)}% (>= 96%)`,
  );
  check(model.preprocessing !== undefined, 'digits: the scaler saved with the model survives the bridge');
  // the same global batches in one process: DDP's averaged gradients are the whole batch's, up to rounding
  const single = await nn.loadLayersModel(`file://${join(dir, 'trained-one-process')}`);
  const a = model.getWeights();
  const b = single.getWeights();
  let relative = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i].dataSync();
    const scale = Math.max(...Array.from(x, Math.abs));
    relative = Math.max(relative, maxAbsDiff(x, b[i].dataSync()) / scale);
  }
  check(
    relative <= 1e-5,
    `digits: 2 DDP processes == 1 process after 20 epochs (max relative weight difference ${relative.toExponential(2)})`,
  );
  nn.dispose([...a, ...b]);
  single.dispose();
  nn.dispose([x, p]);
  model.dispose();
}

/** Bitwise equality of two models' weights (names and shapes included). */
async function checkRoundTrips(): Promise<void> {
  const cases = join(root, 'cases');
  for (const name of readdirSync(cases).sort()) {
    const original = await nn.loadLayersModel(`file://${join(cases, name, 'model')}`);
    const trip = await nn.loadLayersModel(`file://${join(cases, name, 'roundtrip')}`);
    const a = original.getWeights();
    const b = trip.getWeights();
    let same = a.length === b.length;
    for (let i = 0; same && i < a.length; i++) {
      const x = new Uint32Array(Float32Array.from(a[i].dataSync()).buffer);
      const y = new Uint32Array(Float32Array.from(b[i].dataSync()).buffer);
      same = a[i].shape.join() === b[i].shape.join() && x.every((v, j) => v === y[j]);
    }
    check(same, `${name}: neurasm loads the bridge's round trip with the same weights, bit for bit`);
    const textsFile = join(cases, name, 'texts.json');
    if (existsSync(textsFile)) {
      // the text layer (vocabulary) came back too: the round trip takes the same strings to the same outputs
      const texts = JSON.parse(readFileSync(textsFile, 'utf8')) as string[];
      const p = original.predict(texts) as nn.Tensor;
      const q = trip.predict(texts) as nn.Tensor;
      check(maxAbsDiff(p.dataSync(), q.dataSync()) === 0, `${name}: the round trip takes strings, as the original`);
      nn.dispose([p, q]);
    }
    nn.dispose([...a, ...b]);
    original.dispose();
    trip.dispose();
  }
}

/** The text model trained by DDP: neurasm takes the strings, keeps the text layer, and predicts as torch did on their ids. */
async function checkTrainedText(): Promise<void> {
  const model = await nn.loadLayersModel(`file://${join(root, 'text-trained')}`);
  const texts = JSON.parse(readFileSync(join(root, 'cases', 'text_vectorization', 'texts.json'), 'utf8')) as string[];
  const y = model.predict(texts) as nn.Tensor;
  const diff = maxAbsDiff(y.dataSync(), readNpyF32(join(root, 'text_torch_pred.npy')));
  check(
    diff <= TOLERANCE,
    `text model trained by DDP: neurasm (from strings) predicts as torch (max |diff| ${diff.toExponential(2)})`,
  );
  y.dispose();
  model.dispose();
}

async function checkFromTorch(): Promise<void> {
  const base = join(root, 'from-torch');
  for (const name of readdirSync(base).sort()) {
    const dir = join(base, name);
    const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
    const model = await nn.loadLayersModel(`file://${join(dir, 'model')}`);
    const x = nn.tensor(readF32(join(dir, 'input.bin')), meta.inputShape, meta.ids ? 'int32' : 'float32');
    const y = model.predict(x) as nn.Tensor;
    const diff = maxAbsDiff(y.dataSync(), readF32(join(dir, 'output.bin')));
    check(diff <= TOLERANCE, `from-torch ${name}: neurasm predicts as torch (max |diff| ${diff.toExponential(2)})`);
    nn.dispose([x, y]);
    model.dispose();
  }
}

await nn.ready();
await checkDigits();
await checkRoundTrips();
await checkTrainedText();
await checkFromTorch();
if (failures.length > 0) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('all neurasm-side checks passed');
