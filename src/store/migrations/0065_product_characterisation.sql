-- What was injected, as the reporting checklists ask (issue 16). The characterisation is one
-- JSON object per treatment, its fields by product class (core/registry/characterisation.ts
-- validates it on every write); the platelet dose is a typed column because analyses filter and
-- fit on it. Older treatments have an empty characterisation.
alter table treatments add column characterisation jsonb not null default '{}'::jsonb
  check (jsonb_typeof(characterisation) = 'object');
-- Platelets injected, ×10⁹ (product count ×10³/µL × volume injected mL / 1000); PRP only.
alter table treatments add column platelet_dose_billions double precision
  check (platelet_dose_billions >= 0);

-- A clinician's verification of one data-quality query ("the value is right"): the query is
-- closed while the rule, field and value it saw stay the same; a correction reopens it.
create table data_quality_reviews (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  patient_id uuid not null references patients (id) on delete cascade,
  treatment_id uuid not null references treatments (id) on delete cascade,
  finding text not null,
  reviewed_by uuid references users (id) on delete set null,
  reviewed_at timestamptz not null default now(),
  unique (treatment_id, finding)
);
create index data_quality_reviews_site_idx on data_quality_reviews (site_id, treatment_id);
