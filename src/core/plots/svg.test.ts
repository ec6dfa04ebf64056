import { describe, expect, it } from 'vitest';
import { escapeXml, formatNumber, formatValue, niceTicks } from './svg.ts';

describe('plot helpers', () => {
  it('chooses ticks of 1, 2 or 5 × 10ⁿ that cover the data', () => {
    expect(niceTicks(-2.65, 0.35)).toEqual([-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5]);
    expect(niceTicks(0, 0.46, 4)).toEqual([0, 0.2, 0.4, 0.6]);
    expect(niceTicks(-13.4, 0)).toEqual([-15, -10, -5, 0]);
    for (const [lo, hi] of [
      [-0.37, 12.2],
      [1e-3, 7e-3],
      [-250, -20],
    ] as const) {
      const ticks = niceTicks(lo, hi);
      expect(ticks[0]).toBeLessThanOrEqual(lo);
      expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(hi);
    }
  });

  it('escapes markup and writes a real minus sign', () => {
    expect(escapeXml('p < 0.001 & "x"')).toBe('p &#60; 0.001 &#38; &#34;x&#34;');
    expect(formatNumber(-1.234)).toBe('−1.23');
    expect(formatNumber(-0.0001)).toBe('0.00');
    expect(formatValue(null)).toBe('–');
    expect(formatValue(Number.NaN, 1)).toBe('–');
    expect(formatValue(-2.345, 1)).toBe('−2.3');
  });
});
