import type { Random } from '../random.js';
import { truncatedNormal } from './truncated-normal.js';

/**
 * lime's QuartileDiscretizer / DecileDiscretizer (lime/discretize.py) for one feature: the bin
 * borders (percentiles of the training column, duplicates dropped), each bin's mean, standard
 * deviation (+1e-11), lower and upper bound, and how often the training data falls in each bin.
 */
export interface FeatureBins {
  borders: number[];
  means: number[];
  stds: number[];
  mins: number[];
  maxs: number[];
  /** The bins that occur in the training data, ascending, and their shares of it (summing to 1). */
  values: number[];
  frequencies: number[];
}

/** numpy.percentile (linear interpolation) of sorted values. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** The bin of a value: the number of borders below it (numpy.searchsorted, side 'left'). */
export function binOf(borders: readonly number[], value: number): number {
  let bin = 0;
  while (bin < borders.length && borders[bin] < value) bin++;
  return bin;
}

/** The bins of one training column for the given percentiles (25/50/75 or 10…90). */
export function featureBins(column: Float64Array, percentiles: readonly number[]): FeatureBins {
  const sorted = Float64Array.from(column).sort();
  const borders = [...new Set(percentiles.map((q) => percentile(sorted, q)))].sort((a, b) => a - b);
  const bins = borders.length + 1;
  const sums = new Float64Array(bins);
  const counts = new Float64Array(bins);
  const binned = Array.from(column, (v) => binOf(borders, v));
  binned.forEach((b, i) => {
    sums[b] += column[i];
    counts[b]++;
  });
  const means = Array.from(sums, (s, b) => (counts[b] > 0 ? s / counts[b] : 0));
  const squares = new Float64Array(bins);
  binned.forEach((b, i) => {
    squares[b] += (column[i] - means[b]) ** 2;
  });
  const stds = Array.from(squares, (s, b) => (counts[b] > 0 ? Math.sqrt(s / counts[b]) : 0) + 1e-11);
  const values: number[] = [];
  const frequencies: number[] = [];
  counts.forEach((c, b) => {
    if (c > 0) {
      values.push(b);
      frequencies.push(c / column.length);
    }
  });
  return {
    borders,
    means,
    stds,
    mins: [sorted[0], ...borders],
    maxs: [...borders, sorted[sorted.length - 1]],
    values,
    frequencies,
  };
}

/** A bin drawn with the training data's frequencies (numpy's choice with p). */
export function drawBin(random: Random, bins: FeatureBins): number {
  const u = random.uniform();
  let cumulative = 0;
  for (let i = 0; i < bins.values.length; i++) {
    cumulative += bins.frequencies[i];
    if (u < cumulative) return bins.values[i];
  }
  return bins.values[bins.values.length - 1];
}

/**
 * A value in a bin as lime's undiscretize draws it: a normal with the bin's mean and standard
 * deviation truncated to the bin's bounds. (lime returns the bound's z-score where a bin's bounds
 * are equal; this returns the bound.)
 */
export function valueInBin(random: Random, bins: FeatureBins, bin: number): number {
  const mean = bins.means[bin];
  const std = bins.stds[bin];
  const lo = (bins.mins[bin] - mean) / std;
  const hi = (bins.maxs[bin] - mean) / std;
  if (lo === hi) return bins.mins[bin];
  return mean + std * truncatedNormal(random, lo, hi);
}

/** lime's name of a bin of a feature: `x[2] <= 1.60`, `1.60 < x[2] <= 4.35`, `x[2] > 5.10`. */
export function binCondition(bins: FeatureBins, bin: number, name: string): string {
  const b = bins.borders;
  if (bin === 0) return `${name} <= ${b[0].toFixed(2)}`;
  if (bin === b.length) return `${name} > ${b[b.length - 1].toFixed(2)}`;
  return `${b[bin - 1].toFixed(2)} < ${name} <= ${b[bin].toFixed(2)}`;
}
