-- StemTrack schema v1: sites, users, sessions, patients (identity kept apart), joint
-- episodes, treatments, survey assignments, responses with their scores, audit log.
-- Every table holding registry data carries site_id so access can be scoped (and sharded) by site.

create table sites (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  email text not null,
  name text not null,
  role text not null check (role in ('admin', 'clinician', 'researcher')),
  password_hash text not null,
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);
create unique index users_email_key on users (lower(email));

-- The session cookie holds a random token; only its SHA-256 digest is stored.
create table sessions (
  token_digest text primary key,
  user_id uuid not null references users (id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id);

create sequence patient_registry_number;

create table patients (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  registry_id text not null,
  birth_year integer not null check (birth_year between 1890 and 2200),
  sex text not null check (sex in ('female', 'male', 'other', 'unknown')),
  consent_date date not null,
  created_at timestamptz not null default now(),
  unique (site_id, registry_id)
);
create index patients_site_idx on patients (site_id, created_at desc);

-- Direct identifiers live apart from the clinical record, so exports and researchers
-- can be given the record without them.
create table patient_identities (
  patient_id uuid primary key references patients (id) on delete cascade,
  site_id uuid not null references sites (id),
  given_name text not null,
  family_name text not null,
  date_of_birth date not null,
  email text,
  phone text
);

create table joint_episodes (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  patient_id uuid not null references patients (id) on delete cascade,
  joint text not null check (joint in ('knee', 'hip', 'shoulder', 'ankle', 'hand', 'other')),
  side text not null check (side in ('left', 'right')),
  kl_grade smallint not null check (kl_grade between 0 and 4),
  diagnosis text,
  created_at timestamptz not null default now()
);
create index joint_episodes_patient_idx on joint_episodes (patient_id);

create table treatments (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  patient_id uuid not null references patients (id) on delete cascade,
  episode_id uuid not null references joint_episodes (id) on delete cascade,
  treatment_date date not null,
  product_class text not null check (product_class in
    ('BM-MSC', 'AD-MSC', 'UC-MSC', 'BMAC', 'SVF', 'MFAT', 'PRP', 'HA', 'CS', 'SALINE', 'OTHER')),
  cell_dose_millions double precision check (cell_dose_millions >= 0),
  volume_ml double precision not null check (volume_ml > 0),
  image_guidance text not null check (image_guidance in ('none', 'ultrasound', 'fluoroscopy')),
  notes text,
  created_at timestamptz not null default now()
);
create index treatments_episode_idx on treatments (episode_id, treatment_date);
create index treatments_site_idx on treatments (site_id, product_class);

create table survey_assignments (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  patient_id uuid not null references patients (id) on delete cascade,
  episode_id uuid not null references joint_episodes (id) on delete cascade,
  timepoint text not null,
  instruments jsonb not null,
  window_target date not null,
  window_opens date not null,
  window_closes date not null,
  token_digest text not null unique,
  expires_at timestamptz not null,
  -- answers saved so far, keyed by instrument id then item code; kept when the patient leaves
  draft jsonb not null default '{}'::jsonb,
  draft_saved_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  created_by uuid references users (id)
);
create index survey_assignments_patient_idx on survey_assignments (patient_id);

create table responses (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  patient_id uuid not null references patients (id) on delete cascade,
  episode_id uuid not null references joint_episodes (id) on delete cascade,
  assignment_id uuid not null references survey_assignments (id) on delete cascade,
  instrument_id text not null,
  timepoint text not null,
  answers jsonb not null,
  submitted_at timestamptz not null,
  in_window boolean not null,
  unique (assignment_id, instrument_id)
);
create index responses_patient_idx on responses (patient_id, submitted_at);

-- One row per scale score, so analytics can aggregate in SQL; null = not scorable.
create table response_scores (
  response_id uuid not null references responses (id) on delete cascade,
  site_id uuid not null references sites (id),
  patient_id uuid not null references patients (id) on delete cascade,
  instrument_id text not null,
  scale text not null,
  value double precision,
  primary key (response_id, scale)
);
create index response_scores_site_idx on response_scores (site_id, instrument_id, scale);

create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  site_id uuid,
  actor_kind text not null check (actor_kind in ('user', 'patient-link', 'system')),
  actor_user_id uuid,
  action text not null,
  entity text not null,
  entity_id text,
  patient_id uuid,
  detail jsonb
);
create index audit_log_patient_idx on audit_log (patient_id, at);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end
$$;
create trigger audit_log_no_change before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();
