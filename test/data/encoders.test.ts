import { beforeAll, describe, expect, it } from 'vitest';
import { LabelEncoder, labelEncoder, OneHotEncoder, oneHotEncoder } from '../../src/data/index.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

const LABELS = ['virginica', 'setosa', 'versicolor', 'setosa', 'virginica'];

describe('labelEncoder', () => {
  it('maps sorted distinct labels to int32 indices and back', () => {
    const enc = labelEncoder();
    expect(enc.isFitted).toBe(false);
    const start = nn.memory().numTensors;
    const y = enc.fitTransform(LABELS);
    expect(enc.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(enc.numClasses).toBe(3);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([2, 0, 1, 0, 2]);
    expect(enc.inverseTransform(y)).toEqual(LABELS);
    expect(enc.inverseTransform([1, 1])).toEqual(['versicolor', 'versicolor']);
    expect(nn.memory().numTensors).toBe(start + 1);
    y.dispose();
  });

  it('sorts numbers numerically and reads a 1-D tensor', () => {
    const enc = labelEncoder().fit([10, 2, 33, 2]);
    expect(enc.classes).toEqual([2, 10, 33]);
    const t = nn.tensor1d([33, 10]);
    const y = enc.transform(t);
    expect(Array.from(y.dataSync())).toEqual([2, 1]);
    expect(enc.inverseTransform(y)).toEqual([33, 10]);
    nn.dispose([t, y]);
  });

  it('round-trips through JSON', () => {
    const enc = labelEncoder().fit(LABELS);
    const json = enc.toJSON();
    expect(json).toEqual({ className: 'LabelEncoder', classes: ['setosa', 'versicolor', 'virginica'] });
    const back = LabelEncoder.fromJSON(JSON.stringify(json));
    expect(back.classes).toEqual(enc.classes);
    const y = back.transform(LABELS);
    expect(Array.from(y.dataSync())).toEqual([2, 0, 1, 0, 2]);
    expect(LabelEncoder.fromJSON(labelEncoder().toJSON()).isFitted).toBe(false);
    expect(() => LabelEncoder.fromJSON({ className: 'LabelEncoder', classes: ['a', 'a'] })).toThrow(/repeat/);
    expect(() => LabelEncoder.fromJSON({ className: 'OneHotEncoder', classes: ['a'] })).toThrow(/className/);
    expect(() => LabelEncoder.fromJSON('{')).toThrow(/not valid JSON/);
    y.dispose();
  });

  it('errors: before fit, unseen labels, mixed types, out-of-range indices', () => {
    const enc = labelEncoder();
    expect(() => enc.transform(['a'])).toThrow(/LabelEncoder.transform: the encoder is not fitted yet/);
    expect(() => enc.inverseTransform([0])).toThrow(/not fitted yet/);
    expect(() => enc.fit([])).toThrow(/at least one label/);
    expect(() => enc.fit(['a', 1])).toThrow(/mix strings and numbers .*labels\[1\] is 1/);
    expect(() => enc.fit([1, Number.POSITIVE_INFINITY])).toThrow(/labels\[1\] is Infinity/);
    enc.fit(['a', 'b']);
    expect(() => enc.transform(['a', 'c'])).toThrow(/labels\[1\] = "c" was not seen by fit \(classes: a, b\)/);
    expect(() => enc.inverseTransform([0, 2])).toThrow(/indices\[1\] = 2 is not a class index in \[0, 2\)/);
    const m = nn.zeros([2, 2]);
    expect(() => enc.transform(m)).toThrow(/labels of shape \[samples\]/);
    m.dispose();
  });
});

describe('oneHotEncoder', () => {
  it('encodes labels as one-hot float32 rows and decodes rows (or probabilities) by their largest value', () => {
    const enc = oneHotEncoder();
    const y = enc.fitTransform(LABELS);
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([5, 3]);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1]);
    expect(enc.inverseTransform(y)).toEqual(LABELS);
    const p = nn.tensor2d([
      [0.2, 0.7, 0.1],
      [0.5, 0.2, 0.3],
    ]);
    expect(enc.inverseTransform(p)).toEqual(['versicolor', 'setosa']);
    const back = OneHotEncoder.fromJSON(enc.toJSON());
    expect(back.toJSON()).toEqual({ className: 'OneHotEncoder', classes: ['setosa', 'versicolor', 'virginica'] });
    const wrong = nn.zeros([2, 2]);
    expect(() => enc.inverseTransform(wrong)).toThrow(/expected rows of shape \[samples, 3\]/);
    expect(() => enc.transform(['daisy'])).toThrow(/OneHotEncoder.transform: labels\[0\] = "daisy" was not seen/);
    nn.dispose([y, p, wrong]);
  });
});

describe('encoder options', () => {
  it('labelEncoder and oneHotEncoder take no options and say so instead of ignoring them', () => {
    expect(() => nn.data.oneHotEncoder({ handleUnknown: 'ignore' } as never)).toThrow(
      /oneHotEncoder: unknown option "handleUnknown"; oneHotEncoder takes no options/,
    );
    expect(() => nn.data.labelEncoder({ classes: ['a'] } as never)).toThrow(nn.ValueError);
    expect(() => nn.data.labelEncoder(null as never)).toThrow(/expected options to be an object/);
    expect(nn.data.labelEncoder({}).isFitted).toBe(false);
    expect(nn.data.oneHotEncoder().isFitted).toBe(false);
  });
});
