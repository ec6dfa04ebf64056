import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { meanDifference } from '../stats/effects.ts';
import { formatCsv, parseCsv } from '../tabular/csv.ts';
import { importCtGovStudy, monthsFromTimeFrame, recogniseScale } from './ctgov.ts';
import { conversion } from './scales.ts';
import { publishedSummariesFromTable } from './summaries.ts';
import { armComparisons, TRIAL_COLUMNS, trialArmsFromTable } from './trials.ts';

const read = (name: string) => readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8');
const shipped = trialArmsFromTable(parseCsv(read('trials-extracted.csv')).table);

describe('the shipped evidence dataset', () => {
  it('reads every trial arm row, each with its source', () => {
    expect(shipped.problems).toEqual([]);
    expect(shipped.arms).toHaveLength(98);
    for (const arm of shipped.arms) expect(arm.sourceUrl || arm.doiOrNct).not.toBe('');
  });

  it('reads every published summary', () => {
    const { summaries, problems } = publishedSummariesFromTable(
      parseCsv(read('published-summaries.csv')).table,
    );
    expect(problems).toEqual([]);
    const previtali = summaries.find(
      (s) => s.source.startsWith('Previtali') && s.outcome === 'VAS_0_100',
    );
    expect(previtali).toMatchObject({
      estimate: -13.4,
      ciLower: -21.7,
      ciUpper: -5.1,
      timepointMonths: 6,
      kStudies: 50,
    });
  });

  it('refuses to pool what the shipped trials do not report, and says why', () => {
    const womacPain12 = armComparisons(shipped.arms, {
      outcomes: ['WOMAC_pain'],
      timepointMonths: 12,
      scale: 'WOMAC_pain',
    });
    expect(womacPain12.comparisons).toEqual([]);
    const reasons = womacPain12.refusals.map((r) => `${r.study}: ${r.reason}`);
    expect(
      reasons.some((r) => r.startsWith('Lamo-Espinosa 2016') && r.includes('median (IQR)')),
    ).toBe(true);
    expect(
      reasons.some((r) => r.startsWith('Lamo-Espinosa 2020') && r.includes('number of patients')),
    ).toBe(true);
  });

  it('pairs arms at baseline when n and SD are there, splitting a shared control (Kuah 2018)', () => {
    const baseline = armComparisons(shipped.arms, {
      outcomes: ['VAS_0_100'],
      timepointMonths: 0,
      scale: 'VAS_0_10',
    });
    expect(baseline.refusals).toEqual([]);
    expect(baseline.comparisons.map((c) => [c.study, c.n1, c.n2, c.mean1, c.mean2])).toEqual([
      ['Kuah 2018: PRG 3.9M (Progenza)', 8, 2, 5.7, 4.38],
      ['Kuah 2018: PRG 6.7M (Progenza)', 8, 2, 6.08, 4.38],
    ]);
    expect(baseline.comparisons[0]?.sd1).toBeCloseTo(1.382, 12);
    expect(baseline.comparisons[0]?.cautions[0]).toContain('shared by 2 arms');
  });
});

describe('scale conversions', () => {
  it('converts units of the same instrument exactly and refuses different instruments', () => {
    expect(conversion('VAS_0_100', 'VAS_0_10')).toMatchObject({ ok: true, factor: 0.1 });
    expect(conversion('WOMAC_pain', 'WOMAC_pain_0_100')).toMatchObject({ ok: true, factor: 5 });
    expect(conversion('VAS_0_100', 'NRS_0_10')).toMatchObject({ ok: false });
    expect(conversion('WOMAC_pain', 'VAS_0_100')).toMatchObject({ ok: false });
    expect(conversion('other', 'VAS_0_10')).toEqual({
      ok: false,
      reason: "Unknown outcome scale 'other'",
    });
  });
});

describe('importing more trials', () => {
  it('reads a CSV in the shipped shape and names each bad cell', () => {
    const good = Object.fromEntries(TRIAL_COLUMNS.map((c) => [c, '']));
    const row = (over: Record<string, string>) =>
      TRIAL_COLUMNS.map((c) => ({ ...good, ...over })[c] ?? '');
    const base = {
      study: 'Example 2030',
      doi_or_nct: 'NCT00000000',
      arm_role: 'intervention',
      outcome: 'VAS_0_100',
      timepoint_months: '12',
      stat: 'mean_sd',
      value: '40',
      spread_low_or_sd: '20',
      n_analyzed: '30',
      verified: 'yes',
    };
    const csv = formatCsv(
      [...TRIAL_COLUMNS],
      [
        row({ ...base, arm: 'MSC' }),
        row({ ...base, arm: 'Saline', arm_role: 'placebo', n_analyzed: '0', value: 'forty' }),
      ],
    );
    const { arms, problems } = trialArmsFromTable(parseCsv(csv).table);
    expect(arms).toHaveLength(1);
    expect(problems).toEqual([
      { row: 3, column: 'arm_role', message: 'Must be one of intervention, control' },
      { row: 3, column: 'n_analyzed', message: 'Must be a whole number of at least 1' },
      { row: 3, column: 'value', message: '"forty" is not a number' },
    ]);
  });

  // An invented record in the shape of ClinicalTrials.gov API v2 (GET /api/v2/studies/{nctId}).
  const record = {
    protocolSection: {
      identificationModule: { nctId: 'NCT00000000', briefTitle: 'Invented example' },
    },
    resultsSection: {
      outcomeMeasuresModule: {
        outcomeMeasures: [
          {
            type: 'PRIMARY',
            title: 'Knee Pain on a Visual Analogue Scale (VAS)',
            paramType: 'MEAN',
            dispersionType: 'STANDARD_DEVIATION',
            unitOfMeasure: 'mm',
            timeFrame: 'Baseline and 12 months',
            groups: [
              { id: 'OG000', title: 'Adipose-derived mesenchymal stem cells' },
              { id: 'OG001', title: 'Saline placebo' },
            ],
            denoms: [
              {
                units: 'Participants',
                counts: [
                  { groupId: 'OG000', value: '25' },
                  { groupId: 'OG001', value: '24' },
                ],
              },
            ],
            classes: [
              {
                categories: [
                  {
                    measurements: [
                      { groupId: 'OG000', value: '35.2', spread: '18.1' },
                      { groupId: 'OG001', value: '44.0', spread: '3.2' },
                    ],
                  },
                ],
              },
            ],
          },
          {
            title: 'Lequesne index',
            paramType: 'MEAN',
            dispersionType: 'STANDARD_DEVIATION',
            unitOfMeasure: 'units on a scale',
            timeFrame: '12 months',
            groups: [],
          },
        ],
      },
    },
  };

  it('turns posted results into arms and refuses what it cannot read safely', () => {
    const imported = importCtGovStudy(record);
    if (!imported.ok) throw new Error(imported.message);
    expect(
      imported.result.arms.map((a) => [
        a.arm,
        a.armRole,
        a.product,
        a.outcome,
        a.timepointMonths,
        a.nAnalyzed,
      ]),
    ).toEqual([
      ['Adipose-derived mesenchymal stem cells', 'intervention', 'AD-MSC', 'VAS_0_100', 12, 25],
      ['Saline placebo', 'control', 'SALINE', 'VAS_0_100', 12, 24],
    ]);
    expect(imported.result.refused).toEqual([
      {
        outcome: 'Lequesne index',
        reason:
          "Scale not recognised from title and unit ('units on a scale'); no conversion is assumed",
      },
    ]);
    const { comparisons } = armComparisons(imported.result.arms, {
      outcomes: ['VAS_0_100'],
      timepointMonths: 12,
      scale: 'VAS_0_10',
    });
    const md = meanDifference(comparisons[0] as never);
    expect(md.yi).toBeCloseTo(-0.88, 12);
    expect(md.vi).toBeCloseTo(1.81 ** 2 / 25 + 0.32 ** 2 / 24, 12);
  });

  it('converts an SE to an SD and rejects a record that is not a study', () => {
    const withSe = structuredClone(record);
    const measure = withSe.resultsSection.outcomeMeasuresModule.outcomeMeasures[0] as {
      dispersionType: string;
    };
    measure.dispersionType = 'STANDARD_ERROR';
    const imported = importCtGovStudy(withSe);
    expect(imported.ok && imported.result.arms[0]?.spreadLowOrSd).toBeCloseTo(18.1 * 5, 12);
    expect(importCtGovStudy({ studies: [] })).toMatchObject({ ok: false });
    const noResults = importCtGovStudy({ protocolSection: record.protocolSection });
    expect(noResults).toEqual({
      ok: false,
      message: 'NCT00000000 has no posted outcome results to import',
    });
  });

  it('reads scales and time frames only when they are unambiguous', () => {
    expect(recogniseScale('WOMAC pain subscale', 'score on a scale (0-20)')).toBe('WOMAC_pain');
    expect(recogniseScale('WOMAC pain subscale', 'units on a scale')).toBeUndefined();
    expect(recogniseScale('Pain NRS', 'score (0 to 10)')).toBe('NRS_0_10');
    expect(monthsFromTimeFrame('Month 6')).toBe(6);
    expect(monthsFromTimeFrame('52 weeks')).toBe(12);
    expect(monthsFromTimeFrame('1 year')).toBe(12);
    expect(monthsFromTimeFrame('6 and 12 months')).toBeUndefined();
    expect(monthsFromTimeFrame('end of study')).toBeUndefined();
  });
});
