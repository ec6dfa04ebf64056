import {
  productSafety,
  RELATEDNESS_COUNTED_AS_RELATED,
  seriousEventRows,
} from '../core/analytics/safety.ts';
import { invalid, notFound } from '../core/errors.ts';
import { toIsoDate } from '../core/registry/dates.ts';
import { adverseEventSchema } from '../core/registry/schemas.ts';
import { parseInput } from '../core/validation.ts';
import {
  insertAdverseEvent,
  productEventCounts,
  seriousEvents,
} from '../store/adverse-events.repo.ts';
import { findEpisode } from '../store/patients.repo.ts';
import {
  ALL_ROLES,
  type AppContext,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from './context.ts';
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

/** Adverse-event rates per product at the caller's site, with exact CIs, and serious events. */
export async function siteSafety(ctx: AppContext, actor: UserActor) {
  requireRole(actor, ALL_ROLES);
  const siteId = scopeOf(actor).siteId;
  const [counts, serious] = await Promise.all([
    productEventCounts(ctx.db, siteId, RELATEDNESS_COUNTED_AS_RELATED),
    seriousEvents(ctx.db, siteId),
  ]);
  return { byProduct: productSafety(counts), serious: seriousEventRows(serious) };
}
