import type { Random } from '../random.js';

/** The coalitions KernelSHAP evaluates for one example, with their kernel weights. */
export interface Coalitions {
  /** Number of players (features that vary between the example and the background). */
  players: number;
  /** Number of coalitions. */
  count: number;
  /** Row-major [count, players]: 1 where the player takes the explained example's value. */
  masks: Uint8Array;
  /** Regression weight of each coalition (float64). */
  weights: Float64Array;
}

/** n choose k, as a float (exact for the sizes KernelSHAP enumerates). */
function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Calls `visit` with every k-subset of [0, n) in lexicographic order (as itertools.combinations). */
function forEachSubset(n: number, k: number, visit: (members: Int32Array) => void): void {
  const members = Int32Array.from({ length: k }, (_, i) => i);
  for (;;) {
    visit(members);
    let i = k - 1;
    while (i >= 0 && members[i] === n - k + i) i--;
    if (i < 0) return;
    members[i]++;
    for (let j = i + 1; j < k; j++) members[j] = members[j - 1] + 1;
  }
}

/** A growable list of masks and weights. */
class CoalitionList {
  masks: Uint8Array;
  weights: Float64Array;
  count = 0;

  constructor(
    readonly players: number,
    capacity: number,
  ) {
    this.masks = new Uint8Array(capacity * players);
    this.weights = new Float64Array(capacity);
  }

  add(mask: Uint8Array, weight: number): number {
    this.masks.set(mask, this.count * this.players);
    this.weights[this.count] = weight;
    return this.count++;
  }
}

/**
 * The budget python shap's KernelExplainer uses for `players` features: 'auto' is 2·M + 2048, and
 * no budget exceeds the 2^M − 2 coalitions there are (then every coalition is enumerated).
 */
export function coalitionBudget(players: number, nsamples: number | 'auto'): number {
  let budget = nsamples === 'auto' ? 2 * players + 2048 : nsamples;
  if (players <= 30) budget = Math.min(budget, 2 ** players - 2);
  return budget;
}

/**
 * KernelSHAP's coalitions, as python shap 0.51's KernelExplainer.explain makes them: subset sizes
 * s and M − s are paired and weighted by the Shapley kernel (M − 1) / (s (M − s)); whole sizes are
 * enumerated, smallest first, while the budget left covers all their subsets at their share of the
 * weight; the rest of the budget is drawn at random (a size by its remaining weight, then a random
 * subset of that size, with its complement), a repeated draw adding 1 to the weight of the earlier
 * one; the drawn weights are finally scaled to the kernel weight of the sizes not enumerated.
 */
export function makeCoalitions(players: number, budget: number, random: Random): Coalitions {
  const M = players;
  const list = new CoalitionList(M, budget);
  const numSubsetSizes = Math.ceil((M - 1) / 2);
  const numPairedSizes = Math.floor((M - 1) / 2);
  const weightVector = Array.from({ length: numSubsetSizes }, (_, i) => (M - 1) / ((i + 1) * (M - i - 1)));
  for (let i = 0; i < numPairedSizes; i++) weightVector[i] *= 2;
  const total = weightVector.reduce((a, b) => a + b, 0);
  for (let i = 0; i < numSubsetSizes; i++) weightVector[i] /= total;

  const mask = new Uint8Array(M);
  const complement = () => {
    for (let j = 0; j < M; j++) mask[j] = 1 - mask[j];
  };
  let numFullSubsets = 0;
  let samplesLeft = budget;
  const remaining = weightVector.slice();
  for (let size = 1; size <= numSubsetSizes; size++) {
    const paired = size <= numPairedSizes;
    const nsubsets = binomial(M, size) * (paired ? 2 : 1);
    if ((samplesLeft * remaining[size - 1]) / nsubsets < 1 - 1e-8) break;
    numFullSubsets++;
    samplesLeft -= nsubsets;
    if (remaining[size - 1] < 1) {
      const scale = 1 - remaining[size - 1];
      for (let i = 0; i < numSubsetSizes; i++) remaining[i] /= scale;
    }
    const w = weightVector[size - 1] / binomial(M, size) / (paired ? 2 : 1);
    forEachSubset(M, size, (members) => {
      mask.fill(0);
      for (const j of members) mask[j] = 1;
      list.add(mask, w);
      if (paired) {
        complement();
        list.add(mask, w);
      }
    });
  }

  const fixed = list.count;
  samplesLeft = budget - fixed;
  if (numFullSubsets !== numSubsetSizes && samplesLeft > 0) {
    // the probability of each size not enumerated (paired sizes halved: each draw adds two)
    const p = weightVector.map((w, i) => (i < numPairedSizes ? w / 2 : w)).slice(numFullSubsets);
    const pSum = p.reduce((a, b) => a + b, 0);
    const cumulative = new Float64Array(p.length);
    let acc = 0;
    for (let i = 0; i < p.length; i++) cumulative[i] = acc += p[i] / pSum;
    const seen = new Map<number | string, number>();
    const order = Int32Array.from({ length: M }, (_, i) => i);
    const draws = 4 * samplesLeft;
    for (let draw = 0; draw < draws && samplesLeft > 0; draw++) {
      const u = random.uniform();
      let ind = 0;
      while (ind < p.length - 1 && u >= cumulative[ind]) ind++;
      const size = ind + numFullSubsets + 1;
      // the first `size` entries of a random permutation: a partial Fisher-Yates shuffle
      for (let i = 0; i < size; i++) {
        const j = i + random.int(M - i);
        [order[i], order[j]] = [order[j], order[i]];
      }
      mask.fill(0);
      for (let i = 0; i < size; i++) mask[order[i]] = 1;
      // the mask as a number (exact below 53 players), else as a string of 0s and 1s
      let key: number | string = 0;
      if (M <= 52) for (let j = M - 1; j >= 0; j--) key = key * 2 + mask[j];
      else key = mask.join('');
      const earlier = seen.get(key);
      if (earlier === undefined) {
        seen.set(key, list.add(mask, 1));
        samplesLeft--;
      } else {
        list.weights[earlier] += 1;
      }
      if (samplesLeft > 0 && size <= numPairedSizes) {
        complement();
        if (earlier === undefined) {
          list.add(mask, 1);
          samplesLeft--;
        } else {
          list.weights[earlier + 1] += 1;
        }
      }
    }
    let weightLeft = 0;
    for (let i = numFullSubsets; i < numSubsetSizes; i++) weightLeft += weightVector[i];
    let drawn = 0;
    for (let i = fixed; i < list.count; i++) drawn += list.weights[i];
    for (let i = fixed; i < list.count; i++) list.weights[i] *= weightLeft / drawn;
  }
  return {
    players: M,
    count: list.count,
    masks: list.masks.subarray(0, list.count * M),
    weights: list.weights.subarray(0, list.count),
  };
}
