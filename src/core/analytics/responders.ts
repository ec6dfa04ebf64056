import type { InstrumentDefinition } from '../instruments/definition.ts';
import { clopperPearson } from '../stats/survival.ts';
import { byInstrumentOrder } from './outcomes.ts';

/**
 * Scores are sums and means of item answers, so a change that sits exactly on a threshold can
 * come out a hair below it in floating point; comparisons allow this much.
 */
export const THRESHOLD_TOLERANCE = 1e-9;

/** The published MCID and PASS of one scale, in its own units and direction. */
export interface ScaleThresholds {
  instrumentId: string;
  scale: string;
  higherIsBetter: boolean;
  mcid: number | null;
  pass: number | null;
  /** A relative MCID: the share of the baseline's distance from the best end (NRS: a 30% fall). */
  relativeMcid: number | null;
  /** The scale's best end (0 on the NRS, 100 on KOOS), from which a relative change is measured. */
  best: number;
  /** Where each threshold was derived: the population, and whether it was surgical. */
  derivedIn: {
    mcid: ThresholdOrigin | null;
    pass: ThresholdOrigin | null;
    relativeMcid: ThresholdOrigin | null;
  };
}

export interface ThresholdOrigin {
  population: string;
  surgical: boolean;
  /** Shown beside a share whose threshold came from surgery; null otherwise. */
  warning: string | null;
}

/** The plain warning beside a share whose threshold was derived after surgery. */
export const SURGICAL_WARNING =
  'Derived in patients after joint surgery (arthroplasty), not after injections: the share may not mean the same for an injected joint.';

const originOf = (t: { population: string; surgical?: boolean | undefined } | undefined) =>
  t
    ? {
        population: t.population,
        surgical: t.surgical === true,
        warning: t.surgical === true ? SURGICAL_WARNING : null,
      }
    : null;

/** The scales of these instruments that carry an MCID, a relative MCID or a PASS in their definition file. */
export function scaleThresholds(instruments: readonly InstrumentDefinition[]): ScaleThresholds[] {
  return instruments.flatMap((d) =>
    d.scales
      .filter(
        (s) => s.interpretation?.mcid || s.interpretation?.pass || s.interpretation?.relativeMcid,
      )
      .map((s) => ({
        instrumentId: d.id,
        scale: s.id,
        higherIsBetter: s.higherIsBetter,
        mcid: s.interpretation?.mcid?.value ?? null,
        pass: s.interpretation?.pass?.value ?? null,
        relativeMcid: s.interpretation?.relativeMcid?.value ?? null,
        best: s.higherIsBetter ? s.range[1] : s.range[0],
        derivedIn: {
          mcid: originOf(s.interpretation?.mcid),
          pass: originOf(s.interpretation?.pass),
          relativeMcid: originOf(s.interpretation?.relativeMcid),
        },
      })),
  );
}

/**
 * Whether a joint improved by at least the relative MCID: a share of its baseline's distance
 * from the scale's best end (Farrar 2001: a 30% fall in pain). A joint already at the best end
 * cannot improve and does not count.
 */
export function pastRelativeMcid(baseline: number, followUp: number, t: ScaleThresholds): boolean {
  if (t.relativeMcid === null) return false;
  const gain = improvement(baseline, followUp, t.higherIsBetter);
  const room = Math.abs(t.best - baseline);
  return gain > THRESHOLD_TOLERANCE && gain >= t.relativeMcid * room - THRESHOLD_TOLERANCE;
}

/** Change from baseline in the better direction: positive means the joint improved. */
export function improvement(baseline: number, followUp: number, higherIsBetter: boolean): number {
  return higherIsBetter ? followUp - baseline : baseline - followUp;
}

/** Whether a joint improved by at least the MCID from its baseline. */
export function pastMcid(baseline: number, followUp: number, t: ScaleThresholds): boolean {
  return (
    t.mcid !== null &&
    improvement(baseline, followUp, t.higherIsBetter) >= t.mcid - THRESHOLD_TOLERANCE
  );
}

/** Whether a score is at or beyond the PASS, in the better direction. */
export function inPass(score: number, t: ScaleThresholds): boolean {
  if (t.pass === null) return false;
  return t.higherIsBetter
    ? score >= t.pass - THRESHOLD_TOLERANCE
    : score <= t.pass + THRESHOLD_TOLERANCE;
}

/**
 * OMERACT-OARSI set of responder criteria (Pham T, van der Heijde D, Altman RD, et al.
 * Osteoarthritis Cartilage 2004;12(5):389–399, doi:10.1016/j.joca.2003.12.001; proposed at
 * OMERACT 6, Pham et al. J Rheumatol 2003;30(7):1648–1654). On 0–100 scales: a responder has
 * a high improvement in pain or in function (≥ 50% and ≥ 20), or an improvement (≥ 20% and
 * ≥ 10) in at least two of pain, function and the patient's global assessment.
 */
export const OMERACT_OARSI = {
  high: { relative: 0.5, absolute: 20 },
  moderate: { relative: 0.2, absolute: 10 },
  source:
    'Pham T, van der Heijde D, Altman RD, et al. OMERACT-OARSI initiative: Osteoarthritis Research Society International set of responder criteria for osteoarthritis clinical trials revisited. Osteoarthritis Cartilage 2004;12(5):389–399.',
} as const;

/**
 * Where the registry reads the rule's domains: pain and function from the joint's own
 * questionnaire, both 0–100 with 100 = no problems (KOOS for knees, HOOS for hips). The third
 * domain, the patient global assessment, comes from its own questionnaire where the joint
 * answered it (see `PATIENT_GLOBAL`); without it a joint may stay undetermined.
 */
export interface ResponderDomains {
  instrumentId: string;
  pain: string;
  function: string;
}
export const OARSI_DOMAINS: readonly ResponderDomains[] = [
  { instrumentId: 'koos', pain: 'pain', function: 'adl' },
  { instrumentId: 'hoos', pain: 'pain', function: 'adl' },
];

/** The patient global assessment: 0–10 where 10 is worst (`definitions/patient-global.json`). */
export const PATIENT_GLOBAL = { instrumentId: 'patient-global', scale: 'global', max: 10 } as const;

/** A 0–10 patient global (10 = worst) on the rule's 0–100 scale where 100 is no problem. */
export function globalOnRuleScale(answer: number): number {
  return 100 - (answer * 100) / PATIENT_GLOBAL.max;
}

/** What the outcome statistics count joints against: published thresholds and the responder rule's domains. */
export interface OutcomeCriteria {
  thresholds: readonly ScaleThresholds[];
  responderDomains: readonly ResponderDomains[];
}

export function outcomeCriteria(instruments: readonly InstrumentDefinition[]): OutcomeCriteria {
  return { thresholds: scaleThresholds(instruments), responderDomains: OARSI_DOMAINS };
}

export type OarsiClass = 'responder' | 'non-responder' | 'undetermined';

/** A domain's baseline and follow-up score on a 0–100 scale where 100 is no problem. */
export interface DomainScores {
  baseline: number;
  followUp: number;
}

/** Whether a domain improved by at least this much, both relative to the baseline and absolute. */
export function improvedBy(
  d: DomainScores,
  level: { relative: number; absolute: number },
): boolean {
  // The rule measures change on the problem scale (0 = none): relative to 100 − baseline.
  const gain = d.followUp - d.baseline;
  return (
    gain >= level.absolute - THRESHOLD_TOLERANCE &&
    gain >= level.relative * (100 - d.baseline) - THRESHOLD_TOLERANCE
  );
}

/**
 * One joint under the OMERACT-OARSI rule: a responder when pain or function improved highly,
 * or when at least two of pain, function and the patient global improved. With the global
 * (on the rule's 0–100 scale, see `globalOnRuleScale`) every joint is classed; without it a
 * joint where exactly one of pain and function improved is undetermined, since the global
 * would decide.
 */
export function omeractOarsi(
  pain: DomainScores,
  fn: DomainScores,
  global: DomainScores | null = null,
): OarsiClass {
  const { high, moderate } = OMERACT_OARSI;
  if (improvedBy(pain, high) || improvedBy(fn, high)) return 'responder';
  const painImproved = improvedBy(pain, moderate);
  const functionImproved = improvedBy(fn, moderate);
  if (painImproved && functionImproved) return 'responder';
  if (!painImproved && !functionImproved) return 'non-responder';
  if (global === null) return 'undetermined';
  return improvedBy(global, moderate) ? 'responder' : 'non-responder';
}

/** Joints counted against a scale's thresholds at one time point, at one site. */
export interface SiteThresholdCounts {
  siteId: string;
  instrumentId: string;
  scale: string;
  timepoint: string;
  /** Joints scored at baseline and at this time point, and how many of them improved past the MCID. */
  paired: number;
  pastMcid: number;
  /** Of those paired, how many improved by at least the relative MCID. */
  pastRelative: number;
  /** Joints scored at this time point, and how many of them are at or beyond the PASS. */
  scored: number;
  inPass: number;
}

/** Joints (knees by KOOS, hips by HOOS) scored on both OMERACT-OARSI domains at baseline and at one time point, at one site. */
export interface SiteResponderCounts {
  siteId: string;
  timepoint: string;
  joints: number;
  responders: number;
  undetermined: number;
  /** Joints that also answered the patient global at baseline and here: classed exactly. */
  withGlobal: number;
}

export interface ShareWithCi {
  count: number;
  n: number;
  share: number;
  /** Exact (Clopper–Pearson) 95% CI. */
  lower: number;
  upper: number;
}

export function shareWithCi(count: number, n: number): ShareWithCi | null {
  if (n < 1) return null;
  return { count, n, share: count / n, ...clopperPearson(count, n) };
}

export interface ThresholdShares {
  instrumentId: string;
  scale: string;
  timepoint: string;
  mcid: number | null;
  pass: number | null;
  relativeMcid: number | null;
  /** The population each threshold was derived in, and a warning where it was surgical. */
  derivedIn: ScaleThresholds['derivedIn'];
  /** Share of joints scored at baseline and here that improved by at least the MCID. */
  pastMcid: ShareWithCi | null;
  /** Share of them that improved by at least the relative MCID (NRS: pain fell by ≥ 30%). */
  pastRelative: ShareWithCi | null;
  /** Share of joints scored here that are at or beyond the PASS. */
  inPass: ShareWithCi | null;
}

/** Two disjoint groups' counts past the thresholds as their union's (the first one's key). */
export function addThresholdCounts(
  x: SiteThresholdCounts,
  y: SiteThresholdCounts,
): SiteThresholdCounts {
  return {
    ...x,
    paired: x.paired + y.paired,
    pastMcid: x.pastMcid + y.pastMcid,
    pastRelative: x.pastRelative + y.pastRelative,
    scored: x.scored + y.scored,
    inPass: x.inPass + y.inPass,
  };
}

/** Per scale with thresholds and time point after baseline: the shares past the MCID and in the PASS, pooled over the sites given. */
export function thresholdShares(
  counts: readonly SiteThresholdCounts[],
  thresholds: readonly ScaleThresholds[],
  timepointOrder: readonly string[],
): ThresholdShares[] {
  const pooled = new Map<string, SiteThresholdCounts>();
  for (const c of counts) {
    const key = `${c.instrumentId}|${c.scale}|${c.timepoint}`;
    const seen = pooled.get(key);
    pooled.set(key, seen ? addThresholdCounts(seen, c) : { ...c });
  }
  const out: ThresholdShares[] = [];
  for (const key of byInstrumentOrder(thresholds.map((t) => `${t.instrumentId}|${t.scale}`))) {
    const t = thresholds.find((x) => `${x.instrumentId}|${x.scale}` === key);
    if (!t) continue;
    for (const timepoint of timepointOrder.slice(1)) {
      const c = pooled.get(`${key}|${timepoint}`);
      if (!c) continue;
      out.push({
        instrumentId: t.instrumentId,
        scale: t.scale,
        timepoint,
        mcid: t.mcid,
        pass: t.pass,
        relativeMcid: t.relativeMcid,
        derivedIn: t.derivedIn,
        pastMcid: t.mcid === null ? null : shareWithCi(c.pastMcid, c.paired),
        pastRelative: t.relativeMcid === null ? null : shareWithCi(c.pastRelative, c.paired),
        inPass: t.pass === null ? null : shareWithCi(c.inPass, c.scored),
      });
    }
  }
  return out;
}

export interface RespondersAtTimepoint {
  timepoint: string;
  /** Joints scored on pain and function at baseline and here. */
  joints: number;
  /**
   * Responders: the rule's exact share when no joint is undetermined (every joint that needed
   * the patient global had it), otherwise a lower bound.
   */
  responders: ShareWithCi;
  /** Joints whose class the missing patient global would decide. */
  undetermined: number;
  /** The share if every undetermined joint were a responder: the upper bound (equal when exact). */
  upperBound: ShareWithCi;
  /** Joints with a patient global at baseline and here. */
  withGlobal: number;
  /** Whether the share is exact: no joint left undetermined. */
  exact: boolean;
}

/** OMERACT-OARSI responders per time point after baseline, pooled over the sites given. */
export function respondersByTimepoint(
  counts: readonly SiteResponderCounts[],
  timepointOrder: readonly string[],
): RespondersAtTimepoint[] {
  return timepointOrder.slice(1).flatMap((timepoint) => {
    const at = counts.filter((c) => c.timepoint === timepoint);
    const joints = at.reduce((s, c) => s + c.joints, 0);
    const responders = at.reduce((s, c) => s + c.responders, 0);
    const undetermined = at.reduce((s, c) => s + c.undetermined, 0);
    const withGlobal = at.reduce((s, c) => s + c.withGlobal, 0);
    const lower = shareWithCi(responders, joints);
    const upper = shareWithCi(responders + undetermined, joints);
    return lower && upper
      ? [
          {
            timepoint,
            joints,
            responders: lower,
            undetermined,
            upperBound: upper,
            withGlobal,
            exact: undetermined === 0,
          },
        ]
      : [];
  });
}
