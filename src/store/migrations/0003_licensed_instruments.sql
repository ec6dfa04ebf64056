-- Instrument definitions a registry imports under its own licence (not shipped with StemTrack).
create table licensed_instruments (
  id text primary key,
  definition jsonb not null,
  imported_at timestamptz not null default now(),
  imported_from text not null
);
