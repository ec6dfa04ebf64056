import { benchmark } from '../../core/analytics/benchmark.ts';
import { durabilityCurveFromCounts } from '../../core/analytics/durability.ts';
import { outcomesFromSummaries, trajectoriesFromPatterns } from '../../core/analytics/outcomes.ts';
import {
  OMERACT_OARSI,
  outcomeCriteria,
  respondersByTimepoint,
  thresholdShares,
} from '../../core/analytics/responders.ts';
import { WORK_STATUS, workStatusByTimepoint } from '../../core/analytics/work-status.ts';
import { allInstruments, instrumentById } from '../../core/instruments/library.ts';
import { type IsoDate, toIsoDate } from '../../core/registry/dates.ts';
import { TIMEPOINT_IDS } from '../../core/schedule/timepoints.ts';
import {
  type CohortFilter,
  catchUpFollowUpCounts,
  catchUpOutcomeSums,
  foldNotedJoints,
  itemAnswerCounts,
  outcomeSummaries,
  syncOutcomeRules,
  timeToEventCounts,
} from '../../store/analytics.repo.ts';
import type { Db } from '../../store/db.ts';
import { catchUpOutreachCounts } from '../../store/outreach.repo.ts';
import { ALL_ROLES, type AppContext, requireRole, scopeOf, type UserActor } from '../context.ts';
import { followUpFlowOf } from '../follow-up/followup.ts';
import { scheduleFor } from '../follow-up/schedule.ts';
import { cohortOf } from './cohort.ts';

export { COHORT_OPTIONS, cohortFilterSchema, cohortOf } from './cohort.ts';

/**
 * Brings the dashboard sums in line with this release's MCID, PASS and responder rule (a
 * recount when they changed: minutes at a million joints, so at start-up, in the background)
 * and folds in what changed since the last fold, in the sums and in the follow-up and outreach
 * counts (after a restore, every joint). Until then the outcome views read every joint's row.
 */
export async function keepDashboardSumsCurrent(db: Db): Promise<void> {
  await syncOutcomeRules(db, outcomeCriteria(allInstruments()));
  await catchUpOutcomeSums(db);
  await catchUpFollowUpCounts(db);
  await catchUpOutreachCounts(db);
}

/** Joints per step of the background fold: about 0.4 s of PostgreSQL's time (bench:dashboard). */
export const FOLD_STEP_JOINTS = 100;

/**
 * Folds what changed since the last fold into the dashboard sums and counts, the outcome sums
 * in steps of `step` joints with a pause for requests between them, so that a read soon after a
 * burst of submissions finds little left to fold. The server calls it every FOLD_SECONDS; each
 * process may, as every fold takes the same lock. Returns the outcome joints folded.
 */
export async function foldNotedChanges(
  db: Db,
  step = FOLD_STEP_JOINTS,
  pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
): Promise<number> {
  let folded = 0;
  for (;;) {
    const n = await foldNotedJoints(db, step);
    folded += n;
    if (n < step) break;
    await pause();
  }
  await catchUpFollowUpCounts(db);
  await catchUpOutreachCounts(db);
  return folded;
}

/**
 * Per outcome and time point: n, mean (SD) with 95% CI, and mean change from baseline with 95%
 * CI; responders; and the joints' work status (ICHOM hip & knee OA set), kept as answered.
 */
export async function outcomeReport(q: Db, filter: CohortFilter) {
  const criteria = outcomeCriteria(allInstruments());
  const summaries = await outcomeSummaries(q, filter, TIMEPOINT_IDS, criteria);
  const workAnswers = await itemAnswerCounts(q, filter, WORK_STATUS, TIMEPOINT_IDS);
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
    workStatus: workStatusByTimepoint(
      workAnswers,
      instrumentById(WORK_STATUS.instrumentId),
      TIMEPOINT_IDS,
    ),
  };
}

/** The report for the caller's site, from query-string filters. */
export async function siteOutcomeReport(ctx: AppContext, actor: UserActor, query: unknown) {
  requireRole(actor, ALL_ROLES);
  const { siteId } = scopeOf(actor);
  const cohort = cohortOf(query);
  return ctx.views.get(
    ctx.db,
    { name: 'outcomes', siteId, params: cohort, userId: actor.user.id },
    () => outcomeReport(ctx.db, { siteId, ...cohort }),
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
  return ctx.views.get(
    ctx.db,
    { name: 'benchmark', params: { siteId, cohort }, userId: actor.user.id },
    async () =>
      benchmark(await outcomeSummaries(ctx.db, cohort, TIMEPOINT_IDS), siteId, TIMEPOINT_IDS),
  );
}

/**
 * Kaplan–Meier curves of a cohort's joints (see `siteDurability`), from the joints counted per
 * day from treatment in the database (migrations 0091, 0101): a few thousand rows leave it,
 * whatever the size or the filter.
 */
export async function durabilityReport(q: Db, siteId: string, cohort: CohortFilter) {
  const kinds = ['arthroplasty', 'reinjection', 'returned-to-activities', 'returned-to-work'];
  const { joints, counts } = await timeToEventCounts(q, siteId, cohort, kinds);
  return {
    cohort: { ...cohort, joints },
    arthroplastyFree: durabilityCurveFromCounts(counts, 'arthroplasty'),
    reinjectionFree: durabilityCurveFromCounts(counts, 'reinjection'),
    returnToActivities: durabilityCurveFromCounts(counts, 'returned-to-activities'),
    returnToWork: durabilityCurveFromCounts(counts, 'returned-to-work'),
  };
}

/**
 * Kaplan–Meier curves for the site's cohort: free of joint replacement, free of re-injection,
 * and time to return to usual activities and to work (censored at last contact).
 */
export async function siteDurability(ctx: AppContext, actor: UserActor, query: unknown = {}) {
  requireRole(actor, ALL_ROLES);
  const { siteId } = scopeOf(actor);
  const cohort = cohortOf(query);
  return ctx.views.get(
    ctx.db,
    { name: 'durability', siteId, params: cohort, userId: actor.user.id },
    () => durabilityReport(ctx.db, siteId, cohort),
  );
}

/** Follow-up completeness per time point of a cohort's joints, as of `today`. */
export async function completenessReport(
  q: Db,
  siteId: string,
  cohort: CohortFilter,
  today: IsoDate,
) {
  const schedule = await scheduleFor(q, { siteId });
  const flow = await followUpFlowOf(q, { siteId }, cohort, today, schedule);
  return { cohort: { ...cohort, joints: flow.enrolled }, today, flow };
}

/** Follow-up completeness of the site's cohort (the Follow-up page's flow, filtered). */
export async function siteCompleteness(ctx: AppContext, actor: UserActor, query: unknown = {}) {
  requireRole(actor, ALL_ROLES);
  const { siteId } = scopeOf(actor);
  const cohort = cohortOf(query);
  const today = toIsoDate(ctx.now());
  return ctx.views.get(
    ctx.db,
    { name: 'completeness', siteId, params: { cohort, today }, userId: actor.user.id },
    () => completenessReport(ctx.db, siteId, cohort, today),
  );
}
