import type { Characterisation } from '../core/registry/characterisation.ts';
import type { Queryable } from './db.ts';

/** Rows ready to insert, with ids chosen by the caller; used for seeding synthetic registries. */
export interface RegistryRows {
  patients: {
    id: string;
    site_id: string;
    registry_id: string;
    birth_year: number;
    sex: string;
    consent_date: string;
  }[];
  identities: {
    patient_id: string;
    site_id: string;
    given_name: string;
    family_name: string;
    date_of_birth: string;
    email: string | null;
  }[];
  episodes: {
    id: string;
    site_id: string;
    patient_id: string;
    joint: string;
    side: string;
    kl_grade: number;
    diagnosis: string | null;
  }[];
  treatments: {
    id: string;
    site_id: string;
    patient_id: string;
    episode_id: string;
    treatment_date: string;
    product_class: string;
    cell_dose_millions: number | null;
    bmi: number | null;
    volume_ml: number;
    image_guidance: string;
    characterisation: Characterisation;
    platelet_dose_billions: number | null;
  }[];
  assignments: {
    id: string;
    site_id: string;
    patient_id: string;
    episode_id: string;
    timepoint: string;
    instruments: string[];
    window_target: string;
    window_opens: string;
    window_closes: string;
    token_digest: string;
    expires_at: string;
    completed_at: string | null;
  }[];
  responses: {
    id: string;
    site_id: string;
    patient_id: string;
    episode_id: string;
    assignment_id: string;
    instrument_id: string;
    timepoint: string;
    answers: Record<string, number | null | undefined>;
    submitted_at: string;
    in_window: boolean;
  }[];
  events: {
    site_id: string;
    patient_id: string;
    episode_id: string;
    kind: string;
    event_date: string;
  }[];
  adverseEvents: {
    site_id: string;
    patient_id: string;
    episode_id: string;
    treatment_id: string;
    onset_date: string;
    description: string;
    grade: number;
    serious: boolean;
    relatedness: string;
  }[];
  scores: {
    response_id: string;
    site_id: string;
    patient_id: string;
    instrument_id: string;
    scale: string;
    value: number | null;
  }[];
}

const INSERTS: { [K in keyof RegistryRows]: string } = {
  patients: `insert into patients (id, site_id, registry_id, birth_year, sex, consent_date)
    select id, site_id, registry_id, birth_year, sex, consent_date from jsonb_to_recordset($1::jsonb)
    as r(id uuid, site_id uuid, registry_id text, birth_year int, sex text, consent_date date)`,
  identities: `insert into patient_identities (patient_id, site_id, given_name, family_name, date_of_birth, email)
    select patient_id, site_id, given_name, family_name, date_of_birth, email from jsonb_to_recordset($1::jsonb)
    as r(patient_id uuid, site_id uuid, given_name text, family_name text, date_of_birth date, email text)`,
  episodes: `insert into joint_episodes (id, site_id, patient_id, joint, side, kl_grade, diagnosis)
    select id, site_id, patient_id, joint, side, kl_grade, diagnosis from jsonb_to_recordset($1::jsonb)
    as r(id uuid, site_id uuid, patient_id uuid, joint text, side text, kl_grade smallint, diagnosis text)`,
  treatments: `insert into treatments (id, site_id, patient_id, episode_id, treatment_date, product_class,
      cell_dose_millions, bmi, volume_ml, image_guidance, characterisation, platelet_dose_billions)
    select id, site_id, patient_id, episode_id, treatment_date, product_class, cell_dose_millions, bmi,
      volume_ml, image_guidance, coalesce(characterisation, '{}'::jsonb), platelet_dose_billions
    from jsonb_to_recordset($1::jsonb)
    as r(id uuid, site_id uuid, patient_id uuid, episode_id uuid, treatment_date date, product_class text,
      cell_dose_millions double precision, bmi double precision, volume_ml double precision,
      image_guidance text, characterisation jsonb, platelet_dose_billions double precision)`,
  assignments: `insert into survey_assignments (id, site_id, patient_id, episode_id, timepoint, instruments,
      window_target, window_opens, window_closes, token_digest, expires_at, completed_at)
    select id, site_id, patient_id, episode_id, timepoint, instruments, window_target, window_opens,
      window_closes, token_digest, expires_at, completed_at from jsonb_to_recordset($1::jsonb)
    as r(id uuid, site_id uuid, patient_id uuid, episode_id uuid, timepoint text, instruments jsonb,
      window_target date, window_opens date, window_closes date, token_digest text, expires_at timestamptz,
      completed_at timestamptz)`,
  responses: `insert into responses (id, site_id, patient_id, episode_id, assignment_id, instrument_id, timepoint,
      answers, submitted_at, in_window)
    select id, site_id, patient_id, episode_id, assignment_id, instrument_id, timepoint, answers, submitted_at,
      in_window from jsonb_to_recordset($1::jsonb)
    as r(id uuid, site_id uuid, patient_id uuid, episode_id uuid, assignment_id uuid, instrument_id text,
      timepoint text, answers jsonb, submitted_at timestamptz, in_window boolean)`,
  // Reported on the day they happened, so "last contact" is no later than the last answer.
  events: `insert into patient_events (site_id, patient_id, episode_id, kind, event_date, reported_via,
      created_at)
    select site_id, patient_id, episode_id, kind, event_date, 'patient-link', event_date
    from jsonb_to_recordset($1::jsonb)
    as r(site_id uuid, patient_id uuid, episode_id uuid, kind text, event_date date)`,
  adverseEvents: `insert into adverse_events (site_id, patient_id, episode_id, treatment_id, onset_date,
      description, grade, serious, relatedness)
    select site_id, patient_id, episode_id, treatment_id, onset_date, description, grade, serious,
      relatedness from jsonb_to_recordset($1::jsonb)
    as r(site_id uuid, patient_id uuid, episode_id uuid, treatment_id uuid, onset_date date,
      description text, grade int, serious boolean, relatedness text)`,
  scores: `insert into response_scores (response_id, site_id, patient_id, instrument_id, scale, value)
    select response_id, site_id, patient_id, instrument_id, scale, value from jsonb_to_recordset($1::jsonb)
    as r(response_id uuid, site_id uuid, patient_id uuid, instrument_id text, scale text,
      value double precision)`,
};

const ORDER: (keyof RegistryRows)[] = [
  'patients',
  'identities',
  'episodes',
  'treatments',
  'assignments',
  'responses',
  'scores',
  'events',
  'adverseEvents',
];
const BATCH = 2000;

/** Inserts the rows table by table, in batches, in foreign-key order. */
export async function insertRegistryRows(q: Queryable, rows: RegistryRows): Promise<void> {
  for (const table of ORDER) {
    const list: readonly unknown[] = rows[table];
    for (let i = 0; i < list.length; i += BATCH) {
      await q.query(INSERTS[table], [JSON.stringify(list.slice(i, i + BATCH))]);
    }
  }
}
