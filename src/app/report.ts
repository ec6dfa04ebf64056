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
import { JOINTS, PRODUCT_CLASS_CODES, SEXES } from '../core/registry/vocabulary.ts';
import { TIMEPOINT_IDS } from '../core/schedule/timepoints.ts';
import { parseInput } from '../core/validation.ts';
import { type CohortFilter, episodeHistories, outcomeSummaries } from '../store/analytics.repo.ts';
import type { Queryable } from '../store/db.ts';
import { ALL_ROLES, type AppContext, requireRole, scopeOf, type UserActor } from './context.ts';

export const cohortFilterSchema = z.strictObject({
  joint: z.enum(JOINTS).optional(),
  product: z.enum(PRODUCT_CLASS_CODES).optional(),
  kl: z.coerce.number().int().min(0).max(4).optional(),
  sex: z.enum(SEXES).optional(),
});

/** Per outcome and time point: n, mean (SD) with 95% CI, and mean change from baseline with 95% CI. */
export async function outcomeReport(q: Queryable, filter: CohortFilter) {
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

function cohortOf(query: unknown): CohortFilter {
  const f = parseInput(cohortFilterSchema, query);
  return {
    ...(f.joint ? { joint: f.joint } : {}),
    ...(f.product ? { productClass: f.product } : {}),
    ...(f.kl !== undefined ? { klGrade: f.kl } : {}),
    ...(f.sex ? { sex: f.sex } : {}),
  };
}

/** The report for the caller's site, from query-string filters. */
export async function siteOutcomeReport(ctx: AppContext, actor: UserActor, query: unknown) {
  requireRole(actor, ALL_ROLES);
  return outcomeReport(ctx.db, { siteId: scopeOf(actor).siteId, ...cohortOf(query) });
}

/**
 * The caller's site against the rest of the network for the same cohort: aggregates only,
 * other sites anonymised and withheld below a minimum number of joints.
 */
export async function siteBenchmark(ctx: AppContext, actor: UserActor, query: unknown) {
  requireRole(actor, ALL_ROLES);
  const summaries = await outcomeSummaries(
    ctx.db,
    cohortOf(query),
    TIMEPOINT_IDS,
    outcomeCriteria(allInstruments()),
  );
  return benchmark(summaries, scopeOf(actor).siteId, TIMEPOINT_IDS);
}

/**
 * Kaplan–Meier curves for the site: free of joint replacement, free of re-injection, and
 * time to return to usual activities and to work (censored at last contact).
 */
export async function siteDurability(ctx: AppContext, actor: UserActor) {
  requireRole(actor, ALL_ROLES);
  const histories = await episodeHistories(ctx.db, scopeOf(actor).siteId);
  return {
    arthroplastyFree: durabilityCurve(histories, 'arthroplasty'),
    reinjectionFree: durabilityCurve(histories, 'reinjection'),
    returnToActivities: durabilityCurve(histories, 'returned-to-activities'),
    returnToWork: durabilityCurve(histories, 'returned-to-work'),
  };
}
