import { researcherSeriousRows } from '../../core/analytics/researcher-record.ts';
import {
  productSafety,
  RELATEDNESS_COUNTED_AS_RELATED,
  seriousEventRows,
} from '../../core/analytics/safety.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { toIsoDate } from '../../core/registry/dates.ts';
import { adverseEventSchema } from '../../core/registry/schemas.ts';
import { parseInput } from '../../core/validation.ts';
import {
  insertAdverseEvent,
  productEventCounts,
  seriousEvents,
} from '../../store/adverse-events.repo.ts';
import type { CohortFilter } from '../../store/analytics.repo.ts';
import type { Queryable } from '../../store/db.ts';
import { findEpisode } from '../../store/patients.repo.ts';
import { cohortOf } from '../analytics/cohort.ts';
import {
  ALL_ROLES,
  type AppContext,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';
import { auditUser } from './patients.ts';

/** Records an adverse event after one of the joint's treatments, with its audit row. */
export async function recordAdverseEvent(
  ctx: AppContext,
  actor: UserActor,
  episodeId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const input = parseInput(adverseEventSchema, body);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const episode = await findEpisode(tx, scope, episodeId);
    if (!episode) throw notFound('Joint episode');
    const [treatment] = await tx.query<{ treatmentDate: string }>(
      `select treatment_date as "treatmentDate" from treatments
       where site_id = $1 and episode_id = $2 and id = $3`,
      [scope.siteId, episodeId, input.treatmentId],
    );
    if (!treatment)
      throw invalid('That treatment is not one of this joint’s', [
        { field: 'treatmentId', message: 'Choose a treatment of this joint' },
      ]);
    if (input.onsetDate < treatment.treatmentDate)
      throw invalid('The event starts before the treatment', [
        { field: 'onsetDate', message: `Before the treatment on ${treatment.treatmentDate}` },
      ]);
    if (input.onsetDate > toIsoDate(ctx.now()))
      throw invalid('The onset date is in the future', [
        { field: 'onsetDate', message: 'Not after today' },
      ]);
    const event = await insertAdverseEvent(
      tx,
      scope,
      { patientId: episode.patientId, episodeId, recordedBy: actor.user.id },
      input,
    );
    await auditUser(tx, actor, 'create', 'adverse-event', event.id, episode.patientId, {
      grade: event.grade,
      serious: event.serious,
    });
    return event;
  });
}

/** Adverse-event rates per product among a cohort's treatments, with exact CIs, and serious events. */
export async function safetyReport(q: Queryable, siteId: string, cohort: CohortFilter) {
  const [counts, serious] = await Promise.all([
    productEventCounts(q, siteId, RELATEDNESS_COUNTED_AS_RELATED, cohort),
    seriousEvents(q, siteId, cohort),
  ]);
  const byProduct = productSafety(counts);
  const treatments = counts.reduce((sum, c) => sum + c.treatments, 0);
  return { cohort: { ...cohort, treatments }, byProduct, serious: seriousEventRows(serious) };
}

/** Adverse-event rates per product among the site's cohort, with exact CIs, and serious events. */
export async function siteSafety(ctx: AppContext, actor: UserActor, query: unknown = {}) {
  requireRole(actor, ALL_ROLES);
  const siteId = scopeOf(actor).siteId;
  const cohort = cohortOf(query);
  // Kept per registry version, as the other dashboard views are.
  const report = await ctx.views.get(
    ctx.db,
    { name: 'safety', siteId, params: cohort, userId: actor.user.id },
    () => safetyReport(ctx.db, siteId, cohort),
  );
  if (CLINICAL_ROLES.includes(actor.user.role)) return report;
  // Researchers: days after treatment instead of dates, and reviewed free text only.
  return { ...report, serious: researcherSeriousRows(report.serious) };
}
