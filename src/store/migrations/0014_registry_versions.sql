-- A counter per site that every change to the data behind the dashboards moves on, in the
-- same transaction as the change. The app keeps each dashboard view for the site's version
-- it was computed at, so a view is recomputed only after the registry has changed.
create table registry_versions (
  site_id uuid primary key references sites (id) on delete cascade,
  version bigint not null default 0
);
insert into registry_versions (site_id) select id from sites;

create function registry_versions_add_site() returns trigger language plpgsql as $$
begin
  insert into registry_versions (site_id) values (new.id);
  return null;
end $$;
create trigger sites_registry_version after insert on sites
  for each row execute function registry_versions_add_site();

-- One bump per statement and site, whatever the number of rows. The rows are locked in site
-- order first, so two statements touching the same sites cannot deadlock on them.
create function registry_versions_bump() returns trigger language plpgsql as $$
begin
  perform 1 from registry_versions
    where site_id in (select distinct site_id from changed) order by site_id for update;
  update registry_versions set version = version + 1
    where site_id in (select distinct site_id from changed);
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
