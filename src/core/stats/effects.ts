import { logGamma } from './distributions.ts';
import type { StudyEffect } from './meta.ts';

/** Summary data of a two-arm comparison (arm 1 minus arm 2). */
export interface TwoArmSummary {
  study: string;
  n1: number;
  mean1: number;
  sd1: number;
  n2: number;
  mean2: number;
  sd2: number;
}

export const EFFECT_MEASURES = ['MD', 'SMD'] as const;
export type EffectMeasure = (typeof EFFECT_MEASURES)[number];

/** Study data that cannot give an effect size, naming the input column at fault. */
export class StudyDataError extends RangeError {
  constructor(
    readonly study: string,
    readonly column: string,
    readonly problem: string,
  ) {
    super(`${study}: ${problem}`);
  }
}

function checkArms(s: TwoArmSummary, minimumN: number): void {
  for (const [name, n] of [
    ['n1', s.n1],
    ['n2', s.n2],
  ] as const) {
    if (!Number.isInteger(n) || n < minimumN)
      throw new StudyDataError(
        s.study,
        name,
        `${name} must be a whole number of at least ${minimumN}`,
      );
  }
  for (const [name, sd] of [
    ['sd1', s.sd1],
    ['sd2', s.sd2],
  ] as const) {
    if (!(sd > 0) || !Number.isFinite(sd))
      throw new StudyDataError(s.study, name, `${name} must be positive`);
  }
  if (!Number.isFinite(s.mean1) || !Number.isFinite(s.mean2))
    throw new StudyDataError(s.study, '', 'the means must be numbers');
}

/** Raw mean difference and its large-sample variance sd1²/n1 + sd2²/n2 (metafor "MD"). */
export function meanDifference(s: TwoArmSummary): StudyEffect {
  checkArms(s, 1);
  return { study: s.study, yi: s.mean1 - s.mean2, vi: s.sd1 ** 2 / s.n1 + s.sd2 ** 2 / s.n2 };
}

/**
 * Hedges' g, the bias-corrected standardised mean difference, with metafor's default
 * large-sample variance (escalc "SMD", vtype "LS"; Hedges 1981): g = J(m)·d with
 * m = n1 + n2 − 2, J(m) = Γ(m/2) / (√(m/2)·Γ((m−1)/2)), v = 1/n1 + 1/n2 + g²/(2(n1 + n2)).
 */
export function hedgesG(s: TwoArmSummary): StudyEffect {
  checkArms(s, 2);
  const m = s.n1 + s.n2 - 2;
  const pooledSd = Math.sqrt(((s.n1 - 1) * s.sd1 ** 2 + (s.n2 - 1) * s.sd2 ** 2) / m);
  const correction = Math.exp(logGamma(m / 2) - Math.log(Math.sqrt(m / 2)) - logGamma((m - 1) / 2));
  const g = (correction * (s.mean1 - s.mean2)) / pooledSd;
  return { study: s.study, yi: g, vi: 1 / s.n1 + 1 / s.n2 + g ** 2 / (2 * (s.n1 + s.n2)) };
}

export function effectFromArms(s: TwoArmSummary, measure: EffectMeasure): StudyEffect {
  return measure === 'MD' ? meanDifference(s) : hedgesG(s);
}
