import { ValueError } from '../errors.js';
import { describe } from '../ops/validate.js';

/**
 * Reads what a `toJSON()` of the data module returned, as the object or its JSON text, and checks
 * that it is a plain object (`kind` names it in the error: "a scaler's") and, when `className` is
 * given, that its `className` field matches.
 */
export function parseJSONObject(op: string, json: unknown, kind: string, className?: string): Record<string, unknown> {
  let obj = json;
  if (typeof obj === 'string') {
    try {
      obj = JSON.parse(obj);
    } catch (e) {
      throw new ValueError(`${op}: the text is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new ValueError(`${op}: expected ${kind} JSON object, got ${describe(obj)}`);
  }
  const o = obj as Record<string, unknown>;
  if (className !== undefined && o.className !== className) {
    throw new ValueError(`${op}: expected className ${JSON.stringify(className)}, got ${describe(o.className)}`);
  }
  return o;
}
