// neurasm/plot carries no engine: its code imports only errors.ts from the rest of src/ (types
// aside), and bundled on its own it is small and has no WebAssembly.
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { importGraph } from '../helpers/import-graph.js';

const root = resolve(import.meta.dirname, '../..');

describe('the neurasm/plot entry', () => {
  it('imports code only from src/plot/ and src/errors.ts', () => {
    const outside = importGraph(root)
      .filter(({ file }) => file.startsWith('src/plot/'))
      .flatMap(({ file, imports }) =>
        imports
          .filter(({ to, type }) => !type && !to.startsWith('src/plot/') && to !== 'src/errors.ts')
          .map(({ to }) => `${file} → ${to}`),
      );
    expect(outside).toEqual([]);
  });

  it('bundles to less than 30 KB minified (12 KB gzipped), without WebAssembly', async () => {
    const result = await build({
      entryPoints: [resolve(root, 'src/plot/index.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      minify: true,
      metafile: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].text;
    // 25.3 KB (9.4 KB gzipped) on 2026-12-04: seven plots, and input checks whose messages name what came
    expect(code.length).toBeLessThan(30_000);
    expect(gzipSync(code).length).toBeLessThan(12_000);
    expect(code).not.toContain('WebAssembly');
    const inputs = Object.keys(result.metafile.inputs).map((f) => f.replace(/\\/g, '/'));
    expect(inputs.filter((f) => !f.startsWith('src/plot/'))).toEqual(['src/errors.ts']);
    const plots = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    expect(Object.keys(plots).sort()).toEqual([
      'barPlot',
      'beeswarmPlot',
      'forcePlot',
      'heatMap',
      'textPlot',
      'treePlot',
      'waterfallPlot',
    ]);
    expect(plots.barPlot([1, -2])).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" /);
  });
});
