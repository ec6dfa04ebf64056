import { conflict, type FieldProblem, invalid, notFound } from '../../core/errors.ts';
import { instrumentById } from '../../core/instruments/library.ts';
import { checkAnswers, scoreResponse } from '../../core/instruments/scoring.ts';
import {
  type Characterisation,
  compactCharacterisation,
  productDose,
} from '../../core/registry/characterisation.ts';
import {
  adverseEventCorrectionSchema,
  auditParts,
  type CorrectedEntity,
  changedFields,
  enteredInErrorSchema,
  episodeCorrectionSchema,
  eventCorrectionSchema,
  patientCorrectionSchema,
  removedParts,
  requireChanges,
  responseCorrectionSchema,
  treatmentCorrectionSchema,
} from '../../core/registry/corrections.ts';
import { checkTreatment, enforceOnSave, findingKey } from '../../core/registry/data-quality.ts';
import { addDays, type IsoDate, toIsoDate } from '../../core/registry/dates.ts';
import { followUpWindow } from '../../core/schedule/timepoints.ts';
import { parseInput } from '../../core/validation.ts';
import {
  deleteRow,
  dependents,
  findAdverseEvent,
  findPatientEvent,
  findResponse,
  findTreatment,
  moveAssignmentWindow,
  openAssignments,
  patientHistory,
  replaceResponse,
  updateFields,
} from '../../store/corrections.repo.ts';
import type { Queryable } from '../../store/db.ts';
import { findEpisode, findPatient, firstTreatmentOf } from '../../store/patients.repo.ts';
import { isUniqueViolation, type SiteScope } from '../../store/scope.ts';
import {
  ALL_ROLES,
  type AppContext,
  auditUser,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';
import { scheduleFor } from '../follow-up/schedule.ts';
import { LINK_GRACE_DAYS } from '../follow-up/surveys.ts';

/** A treatment may be planned up to a year ahead (as when it is first recorded). */
const PLANNING_HORIZON_DAYS = 365;

function refuse(problems: FieldProblem[]) {
  if (problems.length > 0)
    throw invalid(`Please correct: ${problems.map((p) => p.field).join(', ')}`, problems);
}

function auditCorrection(
  q: Queryable,
  actor: UserActor,
  entity: CorrectedEntity,
  entityId: string,
  patientId: string,
  parts: { detail: Record<string, unknown>; personal?: Record<string, unknown> },
  action = 'correct',
) {
  return auditUser(q, actor, action, entity, entityId, patientId, parts.detail, parts.personal);
}

/** Corrects a patient's details or identity (names, birth date, contact, sex, consent date). */
export async function correctPatient(
  ctx: AppContext,
  actor: UserActor,
  patientId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const scope = scopeOf(actor);
  try {
    return await ctx.db.transaction(async (tx) => {
      const patient = await findPatient(tx, scope, patientId);
      if (!patient) throw notFound('Patient');
      const { reason, ...given } = parseInput(patientCorrectionSchema, body);
      const [extra] = await tx.query<{ language: string }>(
        'select language from patient_identities where patient_id = $1',
        [patientId],
      );
      const before = { ...patient, language: extra?.language ?? 'en' };
      const changes = requireChanges(
        changedFields(before, given),
        Object.keys(patientCorrectionSchema.shape),
      );
      const after = { ...before, ...given };
      const today = toIsoDate(ctx.now());
      const problems: FieldProblem[] = [];
      if (after.dateOfBirth > today)
        problems.push({ field: 'dateOfBirth', message: 'Date of birth is in the future' });
      if (after.dateOfBirth < '1890-01-01')
        problems.push({ field: 'dateOfBirth', message: 'Date of birth is before 1890' });
      if (after.consentDate > today)
        problems.push({ field: 'consentDate', message: 'Consent date is in the future' });
      if (after.consentDate < after.dateOfBirth)
        problems.push({ field: 'consentDate', message: 'Consent date is before birth' });
      if (given.dateOfBirth) {
        const [first] = await tx.query<{ d: IsoDate | null }>(
          'select min(treatment_date) as d from treatments where site_id = $1 and patient_id = $2',
          [scope.siteId, patientId],
        );
        if (first?.d && first.d < given.dateOfBirth)
          problems.push({ field: 'dateOfBirth', message: `After the treatment on ${first.d}` });
      }
      refuse(problems);
      const fields = Object.fromEntries(changes.map((c) => [c.field, c.new]));
      if (given.dateOfBirth) fields.birthYear = Number(given.dateOfBirth.slice(0, 4));
      await updateFields(tx, 'patients', scope, patientId, fields);
      await updateFields(tx, 'patient_identities', scope, patientId, fields);
      await auditCorrection(
        tx,
        actor,
        'patient',
        patientId,
        patientId,
        auditParts('patient', changes, reason),
      );
      return { corrected: changes.map((c) => c.field) };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw invalid('This registry id is already used at your site', [
        { field: 'registryId', message: 'Already used at your site' },
      ]);
    throw error;
  }
}

/**
 * The common end of a simple correction: the changed fields written to their one table and the
 * audit row with old and new values and the reason. Returns the fields corrected.
 */
async function applyCorrection(
  tx: Queryable,
  actor: UserActor,
  table: 'joint_episodes' | 'adverse_events' | 'patient_events',
  entity: CorrectedEntity,
  id: string,
  patientId: string,
  changes: Parameters<typeof auditParts>[1],
  reason: string,
) {
  await updateFields(
    tx,
    table,
    scopeOf(actor),
    id,
    Object.fromEntries(changes.map((c) => [c.field, c.new])),
  );
  await auditCorrection(tx, actor, entity, id, patientId, auditParts(entity, changes, reason));
  return { corrected: changes.map((c) => c.field) };
}

/** Corrects a treated joint: joint, side, Kellgren–Lawrence grade, diagnosis. */
export async function correctEpisode(
  ctx: AppContext,
  actor: UserActor,
  episodeId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const episode = await findEpisode(tx, scope, episodeId);
    if (!episode) throw notFound('Joint episode');
    const { reason, ...given } = parseInput(episodeCorrectionSchema, body);
    const changes = requireChanges(changedFields(episode, given), [
      'joint',
      'side',
      'klGrade',
      'diagnosis',
    ]);
    return applyCorrection(
      tx,
      actor,
      'joint_episodes',
      'joint_episode',
      episodeId,
      episode.patientId,
      changes,
      reason,
    );
  });
}

export interface MovedWindow {
  assignmentId: string;
  timepoint: string;
  from: { target: IsoDate; opens: IsoDate; closes: IsoDate };
  to: { target: IsoDate; opens: IsoDate; closes: IsoDate };
}

/**
 * After the joint's first treatment date changed (or its first treatment was removed), moves
 * the windows of its unanswered survey links to count from the new date. Answered links keep
 * the window they were answered in. With no treatment left, unanswered links are withdrawn.
 */
async function followTreatmentDate(
  ctx: AppContext,
  tx: Queryable,
  scope: SiteScope,
  episodeId: string,
  before: IsoDate | undefined,
): Promise<{ moved: MovedWindow[]; withdrawnLinks: string[] }> {
  const first = await firstTreatmentOf(tx, scope, episodeId);
  if (first?.treatmentDate === before) return { moved: [], withdrawnLinks: [] };
  const open = await openAssignments(tx, scope, episodeId);
  if (!first) {
    const ids = open.map((a) => a.id);
    if (ids.length > 0) {
      await tx.query(
        `delete from jobs where status in ('pending', 'running') and payload->>'assignmentId' = any($1::text[])`,
        [ids],
      );
      await tx.query('delete from survey_assignments where site_id = $1 and id = any($2::uuid[])', [
        scope.siteId,
        ids,
      ]);
    }
    return { moved: [], withdrawnLinks: open.map((a) => a.timepoint) };
  }
  const schedule = await scheduleFor(tx, scope);
  const today = toIsoDate(ctx.now());
  const moved: MovedWindow[] = [];
  for (const a of open) {
    const tp = schedule.find((t) => t.id === a.timepoint);
    if (!tp) continue;
    const w = followUpWindow(first.treatmentDate, tp);
    // biome-ignore lint/complexity/useMathMinMax: ISO date strings, compared as text
    const lastDay = addDays(w.closes > today ? w.closes : today, LINK_GRACE_DAYS);
    await moveAssignmentWindow(tx, scope, a.id, {
      target: w.target,
      opens: w.opens,
      closes: w.closes,
      expiresAt: new Date(`${addDays(lastDay, 1)}T00:00:00Z`),
    });
    moved.push({
      assignmentId: a.id,
      timepoint: a.timepoint,
      from: { target: a.windowTarget, opens: a.windowOpens, closes: a.windowCloses },
      to: { target: w.target, opens: w.opens, closes: w.closes },
    });
  }
  return { moved, withdrawnLinks: [] };
}

/** Characterisation fields as the audit names them: `characterisation.productPlateletsK`. */
function prefixed(c: Characterisation | Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [`characterisation.${k}`, v]));
}

/** Corrects a treatment; a changed date moves the joint's unanswered follow-up windows. */
export async function correctTreatment(
  ctx: AppContext,
  actor: UserActor,
  treatmentId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const treatment = await findTreatment(tx, scope, treatmentId);
    if (!treatment) throw notFound('Treatment');
    const {
      reason,
      characterisation: givenProduct,
      confirmImplausible,
      ...given
    } = parseInput(treatmentCorrectionSchema, body);
    // The characterisation is corrected field by field: each one changed is audited on its own.
    const product = compactCharacterisation({
      ...treatment.characterisation,
      ...(givenProduct ?? {}),
    });
    const after = { ...treatment, ...given, characterisation: product };
    const dose = productDose(after.productClass, product, after.volumeMl);
    const changes = requireChanges(
      [
        ...changedFields(treatment, given),
        ...changedFields(
          prefixed(treatment.characterisation),
          prefixed(
            Object.fromEntries(Object.entries(givenProduct ?? {}).map(([k, v]) => [k, v ?? null])),
          ),
        ),
        ...changedFields(treatment, { plateletDoseBillions: dose }),
      ],
      Object.keys(treatmentCorrectionSchema.shape).filter((f) => f !== 'reason'),
    );
    // Impossible values are refused; implausible ones the record did not already hold need a confirmation.
    const before = new Set(checkTreatment(treatment).map(findingKey));
    const confirmed = enforceOnSave(
      checkTreatment(after).filter(
        (f) => f.severity === 'impossible' || !before.has(findingKey(f)),
      ),
      confirmImplausible === true,
    );
    if (given.treatmentDate && given.treatmentDate !== treatment.treatmentDate) {
      const patient = await findPatient(tx, scope, treatment.patientId);
      const problems: FieldProblem[] = [];
      if (patient && given.treatmentDate < patient.dateOfBirth)
        problems.push({ field: 'treatmentDate', message: 'Before the patient’s date of birth' });
      if (given.treatmentDate > addDays(toIsoDate(ctx.now()), PLANNING_HORIZON_DAYS))
        problems.push({ field: 'treatmentDate', message: 'More than a year in the future' });
      const [early] = await tx.query<{ onset: IsoDate }>(
        `select min(onset_date) as onset from adverse_events where site_id = $1 and treatment_id = $2`,
        [scope.siteId, treatmentId],
      );
      if (early?.onset && early.onset < given.treatmentDate)
        problems.push({
          field: 'treatmentDate',
          message: `After the adverse event that began on ${early.onset}`,
        });
      refuse(problems);
    }
    const firstBefore = (await firstTreatmentOf(tx, scope, treatment.episodeId))?.treatmentDate;
    const written: Record<string, unknown> = Object.fromEntries(
      changes.filter((c) => !c.field.startsWith('characterisation.')).map((c) => [c.field, c.new]),
    );
    if (changes.some((c) => c.field.startsWith('characterisation.')))
      written.characterisation = JSON.stringify(product);
    await updateFields(tx, 'treatments', scope, treatmentId, written);
    const follow = await followTreatmentDate(ctx, tx, scope, treatment.episodeId, firstBefore);
    const parts = auditParts('treatment', changes, reason);
    if (confirmed.length > 0) parts.detail.confirmedImplausible = confirmed.map((f) => f.field);
    parts.detail.movedWindows = follow.moved.map((m) => m.timepoint);
    await auditCorrection(tx, actor, 'treatment', treatmentId, treatment.patientId, parts);
    return { corrected: changes.map((c) => c.field), movedWindows: follow.moved };
  });
}

/** Corrects an adverse event: onset, description, grade, seriousness, relatedness. */
export async function correctAdverseEvent(
  ctx: AppContext,
  actor: UserActor,
  eventId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const event = await findAdverseEvent(tx, scope, eventId);
    if (!event) throw notFound('Adverse event');
    const { reason, ...given } = parseInput(adverseEventCorrectionSchema, body);
    const changes = requireChanges(changedFields(event, given), [
      'onsetDate',
      'description',
      'grade',
      'serious',
      'relatedness',
    ]);
    if (given.onsetDate) {
      const treatment = await findTreatment(tx, scope, event.treatmentId);
      const problems: FieldProblem[] = [];
      if (treatment && given.onsetDate < treatment.treatmentDate)
        problems.push({
          field: 'onsetDate',
          message: `Before the treatment on ${treatment.treatmentDate}`,
        });
      if (given.onsetDate > toIsoDate(ctx.now()))
        problems.push({ field: 'onsetDate', message: 'Not after today' });
      refuse(problems);
    }
    return applyCorrection(
      tx,
      actor,
      'adverse_events',
      'adverse_event',
      eventId,
      event.patientId,
      changes,
      reason,
    );
  });
}

/** Corrects a later event (re-injection, joint replacement, return to activities or work). */
export async function correctPatientEvent(
  ctx: AppContext,
  actor: UserActor,
  eventId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const event = await findPatientEvent(tx, scope, eventId);
    if (!event) throw notFound('Event');
    const { reason, ...given } = parseInput(eventCorrectionSchema, body);
    const changes = requireChanges(changedFields(event, given), ['kind', 'date']);
    if (given.date && given.date > toIsoDate(ctx.now()))
      refuse([{ field: 'date', message: 'This date is in the future' }]);
    return applyCorrection(
      tx,
      actor,
      'patient_events',
      'patient_event',
      eventId,
      event.patientId,
      changes,
      reason,
    );
  });
}

/** Corrects some answers of a questionnaire and rescores it with the same scoring engine. */
export async function correctResponse(
  ctx: AppContext,
  actor: UserActor,
  responseId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const response = await findResponse(tx, scope, responseId);
    if (!response) throw notFound('Questionnaire response');
    const { reason, answers: given } = parseInput(responseCorrectionSchema, body);
    const definition = instrumentById(response.instrumentId);
    refuse(checkAnswers(definition, given));
    const changes = requireChanges(
      Object.entries(given)
        .map(([code, value]) => ({ field: code, old: response.answers[code] ?? null, new: value }))
        .filter((c) => c.old !== c.new),
      ['answers'],
    );
    const answers = { ...response.answers, ...given };
    const scores = scoreResponse(definition, answers);
    await replaceResponse(tx, scope, response, answers, scores);
    await auditCorrection(tx, actor, 'response', responseId, response.patientId, {
      detail: {
        reason,
        instrumentId: response.instrumentId,
        timepoint: response.timepoint,
        fields: changes.map((c) => `answers.${c.field}`),
      },
      personal: {
        answers: Object.fromEntries(changes.map((c) => [c.field, { old: c.old, new: c.new }])),
        scores: { old: response.scores, new: scores },
      },
    });
    return { corrected: changes.map((c) => `answers.${c.field}`), scores };
  });
}

type Removable = 'joint_episode' | 'treatment' | 'adverse_event' | 'patient_event' | 'response';

/**
 * Removes a record entered in error. The row is deleted, so it leaves every analysis, export,
 * follow-up list and dashboard at once (their queries need no filter to forget); the audit row
 * keeps the removed values (identifying ones apart) and the reason, and the history shows it.
 * A joint with treatments or answers, or a treatment with adverse events, is refused: remove
 * or correct those first, so nothing disappears unseen.
 */
export function enteredInError(entity: Removable) {
  return async (ctx: AppContext, actor: UserActor, id: string, body: unknown) => {
    requireRole(actor, CLINICAL_ROLES);
    const scope = scopeOf(actor);
    return ctx.db.transaction(async (tx) => {
      const record = await findRemovable(tx, scope, entity, id);
      if (!record) throw notFound(WHAT[entity]);
      const { reason } = parseInput(enteredInErrorSchema, body);
      let follow: Awaited<ReturnType<typeof followTreatmentDate>> = {
        moved: [],
        withdrawnLinks: [],
      };
      if (entity === 'joint_episode') {
        const d = await dependents(tx, scope, { episodeId: id });
        if (d.treatments + d.responses + d.adverseEvents + d.events > 0)
          throw conflict(
            `This joint still has ${d.treatments} treatment(s), ${d.responses} answered questionnaire(s), ${d.adverseEvents} adverse event(s) and ${d.events} later event(s): remove those first, or correct the joint instead`,
            'reason',
          );
        await tx.query(
          `delete from jobs where status in ('pending', 'running') and payload->>'assignmentId' in (
             select id::text from survey_assignments where site_id = $1 and episode_id = $2)`,
          [scope.siteId, id],
        );
      }
      if (entity === 'treatment') {
        const d = await dependents(tx, scope, { treatmentId: id });
        if (d.adverseEvents > 0)
          throw conflict(
            `${d.adverseEvents} adverse event(s) followed this treatment: remove or correct them first`,
            'reason',
          );
      }
      const episodeId = String(record.episodeId ?? '');
      const firstBefore =
        entity === 'treatment'
          ? (await firstTreatmentOf(tx, scope, episodeId))?.treatmentDate
          : undefined;
      await deleteRow(tx, TABLE[entity], scope, id);
      if (entity === 'treatment')
        follow = await followTreatmentDate(ctx, tx, scope, episodeId, firstBefore);
      const parts = removedParts(entity, record, reason);
      if (follow.moved.length > 0) parts.detail.movedWindows = follow.moved.map((m) => m.timepoint);
      if (follow.withdrawnLinks.length > 0) parts.detail.withdrawnLinks = follow.withdrawnLinks;
      await auditCorrection(
        tx,
        actor,
        entity,
        id,
        String(record.patientId),
        parts,
        'entered-in-error',
      );
      return { removed: entity, id, ...follow };
    });
  };
}

const WHAT: Record<Removable, string> = {
  joint_episode: 'Joint episode',
  treatment: 'Treatment',
  adverse_event: 'Adverse event',
  patient_event: 'Event',
  response: 'Questionnaire response',
};
const TABLE = {
  joint_episode: 'joint_episodes',
  treatment: 'treatments',
  adverse_event: 'adverse_events',
  patient_event: 'patient_events',
  response: 'responses',
} as const;

async function findRemovable(
  q: Queryable,
  scope: SiteScope,
  entity: Removable,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  switch (entity) {
    case 'joint_episode': {
      const e = await findEpisode(q, scope, id);
      return e ? { ...e } : undefined;
    }
    case 'treatment':
      return findTreatment(q, scope, id) as Promise<Record<string, unknown> | undefined>;
    case 'adverse_event':
      return findAdverseEvent(q, scope, id) as Promise<Record<string, unknown> | undefined>;
    case 'patient_event':
      return findPatientEvent(q, scope, id) as Promise<Record<string, unknown> | undefined>;
    case 'response':
      return findResponse(q, scope, id) as Promise<Record<string, unknown> | undefined>;
  }
}

/**
 * A patient's record history, newest first: who changed what, when and why, with old and new
 * values. Identifying values (names, dates, free text, answers) only for clinical roles.
 */
export async function patientHistoryFor(ctx: AppContext, actor: UserActor, patientId: string) {
  requireRole(actor, ALL_ROLES);
  const scope = scopeOf(actor);
  if (!(await findPatient(ctx.db, scope, patientId))) throw notFound('Patient');
  const identify = CLINICAL_ROLES.includes(actor.user.role);
  const rows = await patientHistory(ctx.db, scope, patientId, identify);
  await auditUser(ctx.db, actor, 'read', 'patient_history', patientId, patientId);
  return {
    entries: rows.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      entity: r.entity,
      entityId: r.entityId,
      by: r.byName,
      reason: typeof r.detail?.reason === 'string' ? r.detail.reason : null,
      detail: r.detail,
      ...(identify && r.personal ? { personal: JSON.parse(r.personal) as unknown } : {}),
    })),
  };
}
