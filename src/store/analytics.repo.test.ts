import { describe, expect, it } from 'vitest';
import {
  servedFromAgeSums,
  servedFromKept,
  servedFromMonthSums,
  setKeyConditions,
  splitAtWholeMonths,
  sqlParams,
} from './analytics.repo.ts';

describe('the kept sums a cohort reads', () => {
  it('serve ranges of whole treatment months from the sums per set of months', () => {
    expect(servedFromMonthSums({ treatedFrom: '2024-01-01', treatedTo: '2024-12-31' })).toBe(true);
    expect(servedFromMonthSums({ treatedFrom: '2024-02-01', treatedTo: '2024-02-29' })).toBe(true);
    expect(servedFromMonthSums({ treatedTo: '2023-02-28', joint: 'knee', sex: 'male' })).toBe(true);
    expect(servedFromMonthSums({ treatedFrom: '2025-03-01', siteId: 'x', klGrade: 2 })).toBe(true);
    // Within a month, or with a treatment-level filter: the joints' rows.
    expect(servedFromMonthSums({ treatedFrom: '2024-01-02' })).toBe(false);
    expect(servedFromMonthSums({ treatedTo: '2024-02-28' })).toBe(false);
    expect(servedFromMonthSums({ treatedTo: '2023-02-27' })).toBe(false);
    expect(servedFromMonthSums({ treatedFrom: '2024-01-01', productClass: 'PRP' })).toBe(false);
    expect(servedFromMonthSums({ treatedFrom: '2024-01-01', ageFrom: 60 })).toBe(false);
    expect(servedFromMonthSums({})).toBe(false);
    expect(servedFromKept({ treatedFrom: '2024-01-01', ageFrom: 60 })).toBe(false);
    expect(servedFromKept({ treatedTo: '2024-01-31', productClass: undefined })).toBe(true);
  });

  it('serve ranges of ages with the site, joint, KL grade and sex only', () => {
    expect(servedFromAgeSums({ ageFrom: 60, ageTo: 69, joint: 'knee' })).toBe(true);
    expect(servedFromAgeSums({ ageFrom: 60, bmiClass: 'obese' })).toBe(false);
    expect(servedFromAgeSums({ joint: 'knee' })).toBe(false);
  });

  it('select the sets with a month or age in the range', () => {
    const { params, bind } = sqlParams();
    expect(
      setKeyConditions({ joint: 'hip', treatedFrom: '2024-03-01', treatedTo: '2025-02-28' }, bind),
    ).toEqual([
      's.joint = $1',
      'exists (select 1 from unnest(s.months) v where v >= $2 and v <= $3)',
    ]);
    expect(params).toEqual(['hip', 202403, 202502]);
    const ages = sqlParams();
    expect(setKeyConditions({ ageTo: 49 }, ages.bind)).toEqual([
      'exists (select 1 from unnest(s.ages) v where v <= $1)',
    ]);
    expect(() => setKeyConditions({ treatedFrom: '2024-03-02' }, ages.bind)).toThrow();
  });

  it('split a range ending within months into its whole months and its other days', () => {
    expect(splitAtWholeMonths({ treatedFrom: '2024-03-15', treatedTo: '2025-02-10' })).toEqual({
      months: { treatedFrom: '2024-04-01', treatedTo: '2025-01-31' },
      ends: [
        { from: '2024-03-15', to: '2024-03-31' },
        { from: '2025-02-01', to: '2025-02-10' },
      ],
    });
    expect(splitAtWholeMonths({ joint: 'hip', treatedFrom: '2024-01-31' })).toEqual({
      months: { joint: 'hip', treatedFrom: '2024-02-01', treatedTo: undefined },
      ends: [{ from: '2024-01-31', to: '2024-01-31' }],
    });
    expect(splitAtWholeMonths({ treatedFrom: '2024-03-01', treatedTo: '2024-05-30' })).toEqual({
      months: { treatedFrom: '2024-03-01', treatedTo: '2024-04-30' },
      ends: [{ from: '2024-05-01', to: '2024-05-30' }],
    });
    expect(splitAtWholeMonths({ treatedTo: '2024-03-30' })).toEqual({
      months: { treatedFrom: undefined, treatedTo: '2024-02-29' },
      ends: [{ from: '2024-03-01', to: '2024-03-30' }],
    });
    expect(splitAtWholeMonths({ treatedFrom: '2024-03-02', treatedTo: '2024-04-30' })).toEqual({
      months: { treatedFrom: '2024-04-01', treatedTo: '2024-04-30' },
      ends: [{ from: '2024-03-02', to: '2024-03-31' }],
    });
    // No whole month inside: every day is an end.
    expect(splitAtWholeMonths({ treatedFrom: '2024-03-02', treatedTo: '2024-04-29' })).toEqual({
      months: null,
      ends: [{ from: '2024-03-02', to: '2024-04-29' }],
    });
    expect(splitAtWholeMonths({ treatedFrom: '2024-03-05', treatedTo: '2024-03-05' })).toEqual({
      months: null,
      ends: [{ from: '2024-03-05', to: '2024-03-05' }],
    });
    // Whole months already, or another filter: not split.
    expect(splitAtWholeMonths({ treatedFrom: '2024-03-01', treatedTo: '2024-03-31' })).toBeNull();
    expect(splitAtWholeMonths({ treatedFrom: '2024-03-02', productClass: 'PRP' })).toBeNull();
    expect(splitAtWholeMonths({ ageFrom: 60 })).toBeNull();
  });
});
