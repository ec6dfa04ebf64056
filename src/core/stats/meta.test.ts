import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../tabular/csv.ts';
import { type EffectMeasure, effectFromArms } from './effects.ts';
import {
  type CiMethod,
  eggerTest,
  META_RESULT_KEYS,
  type MetaAnalysis,
  metaAnalysis,
  subgroupAnalysis,
  type Tau2Method,
} from './meta.ts';

/*
 * Reference results computed by metafor 3.8-1 (R 4.2.2) with fixtures/generate.R; the
 * inputs are the CSV files beside them. Agreement is to 1e-6, relative for large values.
 */
const FIXTURES = new URL('./fixtures/', import.meta.url);
const FIELDS = META_RESULT_KEYS;

interface Reference {
  measure: EffectMeasure | 'GEN';
  effects: { study: string; yi: number; vi: number }[];
  fits: Record<string, Record<(typeof FIELDS)[number], number>>;
  egger?: { z: number; p: number };
}

function close(actual: number, expected: number, what: string): void {
  const tolerance = 1e-6 * Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance))
    throw new Error(`${what}: got ${actual}, metafor gives ${expected}`);
}

function readCase(name: string) {
  const reference = JSON.parse(
    readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'),
  ) as Reference;
  const { table } = parseCsv(readFileSync(new URL(`${name}.csv`, FIXTURES), 'utf8'));
  const rows = table.rows.map((r) =>
    Object.fromEntries(table.header.map((h, i) => [h, r.cells[i] ?? ''])),
  );
  const effects =
    reference.measure === 'GEN'
      ? rows.map((r) => ({ study: r.study as string, yi: Number(r.yi), vi: Number(r.vi) }))
      : rows.map((r) =>
          effectFromArms(
            {
              study: r.study as string,
              n1: Number(r.n1),
              mean1: Number(r.mean1),
              sd1: Number(r.sd1),
              n2: Number(r.n2),
              mean2: Number(r.mean2),
              sd2: Number(r.sd2),
            },
            reference.measure as EffectMeasure,
          ),
        );
  return { reference, effects };
}

const cases = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.csv'))
  .map((f) => f.replace(/\.csv$/, ''));

interface Extra {
  egger: Record<string, { z: number; p: number }>;
  subgroups: {
    case: string;
    method: Tau2Method;
    subgroups: string[];
    groups: Record<string, Record<(typeof FIELDS)[number], number>>;
    qBetween: number;
    df: number;
    pBetween: number;
  }[];
  twoStudies: Pick<Reference, 'effects' | 'fits'>;
}
const extra = JSON.parse(readFileSync(new URL('extra.json', FIXTURES), 'utf8')) as Extra;

function expectFit(got: MetaAnalysis, want: Record<(typeof FIELDS)[number], number>, what: string) {
  for (const field of FIELDS) close(got[field], want[field], `${what} ${field}`);
}

describe('meta-analysis agrees with metafor to 1e-6', () => {
  it('has the shipped reference cases', () => expect(cases.length).toBeGreaterThanOrEqual(6));

  for (const name of cases) {
    it(`${name}: effect sizes as escalc computes them`, () => {
      const { reference, effects } = readCase(name);
      if (reference.measure === 'GEN') return; // given yi/vi: nothing to compute
      expect(effects.length).toBe(reference.effects.length);
      effects.forEach((e, i) => {
        const want = reference.effects[i];
        if (!want) throw new Error('missing');
        close(e.yi, want.yi, `${name} ${e.study} yi`);
        close(e.vi, want.vi, `${name} ${e.study} vi`);
      });
    });

    it(`${name}: every estimator and CI method`, () => {
      const { reference, effects } = readCase(name);
      for (const [key, want] of Object.entries(reference.fits)) {
        const [method, ci] = key.split('/') as [Tau2Method, CiMethod];
        expectFit(metaAnalysis(effects, { method, ci }), want, `${name} ${key}`);
      }
    });

    it(`${name}: Egger's regression test`, () => {
      const { effects } = readCase(name);
      const want = extra.egger[name];
      if (!want) throw new Error(`extra.json has no Egger test for ${name}`);
      const got = eggerTest(effects);
      close(got.z, want.z, `${name} egger z`);
      close(got.p, want.p, `${name} egger p`);
    });
  }

  it('pools two studies with every estimator', () => {
    for (const [key, want] of Object.entries(extra.twoStudies.fits)) {
      const [method, ci] = key.split('/') as [Tau2Method, CiMethod];
      expectFit(metaAnalysis(extra.twoStudies.effects, { method, ci }), want, `two studies ${key}`);
    }
  });

  for (const sub of extra.subgroups) {
    it(`${sub.case}: subgroup analysis with ${sub.method} and the test of subgroup differences`, () => {
      const { effects } = readCase(sub.case);
      const result = subgroupAnalysis(
        effects.map((e, i) => ({ ...e, subgroup: sub.subgroups[i] as string })),
        { method: sub.method },
      );
      expect(result.groups.map((g) => g.name)).toEqual(Object.keys(sub.groups));
      for (const g of result.groups)
        expectFit(g.result, sub.groups[g.name] as never, `${sub.case} ${g.name}`);
      close(result.qBetween, sub.qBetween, `${sub.case} Q between`);
      close(result.pBetween, sub.pBetween, `${sub.case} p between`);
      expect(result.df).toBe(sub.df);
    });
  }
});

describe('meta-analysis input checks', () => {
  it('refuses non-positive variances, too few studies for knha, and one subgroup', () => {
    expect(() => metaAnalysis([{ study: 'A', yi: 1, vi: 0 }])).toThrow('A: the sampling variance');
    expect(() => metaAnalysis([{ study: 'A', yi: 1, vi: 1 }], { ci: 'knha' })).toThrow(
      'at least 2',
    );
    expect(() => subgroupAnalysis([{ study: 'A', yi: 1, vi: 1, subgroup: 'x' }])).toThrow(
      'two subgroups',
    );
  });

  it('returns the study itself for k = 1 with a normal CI', () => {
    const r = metaAnalysis([{ study: 'A', yi: -2, vi: 0.25 }]);
    expect(r).toMatchObject({ k: 1, estimate: -2, se: 0.5, tau2: 0, q: 0, qPvalue: 1, i2: 0 });
    close(r.ciLower, -2 - 1.959963984540054 * 0.5, 'k=1 ci');
  });
});
