import { z } from 'zod';
import { doseResponse } from '../../core/analytics/dose-response.ts';
import { parseInput } from '../../core/validation.ts';
import { type CohortFilter, OUTCOME_SLOTS } from '../../store/analytics.repo.ts';
import type { Db } from '../../store/db.ts';
import { doseResponseJoints } from '../../store/dose-response.repo.ts';
import { ALL_ROLES, type AppContext, requireRole, scopeOf, type UserActor } from '../context.ts';
import { cohortOf } from './cohort.ts';

/** The follow-up time points a change from baseline can be read at. */
export const DOSE_TIMEPOINTS = OUTCOME_SLOTS.slice(1) as unknown as [string, ...string[]];
/** Six months: the time point orthobiologic trials most often report (and the demo answers). */
export const DEFAULT_DOSE_TIMEPOINT = 'm6';

const timepointSchema = z.strictObject({
  timepoint: z
    .enum(DOSE_TIMEPOINTS, { error: `The time point is one of ${DOSE_TIMEPOINTS.join(', ')}` })
    .optional(),
});

/** Dose–response curves and adjusted product comparisons for a cohort at one time point. */
export async function doseResponseReport(q: Db, filter: CohortFilter, timepoint: string) {
  const joints = await doseResponseJoints(q, filter, timepoint);
  return { cohort: filter, joints: joints.length, ...doseResponse(joints, timepoint) };
}

/** The caller's site's dose–response report, from query-string filters and `timepoint`. */
export async function siteDoseResponse(ctx: AppContext, actor: UserActor, query: unknown = {}) {
  requireRole(actor, ALL_ROLES);
  const { siteId } = scopeOf(actor);
  const { timepoint: asked, ...rest } = (query ?? {}) as Record<string, unknown>;
  const { timepoint = DEFAULT_DOSE_TIMEPOINT } = parseInput(timepointSchema, {
    ...(asked === undefined ? {} : { timepoint: asked }),
  });
  const cohort = cohortOf(rest);
  return ctx.views.get(
    ctx.db,
    { name: 'dose-response', siteId, params: { cohort, timepoint }, userId: actor.user.id },
    () => doseResponseReport(ctx.db, { siteId, ...cohort }, timepoint),
  );
}
