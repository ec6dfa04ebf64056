import type { MeanWithCi } from '../stats/descriptive.ts';
import { meanDifference } from '../stats/effects.ts';
import { type MetaAnalysis, metaAnalysis, type StudyEffect } from '../stats/meta.ts';
import { conversion } from './scales.ts';
import {
  improvementIsPositive,
  lessPainNegative,
  outcomeInWords,
  type PublishedSummary,
} from './summaries.ts';
import { type ArmComparison, armComparisons, type Refusal, type TrialArm } from './trials.ts';

/** Cell-based products whose trials count as "stem cell" evidence here. */
export const CELL_PRODUCTS = ['BM-MSC', 'AD-MSC', 'UC-MSC', 'BMAC', 'SVF', 'MFAT'] as const;

export interface TrialPooling {
  outcome: string;
  scale: string;
  timepointMonths: number;
  comparisons: (ArmComparison & StudyEffect)[];
  refusals: Refusal[];
  /** REML with the Hartung–Knapp–Sidik–Jonkman CI; null when fewer than two trials are usable. */
  result: MetaAnalysis | null;
  note: string;
}

const POOLINGS = [
  { outcome: 'Pain (VAS, on 0–10)', outcomes: ['VAS_0_100', 'VAS_0_10'], scale: 'VAS_0_10' },
  { outcome: 'WOMAC pain (0–20)', outcomes: ['WOMAC_pain'], scale: 'WOMAC_pain' },
] as const;

/**
 * Pools cell-therapy-versus-control trials from arm data at 6 and 12 months, as mean
 * differences (cell arm − control; negative = less pain with cells). HKSJ intervals because
 * there are few trials (IntHout et al., BMC Med Res Methodol 2014;14:25).
 */
export function poolTrials(arms: readonly TrialArm[]): TrialPooling[] {
  const out: TrialPooling[] = [];
  for (const p of POOLINGS) {
    for (const timepointMonths of [6, 12]) {
      const { comparisons, refusals } = armComparisons(arms, {
        outcomes: p.outcomes,
        timepointMonths,
        scale: p.scale,
        interventionProducts: CELL_PRODUCTS,
      });
      const withEffects = comparisons.map((c) => ({ ...c, ...meanDifference(c) }));
      const result =
        withEffects.length >= 2 ? metaAnalysis(withEffects, { method: 'REML', ci: 'knha' }) : null;
      out.push({
        outcome: p.outcome,
        scale: p.scale,
        timepointMonths,
        comparisons: withEffects,
        refusals,
        result,
        note: result
          ? `${withEffects.length} comparisons from trials with usable arm data`
          : `Not pooled: ${withEffects.length} usable comparison(s); at least 2 are needed. Import more trials.`,
      });
    }
  }
  return out;
}

export interface RegistryPainChange {
  timepoint: 'm6' | 'm12';
  months: 6 | 12;
  /** Change in NRS pain (0–10) from baseline, per patient with both answers. */
  change: MeanWithCi | null;
}

export interface ContextLine {
  label: string;
  estimate: number | null;
  ciLower: number | null;
  ciUpper: number | null;
  /** What the number is and is not, in plain words. */
  meaning: string;
  source: string;
}

export interface RegistryVsEvidence {
  months: 6 | 12;
  registry: ContextLine;
  placebo: ContextLine[];
  controlled: ContextLine[];
}

const fmt = (x: number) => (Math.round(x * 100) / 100).toFixed(2).replace(/^-/, '−');

/**
 * Places the registry's uncontrolled before–after change in pain beside (a) pooled
 * cell-versus-control effects and (b) the pain change in saline/placebo arms of knee OA
 * trials. The words never call the registry change a treatment effect.
 */
export function registryVsEvidence(
  registry: readonly RegistryPainChange[],
  summaries: readonly PublishedSummary[],
  pooled: readonly TrialPooling[],
): RegistryVsEvidence[] {
  return registry.map((r) => {
    const c = r.change;
    const registryLine: ContextLine = {
      label: `This registry: change in pain (NRS 0–10) from baseline to ${r.months} months`,
      estimate: c?.mean ?? null,
      ciLower: c?.ciLower ?? null,
      ciUpper: c?.ciUpper ?? null,
      meaning: c
        ? `Mean change of ${fmt(c.mean)} points in ${c.n} patients who answered at baseline and at ${r.months} months. ` +
          'This is a before–after change with no control group: it mixes any effect of the treatment with natural ' +
          'recovery, regression to the mean and the placebo response, so it is not a treatment effect. Patients who ' +
          'did not answer are not in it.'
        : `No patient has answered both at baseline and at ${r.months} months yet.`,
      source: 'StemTrack registry (your site)',
    };
    const placebo = summaries
      .filter(
        (s) =>
          /placebo/i.test(s.what) && (s.timepointMonths === null || s.timepointMonths === r.months),
      )
      .map((s) => placeboLine(s));
    const controlled: ContextLine[] = [
      ...summaries
        .filter(
          (s) =>
            /vs control/i.test(s.comparison) &&
            /^(VAS|NRS)/.test(s.outcome) &&
            (s.timepointMonths === null || s.timepointMonths === r.months) &&
            s.estimate !== null,
        )
        .map((s) => ({
          label: `${s.what}: ${s.measure} in ${outcomeInWords(s.outcome)} (${s.population})`,
          estimate: s.estimate,
          ciLower: s.ciLower,
          ciUpper: s.ciUpper,
          meaning:
            'A difference between randomised groups (cells minus control; negative favours cells). ' +
            (s.timepointMonths === null ? 'Follow-up times vary across the pooled trials. ' : '') +
            `Read from the ${s.verifiedFrom}.`,
          source: `${s.source}${s.doiOrId ? ` (${s.doiOrId})` : ''}`,
        })),
      ...pooled
        .filter((p) => p.timepointMonths === r.months && p.result)
        .map((p) => ({
          label: `StemTrack pooling of imported trials: ${p.outcome}, cells − control`,
          estimate: p.result?.estimate ?? null,
          ciLower: p.result?.ciLower ?? null,
          ciUpper: p.result?.ciUpper ?? null,
          meaning: `${p.note}; random effects (REML) with HKSJ 95% CI.`,
          source: [...new Set(p.comparisons.flatMap((x) => x.sources))].join('; '),
        })),
    ];
    return { months: r.months, registry: registryLine, placebo, controlled };
  });
}

/** A placebo arm's change, with negative = less pain as on every other line. */
function placeboLine(published: PublishedSummary): ContextLine {
  const s = lessPainNegative(published);
  const toTenth = s.outcome === 'VAS_0_100' ? conversion('VAS_0_100', 'VAS_0_10') : undefined;
  const scaled = toTenth?.ok
    ? ` (${fmt((s.estimate ?? 0) * toTenth.factor)} on a 0–10 scale; VAS and NRS are different instruments, so compare with care)`
    : '';
  return {
    label: `${s.what}: ${s.measure} in ${outcomeInWords(s.outcome)} (${s.population})`,
    estimate: s.estimate,
    ciLower: s.ciLower,
    ciUpper: s.ciUpper,
    meaning:
      `How much pain improved in trial patients given an inactive injection${scaled}. ` +
      (/SMD|effect size/i.test(s.measure)
        ? 'This is a standardised effect size (in units of the standard deviation of pain scores), not points on a scale' +
          (improvementIsPositive(published)
            ? '; the source reports improvement as positive, shown here with its sign turned so that negative = less pain. '
            : '. ')
        : '') +
      'A registry change of this size could arise without any active treatment.',
    source: `${s.source}${s.doiOrId ? ` (${s.doiOrId})` : ''}`,
  };
}
