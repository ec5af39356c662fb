// Which features a plot of one explanation shows: the largest |value| first, the rest summed.

/** A row of a bar or waterfall plot: a feature, or the sum of those not shown (`index` -1). */
export interface ShownFeature {
  index: number;
  value: number;
  /** How many features the row stands for (1, or the number summed into "N other features"). */
  count: number;
}

/**
 * The features ordered by |value| (largest first, ties by index), at most `maxDisplay` rows: when
 * there are more features, the first maxDisplay − 1 and a last row summing the others, as shap's
 * bar and waterfall plots do.
 */
export function shownFeatures(values: readonly number[], maxDisplay: number): ShownFeature[] {
  const order = values.map((_, i) => i).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
  if (order.length <= maxDisplay) return order.map((i) => ({ index: i, value: values[i], count: 1 }));
  const shown = order.slice(0, maxDisplay - 1).map((i) => ({ index: i, value: values[i], count: 1 }));
  const rest = order.slice(maxDisplay - 1);
  // summed in index order, so the same values give the same bytes whatever the sort did
  const sum = [...rest].sort((a, b) => a - b).reduce((s, i) => s + values[i], 0);
  return [...shown, { index: -1, value: sum, count: rest.length }];
}
