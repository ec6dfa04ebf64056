import type { Answers, Scores } from '../core/instruments/scoring.ts';
import type { Characterisation } from '../core/registry/characterisation.ts';
import type { IsoDate } from '../core/registry/dates.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

/** Tables a correction may change, with the columns each field maps to (never user input). */
const COLUMNS = {
  patients: {
    registryId: 'registry_id',
    sex: 'sex',
    consentDate: 'consent_date',
    birthYear: 'birth_year',
  },
  patient_identities: {
    givenName: 'given_name',
    familyName: 'family_name',
    dateOfBirth: 'date_of_birth',
    email: 'email',
    phone: 'phone',
    language: 'language',
  },
  joint_episodes: { joint: 'joint', side: 'side', klGrade: 'kl_grade', diagnosis: 'diagnosis' },
  treatments: {
    treatmentDate: 'treatment_date',
    productClass: 'product_class',
    cellDoseMillions: 'cell_dose_millions',
    bmi: 'bmi',
    volumeMl: 'volume_ml',
    imageGuidance: 'image_guidance',
    notes: 'notes',
    characterisation: 'characterisation',
    plateletDoseBillions: 'platelet_dose_billions',
  },
  adverse_events: {
    onsetDate: 'onset_date',
    description: 'description',
    grade: 'grade',
    serious: 'serious',
    relatedness: 'relatedness',
  },
  patient_events: { kind: 'kind', date: 'event_date' },
} as const;
export type CorrectableTable = keyof typeof COLUMNS;

/** Free text a clinician has marked free of identifying details (migration 0018): new text is unreviewed. */
const REVIEW_FLAGS: Readonly<Record<string, string>> = {
  diagnosis: 'diagnosis_reviewed',
  notes: 'notes_reviewed',
  description: 'description_reviewed',
};

/**
 * Sets the given fields of one row of `table` at the caller's site. Fields not in the
 * table's column map are ignored (they belong to another table). Returns false if no row.
 */
export async function updateFields(
  q: Queryable,
  table: CorrectableTable,
  scope: SiteScope,
  id: string,
  fields: Readonly<Record<string, unknown>>,
): Promise<boolean> {
  const map: Record<string, string> = COLUMNS[table];
  const set = Object.entries(fields).filter(([field]) => field in map);
  if (set.length === 0) return true;
  const key = table === 'patient_identities' ? 'patient_id' : 'id';
  const assignments = set.map(([field], i) => `${map[field]} = $${i + 3}`);
  for (const [field] of set) {
    const flag = REVIEW_FLAGS[map[field] ?? ''];
    if (flag) assignments.push(`${flag} = false`);
  }
  const rows = await q.query(
    `update ${table} set ${assignments.join(', ')}
     where site_id = $1 and ${key} = $2 returning 1`,
    [scope.siteId, id, ...set.map(([, value]) => value)],
  );
  return rows.length === 1;
}

/** Deletes one row of a registry table at the caller's site (a record entered in error). */
export async function deleteRow(
  q: Queryable,
  table: 'joint_episodes' | 'treatments' | 'adverse_events' | 'patient_events' | 'responses',
  scope: SiteScope,
  id: string,
): Promise<boolean> {
  const rows = await q.query(`delete from ${table} where site_id = $1 and id = $2 returning 1`, [
    scope.siteId,
    id,
  ]);
  return rows.length === 1;
}

/** How many rows of each dependent table hang on a joint or a treatment. */
export async function dependents(
  q: Queryable,
  scope: SiteScope,
  target: { episodeId?: string; treatmentId?: string },
): Promise<{ treatments: number; responses: number; adverseEvents: number; events: number }> {
  const [row] = await q.query<{
    treatments: number;
    responses: number;
    adverseEvents: number;
    events: number;
  }>(
    `select (select count(*)::int from treatments where site_id = $1 and episode_id = $2) as treatments,
            (select count(*)::int from responses where site_id = $1 and episode_id = $2) as responses,
            (select count(*)::int from adverse_events where site_id = $1
               and (episode_id = $2 or treatment_id = $3)) as "adverseEvents",
            (select count(*)::int from patient_events where site_id = $1 and episode_id = $2) as events`,
    [scope.siteId, target.episodeId ?? null, target.treatmentId ?? null],
  );
  return row ?? { treatments: 0, responses: 0, adverseEvents: 0, events: 0 };
}

export interface TreatmentRow {
  id: string;
  patientId: string;
  episodeId: string;
  treatmentDate: IsoDate;
  productClass: string;
  cellDoseMillions: number | null;
  bmi: number | null;
  volumeMl: number;
  imageGuidance: string;
  notes: string | null;
  characterisation: Characterisation;
  plateletDoseBillions: number | null;
}

export async function findTreatment(
  q: Queryable,
  scope: SiteScope,
  id: string,
): Promise<TreatmentRow | undefined> {
  const [row] = await q.query<TreatmentRow>(
    `select id, patient_id as "patientId", episode_id as "episodeId", treatment_date as "treatmentDate",
            product_class as "productClass", cell_dose_millions as "cellDoseMillions", bmi,
            volume_ml as "volumeMl", image_guidance as "imageGuidance", notes, characterisation,
            platelet_dose_billions as "plateletDoseBillions"
     from treatments where site_id = $1 and id = $2`,
    [scope.siteId, id],
  );
  return row;
}

export interface AdverseEventRow {
  id: string;
  patientId: string;
  episodeId: string;
  treatmentId: string;
  onsetDate: IsoDate;
  description: string;
  grade: number;
  serious: boolean;
  relatedness: string;
}

export async function findAdverseEvent(
  q: Queryable,
  scope: SiteScope,
  id: string,
): Promise<AdverseEventRow | undefined> {
  const [row] = await q.query<AdverseEventRow>(
    `select id, patient_id as "patientId", episode_id as "episodeId", treatment_id as "treatmentId",
            onset_date as "onsetDate", description, grade, serious, relatedness
     from adverse_events where site_id = $1 and id = $2`,
    [scope.siteId, id],
  );
  return row;
}

export interface PatientEventRow {
  id: string;
  patientId: string;
  episodeId: string;
  kind: string;
  date: IsoDate;
  reportedVia: string;
}

export async function findPatientEvent(
  q: Queryable,
  scope: SiteScope,
  id: string,
): Promise<PatientEventRow | undefined> {
  const [row] = await q.query<PatientEventRow>(
    `select id, patient_id as "patientId", episode_id as "episodeId", kind, event_date as date,
            reported_via as "reportedVia"
     from patient_events where site_id = $1 and id = $2`,
    [scope.siteId, id],
  );
  return row;
}

export async function insertClinicEvent(
  q: Queryable,
  scope: SiteScope,
  e: { patientId: string; episodeId: string; kind: string; date: IsoDate; at: Date },
): Promise<PatientEventRow> {
  const [row] = await q.query<PatientEventRow>(
    `insert into patient_events (site_id, patient_id, episode_id, kind, event_date, reported_via, created_at)
     values ($1, $2, $3, $4, $5, 'clinician', $6)
     returning id, patient_id as "patientId", episode_id as "episodeId", kind, event_date as date,
               reported_via as "reportedVia"`,
    [scope.siteId, e.patientId, e.episodeId, e.kind, e.date, e.at],
  );
  if (!row) throw new Error('insert into patient_events returned no row');
  return row;
}

export interface ResponseRow {
  id: string;
  patientId: string;
  episodeId: string;
  instrumentId: string;
  timepoint: string;
  answers: Answers;
  scores: Scores;
}

export async function findResponse(
  q: Queryable,
  scope: SiteScope,
  id: string,
): Promise<ResponseRow | undefined> {
  const [row] = await q.query<ResponseRow>(
    `select r.id, r.patient_id as "patientId", r.episode_id as "episodeId",
            r.instrument_id as "instrumentId", r.timepoint, r.answers,
            coalesce((select jsonb_object_agg(s.scale, s.value) from response_scores s
                      where s.site_id = r.site_id and s.response_id = r.id), '{}'::jsonb) as scores
     from responses r where r.site_id = $1 and r.id = $2`,
    [scope.siteId, id],
  );
  return row;
}

/**
 * Replaces an answer set and its scores. The scores are deleted and inserted again, so the
 * triggers on response_scores rebuild the joint's outcome rows in this transaction.
 */
export async function replaceResponse(
  q: Queryable,
  scope: SiteScope,
  r: Pick<ResponseRow, 'id' | 'patientId' | 'instrumentId'>,
  answers: Answers,
  scores: Scores,
): Promise<void> {
  await q.query('update responses set answers = $3::jsonb where site_id = $1 and id = $2', [
    scope.siteId,
    r.id,
    JSON.stringify(answers),
  ]);
  await q.query('delete from response_scores where site_id = $1 and response_id = $2', [
    scope.siteId,
    r.id,
  ]);
  await q.query(
    `insert into response_scores (response_id, site_id, patient_id, instrument_id, scale, value)
     select $2, $1, $3, $4, s.key, (s.value #>> '{}')::double precision
     from jsonb_each($5::jsonb) as s`,
    [scope.siteId, r.id, r.patientId, r.instrumentId, JSON.stringify(scores)],
  );
}

export interface OpenAssignment {
  id: string;
  timepoint: string;
  windowTarget: IsoDate;
  windowOpens: IsoDate;
  windowCloses: IsoDate;
  expiresAt: Date;
}

/** The joint's survey links not yet answered. */
export function openAssignments(
  q: Queryable,
  scope: SiteScope,
  episodeId: string,
): Promise<OpenAssignment[]> {
  return q.query<OpenAssignment>(
    `select id, timepoint, window_target as "windowTarget", window_opens as "windowOpens",
            window_closes as "windowCloses", expires_at as "expiresAt"
     from survey_assignments where site_id = $1 and episode_id = $2 and completed_at is null
     order by window_target`,
    [scope.siteId, episodeId],
  );
}

export async function moveAssignmentWindow(
  q: Queryable,
  scope: SiteScope,
  id: string,
  w: { target: IsoDate; opens: IsoDate; closes: IsoDate; expiresAt: Date },
): Promise<void> {
  await q.query(
    `update survey_assignments set window_target = $3, window_opens = $4, window_closes = $5, expires_at = $6
     where site_id = $1 and id = $2 and completed_at is null`,
    [scope.siteId, id, w.target, w.opens, w.closes, w.expiresAt],
  );
}

/**
 * Stops every contact with a patient: unsent survey e-mails (pending or being retried) and
 * survey links not yet answered (with their drafts) are deleted. Answered links stay.
 */
export async function cancelContact(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<{ links: number; emails: number }> {
  const emails = await q.query(
    `delete from jobs where status in ('pending', 'running')
       and payload->>'assignmentId' in (
         select id::text from survey_assignments where site_id = $1 and patient_id = $2 and completed_at is null)
     returning 1`,
    [scope.siteId, patientId],
  );
  const links = await q.query(
    `delete from survey_assignments where site_id = $1 and patient_id = $2 and completed_at is null
     returning 1`,
    [scope.siteId, patientId],
  );
  return { links: links.length, emails: emails.length };
}

export async function setPatientStatus(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
  status: string,
  date: IsoDate | null,
): Promise<void> {
  await q.query(
    'update patients set status = $3, status_date = $4 where site_id = $1 and id = $2',
    [scope.siteId, patientId, status, date],
  );
}

/**
 * Erases a patient (GDPR Art. 17): every job that named one of their survey links, the
 * personal values of their audit rows, and the patient row, whose deletion cascades to
 * identity, joints, treatments, links with drafts, answers, scores, events and adverse
 * events. The audit rows themselves stay (append-only) and hold no identifying values.
 */
export async function erasePatient(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<{ auditValues: number; jobs: number }> {
  const jobs = await q.query(
    `delete from jobs where payload->>'assignmentId' in (
       select id::text from survey_assignments where site_id = $1 and patient_id = $2)
     returning 1`,
    [scope.siteId, patientId],
  );
  const values = await q.query(
    'delete from audit_personal_values where site_id = $1 and patient_id = $2 returning 1',
    [scope.siteId, patientId],
  );
  await q.query('delete from patients where site_id = $1 and id = $2', [scope.siteId, patientId]);
  return { auditValues: values.length, jobs: jobs.length };
}

/** Erasures the audit log records, oldest first, to re-apply after restoring an older backup. */
export function recordedErasures(
  q: Queryable,
): Promise<{ siteId: string; patientId: string; at: Date }[]> {
  return q.query(
    `select site_id as "siteId", entity_id as "patientId", at from audit_log
     where action = 'erase' and entity = 'patient' and entity_id is not null order by id`,
  );
}

export interface HistoryEntry {
  id: number;
  at: Date;
  action: string;
  entity: string;
  entityId: string | null;
  byUserId: string | null;
  byName: string | null;
  detail: Record<string, unknown> | null;
  personal: string | null;
}

/** Actions that change the record: the history a patient's page shows. */
export const HISTORY_ACTIONS = [
  'create',
  'correct',
  'entered-in-error',
  'record-event',
  'set-status',
  'withdraw-consent',
] as const;

export function patientHistory(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
  withPersonal: boolean,
): Promise<HistoryEntry[]> {
  return q.query<HistoryEntry>(
    `select a.id::int as id, a.at, a.action, a.entity, a.entity_id as "entityId",
            a.actor_user_id as "byUserId", u.name as "byName", a.detail,
            case when $4 then v.personal end as personal
     from audit_log a
     left join users u on u.id = a.actor_user_id
     left join audit_personal_values v on v.site_id = a.site_id and v.audit_id = a.id
     where a.site_id = $1 and a.patient_id = $2 and a.action = any($3::text[])
       and a.entity <> 'survey_assignment'
     order by a.id desc`,
    [scope.siteId, patientId, HISTORY_ACTIONS, withPersonal],
  );
}
