// TextVectorization against Keras 3.15 (TensorFlow 2.21): test/fixtures/text-vectorization.json,
// written by scripts/fixtures/text_vectorization.py. Cases with non-ASCII text were standardized
// there with Python's unicodedata (NFKC, str.lower, Unicode punctuation) before Keras ran, since
// TensorFlow handles ASCII only (see the script); the layer here reads the raw texts.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../../src/index.js';
import type { TextVectorizationArgs } from '../../src/text/options.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

interface Case {
  name: string;
  options: Record<string, unknown>;
  texts: string[];
  adapt?: string[];
  set_vocabulary?: string[];
  set_idf_weights?: number[];
  config: Record<string, unknown>;
  vocabulary: string[];
  vocabulary_size: number;
  output: number[][];
  idf_weights?: number[];
  keras_standardized: boolean;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/text-vectorization.json', import.meta.url), 'utf8')) as {
  keras: string;
  cases: Case[];
};

/** Keras's option names in camelCase. */
function argsOf(options: Record<string, unknown>): TextVectorizationArgs {
  const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [camel(k), v])) as TextVectorizationArgs;
}

function layerFor(c: Case): nn.layers.TextVectorization {
  const layer = nn.layers.textVectorization(argsOf(c.options));
  if (c.adapt) layer.adapt(c.adapt);
  if (c.set_vocabulary) layer.setVocabulary(c.set_vocabulary, c.set_idf_weights);
  return layer;
}

/** Each value within 1e-6 of Keras's float32 output, relative to its size. */
function expectOutput(got: nn.Tensor, c: Case): void {
  const isInt = (c.options.output_mode ?? 'int') === 'int';
  expect(got.dtype).toBe(isInt ? 'int32' : 'float32');
  expect(got.shape).toEqual([c.output.length, c.output[0].length]);
  const values = got.arraySync() as number[][];
  if (isInt) {
    expect(values).toEqual(c.output);
    return;
  }
  c.output.forEach((row, i) => {
    row.forEach((want, j) => {
      expect(Math.abs(values[i][j] - want), `${c.name}: [${i}, ${j}]`).toBeLessThanOrEqual(
        1e-6 * Math.max(1, Math.abs(want)),
      );
    });
  });
}

describe(`TextVectorization matches Keras ${fixture.keras}`, () => {
  it('has the cases the script wrote', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(30);
    expect(fixture.cases.filter((c) => !c.keras_standardized).length).toBeGreaterThanOrEqual(5);
  });

  for (const c of fixture.cases) {
    it(`${c.name}: vocabulary, vocabulary size and output`, () => {
      const layer = layerFor(c);
      expect(layer.getVocabulary()).toEqual(c.vocabulary);
      expect(layer.vocabularySize()).toBe(c.vocabulary_size);
      const out = layer.vectorize(c.texts);
      expectOutput(out, c);
      out.dispose();
      if (c.idf_weights) {
        const idf = layer.getConfig().idf_weights!;
        // Keras pads its weights with zeros to max_tokens (pad_to_max_tokens); the config holds one per term
        expect(c.idf_weights.slice(idf.length).every((w) => w === 0)).toBe(true);
        idf.forEach((w, i) => {
          expect(Math.abs(w - c.idf_weights![i]), `idf ${i}`).toBeLessThanOrEqual(
            1e-6 * Math.max(1, c.idf_weights![i]),
          );
        });
      }
    });
  }

  for (const c of fixture.cases.filter((c) => c.keras_standardized)) {
    it(`${c.name}: a layer from Keras's config, given Keras's vocabulary, vectorizes the same`, () => {
      const layer = nn.layers.TextVectorization.fromConfig(c.config);
      expect(layer.name).toBe('keras_layer');
      if (!c.config.vocabulary) {
        // Keras keeps an adapted vocabulary (and idf weights) out of the config
        const idf = c.idf_weights?.slice(0, c.vocabulary.length);
        layer.setVocabulary(c.vocabulary, idf);
      }
      expect(layer.getVocabulary()).toEqual(c.vocabulary);
      const out = layer.vectorize(c.texts);
      expectOutput(out, c);
      out.dispose();
    });
  }
});
