-- A registry's own follow-up windows (days before and after each time point's target).
create table site_schedules (
  site_id uuid primary key references sites (id),
  windows jsonb not null,
  updated_at timestamptz not null default now(),
  updated_by uuid references users (id)
);
