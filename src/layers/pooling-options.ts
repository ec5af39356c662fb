// The window options the 1-D convolution and pooling layers share: a length given as a number or
// as a one-element array (tfjs and Keras write both), and the padding.
import { ValueError } from '../errors.js';
import type { Padding1D } from '../ops/conv1d.js';
import { describe } from '../ops/validate.js';

/** A window length option: a positive integer, or an array holding one. */
export type Length1D = number | [number];

/** The value of a length option (`fallback` when left out or null); throws naming it otherwise. */
export function lengthOption(where: string, name: string, value: unknown, fallback?: number): number {
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  const n = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 2 ** 24) {
    throw new ValueError(`${where}: expected ${name} to be a positive integer (or [n]), got ${describe(value)}`);
  }
  return n;
}

/** The padding option: one of `allowed` ('valid' when left out). */
export function paddingOption(where: string, value: unknown, allowed: readonly Padding1D[]): Padding1D {
  if (value === undefined || value === null) return 'valid';
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValueError(
      `${where}: expected padding to be ${allowed.map((p) => `'${p}'`).join(' or ')}, got ${describe(value)}`,
    );
  }
  return value as Padding1D;
}

/** Rejects a data format other than channels last (inputs [batch, steps, channels]). */
export function checkChannelsLast(where: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== 'channelsLast') {
    throw new ValueError(
      `${where}: expected dataFormat 'channelsLast' (inputs [batch, steps, channels]), got ${describe(value)}`,
    );
  }
}
