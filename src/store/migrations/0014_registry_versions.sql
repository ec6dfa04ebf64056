-- Counters per site that every change to the data behind the dashboards moves on, in the
-- same transaction as the change. The app keeps each dashboard view for the site's version
-- it was computed at (the sum of its counters), so a view is recomputed only after the
-- registry has changed. Each commit adds exactly one to the sum, so equal sums mean equal data.
-- A site has 16 counters and a transaction bumps one of them: writers at one site then wait
-- for each other's commits only when they happen to share a counter (one counter cost a
-- fifth of survey throughput with fsync on, measured with bench/load.ts).
create table registry_versions (
  site_id uuid not null references sites (id) on delete cascade,
  slot smallint not null check (slot between 0 and 15),
  version bigint not null default 0,
  primary key (site_id, slot)
);
insert into registry_versions (site_id, slot)
  select id, slot from sites cross join generate_series(0, 15) as slot;

create function registry_versions_add_site() returns trigger language plpgsql as $$
begin
  insert into registry_versions (site_id, slot) select new.id, slot from generate_series(0, 15) as slot;
  return null;
end $$;
create trigger sites_registry_version after insert on sites
  for each row execute function registry_versions_add_site();

-- One bump per statement and site, whatever the number of rows, on the transaction's own
-- counter. The rows are locked in site order first, so two statements touching the same
-- sites cannot deadlock on them.
create function registry_versions_bump() returns trigger language plpgsql as $$
declare
  own_slot smallint := (txid_current() % 16)::smallint;
begin
  perform 1 from registry_versions
    where site_id in (select distinct site_id from changed) and slot = own_slot
    order by site_id for update;
  update registry_versions set version = version + 1
    where site_id in (select distinct site_id from changed) and slot = own_slot;
  return null;
end $$;

-- A trigger with a transition table serves one event, hence three per table.
do $$
declare
  t text;
  op text;
begin
  foreach t in array array['patients', 'joint_episodes', 'treatments', 'responses',
                           'patient_events', 'adverse_events'] loop
    foreach op in array array['insert', 'update', 'delete'] loop
      execute format(
        'create trigger %I after %s on %I referencing %s table as changed '
        'for each statement execute function registry_versions_bump()',
        t || '_registry_version_' || op, op, t,
        case op when 'delete' then 'old' else 'new' end);
    end loop;
  end loop;
end $$;
