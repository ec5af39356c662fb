// What `npm start -- --explain N` prints after training: for N test examples, the features that
// moved the predicted class most (integrated gradients, terminal bars), and a rule list distilled
// from the network with its fidelity on the test examples.
import * as nn from '../index.js';

/** Features shown per example. */
const TOP = 5;
/** Width of the longest bar, in characters. */
const BAR = 24;
/** Rules of the distilled list. */
const RULES = 8;

/** A bar of |v| / largest of `BAR` characters, right of the sign. */
function bar(v: number, largest: number): string {
  const n = largest > 0 ? Math.max(1, Math.round((Math.abs(v) / largest) * BAR)) : 0;
  return `${v >= 0 ? '+' : '-'}${'█'.repeat(n)}`;
}

/**
 * Prints the explanation of the first `count` test rows (`x` as the model takes it, scaled) and the
 * distilled rule list (fitted on `xTrain`, its fidelity measured on `x`).
 */
export async function reportExplanations(
  model: nn.Sequential,
  x: nn.Tensor,
  y: nn.Tensor,
  xTrain: nn.Tensor,
  featureNames: readonly string[],
  classNames: readonly string[],
  count: number,
  write: (line: string) => void,
): Promise<void> {
  const n = Math.min(count, x.shape[0]);
  const rows = x.slice([0, 0], [n, x.shape[1]]);
  const probabilities = model.predict(rows);
  const { attributions, delta } = await nn.explain.integratedGradients(model, rows);
  const p = probabilities.dataSync();
  const a = attributions.dataSync();
  const labels = y.dataSync();
  const width = x.shape[1];
  const classes = probabilities.shape[1];
  write(
    `\nIntegrated gradients (50 steps, baseline 0 = the mean after scaling) of ${n} test example${n === 1 ? '' : 's'}:`,
  );
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (p[r * classes + c] > p[r * classes + best]) best = c;
    write(
      `example ${r + 1}: predicted "${classNames[best]}" (p = ${p[r * classes + best].toFixed(3)}), label "${classNames[labels[r]]}", completeness error ${delta[r].toExponential(1)}`,
    );
    const row = Array.from(a.subarray(r * width, (r + 1) * width), (v, j) => ({ v, j }));
    row.sort((u, w) => Math.abs(w.v) - Math.abs(u.v));
    const largest = Math.abs(row[0].v);
    const nameWidth = Math.max(...row.slice(0, TOP).map((f) => featureNames[f.j].length));
    for (const f of row.slice(0, TOP)) {
      const value = `${f.v >= 0 ? '+' : ''}${f.v.toFixed(3)}`;
      write(`  ${featureNames[f.j].padEnd(nameWidth)}  ${value.padStart(8)}  ${bar(f.v, largest)}`);
    }
  }
  nn.dispose([rows, probabilities, attributions]);
  const rules = await nn.surrogate.ruleList(model, xTrain, {
    maxRules: RULES,
    criterion: 'entropy',
    featureNames,
    classNames,
  });
  write(
    `\nRule list distilled from the network (${rules.rules.length} rules, thresholds on the standardized features): gives the network's class on ${(100 * rules.fidelity(model, x)).toFixed(2)}% of the ${x.shape[0]} test examples`,
  );
  for (const line of rules.toText().split('\n')) if (line) write(`  ${line}`);
}
