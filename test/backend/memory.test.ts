import { describe, expect, it } from 'vitest';
import { Allocator, MemoryViews, sizeClass } from '../../src/backend/memory.js';

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
