import { describe, expect, it } from 'vitest';
import { ownTrajectories } from './own-trajectory.ts';

describe('ownTrajectories', () => {
  it('orders a joint’s scores by time point, keeps the first at each, and marks the baseline', () => {
    const [nrs, koosPain] = ownTrajectories([
      { timepoint: 'm3', instrumentId: 'nrs-pain', scale: 'pain', value: 4 },
      { timepoint: 'baseline', instrumentId: 'nrs-pain', scale: 'pain', value: 7 },
      { timepoint: 'baseline', instrumentId: 'koos', scale: 'pain', value: 50 },
      { timepoint: 'm3', instrumentId: 'nrs-pain', scale: 'pain', value: 9 }, // a second answer
      { timepoint: 'w6', instrumentId: 'nrs-pain', scale: 'pain', value: 5 },
      { timepoint: 'm3', instrumentId: 'unknown', scale: 'x', value: 1 },
    ]);
    expect(nrs?.points.map((p) => [p.timepoint, p.value])).toEqual([
      ['baseline', 7],
      ['w6', 5],
      ['m3', 4],
    ]);
    expect(nrs?.baseline).toBe(7);
    expect(nrs?.higherIsBetter).toBe(false);
    expect(nrs?.points[1]?.months).toBeCloseTo(42 / (365.25 / 12), 12);
    expect(koosPain).toMatchObject({ name: 'KOOS Pain', baseline: 50, higherIsBetter: true });
    // The MCID line sits one MCID better than baseline: down for pain NRS, up for KOOS.
    expect(nrs).toMatchObject({ mcid: 2, mcidLine: 5 });
    expect(koosPain).toMatchObject({ mcid: 15, mcidLine: 65 });
  });

  it('draws no MCID line where the improvement would leave the scale', () => {
    const [nrs, koosPain] = ownTrajectories([
      { timepoint: 'baseline', instrumentId: 'nrs-pain', scale: 'pain', value: 1 },
      { timepoint: 'baseline', instrumentId: 'koos', scale: 'pain', value: 90 },
    ]);
    expect(nrs?.mcidLine).toBeNull();
    expect(koosPain?.mcidLine).toBeNull();
  });

  it('has no baseline line when the joint was never scored at baseline', () => {
    const [only] = ownTrajectories([
      { timepoint: 'm6', instrumentId: 'nrs-pain', scale: 'pain', value: 3 },
    ]);
    expect(only?.baseline).toBeNull();
  });
});
