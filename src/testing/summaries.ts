import { expect } from 'vitest';
import type { OutcomeSummaries } from '../store/analytics.repo.ts';

const sorted = <T>(rows: readonly T[], key: (r: T) => string) =>
  [...rows].sort((a, b) => key(a).localeCompare(key(b)));

/**
 * Two aggregations of one cohort agree: counts exactly, means, SDs and sums to 1e-9 (the sums
 * are numeric, the per-joint path double precision).
 */
export function expectSameSummaries(got: OutcomeSummaries, want: OutcomeSummaries, label = '') {
  expect(got.joints, label).toBe(want.joints);
  for (const part of ['levels', 'changes'] as const) {
    const key = (r: OutcomeSummaries['levels'][number]) =>
      `${r.siteId}|${r.instrumentId}|${r.scale}|${r.timepoint}`;
    const a = sorted(got[part], key);
    const b = sorted(want[part], key);
    expect(a.map(key), `${label} ${part}`).toEqual(b.map(key));
    a.forEach((r, i) => {
      const w = b[i];
      expect(r.n, `${label} ${key(r)}`).toBe(w?.n);
      expect(r.mean, `${label} ${key(r)}`).toBeCloseTo(w?.mean ?? Number.NaN, 9);
      if (w?.sd === null) expect(r.sd).toBeNull();
      else expect(r.sd, `${label} ${key(r)}`).toBeCloseTo(w?.sd ?? Number.NaN, 9);
    });
  }
  const patternKey = (r: OutcomeSummaries['patterns'][number]) =>
    `${r.siteId}|${r.instrumentId}|${r.scale}|${r.timepoints.join(',')}`;
  const pa = sorted(got.patterns, patternKey);
  const pb = sorted(want.patterns, patternKey);
  expect(pa.map(patternKey), `${label} patterns`).toEqual(pb.map(patternKey));
  pa.forEach((r, i) => {
    const w = pb[i];
    expect(r.joints).toBe(w?.joints);
    const close = (x: number, y: number | undefined) =>
      expect(Math.abs(x - (y ?? Number.NaN)), `${label} ${patternKey(r)}`).toBeLessThan(
        1e-9 * Math.max(1, Math.abs(x)),
      );
    close(r.sumOfSquares, w?.sumOfSquares);
    close(r.sumOfSquaredJointSums, w?.sumOfSquaredJointSums);
    for (const [tp, v] of Object.entries(r.sumAt)) close(v, w?.sumAt[tp]);
  });
  const countKey = (r: {
    siteId: string;
    timepoint: string;
    instrumentId?: string;
    scale?: string;
  }) => `${r.siteId}|${r.instrumentId ?? ''}|${r.scale ?? ''}|${r.timepoint}`;
  expect(sorted(got.thresholdCounts, countKey), `${label} thresholds`).toEqual(
    sorted(want.thresholdCounts, countKey),
  );
  expect(sorted(got.responderCounts, countKey), `${label} responders`).toEqual(
    sorted(want.responderCounts, countKey),
  );
}
