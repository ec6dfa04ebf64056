-- Events after treatment (re-injection, joint replacement, return to activities or work),
-- reported by the patient from a survey link or recorded by the clinic.
create table patient_events (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  patient_id uuid not null references patients (id) on delete cascade,
  episode_id uuid not null references joint_episodes (id) on delete cascade,
  kind text not null check (kind in ('reinjection', 'arthroplasty', 'returned-to-activities', 'returned-to-work')),
  event_date date not null,
  reported_via text not null check (reported_via in ('patient-link', 'clinician')),
  assignment_id uuid references survey_assignments (id) on delete set null,
  created_at timestamptz not null default now()
);
create index patient_events_episode_idx on patient_events (episode_id, kind, event_date);
