-- Durable background jobs (e-mail invitations, reminders): their state lives here, so they
-- survive restarts, and two processes claim different jobs (for update skip locked).
create table jobs (
  id bigint generated always as identity primary key,
  kind text not null,
  payload jsonb not null,
  -- One job per key (e.g. "reminder:<assignment>:2"): enqueueing it again does nothing.
  dedupe_key text unique,
  run_at timestamptz not null,
  status text not null default 'pending' check (status in ('pending', 'running', 'done', 'dead')),
  attempts integer not null default 0,
  max_attempts integer not null default 8 check (max_attempts >= 1),
  last_error text,
  locked_by text,
  locked_until timestamptz,
  site_id uuid references sites (id),
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index jobs_due_idx on jobs (status, run_at);
create index jobs_site_idx on jobs (site_id, status);
