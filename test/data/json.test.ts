import { beforeAll, describe, expect, it } from 'vitest';
import { parseJSONObject } from '../../src/data/json.js';
import * as nn from '../../src/index.js';

beforeAll(() => nn.ready({ relaxedSimd: false }));

describe('parseJSONObject', () => {
  it('takes the object or its text and checks the class name', () => {
    expect(parseJSONObject('op', '{"className":"A","x":1}', "an A's", 'A')).toEqual({ className: 'A', x: 1 });
    const obj = { className: 'A' };
    expect(parseJSONObject('op', obj, "an A's")).toBe(obj);
    expect(() => parseJSONObject('op', '{', "an A's")).toThrow(/^op: the text is not valid JSON/);
    expect(() => parseJSONObject('op', '[1]', "an A's")).toThrow(
      "op: expected an A's JSON object, got an array of length 1",
    );
    expect(() => parseJSONObject('op', null, "an A's")).toThrow("op: expected an A's JSON object, got null");
    expect(() => parseJSONObject('op', { className: 'B' }, "an A's", 'A')).toThrow(
      'op: expected className "A", got "B"',
    );
  });

  it('encoders and scalers read their JSON through it, with the same words', () => {
    const cases: Array<[string, (json: unknown) => unknown, string]> = [
      ['LabelEncoder.fromJSON', (j) => nn.data.LabelEncoder.fromJSON(j), "an encoder's"],
      ['OneHotEncoder.fromJSON', (j) => nn.data.OneHotEncoder.fromJSON(j), "an encoder's"],
      ['StandardScaler.fromJSON', (j) => nn.data.StandardScaler.fromJSON(j), "a scaler's"],
      ['MinMaxScaler.fromJSON', (j) => nn.data.MinMaxScaler.fromJSON(j), "a scaler's"],
      ['RobustScaler.fromJSON', (j) => nn.data.RobustScaler.fromJSON(j), "a scaler's"],
      ['scalerFromJSON', (j) => nn.data.scalerFromJSON(j), "a scaler's"],
    ];
    for (const [op, read, kind] of cases) {
      expect(() => read('{'), op).toThrow(new RegExp(`^${op}: the text is not valid JSON`));
      expect(() => read(7), op).toThrow(`${op}: expected ${kind} JSON object, got 7`);
      expect(() => read({ className: 'Nope' }), op).toThrow(/className/);
    }
  });
});
