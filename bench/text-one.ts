// One tfjs engine on one text model, for bench/text.ts, which runs it in a process of its own with
// a time limit. Prints JSON lines: {"estimate": samples/s} after the first timed batches, then
// {"measured": {rate, batches, runs}} or {"error": message}.
// Run: node --import tsx bench/text-one.ts tfjs-cpu|tfjs-wasm avgpool|conv1d|lstm|gru
import { makeData, samplesPerSecond, TEXT_MODELS, tfjsEngine } from './text.js';
import { loadTfjs } from './tfjs.js';

const [engineName, model] = process.argv.slice(2);
const backend = { 'tfjs-cpu': 'cpu', 'tfjs-wasm': 'wasm' }[engineName ?? ''] as 'cpu' | 'wasm' | undefined;
if (!backend || !(TEXT_MODELS as readonly string[]).includes(model ?? '')) {
  console.error('usage: bench/text-one.ts tfjs-cpu|tfjs-wasm avgpool|conv1d|lstm|gru');
  process.exit(2);
}
try {
  const engine = tfjsEngine(await loadTfjs(), backend);
  await engine.enter();
  const session = engine.open(model as (typeof TEXT_MODELS)[number], makeData());
  const measured = await samplesPerSecond(session, (estimate) => console.log(JSON.stringify({ estimate })));
  console.log(JSON.stringify({ measured }));
  session.dispose();
} catch (e) {
  console.log(JSON.stringify({ error: (e as Error).message ?? String(e) }));
}
// tfjs-wasm keeps the process alive
process.exit(0);
