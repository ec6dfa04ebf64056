import { describe, expect, it } from 'vitest';
import reference from './fixtures/mixed.json' with { type: 'json' };
import exact from './fixtures/mixed-exact.json' with { type: 'json' };
import {
  fitRandomIntercept,
  groupBlocks,
  type MixedModelData,
  remlAt,
  remlVarianceRatio,
  trajectoryFromPatterns,
  trajectoryModel,
  visitPatterns,
} from './mixed.ts';

type Row = Record<string, string | number>;

/** R's treatment-contrast column for a term such as `timepoint3m` or `sexmale`. */
function columnOf(term: string, row: Row): number {
  if (term === '(Intercept)') return 1;
  for (const [name, value] of Object.entries(row))
    if (typeof value === 'string' && term === `${name}${value}`) return 1;
  return 0;
}

function designOf(c: { fixed: { term: string }[]; data: unknown[] }): MixedModelData {
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

describe(`at the exact REML optimum, fits agree with R nlme (${exact.generatedBy})`, () => {
  // nlme's restricted likelihood at the ratio R located to ~1e-10 (see mixed-exact.R).
  const near = (got: number | undefined, want: number) =>
    expect(Math.abs((got ?? Number.NaN) - want)).toBeLessThanOrEqual(1e-6);
  for (const c of exact.cases) {
    it(c.name, () => {
      const fit = fitRandomIntercept(designOf(c));
      near(fit.tau, c.tau);
      near(fit.sigma, c.sigma);
      near(fit.logLik, c.logLik);
      c.fixed.forEach((ref, j) => {
        expect(fit.fixed[j]?.term).toBe(ref.term);
        near(fit.fixed[j]?.estimate, ref.estimate);
        near(fit.fixed[j]?.stdError, ref.stdError);
      });
      // nlme's own optimiser stops short: never higher than ours.
      expect(fit.logLik).toBeGreaterThanOrEqual(c.nlme.logLik - 1e-9);
    });
  }
});

describe('the REML variance ratio', () => {
  const cases = exact.cases.map((c) => ({ name: c.name, data: designOf(c), gamma: c.gamma }));

  it('is a root of the analytic score, which matches the slope of the likelihood', () => {
    for (const c of cases) {
      const blocks = groupBlocks(c.data);
      const gamma = remlVarianceRatio(blocks);
      if (c.gamma === 0) continue;
      expect(Math.abs(remlAt(blocks, gamma).score)).toBeLessThan(1e-10);
      for (const g of [0.05, 0.7, gamma, 4, 30]) {
        const h = 1e-5 * g;
        const slope = (remlAt(blocks, g + h).logLik - remlAt(blocks, g - h).logLik) / (2 * h);
        const { score } = remlAt(blocks, g);
        expect(Math.abs(score - slope)).toBeLessThan(1e-5 * Math.max(1, Math.abs(score)));
      }
    }
  });

  it('is exactly 0, and so is tau, when the score at 0 is not positive', () => {
    const boundary = cases.find((c) => c.gamma === 0);
    if (!boundary) throw new Error('fixture missing');
    const blocks = groupBlocks(boundary.data);
    expect(remlAt(blocks, 0).score).toBeLessThanOrEqual(0);
    expect(remlVarianceRatio(blocks)).toBe(0);
    expect(fitRandomIntercept(boundary.data).tau).toBe(0);
  });

  it('gives bit-identical fits across runs and across row orders', () => {
    for (const c of cases) {
      const first = fitRandomIntercept(c.data);
      expect(fitRandomIntercept(c.data)).toStrictEqual(first);
      for (const order of [reversed(c.data.y.length), shuffled(c.data.y.length)]) {
        const permuted: MixedModelData = {
          groups: order.map((i) => c.data.groups[i] as string),
          y: order.map((i) => c.data.y[i] as number),
          x: order.map((i) => c.data.x[i] as number[]),
          terms: c.data.terms,
        };
        expect(fitRandomIntercept(permuted)).toStrictEqual(first);
      }
    }
  });

  it('gives bit-identical trajectories whatever the order of rows or visit patterns', () => {
    const registry = reference.cases[0];
    if (!registry) throw new Error('fixture missing');
    const rows = (registry.data as Row[]).map((r) => ({
      group: String(r.id),
      timepoint: String(r.timepoint),
      value: Number(r.y),
    }));
    const levels = ['baseline', '6w', '3m', '6m', '12m'];
    const first = trajectoryModel(rows, levels);
    expect(first).not.toBeNull();
    for (const order of [reversed(rows.length), shuffled(rows.length)])
      expect(
        trajectoryModel(
          order.map((i) => rows[i] as (typeof rows)[number]),
          levels,
        ),
      ).toStrictEqual(first);
    const patterns = visitPatterns(rows);
    expect(trajectoryFromPatterns([...patterns].reverse(), levels)).toStrictEqual(
      trajectoryFromPatterns(patterns, levels),
    );
  });
});

function reversed(n: number): number[] {
  return Array.from({ length: n }, (_, i) => n - 1 - i);
}

/** A fixed pseudo-random permutation (a linear congruential generator), the same every run. */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let state = 20261125;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}
