// Step 1 of `npm run bench:onnx-models`: writes the benchmarked MLPs with the bench's seeded weights as f32 ONNX
// files, with their calibration rows, to the directory given as the argument (see bench/int8-models.ts).
// Step 2, scripts/onnx/quantize_models.py, quantizes them into bench/models/.
//   node --import tsx scripts/onnx/write-f32-models.ts <dir>
import { writeF32Models } from '../../bench/int8-models.js';
import * as nn from '../../src/index.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node --import tsx scripts/onnx/write-f32-models.ts <output directory>');
  process.exit(2);
}
await nn.ready({ relaxedSimd: false });
writeF32Models(nn, dir);
console.log(`wrote the f32 models and calibration rows to ${dir}`);
