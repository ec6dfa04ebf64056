import { describe, expect, it } from 'vitest';
import reference from './fixtures/regression.json' with { type: 'json' };
import { ordinaryLeastSquares, predictMean } from './regression.ts';

type Row = Record<string, string | number>;

/** R's treatment-contrast column for a term such as `productBMAC`, `sexmale` or `age`. */
function columnOf(term: string, row: Row): number {
  if (term === '(Intercept)') return 1;
  if (typeof row[term] === 'number') return row[term];
  for (const [name, value] of Object.entries(row))
    if (typeof value === 'string' && term === `${name}${value}`) return 1;
  return 0;
}

/** Agreement with R to 1e-6, relative for large values. */
function near(ours: number, theirs: number) {
  expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(theirs)));
}

describe('ordinary least squares against R lm (fixtures/regression.R)', () => {
  for (const c of reference.cases) {
    it(`${c.name}: ${c.formula}`, () => {
      const rows = c.data as Row[];
      const x = rows.map((r) => c.terms.map((t) => columnOf(t, r)));
      const fit = ordinaryLeastSquares(
        x,
        rows.map((r) => Number(r.change)),
        c.terms,
      );
      if (!fit.ok) throw new Error(fit.reason);
      expect(fit.df).toBe(c.df);
      near(fit.sigma, c.sigma);
      near(fit.rSquared, c.rSquared);
      c.coefficients.forEach((want, j) => {
        const got = fit.coefficients[j];
        expect(got?.term).toBe(want.term);
        for (const key of ['estimate', 'stdError', 't', 'p', 'lower', 'upper'] as const)
          near(got?.[key] ?? Number.NaN, want[key]);
      });
      for (const want of (c as { predictions?: (typeof reference.cases)[0]['predictions'] })
        .predictions ?? []) {
        const at = want.at as Row;
        const got = predictMean(
          fit,
          c.terms.map((t) => columnOf(t, at)),
        );
        near(got.fit, want.fit);
        near(got.stdError, want.stdError);
        near(got.lower, want.lower);
        near(got.upper, want.upper);
      }
    });
  }

  it('refuses a fit with no residual degree of freedom or a collinear column', () => {
    expect(ordinaryLeastSquares([[1], [1]], [1, 2], ['a', 'b', 'c'])).toEqual({
      ok: false,
      reason: 'too-few-rows',
    });
    const x = [
      [1, 2, 4],
      [1, 3, 6],
      [1, 5, 10],
      [1, 7, 14],
    ];
    expect(ordinaryLeastSquares(x, [1, 2, 3, 5], ['(Intercept)', 'a', 'b'])).toEqual({
      ok: false,
      reason: 'collinear',
    });
  });
});
