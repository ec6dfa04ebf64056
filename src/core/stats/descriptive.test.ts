import { describe, expect, it } from 'vitest';
import { meanWithCi } from './descriptive.ts';

describe('meanWithCi', () => {
  it('gives the t-interval R gives (t.test(c(-3, -1, -2, 0, -4)))', () => {
    // R 4.2.2: mean -2, 95 percent CI -3.963243 to -0.036757
    const r = meanWithCi([-3, -1, -2, 0, -4]);
    expect(r?.mean).toBe(-2);
    expect(r?.sd).toBeCloseTo(Math.sqrt(2.5), 14);
    expect(r?.ciLower).toBeCloseTo(-3.963243, 6);
    expect(r?.ciUpper).toBeCloseTo(-0.036757, 6);
  });

  it('has no interval for one value and no result for none', () => {
    expect(meanWithCi([2])).toMatchObject({ n: 1, mean: 2, ciLower: null });
    expect(meanWithCi([])).toBeNull();
  });
});
