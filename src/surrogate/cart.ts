// CART as scikit-learn 1.9 grows it (sklearn/tree/_splitter.pyx node_split_best, _criterion.pyx,
// _tree.pyx DepthFirstTreeBuilder and _cost_complexity_prune), ported step by step so that, for
// the same rows, labels, parameters and random_state, the same tree comes out: features are
// visited in the order sklearn's Fisher-Yates draw with its rand_r gives, a split replaces the best
// only when its proxy improvement is strictly larger, thresholds are midpoints of float32 values.

/** Split criterion: gini and entropy (log2) for classes, squared error for regression. */
export type Criterion = 'gini' | 'entropy' | 'squared_error';

/** What fitCart takes. */
export interface CartParams {
  /** Deepest level a node may sit at (the root is 0); Infinity for no limit. */
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  criterion: Criterion;
  /** Cost-complexity pruning parameter (0: no pruning). */
  ccpAlpha: number;
  /** sklearn's random_state (an integer in [0, 2^32)). */
  randomState: number;
}

/**
 * A fitted tree in sklearn's array layout, nodes in preorder (root 0, left subtree first).
 * `left[i] === -1` marks a leaf; `value` holds, per node, class fractions (classification,
 * `width` = number of classes) or the mean target (regression, `width` = 1).
 */
export interface CartTree {
  left: number[];
  right: number[];
  feature: number[];
  threshold: number[];
  impurity: number[];
  samples: number[];
  value: number[][];
  nFeatures: number;
  /** Classes for classification (value holds fractions), 0 for regression. */
  nClasses: number;
}

const FEATURE_THRESHOLD = Math.fround(1e-7);
const EPSILON = 2.220446049250313e-16;
const RAND_R_MAX = 2147483647;

/** sklearn's our_rand_r (xorshift32), returning the next draw and updating `state[0]`. */
function ourRandR(state: Uint32Array): number {
  if (state[0] === 0) state[0] = 1;
  state[0] ^= state[0] << 13;
  state[0] ^= state[0] >>> 17;
  state[0] ^= state[0] << 5;
  return state[0] % (RAND_R_MAX + 1);
}

/**
 * The first draw of numpy's RandomState(seed).randint(0, 2^31 - 1): MT19937 seeded by init_genrand,
 * 32-bit outputs masked to 31 bits until one is below 2^31 - 1. This is the splitter's rand_r seed.
 */
export function sklearnRandRSeed(seed: number): number {
  const mt = new Uint32Array(624);
  mt[0] = seed >>> 0;
  for (let i = 1; i < 624; i++) {
    const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
    // 1812433253 * prev + i, modulo 2^32, without losing bits to float rounding
    mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
  }
  let index = 624;
  const next = (): number => {
    if (index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      index = 0;
    }
    let y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
  for (;;) {
    const v = next() & 0x7fffffff;
    if (v <= RAND_R_MAX - 1) return v;
  }
}

/** Running sums of one node's labels, split at a position (sklearn's Criterion objects). */
class NodeStats {
  readonly sumTotal: Float64Array;
  readonly sumLeft: Float64Array;
  readonly sumRight: Float64Array;
  sqSumTotal = 0;
  nNode = 0;
  nLeft = 0;
  nRight = 0;
  start = 0;
  end = 0;
  pos = 0;

  constructor(
    private readonly kind: Criterion,
    private readonly classes: number,
    private readonly labels: Int32Array | Float64Array,
    private readonly samples: Int32Array,
  ) {
    const width = kind === 'squared_error' ? 1 : classes;
    this.sumTotal = new Float64Array(width);
    this.sumLeft = new Float64Array(width);
    this.sumRight = new Float64Array(width);
  }

  private get regression(): boolean {
    return this.kind === 'squared_error';
  }

  init(start: number, end: number): void {
    this.start = start;
    this.end = end;
    this.sumTotal.fill(0);
    this.sqSumTotal = 0;
    this.nNode = 0;
    for (let p = start; p < end; p++) {
      const i = this.samples[p];
      if (this.regression) {
        const y = this.labels[i];
        this.sumTotal[0] += y;
        this.sqSumTotal += y * y;
      } else {
        this.sumTotal[this.labels[i]] += 1;
      }
      this.nNode += 1;
    }
    this.reset();
  }

  reset(): void {
    this.pos = this.start;
    this.sumLeft.fill(0);
    this.sumRight.set(this.sumTotal);
    this.nLeft = 0;
    this.nRight = this.nNode;
  }

  private reverseReset(): void {
    this.pos = this.end;
    this.sumRight.fill(0);
    this.sumLeft.set(this.sumTotal);
    this.nRight = 0;
    this.nLeft = this.nNode;
  }

  update(newPos: number): void {
    const { samples, labels, sumLeft } = this;
    if (newPos - this.pos <= this.end - newPos) {
      for (let p = this.pos; p < newPos; p++) {
        const i = samples[p];
        if (this.regression) sumLeft[0] += labels[i];
        else sumLeft[labels[i]] += 1;
        this.nLeft += 1;
      }
    } else {
      this.reverseReset();
      for (let p = this.end - 1; p > newPos - 1; p--) {
        const i = samples[p];
        if (this.regression) sumLeft[0] -= labels[i];
        else sumLeft[labels[i]] -= 1;
        this.nLeft -= 1;
      }
    }
    this.nRight = this.nNode - this.nLeft;
    for (let c = 0; c < sumLeft.length; c++) this.sumRight[c] = this.sumTotal[c] - sumLeft[c];
    this.pos = newPos;
  }

  nodeImpurity(): number {
    const n = this.nNode;
    if (this.kind === 'gini') {
      let sq = 0;
      for (let c = 0; c < this.classes; c++) sq += this.sumTotal[c] * this.sumTotal[c];
      return 1.0 - sq / (n * n);
    }
    if (this.kind === 'entropy') return entropyOf(this.sumTotal, n);
    return this.sqSumTotal / n - (this.sumTotal[0] / n) ** 2;
  }

  /** [impurity left, impurity right] at the current position. */
  childrenImpurity(): [number, number] {
    if (this.kind === 'gini') {
      let sqLeft = 0;
      let sqRight = 0;
      for (let c = 0; c < this.classes; c++) {
        sqLeft += this.sumLeft[c] * this.sumLeft[c];
        sqRight += this.sumRight[c] * this.sumRight[c];
      }
      return [1.0 - sqLeft / (this.nLeft * this.nLeft), 1.0 - sqRight / (this.nRight * this.nRight)];
    }
    if (this.kind === 'entropy') return [entropyOf(this.sumLeft, this.nLeft), entropyOf(this.sumRight, this.nRight)];
    let sqSumLeft = 0;
    for (let p = this.start; p < this.pos; p++) {
      const y = this.labels[this.samples[p]];
      sqSumLeft += y * y;
    }
    const sqSumRight = this.sqSumTotal - sqSumLeft;
    const meanLeft = this.sumLeft[0] / this.nLeft;
    const meanRight = this.sumRight[0] / this.nRight;
    return [sqSumLeft / this.nLeft - meanLeft * meanLeft, sqSumRight / this.nRight - meanRight * meanRight];
  }

  proxyImprovement(): number {
    if (this.regression) {
      return (this.sumLeft[0] * this.sumLeft[0]) / this.nLeft + (this.sumRight[0] * this.sumRight[0]) / this.nRight;
    }
    const [left, right] = this.childrenImpurity();
    return -this.nRight * right - this.nLeft * left;
  }

  impurityImprovement(nTotal: number, parent: number, left: number, right: number): number {
    return (this.nNode / nTotal) * (parent - (this.nRight / this.nNode) * right - (this.nLeft / this.nNode) * left);
  }

  nodeValue(): number[] {
    if (this.regression) return [this.sumTotal[0] / this.nNode];
    return Array.from(this.sumTotal, (count) => count / this.nNode);
  }
}

/** Entropy in bits of class counts summing to n, as sklearn sums it. */
function entropyOf(counts: Float64Array, n: number): number {
  let entropy = 0;
  for (let c = 0; c < counts.length; c++) {
    let p = counts[c];
    if (p > 0) {
      p /= n;
      entropy -= p * (Math.log(p) / Math.log(2.0));
    }
  }
  return entropy;
}

interface Split {
  pos: number;
  feature: number;
  threshold: number;
  impurityLeft: number;
  impurityRight: number;
  improvement: number;
}

/**
 * Grows a tree on rows `x` (float32, n × d row-major) with labels `y` (class indices below
 * `nClasses`, or float targets for 'squared_error'), then prunes it by cost complexity when
 * `ccpAlpha` > 0. Inputs are assumed checked (finite, n ≥ 1).
 */
export function fitCart(
  x: Float32Array,
  n: number,
  d: number,
  y: Int32Array | Float64Array,
  nClasses: number,
  params: CartParams,
): CartTree {
  const samples = Int32Array.from({ length: n }, (_, i) => i);
  const features = Int32Array.from({ length: d }, (_, i) => i);
  const constantFeatures = new Int32Array(d);
  const featureValues = new Float32Array(n);
  const order = new Int32Array(n);
  const scratch = new Int32Array(n);
  const values = new Float32Array(n);
  const stats = new NodeStats(params.criterion, nClasses, y, samples);
  const randState = new Uint32Array([sklearnRandRSeed(params.randomState)]);
  const randInt = (low: number, high: number) => low + (ourRandR(randState) % (high - low));
  const maxDepth = params.maxDepth;
  const minLeaf = params.minSamplesLeaf;

  const tree: CartTree = {
    left: [],
    right: [],
    feature: [],
    threshold: [],
    impurity: [],
    samples: [],
    value: [],
    nFeatures: d,
    nClasses: params.criterion === 'squared_error' ? 0 : nClasses,
  };

  // Sort keys: a float32 value's bits made order-preserving as an unsigned 32-bit integer, times
  // 2^21, plus the row's position in the node: exact in a float64 for nodes of up to 2^21 rows, so
  // a native numeric sort of the keys sorts the rows by value (ties by position).
  const keys = new Float64Array(n);
  const bits = new Uint32Array(featureValues.buffer, 0, n);
  const POSITIONS = 2 ** 21;

  /** Sorts samples[start:end] by feature f, writing the sorted values to featureValues. */
  const sortByFeature = (start: number, end: number, f: number) => {
    const m = end - start;
    for (let k = 0; k < m; k++) featureValues[start + k] = x[samples[start + k] * d + f];
    if (m > POSITIONS) {
      for (let k = 0; k < m; k++) order[k] = k;
      order.subarray(0, m).sort((a, b) => featureValues[start + a] - featureValues[start + b] || a - b);
    } else {
      for (let k = 0; k < m; k++) {
        const b = bits[start + k];
        const ordered = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
        keys[k] = ordered * POSITIONS + k;
      }
      const sorted = keys.subarray(0, m).sort();
      for (let k = 0; k < m; k++) order[k] = sorted[k] % POSITIONS;
    }
    for (let k = 0; k < m; k++) {
      scratch[k] = samples[start + order[k]];
      values[k] = featureValues[start + order[k]];
    }
    featureValues.set(values.subarray(0, m), start);
    samples.set(scratch.subarray(0, m), start);
  };

  /** node_split_best: the best split of samples[start:end], or pos = end when none. */
  const splitNode = (start: number, end: number, impurity: number, known: { constants: number }): Split => {
    const best: Split = {
      pos: end,
      feature: 0,
      threshold: 0,
      impurityLeft: Infinity,
      impurityRight: Infinity,
      improvement: -Infinity,
    };
    let bestProxy = -Infinity;
    let fI = d;
    let visited = 0;
    let foundConstants = 0;
    let drawnConstants = 0;
    const knownConstants = known.constants;
    let totalConstants = knownConstants;
    while (fI > totalConstants && (visited < d || visited <= foundConstants + drawnConstants)) {
      visited += 1;
      let fJ = randInt(drawnConstants, fI - foundConstants);
      if (fJ < knownConstants) {
        [features[drawnConstants], features[fJ]] = [features[fJ], features[drawnConstants]];
        drawnConstants += 1;
        continue;
      }
      fJ += foundConstants;
      const feature = features[fJ];
      sortByFeature(start, end, feature);
      if (featureValues[end - 1] <= Math.fround(featureValues[start] + FEATURE_THRESHOLD)) {
        [features[fJ], features[totalConstants]] = [features[totalConstants], features[fJ]];
        foundConstants += 1;
        totalConstants += 1;
        continue;
      }
      fI -= 1;
      [features[fI], features[fJ]] = [features[fJ], features[fI]];
      stats.reset();
      let p = start;
      while (p < end) {
        // next_p: skip positions inside runs of (nearly) equal values
        p += 1;
        while (p < end && featureValues[p] <= Math.fround(featureValues[p - 1] + FEATURE_THRESHOLD)) p += 1;
        const pPrev = p - 1;
        if (p >= end) continue;
        if (p - start < minLeaf || end - p < minLeaf) continue;
        stats.update(p);
        const proxy = stats.proxyImprovement();
        if (proxy > bestProxy) {
          bestProxy = proxy;
          best.pos = p;
          best.feature = feature;
          best.threshold = featureValues[pPrev] / 2.0 + featureValues[p] / 2.0;
        }
      }
    }
    if (best.pos < end) {
      // partition_samples_final: two-pointer partition on x <= threshold
      let lo = start;
      let hi = end;
      while (lo < hi) {
        if (x[samples[lo] * d + best.feature] <= best.threshold) lo += 1;
        else {
          hi -= 1;
          [samples[lo], samples[hi]] = [samples[hi], samples[lo]];
        }
      }
      stats.reset();
      stats.update(best.pos);
      [best.impurityLeft, best.impurityRight] = stats.childrenImpurity();
      best.improvement = stats.impurityImprovement(n, impurity, best.impurityLeft, best.impurityRight);
    }
    features.set(constantFeatures.subarray(0, knownConstants), 0);
    constantFeatures.set(features.subarray(knownConstants, knownConstants + foundConstants), knownConstants);
    known.constants = totalConstants;
    return best;
  };

  interface Task {
    start: number;
    end: number;
    depth: number;
    parent: number;
    isLeft: boolean;
    impurity: number;
    constants: number;
  }
  const stack: Task[] = [{ start: 0, end: n, depth: 0, parent: -1, isLeft: false, impurity: Infinity, constants: 0 }];
  let first = true;
  while (stack.length > 0) {
    const task = stack.pop() as Task;
    const { start, end, depth } = task;
    const count = end - start;
    stats.init(start, end);
    let isLeaf = depth >= maxDepth || count < params.minSamplesSplit || count < 2 * minLeaf;
    let impurity = task.impurity;
    if (first) {
      impurity = stats.nodeImpurity();
      first = false;
    }
    isLeaf = isLeaf || impurity <= EPSILON;
    let split: Split | null = null;
    const known = { constants: task.constants };
    if (!isLeaf) {
      split = splitNode(start, end, impurity, known);
      isLeaf = split.pos >= end || split.improvement + EPSILON < 0;
    }
    const id = tree.left.length;
    if (task.parent >= 0) {
      if (task.isLeft) tree.left[task.parent] = id;
      else tree.right[task.parent] = id;
    }
    tree.left.push(-1);
    tree.right.push(-1);
    tree.feature.push(isLeaf || !split ? -2 : split.feature);
    tree.threshold.push(isLeaf || !split ? -2 : split.threshold);
    tree.impurity.push(impurity);
    tree.samples.push(count);
    stats.init(start, end);
    tree.value.push(stats.nodeValue());
    if (!isLeaf && split) {
      const common = { depth: depth + 1, parent: id, constants: known.constants };
      stack.push({ ...common, start: split.pos, end, isLeft: false, impurity: split.impurityRight });
      stack.push({ ...common, start, end: split.pos, isLeft: true, impurity: split.impurityLeft });
    }
  }
  return params.ccpAlpha > 0 ? pruneCart(tree, params.ccpAlpha) : tree;
}

/**
 * Minimal cost-complexity pruning (sklearn's _cost_complexity_prune with _AlphaPruner): repeatedly
 * collapse the internal node with the smallest effective alpha (R(t) − R(T_t)) / (|leaves(T_t)| − 1)
 * while that alpha is ≤ ccpAlpha; R is sample-weighted impurity over the root's sample count.
 */
export function pruneCart(tree: CartTree, ccpAlpha: number): CartTree {
  const count = tree.left.length;
  const total = tree.samples[0];
  const rNode = tree.samples.map((s, i) => (s * tree.impurity[i]) / total);
  const parent = new Array<number>(count).fill(-1);
  const isLeaf = tree.left.map((l) => l === -1);
  for (let i = 0; i < count; i++) {
    if (!isLeaf[i]) {
      parent[tree.left[i]] = i;
      parent[tree.right[i]] = i;
    }
  }
  const nLeaves = new Array<number>(count).fill(0);
  const rBranch = new Array<number>(count).fill(0);
  for (let leaf = 0; leaf < count; leaf++) {
    if (!isLeaf[leaf]) continue;
    rBranch[leaf] = rNode[leaf];
    for (let node = leaf; node !== 0; node = parent[node]) {
      rBranch[parent[node]] += rNode[leaf];
      nLeaves[parent[node]] += 1;
    }
  }
  const candidate = isLeaf.map((leaf) => !leaf);
  const inSubtree = new Array<boolean>(count).fill(true);
  const leafInPruned = [...isLeaf];
  while (candidate[0]) {
    let alpha = Number.MAX_VALUE;
    let weakest = -1;
    for (let i = 0; i < count; i++) {
      if (!candidate[i]) continue;
      const a = (rNode[i] - rBranch[i]) / (nLeaves[i] - 1);
      if (a < alpha) {
        alpha = a;
        weakest = i;
      }
    }
    if (ccpAlpha < alpha) break;
    const todo = [weakest];
    while (todo.length > 0) {
      const node = todo.pop() as number;
      if (!inSubtree[node]) continue;
      candidate[node] = false;
      leafInPruned[node] = false;
      inSubtree[node] = false;
      if (!isLeaf[node]) todo.push(tree.left[node], tree.right[node]);
    }
    leafInPruned[weakest] = true;
    inSubtree[weakest] = true;
    const pruned = nLeaves[weakest] - 1;
    nLeaves[weakest] = 0;
    const diff = rNode[weakest] - rBranch[weakest];
    rBranch[weakest] = rNode[weakest];
    for (let node = parent[weakest]; node !== -1; node = parent[node]) {
      nLeaves[node] -= pruned;
      rBranch[node] += diff;
    }
  }
  const out: CartTree = {
    ...tree,
    left: [],
    right: [],
    feature: [],
    threshold: [],
    impurity: [],
    samples: [],
    value: [],
  };
  const copy = (node: number): number => {
    const id = out.left.length;
    const leaf = leafInPruned[node];
    out.left.push(-1);
    out.right.push(-1);
    out.feature.push(leaf ? -2 : tree.feature[node]);
    out.threshold.push(leaf ? -2 : tree.threshold[node]);
    out.impurity.push(tree.impurity[node]);
    out.samples.push(tree.samples[node]);
    out.value.push(tree.value[node]);
    if (!leaf) {
      out.left[id] = copy(tree.left[node]);
      out.right[id] = copy(tree.right[node]);
    }
    return id;
  };
  copy(0);
  return out;
}

/** The leaf each row of x (n × d) falls in: go left when x[feature] <= threshold. */
export function leafOf(tree: CartTree, x: ArrayLike<number>, row: number, d: number): number {
  let node = 0;
  while (tree.left[node] !== -1) {
    node = x[row * d + tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return node;
}

/** Depth of the tree (a single leaf has depth 0). */
export function cartDepth(tree: CartTree, node = 0): number {
  if (tree.left[node] === -1) return 0;
  return 1 + Math.max(cartDepth(tree, tree.left[node]), cartDepth(tree, tree.right[node]));
}

/** Feature importances as sklearn's: impurity decrease per feature, weighted by samples, normalized. */
export function cartImportances(tree: CartTree): number[] {
  const importances = new Array<number>(tree.nFeatures).fill(0);
  for (let i = 0; i < tree.left.length; i++) {
    if (tree.left[i] === -1) continue;
    const l = tree.left[i];
    const r = tree.right[i];
    importances[tree.feature[i]] +=
      tree.samples[i] * tree.impurity[i] - tree.samples[l] * tree.impurity[l] - tree.samples[r] * tree.impurity[r];
  }
  for (let f = 0; f < importances.length; f++) importances[f] /= tree.samples[0];
  const sum = importances.reduce((a, b) => a + b, 0);
  if (sum > 0) for (let f = 0; f < importances.length; f++) importances[f] /= sum;
  return importances;
}
