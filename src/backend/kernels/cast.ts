// Typed call of the dtype conversion kernel (assembly/cast.ts).
import { passThrough } from './exports.js';

/**
 * y = cast(x) over n elements, `code` a `Cast` code: float32 → int32 (toward zero, modulo 2^32,
 * NaN and ±Infinity give 0, as an Int32Array stores numbers), int32 → float32, float32 → bool
 * (1 unless 0, so NaN gives 1), int32 → bool. y may alias x.
 */
export const castValues = passThrough('castValues');
