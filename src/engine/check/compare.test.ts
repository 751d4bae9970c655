import { describe, expect, it } from 'vitest';
import { compareLosses } from './compare';

describe('compareLosses', () => {
  it('accepts curves within the relative tolerance and reports the worst step', () => {
    const r = compareLosses([2, 1, 0.5], [2, 1.0005, 0.5]);
    expect(r.ok).toBe(true);
    expect(r.maxRel).toBeCloseTo(0.0005 / 1.0005, 9);
  });
  it('rejects a curve that drifts, a NaN, and curves of different lengths', () => {
    expect(compareLosses([2, 1, 0.6], [2, 1, 0.5]).ok).toBe(false);
    expect(compareLosses([2, NaN], [2, 1]).ok).toBe(false);
    expect(compareLosses([2], [2, 1]).ok).toBe(false);
  });
});
