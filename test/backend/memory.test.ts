import { describe, expect, it } from 'vitest';
import { Allocator, MemoryViews, sizeClass } from '../../src/backend/memory.js';
import { BackendError } from '../../src/errors.js';

describe('sizeClass', () => {
  it('rounds to 16 bytes, then to eighths of a power of two', () => {
    expect(sizeClass(0)).toBe(16);
    expect(sizeClass(17)).toBe(32);
    expect(sizeClass(4096)).toBe(4096);
    expect(sizeClass(4097)).toBe(4608);
    expect(sizeClass(1_000_000)).toBeGreaterThanOrEqual(1_000_000);
    expect(sizeClass(1_000_000)).toBeLessThan(1_000_000 * 1.13);
  });
});

describe('Allocator', () => {
  it('reuses freed blocks of the same class and grows memory on demand', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const a = new Allocator(memory, 100);
    const p1 = a.alloc(40);
    expect(p1 % 16).toBe(0);
    expect(p1).toBeGreaterThanOrEqual(100);
    const p2 = a.alloc(40);
    expect(p2).not.toBe(p1);
    a.free(p1);
    expect(a.alloc(33)).toBe(p1);
    const big = a.alloc(300_000);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 300_000);
    expect(a.liveBlocks).toBe(3);
  });

  it('rejects bad sizes and double frees', () => {
    const a = new Allocator(new WebAssembly.Memory({ initial: 1 }), 0);
    expect(() => a.alloc(-1)).toThrow(/byte count/);
    const p = a.alloc(8);
    a.free(p);
    expect(() => a.free(p)).toThrow(/not a live block/);
  });

  it('out of memory is a BackendError naming the request, the memory and the 4 GiB limit; the allocator stays usable', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    const a = new Allocator(memory, 0);
    const p = a.alloc(1000);
    let error: unknown;
    try {
      a.alloc(200_000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(/cannot allocate 200000 bytes .*Wasm memory is 64\.0 KiB.*4 GiB/);
    expect(() => a.alloc(2 ** 33)).toThrow(BackendError); // past wasm32's limit: refused before growing
    const q = a.alloc(1000);
    expect(q).toBeGreaterThan(p);
    expect(a.liveBlocks).toBe(2);
    expect(a.alloc(70_000)).toBeGreaterThan(q); // the failed requests did not move the top
    expect(memory.buffer.byteLength).toBe(2 * 65536);
  });

  it('views follow memory.grow', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const v = new MemoryViews(memory);
    v.f32[3] = 2.5;
    const before = v.f32;
    memory.grow(1);
    expect(before.length).toBe(0); // detached
    expect(v.f32[3]).toBe(2.5);
    expect(v.f32.length).toBe(32768);
  });
});
