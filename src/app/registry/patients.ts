import { z } from 'zod';
import { studyIdFor } from '../../core/analytics/export.ts';
import { researcherRecord } from '../../core/analytics/researcher-record.ts';
import { forbidden, invalid, notFound } from '../../core/errors.ts';
import { compactCharacterisation, productDose } from '../../core/registry/characterisation.ts';
import { checkTreatment, enforceOnSave } from '../../core/registry/data-quality.ts';
import { addDays, toIsoDate } from '../../core/registry/dates.ts';
import {
  enrolPatientSchema,
  jointEpisodeSchema,
  treatmentSchema,
} from '../../core/registry/schemas.ts';
import { parseInput } from '../../core/validation.ts';
import { listAdverseEvents } from '../../store/adverse-events.repo.ts';
import {
  countPatients,
  findEpisode,
  findPatient,
  insertEpisode,
  insertPatient,
  insertTreatment,
  listEpisodes,
  listPatients,
  listTreatments,
  markTextReviewed,
  REVIEWED_TEXTS,
} from '../../store/patients.repo.ts';
import { isUniqueViolation } from '../../store/scope.ts';
import { pseudonymKeyOf } from '../../store/sites.repo.ts';
import { listAssignments, listPatientEvents, listResponses } from '../../store/surveys.repo.ts';
import {
  ALL_ROLES,
  type AppContext,
  auditUser,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';

/** Direct identifiers are only for roles that care for patients; researchers see the record without them. */
function mayIdentify(actor: UserActor): boolean {
  return CLINICAL_ROLES.includes(actor.user.role);
}

export async function enrolPatient(ctx: AppContext, actor: UserActor, body: unknown) {
  requireRole(actor, CLINICAL_ROLES);
  const input = parseInput(enrolPatientSchema, body);
  const today = toIsoDate(ctx.now());
  const problems = [];
  if (input.dateOfBirth > today)
    problems.push({ field: 'dateOfBirth', message: 'Date of birth is in the future' });
  if (input.dateOfBirth < '1890-01-01')
    problems.push({ field: 'dateOfBirth', message: 'Date of birth is before 1890' });
  if (input.consentDate > today)
    problems.push({ field: 'consentDate', message: 'Consent date is in the future' });
  if (input.consentDate < input.dateOfBirth)
    problems.push({ field: 'consentDate', message: 'Consent date is before birth' });
  if (problems.length > 0)
    // In words, as parseInput words them: a CLI or API user reads this, not the field codes.
    throw invalid(`Please correct: ${problems.map((p) => p.message).join('; ')}`, problems);
  try {
    return await ctx.db.transaction(async (tx) => {
      const patient = await insertPatient(tx, scopeOf(actor), input, ctx.now());
      // The patient's answer about texts is consent: the log says which, never the number.
      await auditUser(
        tx,
        actor,
        'create',
        'patient',
        patient.id,
        patient.id,
        input.smsConsent && input.smsConsent !== 'none'
          ? { smsConsent: input.smsConsent }
          : undefined,
      );
      return patient;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw invalid('This registry id is already used at your site', [
        { field: 'registryId', message: 'Already used at your site' },
      ]);
    }
    throw error;
  }
}

export async function listPatientsFor(
  ctx: AppContext,
  actor: UserActor,
  query: { search?: string; limit?: number; offset?: number },
) {
  requireRole(actor, ALL_ROLES);
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const offset = Math.max(query.offset ?? 0, 0);
  const scope = scopeOf(actor);
  const identify = mayIdentify(actor);
  const search = query.search?.trim() ? query.search.trim().slice(0, 100) : undefined;
  // Researchers may not search by name: a name search is itself identifying. Refused, not
  // ignored, so nobody takes an unfiltered list for a search result.
  if (search && !identify)
    throw forbidden(
      'Researchers cannot search patients by name or registry id; the list shows study ids',
    );
  const rows = await listPatients(ctx.db, scope, {
    ...(search ? { search } : {}),
    limit,
    offset,
  });
  const total = await countPatients(ctx.db, scope);
  await auditUser(ctx.db, actor, 'list', 'patient', null, null, {
    count: rows.length,
    offset,
    search: Boolean(search),
  });
  if (identify) return { total, patients: rows };
  // Researchers: the study id of the export, no registry id and no dates.
  const key = await pseudonymKeyOf(ctx.db, scope.siteId);
  return {
    total,
    deidentified: true,
    patients: rows.map((r) => ({
      id: r.id,
      studyId: studyIdFor(key, r.id),
      sex: r.sex,
      episodes: r.episodes,
      responses: r.responses,
    })),
  };
}

export async function patientRecord(ctx: AppContext, actor: UserActor, patientId: string) {
  requireRole(actor, ALL_ROLES);
  const scope = scopeOf(actor);
  const patient = await findPatient(ctx.db, scope, patientId);
  if (!patient) throw notFound('Patient');
  const [episodes, treatments, surveys, responses, events, adverseEvents] = await Promise.all([
    listEpisodes(ctx.db, scope, patientId),
    listTreatments(ctx.db, scope, patientId),
    listAssignments(ctx.db, scope, patientId),
    listResponses(ctx.db, scope, patientId),
    listPatientEvents(ctx.db, scope, patientId),
    listAdverseEvents(ctx.db, scope, patientId),
  ]);
  await auditUser(ctx.db, actor, 'read', 'patient', patientId, patientId);
  const full = {
    patient,
    episodes,
    treatments,
    surveys: surveys.map(({ draft: _draft, ...s }) => ({
      ...s,
      status: s.completedAt
        ? 'completed'
        : s.expiresAt <= ctx.now()
          ? 'expired'
          : s.draftSavedAt
            ? 'started'
            : 'sent',
    })),
    responses,
    events,
    adverseEvents,
  };
  if (mayIdentify(actor)) return full;
  return researcherRecord(full, await pseudonymKeyOf(ctx.db, scope.siteId));
}

export async function addEpisode(
  ctx: AppContext,
  actor: UserActor,
  patientId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const input = parseInput(jointEpisodeSchema, body);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    if (!(await findPatient(tx, scope, patientId))) throw notFound('Patient');
    const episode = await insertEpisode(tx, scope, patientId, input);
    await auditUser(tx, actor, 'create', 'joint_episode', episode.id, patientId);
    return episode;
  });
}

/** A treatment may be planned up to a year ahead; further is almost surely a typing error. */
const PLANNING_HORIZON_DAYS = 365;

export async function addTreatment(
  ctx: AppContext,
  actor: UserActor,
  episodeId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const input = parseInput(treatmentSchema, body);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const episode = await findEpisode(tx, scope, episodeId);
    if (!episode) throw notFound('Joint episode');
    const patient = await findPatient(tx, scope, episode.patientId);
    if (!patient) throw notFound('Patient');
    if (input.treatmentDate < patient.dateOfBirth) {
      throw invalid('Treatment date is before birth', [
        { field: 'treatmentDate', message: 'Before the patient’s date of birth' },
      ]);
    }
    if (input.treatmentDate > addDays(toIsoDate(ctx.now()), PLANNING_HORIZON_DAYS)) {
      throw invalid('Treatment date is more than a year ahead', [
        { field: 'treatmentDate', message: 'More than a year in the future' },
      ]);
    }
    const characterisation = compactCharacterisation(input.characterisation ?? {});
    const confirmed = enforceOnSave(
      checkTreatment({ ...input, characterisation }),
      input.confirmImplausible === true,
    );
    const treatment = await insertTreatment(tx, scope, episode, input, {
      characterisation,
      plateletDoseBillions: productDose(input.productClass, characterisation, input.volumeMl),
    });
    await auditUser(
      tx,
      actor,
      'create',
      'treatment',
      treatment.id,
      episode.patientId,
      confirmed.length > 0 ? { confirmedImplausible: confirmed.map((f) => f.field) } : undefined,
    );
    return treatment;
  });
}

export { auditUser };

const textReviewSchema = z.strictObject({
  kind: z.enum(REVIEWED_TEXTS, {
    error:
      'Say which text was reviewed: the diagnosis, treatment notes or an adverse-event description',
  }),
  id: z.uuid({ error: 'The record id is not valid' }),
});

/**
 * A clinician marks a free text as read and free of identifying details, so researchers may
 * see it (until it is corrected). Audited.
 */
export async function markFreeTextReviewed(ctx: AppContext, actor: UserActor, body: unknown) {
  requireRole(actor, CLINICAL_ROLES);
  const { kind, id } = parseInput(textReviewSchema, body);
  return ctx.db.transaction(async (tx) => {
    const marked = await markTextReviewed(tx, scopeOf(actor), kind, id);
    if (!marked) throw notFound('Record');
    await auditUser(tx, actor, 'review-free-text', kind, id, marked.patientId);
    return { kind, id, reviewed: true };
  });
}
