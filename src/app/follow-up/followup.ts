import { z } from 'zod';
import { type IsoDate, toIsoDate } from '../../core/registry/dates.ts';
import { TIMEPOINT_IDS, type TimePoint } from '../../core/schedule/timepoints.ts';
import {
  type FollowUpStatus,
  flowFromCounts,
  statusWindows,
  treatmentDayBounds,
  type WorklistRow,
  worklist,
} from '../../core/schedule/worklist.ts';
import { parseInput } from '../../core/validation.ts';
import type { CohortFilter } from '../../store/analytics.repo.ts';
import type { Db } from '../../store/db.ts';
import {
  episodesForFollowUp,
  followUpFlowCounts,
  inPatientOrder,
  statusWindowRows,
} from '../../store/followup.repo.ts';
import { listDeadJobs } from '../../store/jobs.repo.ts';
import type { SiteScope } from '../../store/scope.ts';
import {
  ALL_ROLES,
  type AppContext,
  auditUser,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';
import { scheduleFor } from './schedule.ts';

/** Rows of the worklist a response carries at most, in patient order (the total comes with them). */
const WORKLIST_ROWS_MAX = 500;

const worklistQuery = z.strictObject({
  status: z.enum(['upcoming', 'due', 'overdue', 'completed', 'missed', 'ended']).optional(),
  timepoint: z.enum(TIMEPOINT_IDS).optional(),
  rows: z.coerce
    .number()
    .int()
    .min(1)
    .max(WORKLIST_ROWS_MAX, `Ask for at most ${WORKLIST_ROWS_MAX} rows`)
    .optional(),
});

const OPEN_STATUSES: readonly FollowUpStatus[] = ['due', 'overdue'];

/** Patients a worklist page may walk in order before the candidates are sorted instead. */
const WALK_AT_MOST = 20_000;

/**
 * The site's joints with a window open on `today` and not answered (at `timepoint`, if given):
 * the only ones that can be due or overdue.
 */
export function episodesWithOpenWindows(
  db: Db,
  scope: SiteScope,
  today: IsoDate,
  schedule: readonly TimePoint[],
  timepoint?: string,
) {
  const windows = statusWindows(treatmentDayBounds(today, schedule), OPEN_STATUSES, timepoint);
  return episodesForFollowUp(db, scope, {}, { windows });
}

/** A cohort's CONSORT-style follow-up flow on `today`, counted in the database. */
export async function followUpFlowOf(
  db: Db,
  scope: SiteScope,
  cohort: CohortFilter,
  today: IsoDate,
  schedule: readonly TimePoint[],
) {
  const { enrolled, counts } = await followUpFlowCounts(
    db,
    scope,
    cohort,
    treatmentDayBounds(today, schedule),
  );
  return flowFromCounts(schedule, enrolled, counts);
}

/**
 * The first `limit` rows of the worklist with a status in `wanted` (at `timepoint`, if given),
 * in patient order, and how many there are in all. Only the joints that have such a row are
 * read, a page at a time, and the total is counted from the counts kept per treatment day and
 * masks; the joints of patients who are not active, whose rows core decides, are read whole.
 */
export async function worklistPage(
  db: Db,
  scope: SiteScope,
  today: IsoDate,
  schedule: readonly TimePoint[],
  wanted: readonly FollowUpStatus[],
  { limit, timepoint }: { limit: number; timepoint?: string },
): Promise<{ rows: WorklistRow[]; total: number }> {
  const windows = statusWindows(treatmentDayBounds(today, schedule), wanted, timepoint);
  const keep = (status: FollowUpStatus, tp: string) =>
    wanted.includes(status) && (!timepoint || tp === timepoint);
  // A patient no longer followed up has rows other than completed ones only as core says.
  const notOnlyCompleted = wanted.some((s) => s !== 'completed');
  const counted = await statusWindowRows(db, scope, windows);
  // Walk the patients in order when a page is met early: after about
  // `limit` × joints ÷ joints in the windows patients.
  const walk = limit * counted.joints <= WALK_AT_MOST * counted.inWindows;
  const rows: WorklistRow[] = [];
  let after: { registryId: string; episodeId: string } | undefined;
  while (rows.length < limit) {
    const selection = {
      windows,
      ended: notOnlyCompleted,
      limit,
      ...(after ? { after } : {}),
    };
    const page = walk
      ? await inPatientOrder(db, (q) => episodesForFollowUp(q, scope, {}, selection))
      : await episodesForFollowUp(db, scope, {}, selection);
    rows.push(...worklist(page, today, schedule, keep));
    const last = page.at(-1);
    if (page.length < limit || !last) break;
    after = { registryId: last.registryId, episodeId: last.episodeId };
  }
  let total = counted.rows;
  if (notOnlyCompleted) {
    const ended = await episodesForFollowUp(db, scope, {}, { ended: true });
    total += worklist(ended, today, schedule, (s, tp) => s !== 'completed' && keep(s, tp)).length;
  }
  return { rows: rows.slice(0, limit), total };
}

/** The site's follow-up worklist (filtered) and its CONSORT-style flow, as of today. */
export async function followUpOverview(ctx: AppContext, actor: UserActor, query: unknown) {
  requireRole(actor, ALL_ROLES);
  const filter = parseInput(worklistQuery, query);
  const today = toIsoDate(ctx.now());
  const scope = scopeOf(actor);
  const schedule = await scheduleFor(ctx.db, scope);
  // Kept per registry version; the date and the site's windows are part of the key, since
  // statuses move with the calendar and an admin may change the windows.
  const overview = await ctx.views.get(
    ctx.db,
    {
      name: 'follow-up',
      siteId: scope.siteId,
      params: { filter, today, schedule },
      userId: actor.user.id,
    },
    async () => {
      const wanted = filter.status ? [filter.status] : OPEN_STATUSES;
      const { rows, total } = await worklistPage(ctx.db, scope, today, schedule, wanted, {
        limit: filter.rows ?? WORKLIST_ROWS_MAX,
        ...(filter.timepoint ? { timepoint: filter.timepoint } : {}),
      });
      return {
        today,
        // A registry of many joints has tens of thousands of missed or completed time points:
        // the page lists the first rows and says how many there are.
        worklist: rows,
        worklistTotal: total,
        flow: await followUpFlowOf(ctx.db, scope, {}, today, schedule),
      };
    },
  );
  // Every look at the worklist is audited, kept or not.
  await auditUser(ctx.db, actor, 'read-aggregate', 'follow-up-worklist', null, null);
  return overview;
}

/** The dead-letter list: survey e-mails that failed every attempt, for the clinic to follow up by hand. */
export async function undeliveredEmails(ctx: AppContext, actor: UserActor) {
  requireRole(actor, CLINICAL_ROLES);
  const dead = await listDeadJobs(ctx.db, scopeOf(actor));
  return {
    undelivered: dead.map((j) => ({
      id: j.id,
      kind: j.kind,
      assignmentId: typeof j.payload.assignmentId === 'string' ? j.payload.assignmentId : null,
      message: typeof j.payload.message === 'string' ? j.payload.message : null,
      attempts: j.attempts,
      lastError: j.lastError,
    })),
  };
}
