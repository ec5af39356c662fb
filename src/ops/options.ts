import { ValueError } from '../errors.js';
import { describe } from './validate.js';

/** A key as written in another spelling: `use_bias`, `usebias` and `useBias` agree. */
const loose = (key: string) => key.toLowerCase().replace(/[_-]/g, '');

/**
 * Throws unless `args` is an options object (undefined stands for `{}`) whose keys are all in
 * `known` (when given), so a misspelt option is an error instead of being ignored; `example` shows
 * an options object in the message, e.g.
 * `earlyStopping: expected an options object like {monitor: 'val_loss'}, got "val_loss"`.
 */
export function optionsObject<T extends object>(
  where: string,
  args: T | undefined,
  example: string,
  known?: readonly string[],
): T {
  if (args === undefined) return {} as T;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new ValueError(`${where}: expected an options object like ${example}, got ${describe(args)}`);
  }
  if (known) checkOptionNames(where, args, known);
  return args;
}

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

/** The name of `known` that `key` is most likely a misspelling of: same letters, or at most 2 edits away. */
function nearestName(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of known) {
    const d = editDistance(loose(key), loose(name));
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Throws on a key of `args` not in `known`, naming the option it resembles or listing them all. */
export function checkOptionNames(where: string, args: object, known: readonly string[]): void {
  for (const key of Object.keys(args)) {
    if (known.includes(key)) continue;
    const near = nearestName(key, known);
    const hint = near
      ? `; did you mean ${near}?`
      : known.length > 0
        ? `; the options are ${known.join(', ')}`
        : `; ${where} takes no options`;
    throw new ValueError(`${where}: unknown option ${JSON.stringify(key)}${hint}`);
  }
}

/**
 * Checks that `options` is an object (not left out) whose keys are all in `known`, so a misspelt or
 * foreign option (scikit-learn's `feature_range`, say) is an error instead of being ignored.
 * Returns the object.
 */
export function checkOptionKeys(op: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValueError(`${op}: expected options to be an object, got ${describe(options)}`);
  }
  checkOptionNames(op, options, known);
  return options as Record<string, unknown>;
}

/** Throws unless the option `key` of `args` is left out or true/false. */
export function checkBooleanOption(where: string, args: object, key: string): void {
  const v = (args as Record<string, unknown>)[key];
  if (v !== undefined && typeof v !== 'boolean') {
    throw new ValueError(`${where}: expected ${key} to be true or false, got ${describe(v)}`);
  }
}

/** Throws unless the option `key` of `args` is left out or a non-empty string. */
export function checkStringOption(where: string, args: object, key: string): void {
  const v = (args as Record<string, unknown>)[key];
  if (v !== undefined && (typeof v !== 'string' || v.length === 0)) {
    throw new ValueError(`${where}: expected ${key} to be a non-empty string, got ${describe(v)}`);
  }
}

/**
 * Throws if an option TensorFlow.js has but neurasm does not apply is set to anything but null:
 * `unsupported` maps each such option to what to do instead.
 */
export function rejectUnsupported(where: string, args: object, unsupported: Record<string, string>): void {
  for (const [key, instead] of Object.entries(unsupported)) {
    const v = (args as Record<string, unknown>)[key];
    if (v !== undefined && v !== null) {
      throw new ValueError(`${where}: ${key} is not supported (got ${describe(v)}); ${instead}`);
    }
  }
}
