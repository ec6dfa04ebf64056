import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './throttle.ts';

describe('LoginThrottle', () => {
  it('blocks at the limit within the window and forgets failures once the window has passed', () => {
    const t = new LoginThrottle(3, 1000);
    for (const at of [0, 100, 200]) {
      expect(t.isBlocked('a', at)).toBe(false);
      t.recordFailure('a', at);
    }
    expect(t.isBlocked('a', 300)).toBe(true);
    expect(t.isBlocked('b', 300)).toBe(false);
    expect(t.isBlocked('a', 1150)).toBe(false); // the failure at 0 has aged out
    t.reset('a');
    expect(t.isBlocked('a', 300)).toBe(false);
  });
});
