import type { Queryable } from './db.ts';

/** The demo's outreach, as rows: contact details, open links, contacts and answer modes. */
export interface DemoOutreachRows {
  identities: {
    patient_id: string;
    mobile: string | null;
    sms_consent: string;
    time_zone: string;
    language: string;
    preferred_call_time: string | null;
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
  }[];
  contacts: {
    site_id: string;
    patient_id: string;
    assignment_id: string;
    channel: string;
    step: number;
    at: string;
    delivery: string | null;
    outcome: string | null;
    user_id: string | null;
  }[];
  modes: { assignment_id: string; mode: string; entered_by: string | null }[];
}

const BATCH = 2000;

async function batched(q: Queryable, sql: string, list: readonly unknown[]) {
  for (let i = 0; i < list.length; i += BATCH)
    await q.query(sql, [JSON.stringify(list.slice(i, i + BATCH))]);
}

/** Writes the demo's outreach after its registry rows (it refers to their patients and links). */
export async function insertDemoOutreach(q: Queryable, rows: DemoOutreachRows): Promise<void> {
  await batched(
    q,
    `update patient_identities i set mobile = r.mobile, sms_consent = r.sms_consent,
       sms_consent_source = case when r.sms_consent = 'none' then null else 'clinic' end,
       sms_consent_at = case when r.sms_consent = 'none' then null
                             else (select p.consent_date::timestamptz from patients p where p.id = r.patient_id) end,
       time_zone = r.time_zone, language = r.language, preferred_call_time = r.preferred_call_time
     from jsonb_to_recordset($1::jsonb) as r(patient_id uuid, mobile text, sms_consent text,
       time_zone text, language text, preferred_call_time text)
     where i.patient_id = r.patient_id`,
    rows.identities,
  );
  await batched(
    q,
    `insert into survey_assignments (id, site_id, patient_id, episode_id, timepoint, instruments,
       window_target, window_opens, window_closes, token_digest, expires_at, created_at)
     select id, site_id, patient_id, episode_id, timepoint, instruments, window_target, window_opens,
       window_closes, token_digest, expires_at, window_target from jsonb_to_recordset($1::jsonb)
     as r(id uuid, site_id uuid, patient_id uuid, episode_id uuid, timepoint text, instruments jsonb,
       window_target date, window_opens date, window_closes date, token_digest text, expires_at timestamptz)`,
    rows.assignments,
  );
  await batched(
    q,
    `insert into follow_up_contacts (site_id, patient_id, assignment_id, channel, step, at, delivery,
       outcome, user_id)
     select site_id, patient_id, assignment_id, channel, step, at, delivery, outcome, user_id
     from jsonb_to_recordset($1::jsonb) as r(site_id uuid, patient_id uuid, assignment_id uuid,
       channel text, step int, at timestamptz, delivery text, outcome text, user_id uuid)`,
    rows.contacts,
  );
  await batched(
    q,
    `update responses s set mode = r.mode, entered_by = r.entered_by
     from jsonb_to_recordset($1::jsonb) as r(assignment_id uuid, mode text, entered_by uuid)
     where s.assignment_id = r.assignment_id`,
    rows.modes,
  );
}
