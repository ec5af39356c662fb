import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';

/** A key as written in another spelling: `feature_range`, `featurerange` and `featureRange` agree. */
const loose = (key: string) => key.toLowerCase().replace(/[_-]/g, '');

/**
 * Checks that `options` is an object whose keys are all in `known`, so a misspelt or foreign
 * option (scikit-learn's `feature_range`, say) is an error instead of being ignored.
 * Returns the object.
 */
export function checkOptionKeys(op: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValueError(`${op}: expected options to be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => loose(k) === loose(key));
    const hint = near
      ? `; did you mean ${near}?`
      : known.length > 0
        ? `; the options are ${known.join(', ')}`
        : `; ${op} takes no options`;
    throw new ValueError(`${op}: unknown option ${JSON.stringify(key)}${hint}`);
  }
  return options as Record<string, unknown>;
}
