// surrogate.ruleList: an ordered rule list by sequential covering, on trained neurasm networks.
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import * as nn from '../../src/index.js';
import { meets } from '../../src/surrogate/rule.js';
import { ruleList } from '../../src/surrogate/rules.js';
import { testRows, trainRows, useFixtures } from './fixtures.js';

const fixtures = useFixtures();

describe('surrogate.ruleList', () => {
  it.each(['iris', 'wine', 'breast-cancer', 'digits'])(
    '%s: fidelity, supports and precisions as the list applies',
    async (name) => {
      const f = fixtures.get(name)!;
      const list = await ruleList(f.network, trainRows(f), { maxRules: 8 });
      const n = f.model.train.length;
      const labels = f.model.labelsTrain;
      // recount: each row goes to the first rule whose conditions hold
      const taken = list.rules.map(() => [] as number[]);
      for (let i = 0; i < n; i++) {
        const k = list.rules.findIndex((r) => meets(r.conditions, f.xTrain, i, f.d));
        taken[k].push(i);
      }
      list.rules.forEach((rule, k) => {
        expect(rule.samples).toBe(taken[k].length);
        expect(rule.support).toBeCloseTo(taken[k].length / n, 12);
        const correct = taken[k].filter((i) => labels[i] === rule.prediction).length;
        expect(rule.precision).toBeCloseTo(taken[k].length ? correct / taken[k].length : 0, 12);
        expect(rule.conditions.length).toBeLessThanOrEqual(3);
      });
      expect(list.rules.length).toBeLessThanOrEqual(9);
      expect(list.rules[list.rules.length - 1].conditions).toEqual([]);
      const agree = list.predict(trainRows(f)).filter((c, i) => c === labels[i]).length / n;
      expect(list.trainingFidelity).toBeCloseTo(agree, 12);
      const heldOut = list.fidelity(f.network, testRows(f));
      console.log(
        `${name}: ${list.rules.length} rules, fidelity ${list.trainingFidelity.toFixed(3)} on training rows, ${heldOut.toFixed(3)} held out`,
      );
      // measured: iris 0.978, wine 0.830, breast-cancer 0.959, digits 0.523 (10 classes, 8 rules)
      const floor: Record<string, number> = { iris: 0.95, wine: 0.8, 'breast-cancer': 0.95, digits: 0.45 };
      expect(heldOut).toBeGreaterThanOrEqual(floor[name]);
      // every rule before the ELSE was found with at least minSupport (default 0.02) of the rows
      for (const rule of list.rules.slice(0, -1)) expect(rule.samples).toBeGreaterThanOrEqual(Math.ceil(0.02 * n));
    },
  );

  it('iris: prints as IF … ELSE IF … ELSE, with the names given, and is reproducible', async () => {
    const f = fixtures.get('iris')!;
    const options = {
      featureNames: ['sepal length', 'sepal width', 'petal length', 'petal width'],
      classNames: ['setosa', 'versicolor', 'virginica'],
    };
    const list = await ruleList(f.network, trainRows(f), options);
    const again = await ruleList(f.network, trainRows(f), options);
    expect(again.rules).toEqual(list.rules);
    const text = list.toText();
    console.log(text);
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(
      /^IF .* THEN (setosa|versicolor|virginica) {2}\(support \d\.\d{3}, precision \d\.\d{3}\)$/,
    );
    for (const line of lines.slice(1, -1)) expect(line).toMatch(/^ELSE IF /);
    expect(lines[lines.length - 1]).toMatch(/^ELSE (setosa|versicolor|virginica) /);
    expect(text).toMatch(/petal/);
  });

  it('maxRules bounds the list; a large minSupport leaves few rules', async () => {
    const f = fixtures.get('breast-cancer')!;
    const one = await ruleList(f.network, trainRows(f), { maxRules: 1 });
    expect(one.rules).toHaveLength(2);
    expect(one.rules[0].samples + one.rules[1].samples).toBe(f.model.train.length);
    const coarse = await ruleList(f.network, trainRows(f), { maxRules: 8, minSupport: 0.4 });
    expect(coarse.rules.length).toBeLessThanOrEqual(3);
    for (const rule of coarse.rules.slice(0, -1)) expect(rule.support).toBeGreaterThanOrEqual(0.4);
  });

  it("augment 'auto': the list is found on the rows and 50 points per row, reproducibly for a seed", async () => {
    const f = fixtures.get('wine')!;
    const n = f.model.train.length;
    const [a, b, c] = await Promise.all(
      [0, 0, 1].map((seed) => ruleList(f.network, trainRows(f), { maxRules: 8, augment: 'auto', seed })),
    );
    expect(a.rules).toEqual(b.rules);
    expect(a.rules).not.toEqual(c.rules);
    expect(a.rules.reduce((sum, rule) => sum + rule.samples, 0)).toBe(51 * n);
    await expect(ruleList(f.network, trainRows(f), { augment: 'many' as never })).rejects.toThrow(/augment/);
  });

  it('bad input: clear errors', async () => {
    const f = fixtures.get('iris')!;
    await expect(ruleList(f.network, trainRows(f), { maxRules: 0 })).rejects.toThrow(/maxRules/);
    await expect(ruleList(f.network, trainRows(f), { minSupport: 0 })).rejects.toThrow(/minSupport/);
    await expect(ruleList(f.network, trainRows(f), { minSupport: 2 })).rejects.toThrow(/minSupport/);
    await expect(ruleList(f.network, trainRows(f), { maxConditions: 0 })).rejects.toThrow(/maxConditions/);
    await expect(ruleList(f.network, trainRows(f), { featureNames: [null as never, 'b', 'c', 'd'] })).rejects.toThrow(
      ValueError,
    );
    await expect(ruleList(f.network, nn.zeros([3, 5]))).rejects.toThrow(ShapeError);
    const regression = fixtures.get('wine-regression')!;
    await expect(ruleList(regression.network, trainRows(regression))).rejects.toThrow(/regression model/);
    const list = await ruleList(f.network, trainRows(f));
    expect(() => list.predict([[1, 2]])).toThrow(ShapeError);
  });
});
