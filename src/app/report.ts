import { z } from 'zod';
import { benchmark } from '../core/analytics/benchmark.ts';
import { durabilityCurve } from '../core/analytics/durability.ts';
import { outcomesFromSummaries, trajectoriesFromPatterns } from '../core/analytics/outcomes.ts';
import {
  OMERACT_OARSI,
  outcomeCriteria,
  respondersByTimepoint,
  thresholdShares,
} from '../core/analytics/responders.ts';
import { allInstruments } from '../core/instruments/library.ts';
import { isoDate } from '../core/registry/schemas.ts';
import {
  BMI_CLASS_CODES,
  CELL_DOSE_BAND_CODES,
  CELL_SOURCE_CODES,
  JOINTS,
  PRODUCT_CLASS_CODES,
  SEXES,
} from '../core/registry/vocabulary.ts';
import { TIMEPOINT_IDS } from '../core/schedule/timepoints.ts';
import { parseInput } from '../core/validation.ts';
import { type CohortFilter, episodeHistories, outcomeSummaries } from '../store/analytics.repo.ts';
import type { Db } from '../store/db.ts';
import { ALL_ROLES, type AppContext, requireRole, scopeOf, type UserActor } from './context.ts';

const age = z.coerce
  .number({ error: 'Age must be a whole number of years' })
  .int('Age must be a whole number of years')
  .min(0, 'Age cannot be negative')
  .max(130, 'Age above 130 is not plausible');

/** One of a list, with the list in the message: the schema's own wording names no choices. */
const oneOf = <T extends readonly [string, ...string[]]>(what: string, values: T) =>
  z.enum(values, { error: `${what} is one of ${values.join(', ')}` });

const klMessage = 'The Kellgren–Lawrence grade is a whole number from 0 to 4';

const cohortShape = {
  joint: oneOf('The joint', JOINTS).optional(),
  product: oneOf('The product class', PRODUCT_CLASS_CODES).optional(),
  cellSource: oneOf('The cell source', CELL_SOURCE_CODES).optional(),
  dose: oneOf('The cell dose band', CELL_DOSE_BAND_CODES).optional(),
  kl: z.coerce
    .number({ error: klMessage })
    .int(klMessage)
    .min(0, klMessage)
    .max(4, klMessage)
    .optional(),
  ageFrom: age.optional(),
  ageTo: age.optional(),
  sex: oneOf('Sex', SEXES).optional(),
  bmi: oneOf('The BMI class', BMI_CLASS_CODES).optional(),
  treatedFrom: isoDate.optional(),
  treatedTo: isoDate.optional(),
};

/** The cohort filters by name: query-string keys, and `stemtrack report --NAME` options. */
export const COHORT_OPTIONS = Object.keys(cohortShape) as (keyof typeof cohortShape)[];

/** Query-string filters of the outcome reports (dashboard, API and `stemtrack report`). */
export const cohortFilterSchema = z
  .strictObject(cohortShape)
  .refine((f) => f.ageFrom === undefined || f.ageTo === undefined || f.ageFrom <= f.ageTo, {
    message: 'The lower age must not be above the upper age',
    path: ['ageTo'],
  })
  .refine(
    (f) => f.treatedFrom === undefined || f.treatedTo === undefined || f.treatedFrom <= f.treatedTo,
    { message: 'The first treatment date must not be after the last', path: ['treatedTo'] },
  );

/** Per outcome and time point: n, mean (SD) with 95% CI, and mean change from baseline with 95% CI. */
export async function outcomeReport(q: Db, filter: CohortFilter) {
  const criteria = outcomeCriteria(allInstruments());
  const summaries = await outcomeSummaries(q, filter, TIMEPOINT_IDS, criteria);
  return {
    cohort: filter,
    joints: summaries.joints,
    outcomes: outcomesFromSummaries(summaries.levels, summaries.changes, TIMEPOINT_IDS),
    trajectories: trajectoriesFromPatterns(summaries.patterns, TIMEPOINT_IDS),
    thresholds: thresholdShares(summaries.thresholdCounts, criteria.thresholds, TIMEPOINT_IDS),
    responders: {
      rule: OMERACT_OARSI,
      domains: criteria.responderDomains,
      byTimepoint: respondersByTimepoint(summaries.responderCounts, TIMEPOINT_IDS),
    },
  };
}

/** The cohort a query string (or the CLI's options) asks for; a bad value is a clear 400. */
export function cohortOf(query: unknown): CohortFilter {
  const f = parseInput(cohortFilterSchema, query);
  return {
    ...(f.joint ? { joint: f.joint } : {}),
    ...(f.product ? { productClass: f.product } : {}),
    ...(f.cellSource ? { cellSource: f.cellSource } : {}),
    ...(f.dose ? { doseBand: f.dose } : {}),
    ...(f.kl !== undefined ? { klGrade: f.kl } : {}),
    ...(f.ageFrom !== undefined ? { ageFrom: f.ageFrom } : {}),
    ...(f.ageTo !== undefined ? { ageTo: f.ageTo } : {}),
    ...(f.sex ? { sex: f.sex } : {}),
    ...(f.bmi ? { bmiClass: f.bmi } : {}),
    ...(f.treatedFrom ? { treatedFrom: f.treatedFrom } : {}),
    ...(f.treatedTo ? { treatedTo: f.treatedTo } : {}),
  };
}

/** The report for the caller's site, from query-string filters. */
export async function siteOutcomeReport(ctx: AppContext, actor: UserActor, query: unknown) {
  requireRole(actor, ALL_ROLES);
  const { siteId } = scopeOf(actor);
  const cohort = cohortOf(query);
  return ctx.views.get(ctx.db, { name: 'outcomes', siteId, params: cohort }, () =>
    outcomeReport(ctx.db, { siteId, ...cohort }),
  );
}

/**
 * The caller's site against the rest of the network for the same cohort: aggregates only,
 * other sites anonymised and withheld below a minimum number of joints.
 */
export async function siteBenchmark(ctx: AppContext, actor: UserActor, query: unknown) {
  requireRole(actor, ALL_ROLES);
  const { siteId } = scopeOf(actor);
  const cohort = cohortOf(query);
  // Network-wide data: the view is kept for every site's version at once.
  return ctx.views.get(ctx.db, { name: 'benchmark', params: { siteId, cohort } }, async () =>
    benchmark(await outcomeSummaries(ctx.db, cohort, TIMEPOINT_IDS), siteId, TIMEPOINT_IDS),
  );
}

/**
 * Kaplan–Meier curves for the site: free of joint replacement, free of re-injection, and
 * time to return to usual activities and to work (censored at last contact).
 */
export async function siteDurability(ctx: AppContext, actor: UserActor) {
  requireRole(actor, ALL_ROLES);
  const { siteId } = scopeOf(actor);
  return ctx.views.get(ctx.db, { name: 'durability', siteId }, async () => {
    const histories = await episodeHistories(ctx.db, siteId);
    return {
      arthroplastyFree: durabilityCurve(histories, 'arthroplasty'),
      reinjectionFree: durabilityCurve(histories, 'reinjection'),
      returnToActivities: durabilityCurve(histories, 'returned-to-activities'),
      returnToWork: durabilityCurve(histories, 'returned-to-work'),
    };
  });
}
