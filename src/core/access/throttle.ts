/**
 * Progressive sign-in delays instead of a hard lock-out: after a few free tries, each recent
 * failure doubles the wait before the next try is heard, up to a cap. NIST SP 800-63B
 * §5.2.2 asks for rate limiting of failed attempts and names delays that grow between tries
 * as one way; a hard lock lets anyone who knows an address lock its owner out.
 */
export interface ThrottlePolicy {
  /** Failures allowed before any wait. */
  freeFailures: number;
  /** Wait after the first failure past the free ones; doubles with each further failure. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A key whose last failure is older than this starts again from nothing. */
  forgetAfterMs: number;
}

/** Per account and address: the guesser's own pace, slowed to one try per 15 minutes at most. */
export const PAIR_POLICY: ThrottlePolicy = {
  freeFailures: 3,
  firstDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 24 * 3_600_000,
};

/**
 * Per account, from anywhere: slows a guesser with many addresses, but is capped low so the
 * real user at another address is kept waiting at most a minute, never locked out.
 */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  firstDelayMs: 1_000,
  maxDelayMs: 60_000,
  forgetAfterMs: 3_600_000,
};

export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  const over = failures - policy.freeFailures;
  if (over <= 0) return 0;
  // 2^over grows past any cap by over = 40; stop there so the number stays finite.
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(over - 1, 40));
}

/** Milliseconds still to wait before the next try under this key; 0 when it may go ahead. */
export function waitRemaining(
  state: { failures: number; lastFailureAt: Date } | undefined,
  now: Date,
  policy: ThrottlePolicy,
): number {
  if (!state) return 0;
  const since = now.getTime() - state.lastFailureAt.getTime();
  if (since >= policy.forgetAfterMs) return 0;
  return Math.max(0, delayAfter(state.failures, policy) - since);
}
