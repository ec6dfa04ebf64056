import type { Characterisation } from '../core/registry/characterisation.ts';
import type { IsoDate } from '../core/registry/dates.ts';
import type {
  EnrolPatientInput,
  JointEpisodeInput,
  TreatmentInput,
} from '../core/registry/schemas.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

export interface PatientSummary {
  id: string;
  registryId: string;
  birthYear: number;
  sex: string;
  consentDate: IsoDate;
  createdAt: Date;
  /** active, deceased, lost-to-follow-up or withdrawn: only active patients are contacted. */
  status: string;
  statusDate: IsoDate | null;
}

export interface PatientIdentity {
  givenName: string;
  familyName: string;
  dateOfBirth: IsoDate;
  email: string | null;
  phone: string | null;
}

export interface JointEpisode {
  id: string;
  patientId: string;
  joint: string;
  side: string;
  klGrade: number;
  diagnosis: string | null;
  /** A clinician found the diagnosis text free of identifying details (researchers may read it). */
  diagnosisReviewed: boolean;
  createdAt: Date;
}

export interface Treatment {
  id: string;
  episodeId: string;
  treatmentDate: IsoDate;
  productClass: string;
  cellDoseMillions: number | null;
  bmi: number | null;
  volumeMl: number;
  imageGuidance: string;
  notes: string | null;
  /** A clinician found the notes free of identifying details (researchers may read them). */
  notesReviewed: boolean;
  /** The product as recorded (issue 16): fields by product class. */
  characterisation: Characterisation;
  /** Platelets injected, ×10⁹ (PRP with a product count), kept for analyses. */
  plateletDoseBillions: number | null;
}

const PATIENT_COLUMNS = `p.id, p.registry_id as "registryId", p.birth_year as "birthYear", p.sex,
  p.consent_date as "consentDate", p.created_at as "createdAt", p.status, p.status_date as "statusDate"`;
const IDENTITY_COLUMNS = `i.given_name as "givenName", i.family_name as "familyName",
  i.date_of_birth as "dateOfBirth", i.email, i.phone`;

export async function insertPatient(
  q: Queryable,
  scope: SiteScope,
  input: EnrolPatientInput,
  /** When the clinic recorded the patient's answer about texts, if they gave one. */
  now: Date,
): Promise<PatientSummary> {
  const [row] = await q.query<PatientSummary>(
    `insert into patients (site_id, registry_id, birth_year, sex, consent_date)
     values ($1, coalesce($2, 'ST-' || lpad(nextval('patient_registry_number')::text, 6, '0')), $3, $4, $5)
     returning id, registry_id as "registryId", birth_year as "birthYear", sex,
               consent_date as "consentDate", created_at as "createdAt", status, status_date as "statusDate"`,
    [
      scope.siteId,
      input.registryId ?? null,
      Number(input.dateOfBirth.slice(0, 4)),
      input.sex,
      input.consentDate,
    ],
  );
  if (!row) throw new Error('insert into patients returned no row');
  await q.query(
    `insert into patient_identities (patient_id, site_id, given_name, family_name, date_of_birth,
       email, phone, language, mobile, sms_consent, sms_consent_at, sms_consent_source, time_zone)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
       case when $10 = 'none' then null else $11::timestamptz end,
       case when $10 = 'none' then null else 'clinic' end, $12)`,
    [
      row.id,
      scope.siteId,
      input.givenName,
      input.familyName,
      input.dateOfBirth,
      input.email ?? null,
      input.phone ?? null,
      input.language ?? 'en',
      input.mobile ?? null,
      input.smsConsent ?? 'none',
      now,
      input.timeZone ?? null,
    ],
  );
  return row;
}

export interface PatientListRow extends PatientSummary, PatientIdentity {
  episodes: number;
  responses: number;
}

export function listPatients(
  q: Queryable,
  scope: SiteScope,
  opts: { search?: string; limit: number; offset: number },
): Promise<PatientListRow[]> {
  const search = opts.search ? `%${opts.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  return q.query<PatientListRow>(
    `select ${PATIENT_COLUMNS}, ${IDENTITY_COLUMNS},
       (select count(*)::int from joint_episodes e where e.site_id = p.site_id and e.patient_id = p.id) as episodes,
       (select count(*)::int from responses r where r.site_id = p.site_id and r.patient_id = p.id) as responses
     from patients p join patient_identities i on i.site_id = p.site_id and i.patient_id = p.id
     where p.site_id = $1
       and ($2::text is null or p.registry_id ilike $2 or i.family_name ilike $2 or i.given_name ilike $2)
     order by p.created_at desc, p.registry_id desc
     limit $3 offset $4`,
    [scope.siteId, search, opts.limit, opts.offset],
  );
}

export async function countPatients(q: Queryable, scope: SiteScope): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    'select count(*)::int as n from patients where site_id = $1',
    [scope.siteId],
  );
  return row?.n ?? 0;
}

export async function findPatient(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<(PatientSummary & PatientIdentity) | undefined> {
  const [row] = await q.query<PatientSummary & PatientIdentity>(
    `select ${PATIENT_COLUMNS}, ${IDENTITY_COLUMNS}
     from patients p join patient_identities i on i.site_id = p.site_id and i.patient_id = p.id
     where p.site_id = $1 and p.id = $2`,
    [scope.siteId, patientId],
  );
  return row;
}

const EPISODE_COLUMNS = `id, patient_id as "patientId", joint, side, kl_grade::int as "klGrade",
  diagnosis, diagnosis_reviewed as "diagnosisReviewed", created_at as "createdAt"`;

export async function insertEpisode(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
  input: JointEpisodeInput,
): Promise<JointEpisode> {
  const [row] = await q.query<JointEpisode>(
    `insert into joint_episodes (site_id, patient_id, joint, side, kl_grade, diagnosis)
     values ($1, $2, $3, $4, $5, $6) returning ${EPISODE_COLUMNS}`,
    [scope.siteId, patientId, input.joint, input.side, input.klGrade, input.diagnosis ?? null],
  );
  if (!row) throw new Error('insert into joint_episodes returned no row');
  return row;
}

export function listEpisodes(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<JointEpisode[]> {
  return q.query<JointEpisode>(
    `select ${EPISODE_COLUMNS} from joint_episodes where site_id = $1 and patient_id = $2 order by created_at`,
    [scope.siteId, patientId],
  );
}

export async function findEpisode(
  q: Queryable,
  scope: SiteScope,
  episodeId: string,
): Promise<JointEpisode | undefined> {
  const [row] = await q.query<JointEpisode>(
    `select ${EPISODE_COLUMNS} from joint_episodes where site_id = $1 and id = $2`,
    [scope.siteId, episodeId],
  );
  return row;
}

const TREATMENT_COLUMNS = `id, episode_id as "episodeId", treatment_date as "treatmentDate",
  product_class as "productClass", cell_dose_millions as "cellDoseMillions", bmi, volume_ml as "volumeMl",
  image_guidance as "imageGuidance", notes, notes_reviewed as "notesReviewed", characterisation,
  platelet_dose_billions as "plateletDoseBillions"`;

export async function insertTreatment(
  q: Queryable,
  scope: SiteScope,
  episode: JointEpisode,
  input: TreatmentInput,
  derived: { characterisation: Characterisation; plateletDoseBillions: number | null },
): Promise<Treatment> {
  const [row] = await q.query<Treatment>(
    `insert into treatments (site_id, patient_id, episode_id, treatment_date, product_class,
                             cell_dose_millions, volume_ml, image_guidance, notes, bmi,
                             characterisation, platelet_dose_billions)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12) returning ${TREATMENT_COLUMNS}`,
    [
      scope.siteId,
      episode.patientId,
      episode.id,
      input.treatmentDate,
      input.productClass,
      input.cellDoseMillions ?? null,
      input.volumeMl,
      input.imageGuidance,
      input.notes ?? null,
      input.bmi ?? null,
      JSON.stringify(derived.characterisation),
      derived.plateletDoseBillions,
    ],
  );
  if (!row) throw new Error('insert into treatments returned no row');
  return row;
}

export function listTreatments(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<Treatment[]> {
  return q.query<Treatment>(
    `select ${TREATMENT_COLUMNS} from treatments where site_id = $1 and patient_id = $2
     order by treatment_date, created_at`,
    [scope.siteId, patientId],
  );
}

/** The first treatment of an episode anchors its follow-up schedule. */
export async function firstTreatmentOf(
  q: Queryable,
  scope: SiteScope,
  episodeId: string,
): Promise<Treatment | undefined> {
  const [row] = await q.query<Treatment>(
    `select ${TREATMENT_COLUMNS} from treatments where site_id = $1 and episode_id = $2
     order by treatment_date, created_at limit 1`,
    [scope.siteId, episodeId],
  );
  return row;
}

/** Where free text lives, by what a clinician marks as reviewed. */
const REVIEWED_TEXT = {
  diagnosis: { table: 'joint_episodes', column: 'diagnosis_reviewed' },
  'treatment-notes': { table: 'treatments', column: 'notes_reviewed' },
  'adverse-event-description': { table: 'adverse_events', column: 'description_reviewed' },
} as const;
export type ReviewedText = keyof typeof REVIEWED_TEXT;
export const REVIEWED_TEXTS = Object.keys(REVIEWED_TEXT) as ReviewedText[];

/** Marks one free text at the site as read and free of identifying details; its patient, or none. */
export async function markTextReviewed(
  q: Queryable,
  scope: SiteScope,
  kind: ReviewedText,
  id: string,
): Promise<{ patientId: string } | undefined> {
  const { table, column } = REVIEWED_TEXT[kind];
  const [row] = await q.query<{ patientId: string }>(
    `update ${table} set ${column} = true where site_id = $1 and id = $2
     returning patient_id as "patientId"`,
    [scope.siteId, id],
  );
  return row;
}
