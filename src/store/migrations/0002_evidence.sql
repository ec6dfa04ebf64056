-- Trial arms imported by a registry (CSV in the shipped shape, or ClinicalTrials.gov records).
-- Published literature, not patient data: shared by every site, never site-scoped.
create table evidence_trial_arms (
  id bigint generated always as identity primary key,
  study text not null,
  doi_or_nct text not null default '',
  arm text not null,
  arm_role text not null check (arm_role in ('intervention', 'control')),
  product text not null default '',
  cell_dose text not null default '',
  n_randomized integer check (n_randomized > 0),
  n_analyzed integer check (n_analyzed > 0),
  outcome text not null,
  scale_direction text not null default '',
  timepoint_months double precision not null,
  stat text not null check (stat in ('mean_sd', 'median_iqr', 'mean_change_ci')),
  value double precision not null,
  spread_low_or_sd double precision,
  spread_high double precision,
  source_url text not null default '',
  source_location text not null default '',
  verified text not null check (verified in ('yes', 'partial', 'no')),
  imported_from text not null,
  imported_at timestamptz not null default now(),
  -- One row per arm, outcome and time point of a study: a re-import replaces, never doubles.
  unique (study, arm, outcome, timepoint_months, stat)
);
