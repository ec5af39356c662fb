import { describe, expect, it } from 'vitest';
import { runCustomLayerExample } from '../../examples/custom-layer.js';

describe('examples/custom-layer.ts', () => {
  it('a layer of the user own trains on digits and round-trips through model files', async () => {
    const r = await runCustomLayerExample(15);
    expect(r.accuracy).toBeGreaterThan(0.9);
    expect(r.reloadedAccuracy).toBe(r.accuracy);
  }, 60_000);
});
