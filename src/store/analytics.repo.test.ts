import { describe, expect, it } from 'vitest';
import {
  servedFromAgeSums,
  servedFromKept,
  servedFromMonthSums,
  setKeyConditions,
  sqlParams,
  wholeMonthsWithin,
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

  it('narrow a range ending within months to the whole months inside it', () => {
    expect(wholeMonthsWithin({ treatedFrom: '2024-03-15', treatedTo: '2025-02-10' })).toEqual({
      treatedFrom: '2024-04-01',
      treatedTo: '2025-01-31',
    });
    expect(wholeMonthsWithin({ joint: 'hip', treatedFrom: '2024-01-31' })).toEqual({
      joint: 'hip',
      treatedFrom: '2024-02-01',
      treatedTo: undefined,
    });
    expect(wholeMonthsWithin({ treatedFrom: '2024-03-01', treatedTo: '2024-05-30' })).toEqual({
      treatedFrom: '2024-03-01',
      treatedTo: '2024-04-30',
    });
    expect(wholeMonthsWithin({ treatedTo: '2024-03-30' })).toEqual({
      treatedFrom: undefined,
      treatedTo: '2024-02-29',
    });
    // Whole months already, no whole month inside, or another filter: nothing to narrow.
    expect(wholeMonthsWithin({ treatedFrom: '2024-03-01', treatedTo: '2024-03-31' })).toBeNull();
    expect(wholeMonthsWithin({ treatedFrom: '2024-03-02', treatedTo: '2024-04-30' })).toEqual({
      treatedFrom: '2024-04-01',
      treatedTo: '2024-04-30',
    });
    expect(wholeMonthsWithin({ treatedFrom: '2024-03-02', treatedTo: '2024-04-29' })).toBeNull();
    expect(wholeMonthsWithin({ treatedFrom: '2024-03-02', productClass: 'PRP' })).toBeNull();
    expect(wholeMonthsWithin({ ageFrom: 60 })).toBeNull();
  });
});
