// How ready() gets its Wasm module (src/backend/loader.ts): each module gzipped in a generated module
// of its own (scripts/build-wasm.mjs), imported only when picked, gunzipped with DecompressionStream;
// the pick made by validating tiny probe modules, which must agree with the real modules.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromBase64, toBase64 } from '../../src/backend/base64.js';

const root = resolve(import.meta.dirname, '../..');
const built = (name: string) => readFileSync(join(root, 'build', `neurasm.${name}.wasm`));
const embedded = async (name: 'simd' | 'relaxed') => {
  const generated =
    name === 'simd'
      ? await import('../../src/backend/wasm-simd.generated.js')
      : await import('../../src/backend/wasm-relaxed.generated.js');
  return gunzipSync(fromBase64(generated.WASM_GZIP_BASE64));
};

/** A fresh copy of the loader (its module cache empty), with `generated` standing in for wasm-modules.generated.ts. */
async function freshLoader(generated?: () => object) {
  vi.resetModules();
  if (generated) vi.doMock('../../src/backend/wasm-modules.generated.js', generated);
  return import('../../src/backend/loader.js');
}

afterEach(() => {
  vi.doUnmock('../../src/backend/wasm-modules.generated.js');
  vi.unstubAllGlobals();
});

describe('the embedded Wasm modules', () => {
  it('gunzip to the compiled files, byte for byte', async () => {
    expect(Buffer.compare(await embedded('simd'), built('simd'))).toBe(0);
    expect(Buffer.compare(await embedded('relaxed'), built('relaxed'))).toBe(0);
  });

  it('are validated as the probes say: relaxedSimdAvailable() agrees with the relaxed module, with and without the flag', async () => {
    const { relaxedSimdAvailable } = await freshLoader();
    // vitest runs with --experimental-wasm-relaxed-simd (vitest.config.ts)
    expect(relaxedSimdAvailable()).toBe(true);
    expect(WebAssembly.validate(await embedded('relaxed'))).toBe(true);
    expect(WebAssembly.validate(await embedded('simd'))).toBe(true);
    // without the flag (Node 20 then rejects relaxed SIMD), the probe and the relaxed module still agree
    const script = `
      import { readFileSync } from 'node:fs';
      import { relaxedSimdAvailable } from ${JSON.stringify(join(root, 'src/backend/loader.ts'))};
      const valid = (f) => WebAssembly.validate(readFileSync(f));
      console.log(JSON.stringify([relaxedSimdAvailable(), valid(${JSON.stringify(join(root, 'build/neurasm.relaxed.wasm'))}), valid(${JSON.stringify(join(root, 'build/neurasm.simd.wasm'))})]));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    const [probe, relaxed, simd] = JSON.parse(out) as boolean[];
    expect(probe).toBe(relaxed);
    expect(simd).toBe(true);
  });

  it('are imported one at a time: ready() imports only the module it picks', async () => {
    const imported: string[] = [];
    const { ready } = await freshLoader(async () => {
      const real = await vi.importActual<typeof import('../../src/backend/wasm-modules.generated.js')>(
        '../../src/backend/wasm-modules.generated.js',
      );
      const record =
        <T>(kind: string, load: () => Promise<T>) =>
        () => {
          imported.push(kind);
          return load();
        };
      return {
        WASM_MODULES: {
          simd: record('simd', real.WASM_MODULES.simd),
          'relaxed-simd': record('relaxed-simd', real.WASM_MODULES['relaxed-simd']),
        },
      };
    });
    expect((await ready({ relaxedSimd: false })).module).toBe('simd');
    expect(imported).toEqual(['simd']);
    await ready({ relaxedSimd: false });
    expect(imported).toEqual(['simd']);
    expect((await ready()).module).toBe('relaxed-simd');
    expect(imported).toEqual(['simd', 'relaxed-simd']);
  });

  it('that cannot be imported give a BackendError naming the module, and ready() tries again next time', async () => {
    let fail = true;
    const { ready } = await freshLoader(async () => {
      const real = await vi.importActual<typeof import('../../src/backend/wasm-modules.generated.js')>(
        '../../src/backend/wasm-modules.generated.js',
      );
      return {
        WASM_MODULES: {
          ...real.WASM_MODULES,
          simd: () =>
            fail
              ? Promise.reject(new TypeError('Failed to fetch dynamically imported module'))
              : real.WASM_MODULES.simd(),
        },
      };
    });
    const { BackendError } = await import('../../src/errors.js');
    const error = await ready({ relaxedSimd: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toBe(
      'ready: cannot load the simd Wasm module: Failed to fetch dynamically imported module',
    );
    fail = false;
    expect((await ready({ relaxedSimd: false })).module).toBe('simd');
  });

  it('need DecompressionStream, and say so where it is missing', async () => {
    const { ready } = await freshLoader();
    const { BackendError } = await import('../../src/errors.js');
    vi.stubGlobal('DecompressionStream', undefined);
    const error = await ready({ relaxedSimd: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(/^ready: this runtime lacks DecompressionStream\('gzip'\)/);
    vi.unstubAllGlobals();
    expect((await ready({ relaxedSimd: false })).module).toBe('simd');
  });
});

describe('base64', () => {
  it('round-trips every byte value and long inputs (encoded in slices)', () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 256);
    const text = toBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(Buffer.compare(fromBase64(text), bytes)).toBe(0);
    expect(fromBase64('')).toEqual(new Uint8Array(0));
    expect(() => fromBase64('not base64!')).toThrow();
  });
});
