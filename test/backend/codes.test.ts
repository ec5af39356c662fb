import { beforeAll, describe, expect, it } from 'vitest';
import { Act, Binary, Reduce, Unary } from '../../src/backend/codes.js';
import { backend, ready } from '../../src/backend/loader.js';

beforeAll(() => ready({ relaxedSimd: false }));

describe('kernel codes', () => {
  it('src/backend/codes.ts mirrors assembly/codes.ts', () => {
    const tables: Array<[string, Record<string, number>]> = [
      ['ACT', Act],
      ['UN', Unary],
      ['BIN', Binary],
      ['RED', Reduce],
    ];
    const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    for (const [prefix, table] of tables) {
      const exported = Object.entries(backend().exports).filter(([k]) => k.startsWith(`${prefix}_`));
      expect(exported.length, prefix).toBe(Object.keys(table).length);
      for (const [name, code] of Object.entries(table)) {
        const g = backend().exports[`${prefix}_${snake(name)}`] as WebAssembly.Global;
        expect(g?.value, `${prefix}_${snake(name)}`).toBe(code);
      }
    }
  });
});
