import { invalid } from '../../core/errors.ts';
import {
  applyWindows,
  overlappingWindows,
  scheduleWindowsSchema,
} from '../../core/schedule/custom.ts';
import type { TimePoint } from '../../core/schedule/timepoints.ts';
import { parseInput } from '../../core/validation.ts';
import type { Queryable } from '../../store/db.ts';
import { saveSiteWindows, siteWindows } from '../../store/schedules.repo.ts';
import type { SiteScope } from '../../store/scope.ts';
import {
  ALL_ROLES,
  type AppContext,
  auditUser,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';

/** The follow-up schedule in force at a site: the defaults with the site's own windows. */
export async function scheduleFor(q: Queryable, scope: SiteScope): Promise<TimePoint[]> {
  return applyWindows(await siteWindows(q, scope));
}

export async function getSchedule(ctx: AppContext, actor: UserActor) {
  requireRole(actor, ALL_ROLES);
  return { timepoints: await scheduleFor(ctx.db, scopeOf(actor)) };
}

/** Admins set their registry's windows; overlapping windows are refused, nothing is saved. */
export async function updateSchedule(ctx: AppContext, actor: UserActor, body: unknown) {
  requireRole(actor, ['admin']);
  const { windows } = parseInput(scheduleWindowsSchema, body);
  const problems = overlappingWindows(applyWindows(windows));
  if (problems.length > 0) throw invalid('Windows must not overlap', problems);
  await ctx.db.transaction(async (tx) => {
    await saveSiteWindows(tx, scopeOf(actor), windows, actor.user.id);
    await auditUser(tx, actor, 'update', 'schedule', null, null, { windows });
  });
  return getSchedule(ctx, actor);
}
