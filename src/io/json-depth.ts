// How deep the JSON of a model file may nest. Every reader below walks its input by recursion (and
// messages show values with JSON.stringify), so the input is measured first, without recursion:
// data nested thousands of levels deep (or, in memory, data that contains itself) becomes a
// ModelFormatError instead of a RangeError (Maximum call stack size exceeded).
import { ModelFormatError } from './errors.js';
import type { ModelArtifacts } from './types.js';

/** The deepest nesting of arrays and objects read in a model file; Keras's deepest configs take ~15. */
const MAX_JSON_DEPTH = 100;

interface Visit {
  value: object;
  depth: number;
  key: string;
  parent: Visit | null;
}

/** `root.a[0].b`, shortened in the middle when long. */
function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let v: Visit | null = visit; v; v = v.parent) keys.push(v.key);
  keys.reverse();
  const shown = keys.length > 12 ? [...keys.slice(0, 8), '…', ...keys.slice(-2)] : keys;
  return shown.join('');
}

/**
 * Throws a ModelFormatError naming where `value` (the part `name` of a model file, `where` locates
 * the file) nests arrays and objects more than MAX_JSON_DEPTH levels deep, or contains itself.
 * Binary data (ArrayBuffer, typed arrays) is not looked into.
 */
export function checkJSONDepth(value: unknown, name: string, where: string): void {
  if (typeof value !== 'object' || value === null) return;
  // the deepest level each object was reached at: one reached again deeper is walked again
  const reached = new WeakMap<object, number>();
  const stack: Visit[] = [{ value, depth: 1, key: name, parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const { value: v, depth } = visit;
    if (depth > MAX_JSON_DEPTH) {
      throw new ModelFormatError(
        `${where}: ${pathOf(visit)} is nested more than ${MAX_JSON_DEPTH} levels deep (or contains itself); ` +
          `a model file nests at most ${MAX_JSON_DEPTH}`,
      );
    }
    if ((reached.get(v) ?? 0) >= depth) continue;
    reached.set(v, depth);
    const entries: Array<[string, unknown]> = Array.isArray(v)
      ? v.map((c, i) => [`[${i}]`, c])
      : Object.entries(v).map(([k, c]) => [/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`, c]);
    for (const [key, c] of entries) {
      if (typeof c === 'object' && c !== null && !ArrayBuffer.isView(c) && !(c instanceof ArrayBuffer)) {
        stack.push({ value: c, depth: depth + 1, key, parent: visit });
      }
    }
  }
}

/** checkJSONDepth on every JSON part of model artifacts (not the binary weight data). */
export function checkArtifactsDepth(artifacts: ModelArtifacts, where: string): void {
  const a = artifacts as Record<string, unknown>;
  for (const key of ['modelTopology', 'format', 'weightSpecs', 'trainingConfig', 'userDefinedMetadata', 'neurasm']) {
    checkJSONDepth(a[key], key, where);
  }
}
