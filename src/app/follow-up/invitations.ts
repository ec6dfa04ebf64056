import { defaultInstrumentsFor, instrumentsAt } from '../../core/instruments/library.ts';
import { addDays, toIsoDate } from '../../core/registry/dates.ts';
import { worklist } from '../../core/schedule/worklist.ts';
import { enqueueJob } from '../../store/jobs.repo.ts';
import type { AppContext } from '../context.ts';
import { episodesWithOpenWindows } from './followup.ts';
import { scheduleFor } from './schedule.ts';
import { createSurveyLink } from './surveys.ts';

export const AUTO_INVITE_JOB = 'auto-invite';

/**
 * The daily round: every treated joint whose time point is due or overdue, with no link
 * issued yet, gets one, and with it its invitation e-mail or text and reminders. Patients
 * reachable by neither (or who opted out of both) are left to the clinic's worklist.
 */
export async function autoInvite(ctx: AppContext): Promise<number> {
  if (!ctx.mail && !ctx.sms) return 0;
  const today = toIsoDate(ctx.now());
  const sites = await ctx.db.query<{ id: string }>('select id from sites order by id');
  let issued = 0;
  for (const site of sites) {
    const scope = { siteId: site.id };
    const reachable = new Set(
      (
        await ctx.db.query<{ patientId: string }>(
          `select i.patient_id as "patientId" from patient_identities i
           join patients p on p.id = i.patient_id and p.status = 'active'
           where i.site_id = $1
             and ((i.email is not null and i.email_opt_out_at is null and $2)
               or (i.mobile is not null and i.sms_consent = 'opted-in' and $3))`,
          [site.id, ctx.mail !== undefined, ctx.sms !== undefined],
        )
      ).map((r) => r.patientId),
    );
    const schedule = await scheduleFor(ctx.db, scope);
    const episodes = (await episodesWithOpenWindows(ctx.db, scope, today, schedule)).filter((e) =>
      reachable.has(e.patientId),
    );
    const byId = new Map(episodes.map((e) => [e.episodeId, e]));
    const open = (status: string) => status === 'due' || status === 'overdue';
    for (const row of worklist(episodes, today, schedule, open)) {
      if (row.invited) continue;
      const episode = byId.get(row.episodeId);
      const tp = schedule.find((t) => t.id === row.timepoint);
      if (!episode || !tp) continue;
      await createSurveyLink(ctx, scope, {
        patientId: row.patientId,
        episodeId: row.episodeId,
        treatmentDate: episode.treatmentDate,
        timepoint: tp,
        instruments: instrumentsAt(defaultInstrumentsFor(episode.joint), tp.id),
        createdBy: null,
      });
      issued++;
    }
  }
  return issued;
}

/** Queues the daily round for `day` (once per day, whichever process gets there first). */
export function queueAutoInvite(ctx: AppContext, day = toIsoDate(ctx.now())) {
  return enqueueJob(ctx.db, {
    kind: AUTO_INVITE_JOB,
    payload: { day },
    runAt: new Date(`${day}T06:00:00Z`),
    dedupeKey: `${AUTO_INVITE_JOB}:${day}`,
  });
}

/** Runs the round and queues the next day's. */
export function autoInviteHandler(ctx: AppContext) {
  return async (job: { payload: Record<string, unknown> }) => {
    await autoInvite(ctx);
    const day = typeof job.payload.day === 'string' ? job.payload.day : toIsoDate(ctx.now());
    await queueAutoInvite(ctx, addDays(day, 1));
  };
}
