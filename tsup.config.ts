import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', datasets: 'src/datasets/index.ts' },
  // one engine shared by both entries, in ESM and in CJS
  splitting: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
});
