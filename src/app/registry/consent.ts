import { conflict, invalid, notFound } from '../../core/errors.ts';
import {
  clinicEventSchema,
  patientStatusSchema,
  withdrawalSchema,
} from '../../core/registry/corrections.ts';
import { toIsoDate } from '../../core/registry/dates.ts';
import { parseInput } from '../../core/validation.ts';
import {
  cancelContact,
  erasePatient,
  insertClinicEvent,
  setPatientStatus,
} from '../../store/corrections.repo.ts';
import { findEpisode, findPatient } from '../../store/patients.repo.ts';
import {
  type AppContext,
  auditUser,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';

/**
 * A later event the clinic learned of: re-injection, joint replacement, return to activities
 * or work (on a joint), or death (of the patient: status deceased, every contact stopped).
 */
export async function recordClinicEvent(
  ctx: AppContext,
  actor: UserActor,
  patientId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const patient = await findPatient(tx, scope, patientId);
    if (!patient) throw notFound('Patient');
    const input = parseInput(clinicEventSchema, body);
    if (input.date > toIsoDate(ctx.now()))
      throw invalid('The date is in the future', [{ field: 'date', message: 'Not after today' }]);
    if (input.date < patient.dateOfBirth)
      throw invalid('The date is before birth', [{ field: 'date', message: 'Before birth' }]);
    if (input.kind === 'death') {
      if (patient.status === 'withdrawn')
        throw conflict('This patient withdrew consent: nothing more is recorded', 'kind');
      await setPatientStatus(tx, scope, patientId, 'deceased', input.date);
      const cancelled = await cancelContact(tx, scope, patientId);
      await auditUser(
        tx,
        actor,
        'record-event',
        'patient',
        patientId,
        patientId,
        { kind: 'death', cancelled },
        { date: input.date },
      );
      return { kind: 'death', status: 'deceased', cancelled };
    }
    if (!input.episodeId)
      throw invalid('Choose the treated joint', [
        { field: 'episodeId', message: 'Choose the treated joint' },
      ]);
    const episode = await findEpisode(tx, scope, input.episodeId);
    if (!episode || episode.patientId !== patientId)
      throw invalid('That joint is not one of this patient’s', [
        { field: 'episodeId', message: 'Choose one of this patient’s joints' },
      ]);
    const event = await insertClinicEvent(tx, scope, {
      patientId,
      episodeId: episode.id,
      kind: input.kind,
      date: input.date,
      at: ctx.now(),
    });
    await auditUser(
      tx,
      actor,
      'record-event',
      'patient_event',
      event.id,
      patientId,
      { kind: input.kind },
      { date: input.date },
    );
    return event;
  });
}

/** Sets a patient lost to follow-up (contact stops) or back to active, with the reason. */
export async function setStatus(
  ctx: AppContext,
  actor: UserActor,
  patientId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const patient = await findPatient(tx, scope, patientId);
    if (!patient) throw notFound('Patient');
    const input = parseInput(patientStatusSchema, body);
    if (patient.status === 'withdrawn')
      throw conflict('This patient withdrew consent: enrol them again with new consent', 'status');
    if (patient.status === input.status)
      throw invalid(`The status is already ${input.status}`, [
        { field: 'status', message: 'No change' },
      ]);
    const date = input.status === 'active' ? null : (input.date ?? toIsoDate(ctx.now()));
    await setPatientStatus(tx, scope, patientId, input.status, date);
    const cancelled =
      input.status === 'active'
        ? { links: 0, emails: 0 }
        : await cancelContact(tx, scope, patientId);
    await auditUser(tx, actor, 'set-status', 'patient', patientId, patientId, {
      reason: input.reason,
      fields: ['status'],
      changes: { status: { old: patient.status, new: input.status } },
      cancelled,
    });
    return { status: input.status, cancelled };
  });
}

/**
 * Consent withdrawn: every contact stops in this transaction (unsent e-mails and unanswered
 * links deleted). As the consent form allows, the data collected so far is kept (status
 * withdrawn), or the patient is erased (GDPR Art. 17): identity, contact details, answers
 * and free text leave every table; the audit log keeps that an erasure happened, when, by
 * whom and why, without identifying values. Erasure needs the registry id typed again.
 */
export async function withdrawConsent(
  ctx: AppContext,
  actor: UserActor,
  patientId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const patient = await findPatient(tx, scope, patientId);
    if (!patient) throw notFound('Patient');
    const input = parseInput(withdrawalSchema, body);
    const date = input.date ?? toIsoDate(ctx.now());
    if (date > toIsoDate(ctx.now()))
      throw invalid('The date is in the future', [{ field: 'date', message: 'Not after today' }]);
    if (input.data === 'erase' && input.confirm !== patient.registryId)
      throw invalid('Type the patient’s registry id to confirm the erasure', [
        {
          field: 'confirm',
          message: `Type ${patient.registryId} to confirm; an erasure cannot be undone`,
        },
      ]);
    const cancelled = await cancelContact(tx, scope, patientId);
    if (input.data === 'keep') {
      if (patient.status === 'withdrawn')
        throw conflict('This patient has already withdrawn consent', 'data');
      await setPatientStatus(tx, scope, patientId, 'withdrawn', date);
      await auditUser(tx, actor, 'withdraw-consent', 'patient', patientId, patientId, {
        reason: input.reason,
        data: 'keep',
        fields: ['status'],
        changes: { status: { old: patient.status, new: 'withdrawn' } },
        cancelled,
      });
      return { status: 'withdrawn', data: 'keep', cancelled };
    }
    const erased = await erasePatient(tx, scope, patientId);
    // No patient id on this row: nothing links it to the person. The entity id lets a
    // restore of an older backup erase the patient again (stemtrack restore).
    await auditUser(tx, actor, 'erase', 'patient', patientId, null, {
      reason: input.reason,
      withdrawnOn: date,
      cancelled,
      auditValuesDeleted: erased.auditValues,
    });
    return { status: 'erased', data: 'erase', cancelled };
  });
}
