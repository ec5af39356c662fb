// The child process of save-kill.test.ts (bundled by it with esbuild): reads two models' artifacts,
// prints "ready", then saves them alternately into one directory until it is killed, printing
// "saved <milliseconds>" after each save.
// argv: <directory to save into> <directory holding a.json, a.bin, b.json, b.bin> <first model: a or b>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveFiles } from '../../src/io/file-save.js';
import type { ModelArtifacts } from '../../src/io/types.js';

const [target, inputs, first] = process.argv.slice(2);

function artifacts(name: string): ModelArtifacts {
  const json = JSON.parse(readFileSync(join(inputs, `${name}.json`), 'utf8')) as ModelArtifacts;
  const bin = readFileSync(join(inputs, `${name}.bin`));
  return { ...json, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer };
}

const models = first === 'b' ? [artifacts('b'), artifacts('a')] : [artifacts('a'), artifacts('b')];
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const start = performance.now();
  await saveFiles(target, 'weights.bin', models[i % 2], `save to file://${target}`);
  process.stdout.write(`saved ${performance.now() - start}\n`);
}
