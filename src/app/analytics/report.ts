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
import { type Db, type Queryable, withLockTimeout } from '../../store/db.ts';
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

/** How the background fold steps: see `foldNotedChanges`. */
export interface FoldSteps {
  /** Notes the first step takes (at least 1). */
  first: number;
  /** When set, each next step is sized to take about this long (PGlite's one connection waits). */
  targetMs?: number;
  /**
   * The fewest notes a sized step takes, so that a cost every step pays whatever its size
   * cannot shrink the steps to one joint each (and each step then pays it for one joint).
   */
  fewest?: number;
  /** A round ends after this long; the rest waits for the next round. */
  roundMs?: number;
  /** Waited between steps, so that requests are served. */
  pause?: () => Promise<void>;
  /** Checked between steps: true once the server is stopping. */
  stopped?: () => boolean;
  /**
   * A statement of the round waiting this long for a lock held elsewhere fails the round, and
   * the next round tries again, instead of every later round waiting behind it.
   */
  lockTimeoutMs?: number;
}

/** The server's background fold: steps of about 0.1 s, rounds of about 2 s. */
export const BACKGROUND_FOLD: FoldSteps = {
  first: 20,
  targetMs: 100,
  // At 12,000 joints on PostgreSQL (0127), a step cost about 10 ms whatever its size, and
  // 0.4-0.6 ms more a joint: at 20 joints a step, that cost is at worst about half of it. On
  // PGlite (the demo's 600 patients) a step of 20 changed joints took 80-145 ms.
  fewest: 20,
  roundMs: 2_000,
  pause: () => new Promise((resolve) => setTimeout(resolve, 10)),
  // Far above a read's fold of a burst, which holds the fold's lock (4 s for 1,000 changed joints).
  lockTimeoutMs: 60_000,
};

/**
 * Folds what changed since the last fold into the dashboard sums and counts: the outcome sums in
 * steps (the oldest notes first; migration 0116) with a pause for requests between them, then
 * the follow-up and outreach counts. The server calls it every FOLD_SECONDS, so a read soon after
 * a burst of submissions finds little left to fold; each process may, as every fold takes the
 * same lock. Returns how many notes of changed joints it folded.
 */
export async function foldNotedChanges(
  db: Db,
  steps: FoldSteps = BACKGROUND_FOLD,
): Promise<number> {
  const started = performance.now();
  const stopped = steps.stopped ?? (() => false);
  const bounded = <T>(work: (q: Queryable) => Promise<T>): Promise<T> =>
    steps.lockTimeoutMs === undefined ? work(db) : withLockTimeout(db, steps.lockTimeoutMs, work);
  let step = Math.max(1, Math.floor(steps.first));
  let folded = 0;
  while (!stopped()) {
    const stepStarted = performance.now();
    const taken = await bounded((q) => foldNotedJoints(q, step));
    folded += taken;
    if (taken < step) break;
    const now = performance.now();
    if (steps.roundMs !== undefined && now - started >= steps.roundMs) break;
    step = nextFoldStep(step, now - stepStarted, steps);
    await steps.pause?.();
  }
  if (stopped()) return folded;
  await bounded(catchUpFollowUpCounts);
  await bounded(catchUpOutreachCounts);
  return folded;
}

/**
 * The notes the next step of a fold takes, after a step of `step` notes that took `tookMs`:
 * sized by that pace to take about `targetMs`, at most doubling, so one slow step does not swing
 * it, and never fewer than `fewest`. Without a target, the same again.
 */
export function nextFoldStep(step: number, tookMs: number, steps: FoldSteps): number {
  if (steps.targetMs === undefined) return step;
  const pace = step / Math.max(1, tookMs);
  const paced = Math.min(2 * step, Math.floor(pace * steps.targetMs));
  return Math.max(1, Math.floor(steps.fewest ?? 1), paced);
}

/**
 * Per outcome and time point: n, mean (SD) with 95% CI, and mean change from baseline with 95%
 * CI; responders; and the joints' work status (ICHOM hip & knee OA set), kept as answered.
 */
export async function outcomeReport(q: Db, filter: CohortFilter) {
  const criteria = outcomeCriteria(allInstruments());
  const summaries = await outcomeSummaries(q, filter, TIMEPOINT_IDS, criteria, WORK_STATUS);
  const workAnswers =
    summaries.itemAnswers ?? (await itemAnswerCounts(q, filter, WORK_STATUS, TIMEPOINT_IDS));
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
