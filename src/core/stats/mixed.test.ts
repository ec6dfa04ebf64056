import { describe, expect, it } from 'vitest';
import reference from './fixtures/mixed.json' with { type: 'json' };
import { fitRandomIntercept, type MixedModelData, trajectoryModel } from './mixed.ts';

type Row = Record<string, string | number>;

/** R's treatment-contrast column for a term such as `timepoint3m` or `sexmale`. */
function columnOf(term: string, row: Row): number {
  if (term === '(Intercept)') return 1;
  for (const [name, value] of Object.entries(row))
    if (typeof value === 'string' && term === `${name}${value}`) return 1;
  return 0;
}

function designOf(c: (typeof reference.cases)[number]): MixedModelData {
  const terms = c.fixed.map((f) => f.term);
  const rows = c.data as Row[];
  return {
    groups: rows.map((r) => String(r.id)),
    y: rows.map((r) => Number(r.y)),
    x: rows.map((r) => terms.map((t) => columnOf(t, r))),
    terms,
  };
}

/**
 * nlme stops its optimiser at a tolerance, so its variance estimates sit a hair from the
 * exact REML optimum (in the 11-row case our restricted log-likelihood is 3e-11 higher and
 * the SEs differ by 1.3e-6 relative). Agreement is therefore asked to 1e-5 relative, and our
 * optimum must never be worse than nlme's.
 */
function expectNear(got: number | undefined, want: number) {
  expect(Math.abs((got ?? Number.NaN) - want)).toBeLessThanOrEqual(
    1e-5 * Math.max(1, Math.abs(want)),
  );
}

describe(`random-intercept REML fits agree with R nlme (${reference.generatedBy})`, () => {
  for (const c of reference.cases) {
    it(c.name, () => {
      const fit = fitRandomIntercept(designOf(c));
      expect(fit.nObs).toBe(c.nObs);
      expect(fit.nGroups).toBe(c.nGroups);
      expectNear(fit.sigma, c.sigma);
      expectNear(fit.tau, c.tau);
      expect(fit.logLik).toBeCloseTo(c.logLik, 8);
      expect(fit.logLik).toBeGreaterThanOrEqual(c.logLik - 1e-9);
      c.fixed.forEach((ref, j) => {
        const got = fit.fixed[j];
        expect(got?.term).toBe(ref.term);
        expect(got?.df).toBe(ref.df);
        expectNear(got?.estimate, ref.estimate);
        expectNear(got?.stdError, ref.stdError);
        expectNear(got?.lower, ref.lower);
        expectNear(got?.upper, ref.upper);
      });
    });
  }
});

describe('trajectoryModel', () => {
  const registry = reference.cases[0];
  if (!registry) throw new Error('fixture missing');
  const rows = (registry.data as Row[]).map((r) => ({
    group: String(r.id),
    timepoint: String(r.timepoint),
    value: Number(r.y),
  }));
  const levels = ['baseline', '6w', '3m', '6m', '12m'];

  it('gives baseline as the intercept and each later mean as intercept + its effect', () => {
    const model = trajectoryModel(rows, levels);
    if (!model) throw new Error('no model');
    const [baseline, sixWeeks] = model.timepoints;
    const ref = registry.fixed;
    expect(baseline?.mean).toBeCloseTo(ref[0]?.estimate ?? Number.NaN, 6);
    expect(baseline?.change).toBeNull();
    // Built from visit patterns (as the database aggregates them), the fit is nlme's fit.
    ref.forEach((r, j) => {
      expect(model.fit.fixed[j]?.df).toBe(r.df);
      expectNear(model.fit.fixed[j]?.stdError, r.stdError);
    });
    expectNear(model.fit.logLik, registry.logLik);
    expect(sixWeeks?.change?.estimate).toBeCloseTo(ref[1]?.estimate ?? Number.NaN, 6);
    expect(sixWeeks?.mean).toBeCloseTo((ref[0]?.estimate ?? 0) + (ref[1]?.estimate ?? 0), 6);
    // The mean's CI is wider than zero and contains the estimate.
    for (const tp of model.timepoints) {
      expect(tp.meanLower).toBeLessThan(tp.mean);
      expect(tp.meanUpper).toBeGreaterThan(tp.mean);
    }
  });

  it('skips time points without data and refuses data that cannot carry the model', () => {
    const model = trajectoryModel(rows, ['baseline', '2y', '12m']);
    expect(model?.timepoints.map((t) => t.timepoint)).toEqual(['baseline', '12m']);
    expect(trajectoryModel(rows, ['baseline'])).toBeNull();
    expect(
      trajectoryModel(
        [
          { group: 'a', timepoint: 'baseline', value: 1 },
          { group: 'a', timepoint: '3m', value: 2 },
        ],
        levels,
      ),
    ).toBeNull();
  });
});
