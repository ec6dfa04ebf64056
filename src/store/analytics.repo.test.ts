import { describe, expect, it } from 'vitest';
import {
  type CohortFilter,
  keptSet,
  servedFromAgeSums,
  servedFromCohortAgeSums,
  servedFromCohortHalfMonthSums,
  servedFromHalfMonthSums,
  servedFromKept,
  splitAtHalfMonths,
  sqlParams,
} from './analytics.repo.ts';

describe('the kept sums a cohort reads', () => {
  it('serve ranges of whole treatment half-months from the sums per set of half-months', () => {
    const served = (f: CohortFilter) => servedFromHalfMonthSums(f);
    expect(served({ treatedFrom: '2024-01-01', treatedTo: '2024-12-31' })).toBe(true);
    expect(served({ treatedFrom: '2024-02-16', treatedTo: '2024-02-29' })).toBe(true);
    expect(served({ treatedFrom: '2024-02-01', treatedTo: '2024-03-15' })).toBe(true);
    expect(served({ treatedTo: '2023-02-28', joint: 'knee', sex: 'male' })).toBe(true);
    expect(served({ treatedFrom: '2025-03-16', siteId: 'x', klGrade: 2 })).toBe(true);
    // Within a half-month, or with a treatment-level filter: not from these sums alone.
    expect(served({ treatedFrom: '2024-01-02' })).toBe(false);
    expect(served({ treatedFrom: '2024-01-15' })).toBe(false);
    expect(served({ treatedTo: '2024-02-28' })).toBe(false);
    expect(served({ treatedTo: '2024-02-16' })).toBe(false);
    expect(served({ treatedTo: '2023-02-27' })).toBe(false);
    expect(served({ treatedFrom: '2024-01-01', productClass: 'PRP' })).toBe(false);
    expect(served({ treatedFrom: '2024-01-01', ageFrom: 60 })).toBe(false);
    expect(served({})).toBe(false);
    expect(servedFromKept({ treatedFrom: '2024-01-01', ageFrom: 60 })).toBe(false);
    expect(servedFromKept({ treatedTo: '2024-01-31', productClass: undefined })).toBe(true);
  });

  it('serve ranges of ages with the site, joint, KL grade and sex only', () => {
    expect(servedFromAgeSums({ ageFrom: 60, ageTo: 69, joint: 'knee' })).toBe(true);
    expect(servedFromAgeSums({ ageFrom: 60, bmiClass: 'obese' })).toBe(false);
    expect(servedFromAgeSums({ joint: 'knee' })).toBe(false);
  });

  it('serve ranges of ages with a product, dose or BMI from the sums per set of treatment keys and ages', () => {
    const served = (f: CohortFilter) => servedFromCohortAgeSums(f);
    expect(served({ productClass: 'BMAC', ageFrom: 60, ageTo: 69 })).toBe(true);
    expect(served({ cellSource: 'adipose', ageTo: 49, joint: 'knee', sex: 'female' })).toBe(true);
    expect(served({ productClass: 'PRP', ageFrom: 50, siteId: 'x', klGrade: 3 })).toBe(true);
    expect(served({ productClass: 'BMAC', ageFrom: 60, doseBand: 'lt10' })).toBe(true);
    expect(served({ productClass: 'BMAC', ageFrom: 60, bmiClass: 'obese' })).toBe(true);
    expect(served({ joint: 'knee', bmiClass: 'overweight', ageFrom: 18 })).toBe(true);
    expect(servedFromKept({ productClass: 'BMAC', ageFrom: 60, bmiClass: 'obese' })).toBe(true);
    // The elements tell nothing of the date; without an age they are not needed.
    expect(served({ productClass: 'BMAC', ageFrom: 60, treatedFrom: '2024-01-01' })).toBe(false);
    expect(served({ productClass: 'BMAC' })).toBe(false);
    expect(served({ ageFrom: 60 })).toBe(false);
    expect(servedFromKept({ bmiClass: 'obese', ageFrom: 60, treatedTo: '2024-01-31' })).toBe(false);
  });

  it('serve whole half-months with a product, dose or BMI from the sums per set of treatment keys and half-months', () => {
    const served = (f: CohortFilter) => servedFromCohortHalfMonthSums(f);
    expect(
      served({ productClass: 'BMAC', treatedFrom: '2024-01-01', treatedTo: '2024-12-31' }),
    ).toBe(true);
    expect(served({ cellSource: 'adipose', treatedFrom: '2024-03-16', sex: 'male' })).toBe(true);
    expect(servedFromKept({ productClass: 'BMAC', treatedTo: '2024-06-30' })).toBe(true);
    expect(served({ productClass: 'BMAC', treatedFrom: '2024-01-01', doseBand: 'lt10' })).toBe(
      true,
    );
    expect(served({ bmiClass: 'normal', treatedTo: '2024-06-30' })).toBe(true);
    // Within a half-month, or with an age too: not from these sums.
    expect(served({ productClass: 'BMAC', treatedFrom: '2024-01-02' })).toBe(false);
    expect(served({ productClass: 'BMAC', treatedFrom: '2024-01-01', ageFrom: 60 })).toBe(false);
    expect(served({ treatedFrom: '2024-01-01' })).toBe(false);
  });

  it('select the sets with an element of the product, dose and BMI at an age in the range', () => {
    const { params, bind } = sqlParams();
    expect(keptSet({ siteId: 's1', cellSource: 'bone-marrow', ageFrom: 60 }, bind)).toEqual({
      kind: 'cohort_age',
      where: [
        's.site_id = $1',
        "exists (select 1 from unnest(s.cohort_ages) v where split_part(v, '|', 1) = any($3::text[]) and split_part(v, '|', 4)::int >= $2)",
      ],
      membership:
        "exists (select 1 from unnest(s.cohort_ages) v where split_part(v, '|', 1) = any($3::text[]) and split_part(v, '|', 4)::int >= $2)",
    });
    expect(params).toEqual(['s1', 60, ['BM-MSC', 'BMAC']]);
    const dates = sqlParams();
    expect(
      keptSet(
        { joint: 'knee', productClass: 'PRP', treatedFrom: '2024-01-01', treatedTo: '2024-12-31' },
        dates.bind,
      ),
    ).toEqual({
      kind: 'cohort_half_month',
      where: [
        's.joint = $1',
        "exists (select 1 from unnest(s.cohort_half_months) v where split_part(v, '|', 1) = any($4::text[]) and split_part(v, '|', 4)::int >= $2 and split_part(v, '|', 4)::int <= $3)",
      ],
      membership:
        "exists (select 1 from unnest(s.cohort_half_months) v where split_part(v, '|', 1) = any($4::text[]) and split_part(v, '|', 4)::int >= $2 and split_part(v, '|', 4)::int <= $3)",
    });
    expect(dates.params).toEqual(['knee', 2024011, 2024122, ['PRP']]);
    // A dose band and BMI class without a product: those parts of one element.
    const keyed = sqlParams();
    expect(keptSet({ doseBand: '10to50', bmiClass: 'obese', ageTo: 69 }, keyed.bind)).toEqual({
      kind: 'cohort_age',
      where: [
        "exists (select 1 from unnest(s.cohort_ages) v where split_part(v, '|', 2) = $2 and split_part(v, '|', 3) = $3 and split_part(v, '|', 4)::int <= $1)",
      ],
      membership:
        "exists (select 1 from unnest(s.cohort_ages) v where split_part(v, '|', 2) = $2 and split_part(v, '|', 3) = $3 and split_part(v, '|', 4)::int <= $1)",
    });
    expect(keyed.params).toEqual([69, '10to50', 'obese']);
    // A product outside its cell source matches nothing.
    const none = sqlParams();
    keptSet({ cellSource: 'adipose', productClass: 'BMAC', ageTo: 69 }, none.bind);
    expect(none.params).toEqual([69, []]);
  });

  it('select the sets with a half-month or age in the range', () => {
    const { params, bind } = sqlParams();
    expect(
      keptSet({ joint: 'hip', treatedFrom: '2024-03-16', treatedTo: '2025-02-28' }, bind),
    ).toEqual({
      kind: 'half_month',
      where: [
        's.joint = $1',
        'exists (select 1 from unnest(s.half_months) v where v >= $2 and v <= $3)',
      ],
      membership: 'exists (select 1 from unnest(s.half_months) v where v >= $2 and v <= $3)',
    });
    // 2024-03-16 opens March's second half; 2025-02-28 closes February's.
    expect(params).toEqual(['hip', 2024032, 2025022]);
    const ages = sqlParams();
    expect(keptSet({ ageTo: 49 }, ages.bind)).toEqual({
      kind: 'age',
      where: ['exists (select 1 from unnest(s.ages) v where v <= $1)'],
      membership: 'exists (select 1 from unnest(s.ages) v where v <= $1)',
    });
    // Within a half-month: no kept set serves it.
    expect(keptSet({ treatedFrom: '2024-03-02' }, ages.bind)).toBeNull();
  });

  it('split a range with a product, dose or BMI the same way, kept on both parts', () => {
    expect(
      splitAtHalfMonths({
        productClass: 'BMAC',
        treatedFrom: '2024-03-15',
        treatedTo: '2024-06-30',
      }),
    ).toEqual({
      halfMonths: { productClass: 'BMAC', treatedFrom: '2024-03-16', treatedTo: '2024-06-30' },
      ends: [{ from: '2024-03-15', to: '2024-03-15' }],
      beside: { productClass: 'BMAC', treatedFrom: undefined, treatedTo: undefined },
    });
    expect(
      splitAtHalfMonths({ productClass: 'BMAC', bmiClass: 'obese', treatedFrom: '2024-03-15' }),
    ).toEqual({
      halfMonths: { productClass: 'BMAC', bmiClass: 'obese', treatedFrom: '2024-03-16' },
      ends: [{ from: '2024-03-15', to: '2024-03-15' }],
      beside: {
        productClass: 'BMAC',
        bmiClass: 'obese',
        treatedFrom: undefined,
        treatedTo: undefined,
      },
    });
    // Whole half-months with a product are kept whole; with an age too, no split.
    expect(
      splitAtHalfMonths({
        cellSource: 'adipose',
        treatedFrom: '2024-03-16',
        treatedTo: '2024-06-30',
      }),
    ).toBeNull();
    expect(
      splitAtHalfMonths({ productClass: 'BMAC', ageFrom: 60, treatedFrom: '2024-03-15' }),
    ).toBeNull();
  });

  it('split a range ending within half-months into its whole half-months and its other days', () => {
    expect(splitAtHalfMonths({ treatedFrom: '2024-03-15', treatedTo: '2025-02-10' })).toEqual({
      halfMonths: { treatedFrom: '2024-03-16', treatedTo: '2025-01-31' },
      ends: [
        { from: '2024-03-15', to: '2024-03-15' },
        { from: '2025-02-01', to: '2025-02-10' },
      ],
      beside: { treatedFrom: undefined, treatedTo: undefined },
    });
    expect(splitAtHalfMonths({ joint: 'hip', treatedFrom: '2024-01-31' })).toEqual({
      halfMonths: { joint: 'hip', treatedFrom: '2024-02-01', treatedTo: undefined },
      ends: [{ from: '2024-01-31', to: '2024-01-31' }],
      beside: { joint: 'hip', treatedFrom: undefined, treatedTo: undefined },
    });
    expect(splitAtHalfMonths({ treatedFrom: '2024-03-01', treatedTo: '2024-05-30' })).toEqual({
      halfMonths: { treatedFrom: '2024-03-01', treatedTo: '2024-05-15' },
      ends: [{ from: '2024-05-16', to: '2024-05-30' }],
      beside: { treatedFrom: undefined, treatedTo: undefined },
    });
    expect(splitAtHalfMonths({ treatedTo: '2024-03-14' })).toEqual({
      halfMonths: { treatedFrom: undefined, treatedTo: '2024-02-29' },
      ends: [{ from: '2024-03-01', to: '2024-03-14' }],
      beside: { treatedFrom: undefined, treatedTo: undefined },
    });
    expect(splitAtHalfMonths({ treatedFrom: '2024-03-02', treatedTo: '2024-03-31' })).toEqual({
      halfMonths: { treatedFrom: '2024-03-16', treatedTo: '2024-03-31' },
      ends: [{ from: '2024-03-02', to: '2024-03-15' }],
      beside: { treatedFrom: undefined, treatedTo: undefined },
    });
    // No whole half-month inside: every day is an end.
    expect(splitAtHalfMonths({ treatedFrom: '2024-03-02', treatedTo: '2024-03-29' })).toEqual({
      halfMonths: null,
      ends: [{ from: '2024-03-02', to: '2024-03-29' }],
      beside: { treatedFrom: undefined, treatedTo: undefined },
    });
    expect(splitAtHalfMonths({ treatedFrom: '2024-03-05', treatedTo: '2024-03-05' })).toEqual({
      halfMonths: null,
      ends: [{ from: '2024-03-05', to: '2024-03-05' }],
      beside: { treatedFrom: undefined, treatedTo: undefined },
    });
    // Whole half-months already, or another filter: not split.
    expect(splitAtHalfMonths({ treatedFrom: '2024-03-16', treatedTo: '2024-04-15' })).toBeNull();
    expect(splitAtHalfMonths({ treatedFrom: '2024-03-02', ageTo: 49 })).toBeNull();
    expect(splitAtHalfMonths({ ageFrom: 60 })).toBeNull();
  });
});
