import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { meanWithCi } from '../stats/descriptive.ts';
import { parseCsv } from '../tabular/csv.ts';
import { poolTrials, registryVsEvidence } from './context.ts';
import { publishedSummariesFromTable } from './summaries.ts';
import { type TrialArm, trialArmsFromTable } from './trials.ts';

const read = (name: string) => readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8');
const arms = trialArmsFromTable(parseCsv(read('trials-extracted.csv')).table).arms;
const summaries = publishedSummariesFromTable(
  parseCsv(read('published-summaries.csv')).table,
).summaries;

describe('evidence context', () => {
  it('does not pool the shipped trials, which lack arm sizes or means, and says so', () => {
    const pooled = poolTrials(arms);
    expect(pooled.map((p) => [p.outcome, p.timepointMonths, p.result])).toEqual([
      ['Pain (VAS, on 0–10)', 6, null],
      ['Pain (VAS, on 0–10)', 12, null],
      ['WOMAC pain (0–20)', 6, null],
      ['WOMAC pain (0–20)', 12, null],
    ]);
    expect(pooled[3]?.refusals.length).toBeGreaterThan(0);
    expect(pooled[3]?.note).toContain('Import more trials');
  });

  it('pools imported trials with arm data (REML, HKSJ)', () => {
    const arm = (
      study: string,
      role: 'intervention' | 'control',
      value: number,
      n: number,
    ): TrialArm => ({
      study,
      doiOrNct: 'NCT00000000',
      arm: role === 'control' ? 'Saline' : 'BM-MSC',
      armRole: role,
      product: role === 'control' ? 'SALINE' : 'BM-MSC',
      cellDose: '',
      nRandomized: null,
      nAnalyzed: n,
      outcome: 'VAS_0_100',
      scaleDirection: 'higher_worse',
      timepointMonths: 12,
      stat: 'mean_sd',
      value,
      spreadLowOrSd: 20,
      spreadHigh: null,
      sourceUrl: 'https://example.org/invented',
      sourceLocation: 'invented for a test',
      verified: 'yes',
    });
    const pooled = poolTrials([
      arm('A', 'intervention', 30, 20),
      arm('A', 'control', 40, 20),
      arm('B', 'intervention', 35, 30),
      arm('B', 'control', 38, 30),
    ]);
    const vas12 = pooled.find((p) => p.scale === 'VAS_0_10' && p.timepointMonths === 12);
    expect(vas12?.comparisons.map((c) => c.yi)).toEqual([-1, expect.closeTo(-0.3, 12)]);
    expect(vas12?.result).toMatchObject({ k: 2, method: 'REML', ci: 'knha' });
  });

  it('sets the registry change beside placebo arms and controlled effects, never calling it a treatment effect', () => {
    const lines = registryVsEvidence(
      [
        { timepoint: 'm6', months: 6, change: meanWithCi([-3, -2, -1, -2]) },
        { timepoint: 'm12', months: 12, change: null },
      ],
      summaries,
      poolTrials(arms),
    );
    const six = lines[0];
    expect(six?.registry.estimate).toBe(-2);
    expect(six?.registry.meaning).toContain('not a treatment effect');
    const saline = six?.placebo.find(
      (p) =>
        p.source.startsWith('Previtali 2021') && p.label.includes('0–100 visual analogue scale'),
    );
    expect(saline).toMatchObject({ estimate: -13.4, ciLower: -21.7, ciUpper: -5.1 });
    expect(saline?.meaning).toContain('−1.34 on a 0–10 scale');
    // One sign on every line: Zhang's improvement-positive effect size is shown negative.
    const zhang = six?.placebo.find((p) => p.source.startsWith('Zhang 2008'));
    expect(zhang).toMatchObject({ estimate: -0.51, ciLower: -0.55, ciUpper: -0.46 });
    expect(zhang?.meaning).toContain('negative = less pain');
    // 12-month controlled evidence includes the 2022 pooled VAS 0–10 difference.
    expect(lines[1]?.controlled.some((c) => c.estimate === -1.77 && c.ciLower === -2.43)).toBe(
      true,
    );
    expect(lines[1]?.registry.meaning).toContain('No patient has answered');
    for (const l of lines)
      expect(JSON.stringify(l)).not.toMatch(/treatment effect of|caused|works/i);
  });
});
