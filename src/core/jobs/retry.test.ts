import { describe, expect, it } from 'vitest';
import { MAX_RETRY_MS, retryDelayMs } from './retry.ts';

describe('retryDelayMs', () => {
  it('doubles from one minute and stops at six hours', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(retryDelayMs(9)).toBe(256 * 60_000);
    expect(retryDelayMs(10)).toBe(MAX_RETRY_MS);
    expect(retryDelayMs(50)).toBe(MAX_RETRY_MS);
    expect(() => retryDelayMs(0)).toThrow(RangeError);
  });
});
