import { z } from 'zod';
import { toIsoDate } from '../../core/registry/dates.ts';
import { TIMEPOINT_IDS } from '../../core/schedule/timepoints.ts';
import { followUpFlow, worklist } from '../../core/schedule/worklist.ts';
import { parseInput } from '../../core/validation.ts';
import { appendAudit } from '../../store/audit.repo.ts';
import { episodesForFollowUp } from '../../store/followup.repo.ts';
import { listDeadJobs } from '../../store/jobs.repo.ts';
import {
  ALL_ROLES,
  type AppContext,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';
import { scheduleFor } from './schedule.ts';

const worklistQuery = z.strictObject({
  status: z.enum(['upcoming', 'due', 'overdue', 'completed', 'missed', 'ended']).optional(),
  timepoint: z.enum(TIMEPOINT_IDS).optional(),
});

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
      const episodes = await episodesForFollowUp(ctx.db, scope);
      const rows = worklist(
        episodes,
        today,
        schedule,
        (status, timepoint) =>
          (filter.status ? status === filter.status : status === 'due' || status === 'overdue') &&
          (!filter.timepoint || timepoint === filter.timepoint),
      );
      return { today, worklist: rows, flow: followUpFlow(episodes, today, schedule) };
    },
  );
  // Every look at the worklist is audited, kept or not.
  await appendAudit(ctx.db, {
    siteId: actor.user.siteId,
    actorKind: 'user',
    actorUserId: actor.user.id,
    action: 'read-aggregate',
    entity: 'follow-up-worklist',
    entityId: null,
    patientId: null,
  });
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
