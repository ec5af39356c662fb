import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';

/**
 * Throws unless `args` is an options object (undefined stands for `{}`); `example` shows one in the
 * message, e.g. `earlyStopping: expected an options object like {monitor: 'val_loss'}, got "val_loss"`.
 */
export function optionsObject<T extends object>(where: string, args: T | undefined, example: string): T {
  if (args === undefined) return {} as T;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new ValueError(`${where}: expected an options object like ${example}, got ${describe(args)}`);
  }
  return args;
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
