import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chiSquareUpperTail,
  logGamma,
  normalUpperQuantile,
  normalUpperTail,
  studentTUpperQuantile,
  studentTUpperTail,
} from './distributions.ts';

/** R 4.2.2 values written by fixtures/distributions.R. */
type Reference =
  | { fn: 'qt'; p: number; df: number; value: number }
  | { fn: 'pt'; x: number; df: number; value: number }
  | { fn: 'pchisq'; x: number; df: number; value: number }
  | { fn: 'pnorm'; x: number; value: number }
  | { fn: 'qnorm'; p: number; value: number }
  | { fn: 'lgamma'; x: number; value: number };

const references = JSON.parse(
  readFileSync(new URL('./fixtures/distributions.json', import.meta.url), 'utf8'),
) as Reference[];

function compute(r: Reference): number {
  switch (r.fn) {
    case 'qt':
      return studentTUpperQuantile(r.p, r.df);
    case 'pt':
      return studentTUpperTail(r.x, r.df);
    case 'pchisq':
      return chiSquareUpperTail(r.x, r.df);
    case 'pnorm':
      return normalUpperTail(r.x);
    case 'qnorm':
      return normalUpperQuantile(r.p);
    case 'lgamma':
      return logGamma(r.x);
  }
}

describe('distribution functions agree with R to 1e-10 (relative)', () => {
  for (const r of references) {
    it(`${JSON.stringify(r)}`, () => {
      const got = compute(r);
      expect(Math.abs(got - r.value)).toBeLessThanOrEqual(1e-10 * Math.abs(r.value));
    });
  }

  it('refuses quantiles outside (0, 0.5]', () => {
    expect(() => normalUpperQuantile(0.7)).toThrow(RangeError);
    expect(() => studentTUpperQuantile(0, 3)).toThrow(RangeError);
  });
});
