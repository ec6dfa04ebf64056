-- Adverse events after a treatment, recorded by the clinic: grade (CTCAE v5.0 1–5),
-- seriousness (ICH E2A) and the clinician's judgement of relatedness.
create table adverse_events (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  patient_id uuid not null references patients (id) on delete cascade,
  episode_id uuid not null references joint_episodes (id) on delete cascade,
  treatment_id uuid not null references treatments (id) on delete cascade,
  onset_date date not null,
  description text not null check (length(description) between 1 and 2000),
  grade integer not null check (grade between 1 and 5),
  serious boolean not null,
  relatedness text not null check (relatedness in
    ('not-related', 'unlikely', 'possible', 'probable', 'definite')),
  recorded_by uuid references users (id),
  created_at timestamptz not null default now()
);
create index adverse_events_treatment_idx on adverse_events (treatment_id);
create index adverse_events_site_idx on adverse_events (site_id, onset_date);
