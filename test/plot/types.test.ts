// neurasm/plot spells out the shapes it takes from explanations and surrogates (so its typings
// share no declaration with the main entry's): they must keep fitting what those return. The check is
// made by the type checker (`npx tsc --noEmit` covers test/), not at run time.
import { describe, expectTypeOf, it } from 'vitest';
import type { TokenAttribution as ExplainedToken } from '../../src/explain/explain-text.js';
import type { TokenAttribution, TreeJSON } from '../../src/plot/index.js';
import type { SurrogateTree, SurrogateTreeJSON } from '../../src/surrogate/surrogate-tree.js';

describe('the types neurasm/plot takes', () => {
  it("fit explainText's tokens and a surrogate tree's JSON", () => {
    expectTypeOf<ExplainedToken>().toExtend<TokenAttribution>();
    expectTypeOf<TokenAttribution>().toExtend<ExplainedToken>();
    expectTypeOf<SurrogateTreeJSON>().toExtend<TreeJSON>();
    expectTypeOf<SurrogateTree>().toExtend<{ toJSON(): TreeJSON }>();
  });
});
