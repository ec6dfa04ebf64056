import { describe, expect, it } from 'vitest';
import { ACCOUNT_POLICY, delayAfter, PAIR_POLICY, waitRemaining } from './throttle.ts';

describe('progressive sign-in delay', () => {
  it('lets the free tries through, then doubles the wait up to the cap', () => {
    expect(delayAfter(3, PAIR_POLICY)).toBe(0);
    expect(delayAfter(4, PAIR_POLICY)).toBe(1_000);
    expect(delayAfter(5, PAIR_POLICY)).toBe(2_000);
    expect(delayAfter(8, PAIR_POLICY)).toBe(16_000);
    expect(delayAfter(1_000, PAIR_POLICY)).toBe(15 * 60_000);
    expect(delayAfter(1_000, ACCOUNT_POLICY)).toBe(60_000);
  });

  it('counts the wait from the last failure and forgets old failures', () => {
    const last = new Date('2026-03-02T10:00:00Z');
    const state = { failures: 6, lastFailureAt: last };
    expect(waitRemaining(state, new Date('2026-03-02T10:00:01Z'), PAIR_POLICY)).toBe(3_000);
    expect(waitRemaining(state, new Date('2026-03-02T10:00:05Z'), PAIR_POLICY)).toBe(0);
    const many = { failures: 500, lastFailureAt: last };
    expect(waitRemaining(many, new Date('2026-03-03T10:00:00Z'), PAIR_POLICY)).toBe(0);
    expect(waitRemaining(undefined, last, PAIR_POLICY)).toBe(0);
  });
});
