import { kernels } from './exports.js';

/**
 * Index of the first NaN or ±Infinity among the n float32 values at byte offset `ptr`, or −1. It
 * returns a value to JavaScript, so a trace being recorded cannot replay it.
 */
export function firstNonFinite(ptr: number, n: number): number {
  return kernels().firstNonFinite(ptr, n);
}
