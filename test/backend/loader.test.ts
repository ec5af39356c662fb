import { describe, expect, it } from 'vitest';
import { backend, backendInfo, ready } from '../../src/backend/loader.js';

describe('ready', () => {
  it('loads the module once and reports it', async () => {
    const info = await ready({ relaxedSimd: false });
    expect(info.module).toBe('simd');
    const again = await ready({ relaxedSimd: false });
    expect(again.module).toBe('simd');
    expect((backend().exports.relaxedSimd as () => number)()).toBe(0);
  });

  it('switches to relaxed SIMD where the runtime has it', async () => {
    const info = await ready();
    expect(info.module).toBe(info.relaxedSimdAvailable ? 'relaxed-simd' : 'simd');
    expect((backend().exports.relaxedSimd as () => number)()).toBe(info.relaxedSimdAvailable ? 1 : 0);
    expect(backendInfo().wasmBytes).toBeGreaterThan(0);
  });

  it('rejects bad options', async () => {
    // @ts-expect-error a wrong type on purpose
    await expect(ready({ relaxedSimd: 'yes' })).rejects.toThrow(/relaxedSimd to be a boolean/);
  });

  it('names a symbol or BigInt option by its type (building the message used to throw a TypeError)', async () => {
    await expect(ready(Symbol('o') as never)).rejects.toThrow(/^ready: expected an options object, got symbol$/);
    await expect(ready({ relaxedSimd: [Symbol('r')] as never })).rejects.toThrow(
      /^ready: expected relaxedSimd to be a boolean, got object$/,
    );
    await expect(ready({ relaxedSimd: 1n as never })).rejects.toThrow(/got bigint$/);
  });
});
