import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';

/** Exported functions of an ops module, split by whether their JSDoc marks them @internal. */
function opsExports(file: string): { pub: string[]; internal: string[] } {
  const text = readFileSync(new URL(`../../src/ops/${file}`, import.meta.url), 'utf8');
  const pub: string[] = [];
  const internal: string[] = [];
  for (const m of text.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?export function (\w+)/g)) {
    (m[1]?.includes('@internal') ? internal : pub).push(m[2]);
  }
  return { pub, internal };
}

describe('public API', () => {
  it('exports every public op by name and none of the @internal helpers', () => {
    const api = nn as unknown as Record<string, unknown>;
    const files = ['activations.ts', 'arithmetic.ts', 'create.ts', 'gradients.ts', 'reduction.ts', 'shape.ts'];
    for (const file of files) {
      const { pub, internal } = opsExports(file);
      expect(pub.length, file).toBeGreaterThan(0);
      for (const name of pub) expect(api[name], `nn.${name} (${file})`).toBeTypeOf('function');
      for (const name of internal) expect(name in api, `nn.${name} is @internal (${file})`).toBe(false);
    }
    for (const name of ['fromFlat', 'activationOp', 'binaryOp', 'sumToShape', 'floatOperands']) {
      expect(name in api, name).toBe(false);
    }
    for (const name of ['tensor', 'zeros', 'relu', 'softmax', 'grad', 'variableGrads', 'matMul', 'squeeze', 'tidy']) {
      expect(api[name], name).toBeTypeOf('function');
    }
    expect(nn.fused.matMul).toBeTypeOf('function');
  });

  it('every chainable Tensor method is declared with JSDoc and installed', () => {
    const text = readFileSync(new URL('../../src/ops/chain.ts', import.meta.url), 'utf8');
    const start = text.indexOf('interface TensorMethods {');
    const block = text.slice(start, text.indexOf('\n}\n', start));
    const lines = block.split('\n').slice(1);
    const methods = lines.flatMap((line, i) => {
      const m = /^\s{2}(\w+)\(/.exec(line);
      return m ? [{ name: m[1], doc: /^\s*\/\*\*.*\*\/$/.test(lines[i - 1] ?? '') }] : [];
    });
    expect(methods.length).toBe(30);
    for (const { name, doc } of methods) {
      expect(doc, `${name} has a one-line JSDoc`).toBe(true);
      expect((nn.Tensor.prototype as unknown as Record<string, unknown>)[name], name).toBeTypeOf('function');
    }
  });
});
