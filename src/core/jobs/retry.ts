/**
 * When a failed job runs again: exponential backoff from one minute, doubling per attempt,
 * capped at six hours, so a mail server that is down for a day is retried about ten times
 * rather than thousands.
 */
export const FIRST_RETRY_MS = 60_000;
export const MAX_RETRY_MS = 6 * 60 * 60_000;

/** Delay before the next try, after `attempts` tries have failed (attempts ≥ 1). */
export function retryDelayMs(attempts: number): number {
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('attempts must be ≥ 1');
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempts - 1));
}
