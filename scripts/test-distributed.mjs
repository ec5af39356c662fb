// npm run test:distributed: the PyTorch bridge (tools/python) end to end, on this machine.
// Needs Python 3 and the torch wheels on disk (NEURASM_WHEELS: folders separated by ':', default
// /opt/wheels:/opt/pypi/files); without them it says "skipped" and exits 0. Steps:
//   1. a venv with torch + numpy installed offline from those folders (cached in .scratch/venv-torch)
//   2. neurasm writes per-layer models with their outputs, and the digits model and data
//      (test/distributed/make-fixtures.ts)
//   3. Python: torch forward == neurasm forward per layer kind, round trips, refusals, PyTorch-built
//      models saved for neurasm (test/distributed/check_layers.py)
//   4. torchrun --nproc_per_node 2 --master-addr 127.0.0.1: DDP (gloo) trains the digits model (and
//      one process trains it again, for comparison), and a text model (text layer kept, masked LSTM)
//   5. neurasm loads the results and checks them (test/distributed/check-trained.ts)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wheelDirs = (process.env.NEURASM_WHEELS ?? '/opt/wheels:/opt/pypi/files').split(':').filter(Boolean);
const python = process.env.PYTHON ?? 'python3';
const venv = join(root, '.scratch', 'venv-torch');
const work = join(root, '.scratch', 'distributed');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const started = Date.now();

function torchWheel() {
  for (const dir of wheelDirs) {
    if (!existsSync(dir)) continue;
    const wheel = readdirSync(dir).find((f) => /^torch-.*\.whl$/.test(f));
    if (wheel) return wheel;
  }
  return null;
}

/**
 * Runs a command with inherited output; exits with its status when it fails. With `retry`, a
 * failure for whose output `retry` returns arguments runs the command once more with them (the
 * first run's output is then printed when it ends).
 */
function run(step, command, args, env = {}, retry = null) {
  const t0 = Date.now();
  console.log(`\n== ${step}`);
  const options = { cwd: root, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env } };
  let result = spawnSync(command, args, { ...options, stdio: retry ? 'pipe' : 'inherit', maxBuffer: 1 << 26 });
  if (retry) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    process.stdout.write(output);
    const again = !result.error && result.status !== 0 ? retry(output) : null;
    if (again) {
      console.log(`== ${step}: failed after its work was done (exit ${result.status ?? result.signal}); once more`);
      result = spawnSync(command, again, { ...options, stdio: 'inherit' });
    }
  }
  if (result.error) {
    console.error(`${step}: could not run ${command}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) {
    console.error(`${step}: failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  console.log(`== ${step}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const wheel = torchWheel();
if (!wheel) {
  console.log(`skipped: no torch wheels at ${wheelDirs.join(':')} (set NEURASM_WHEELS to the folders holding them)`);
  process.exit(0);
}
if (spawnSync(python, ['--version']).status !== 0) {
  console.log(`skipped: no Python (${python}) to run the bridge with`);
  process.exit(0);
}

const marker = join(venv, 'neurasm-torch-wheel');
const bin = join(venv, 'bin');
if (!existsSync(marker) || readFileSync(marker, 'utf8') !== wheel) {
  rmSync(venv, { recursive: true, force: true });
  run('venv', python, ['-m', 'venv', venv]);
  const links = wheelDirs.flatMap((d) => ['--find-links', d]);
  run('install torch + numpy (offline)', join(bin, 'pip'), ['install', '-q', '--no-index', ...links, 'torch', 'numpy']);
  writeFileSync(marker, wheel);
} else {
  console.log(`venv: ${venv} (cached, ${wheel})`);
}

rmSync(work, { recursive: true, force: true });
run('neurasm writes the fixtures', tsx, ['test/distributed/make-fixtures.ts', work]);
run('per-layer checks in torch', join(bin, 'python'), ['test/distributed/check_layers.py', work]);
/** torchrun --nproc_per_node 2 on 127.0.0.1 (DDP over gloo) of train_ddp.py with these options. */
async function trainWithDdp(step, options) {
  const withPort = (port) => [
    ...['--nproc_per_node', '2', '--master-addr', '127.0.0.1', '--master-port', String(port)],
    ...['tools/python/train_ddp.py', ...options],
  ];
  const [first, second] = [await freePort(), await freePort()];
  // torch's processes have been seen to abort while exiting, after the model was saved
  // (train_ddp.py now leaves without the interpreter's teardown): such a run is repeated once
  const savedThenFailed = (output) => (output.includes('{"saved": ') ? withPort(second) : null);
  run(step, join(bin, 'torchrun'), withPort(first), {}, savedThenFailed);
}

const digits = join(work, 'digits');
run('digits data', join(bin, 'python'), ['test/distributed/prepare_digits.py', digits, '32']);
const digitsOptions = [
  ...['--model', join(digits, 'model'), '--data', join(digits, 'digits.npz')],
  ...['--epochs', '20', '--batch-size', '32', '--lr', '0.001', '--loss', 'sparse_categorical_crossentropy'],
];
await trainWithDdp('DDP training of the digits model: torchrun, 2 processes on 127.0.0.1', [
  ...digitsOptions,
  ...['--out', join(digits, 'trained'), '--predictions', join(digits, 'torch_pred.npy')],
]);
// one thread, as torchrun gives each of its processes (torch's own thread pool only slows this small model)
run(
  'the same training in one process (no torchrun)',
  join(bin, 'python'),
  ['tools/python/train_ddp.py', ...digitsOptions, '--out', join(digits, 'trained-one-process')],
  { OMP_NUM_THREADS: '1' },
);
const text = join(work, 'cases', 'text_vectorization');
await trainWithDdp('DDP training of a text model (masked LSTM): torchrun, 2 processes', [
  ...['--model', join(text, 'model'), '--data', join(work, 'text.npz'), '--out', join(work, 'text-trained')],
  ...['--epochs', '3', '--batch-size', '2', '--lr', '0.01', '--loss', 'binary_crossentropy'],
  ...['--predictions', join(work, 'text_torch_pred.npy')],
]);
run('neurasm checks the results', tsx, ['test/distributed/check-trained.ts', work]);
console.log(`\ntest:distributed passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
