import { z } from 'zod';
import { invalid } from '../errors.ts';
import { isIsoDate } from './dates.ts';
import { PATIENT_EVENT_KINDS } from './events.ts';
import { languageTagSchema } from './language.ts';
import {
  adverseEventSchema,
  enrolPatientFields,
  jointEpisodeSchema,
  treatmentSchema,
} from './schemas.ts';

/**
 * Corrections (issue 14): every recorded fact can be corrected, or removed as entered in
 * error, with a reason; the audit log keeps who, when, why and the old and new values
 * (21 CFR Part 11 §11.10(e): changes must not obscure what was recorded before).
 */

/** The longest reason kept: a sentence or two, not a letter. */
export const MAX_REASON_LENGTH = 500;

export const reasonSchema = z
  .string({ error: 'Give the reason for this change' })
  .trim()
  .min(1, 'Give the reason for this change')
  .max(MAX_REASON_LENGTH, `At most ${MAX_REASON_LENGTH} characters`);

const date = z
  .string({ error: 'Enter a date as YYYY-MM-DD' })
  .refine(isIsoDate, 'Enter a real date as YYYY-MM-DD');
/** An optional text a correction may also clear: '' or null clears it. */
const clearable = (max: number) =>
  z
    .union([z.null(), z.string().trim().max(max, `At most ${max} characters`)])
    .transform((v) => (v === '' ? null : v));

const patientShape = enrolPatientFields.shape;
export const patientCorrectionSchema = z
  .strictObject({
    registryId: patientShape.registryId.pipe(z.string({ error: 'Registry id cannot be empty' })),
    givenName: patientShape.givenName,
    familyName: patientShape.familyName,
    dateOfBirth: date,
    sex: patientShape.sex,
    email: z
      .union([
        z.null(),
        z.literal(''),
        z.email('Enter a valid email address').trim().toLowerCase().max(254),
      ])
      .transform((v) => (v === '' ? null : v)),
    phone: clearable(40),
    language: languageTagSchema,
    consentDate: date,
  })
  .partial()
  .extend({ reason: reasonSchema });

export const episodeCorrectionSchema = z
  .strictObject({ ...jointEpisodeSchema.shape, diagnosis: clearable(500) })
  .partial()
  .extend({ reason: reasonSchema });

export const treatmentCorrectionSchema = z
  .strictObject({ ...treatmentSchema.shape, notes: clearable(2000) })
  .partial()
  .extend({ reason: reasonSchema });

export const adverseEventCorrectionSchema = z
  .strictObject(adverseEventSchema.omit({ treatmentId: true }).shape)
  .partial()
  .extend({ reason: reasonSchema });

const clinicEventKinds = PATIENT_EVENT_KINDS.map((k) => k.code) as [string, ...string[]];
export const eventCorrectionSchema = z
  .strictObject({
    kind: z.enum(clinicEventKinds, { error: `Must be one of ${clinicEventKinds.join(', ')}` }),
    date,
  })
  .partial()
  .extend({ reason: reasonSchema });

export const responseCorrectionSchema = z.strictObject({
  /** Only the items that change: item code → new value (null: not answered). */
  answers: z.record(z.string(), z.number().nullable(), {
    error: 'Give the corrected answers by item code',
  }),
  reason: reasonSchema,
});

export const enteredInErrorSchema = z.strictObject({ reason: reasonSchema });

/** Events a clinician records; death sets the patient's status and needs no joint. */
export const CLINIC_EVENT_KINDS = [...clinicEventKinds, 'death'] as const;
export const clinicEventSchema = z.strictObject({
  kind: z.enum(CLINIC_EVENT_KINDS, { error: `Must be one of ${CLINIC_EVENT_KINDS.join(', ')}` }),
  date,
  episodeId: z.uuid('Choose the treated joint').optional(),
});

/** Statuses a clinic sets by hand; death comes with its event, withdrawal with its own form. */
export const patientStatusSchema = z.strictObject({
  status: z.enum(['active', 'lost-to-follow-up'], {
    error: 'Status must be active or lost-to-follow-up',
  }),
  date: date.optional(),
  reason: reasonSchema,
});

export const withdrawalSchema = z.strictObject({
  /** keep: the consent form lets the clinic keep what was collected; erase: GDPR Art. 17. */
  data: z.enum(['keep', 'erase'], { error: 'Choose keep or erase' }),
  reason: reasonSchema,
  /** For an erasure, the patient's registry id typed again: an erasure cannot be undone. */
  confirm: z.string().trim().max(100).optional(),
  date: date.optional(),
});

export type CorrectedEntity =
  | 'patient'
  | 'joint_episode'
  | 'treatment'
  | 'adverse_event'
  | 'patient_event'
  | 'response';

/**
 * Fields whose values identify a person (names, dates, contact details, free text, answers):
 * their old and new values go to the audit log's personal part, which an erasure deletes.
 * Other fields (codes, grades, doses) are kept on the audit row itself.
 */
export const PERSONAL_FIELDS: Record<CorrectedEntity, readonly string[]> = {
  patient: [
    'registryId',
    'givenName',
    'familyName',
    'dateOfBirth',
    'email',
    'phone',
    'consentDate',
  ],
  joint_episode: ['diagnosis'],
  treatment: ['treatmentDate', 'notes'],
  adverse_event: ['onsetDate', 'description'],
  patient_event: ['date'],
  response: ['answers', 'scores'],
};

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

/** The fields a correction really changes (a value given equal to the recorded one is no change). */
export function changedFields(before: object, changes: object): FieldChange[] {
  const recorded = before as Readonly<Record<string, unknown>>;
  return Object.entries(changes)
    .filter(([field, value]) => field !== 'reason' && value !== undefined)
    .map(([field, value]) => ({ field, old: recorded[field] ?? null, new: value as unknown }))
    .filter((c) => JSON.stringify(c.old) !== JSON.stringify(c.new));
}

/** Refuses a correction that changes nothing, naming what could change. */
export function requireChanges(changes: FieldChange[], fields: readonly string[]): FieldChange[] {
  if (changes.length === 0)
    throw invalid('This correction changes nothing: give at least one new value', [
      { field: '(body)', message: `Change one of ${fields.join(', ')}` },
    ]);
  return changes;
}

/** Splits a correction into the audit row's detail and its personal part. */
export function auditParts(
  entity: CorrectedEntity,
  changes: readonly FieldChange[],
  reason: string,
): { detail: Record<string, unknown>; personal?: Record<string, unknown> } {
  const personalFields = new Set(PERSONAL_FIELDS[entity]);
  const kept: Record<string, { old: unknown; new: unknown }> = {};
  const personal: Record<string, { old: unknown; new: unknown }> = {};
  for (const c of changes)
    (personalFields.has(c.field) ? personal : kept)[c.field] = { old: c.old, new: c.new };
  return {
    detail: { reason, fields: changes.map((c) => c.field), changes: kept },
    ...(Object.keys(personal).length > 0 ? { personal } : {}),
  };
}

/** The part of a removed record the audit row keeps, and the part kept apart. */
export function removedParts(
  entity: CorrectedEntity,
  record: Readonly<Record<string, unknown>>,
  reason: string,
): { detail: Record<string, unknown>; personal?: Record<string, unknown> } {
  const personalFields = new Set(PERSONAL_FIELDS[entity]);
  const kept: Record<string, unknown> = {};
  const personal: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    if (field === 'id' || field === 'createdAt') continue;
    (personalFields.has(field) ? personal : kept)[field] = value;
  }
  return {
    detail: { reason, removed: kept },
    ...(Object.keys(personal).length > 0 ? { personal: { removed: personal } } : {}),
  };
}
