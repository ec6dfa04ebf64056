-- Kaplan–Meier and follow-up flow counts kept per site (issue 17). At a million joints, reading
-- every joint's episode_follow_up row took over a second per view; the curves and the flow are
-- counts, so they are kept per site (per day from treatment, and per treatment day and masks)
-- and a whole-site view reads a few thousand rows. As with the outcome sums (0090), a write
-- only notes the joints whose row changed; the next read folds them in, one folder at a time.
-- Filtered views still read the joints' rows. Derived: backups leave these out.

-- Each joint's episode_follow_up row as last folded in, so a fold takes out what it put in.
create table follow_up_folded (
  episode_id uuid primary key,
  site_id uuid not null,
  first_treated date not null,
  last_contact date,
  invited int not null,
  completed int not null,
  reinjection_on date,
  arthroplasty_on date,
  back_to_activities_on date,
  back_to_work_on date
);

-- Per site, kind of event and day from the first treatment: the joints whose first event of
-- that kind fell on that day (event), or that were last heard from on that day without one
-- (censored). Kind '' counts the treated joints (days 0).
create table time_to_event_counts (
  site_id uuid not null,
  kind text not null,
  days int not null,
  event boolean not null,
  joints bigint not null,
  primary key (site_id, kind, days, event)
);

-- Per site, first treatment day and masks of links issued and answered: the joints.
create table follow_up_flow_counts (
  site_id uuid not null,
  first_treated date not null,
  invited int not null,
  completed int not null,
  joints bigint not null,
  primary key (site_id, first_treated, invited, completed)
);

create table follow_up_counts_pending (
  id bigint generated always as identity primary key,
  episode_id uuid not null,
  site_id uuid not null
);

-- A treated joint's observations: censored at its last contact after treatment (none when it
-- was not heard from after it), or an event on the day of its first one, per kind; as
-- timeToEventCounts (analytics.repo.ts) reads them from the joints' rows.
create function time_to_event_of(f follow_up_folded)
  returns table (kind text, days int, event boolean) language sql immutable as $$
  select '', 0, false
  union all
  select k.kind, coalesce(k.first_on - f.first_treated, f.last_contact - f.first_treated),
         k.first_on is not null
  from (values ('reinjection', f.reinjection_on), ('arthroplasty', f.arthroplasty_on),
               ('returned-to-activities', f.back_to_activities_on),
               ('returned-to-work', f.back_to_work_on)) as k(kind, first_on)
  where k.first_on is not null or f.last_contact > f.first_treated $$;

-- The rows a fold puts in: the current row of each treated joint.
create function follow_up_folded_of(episodes uuid[]) returns setof follow_up_folded
  language sql stable as $$
  select f.episode_id, f.site_id, f.first_treated, greatest(f.last_answered, f.last_reported),
         f.invited, f.completed, f.reinjection_on, f.arthroplasty_on, f.back_to_activities_on,
         f.back_to_work_on
  from (select distinct u.episode_id from unnest(episodes) as u(episode_id)) u
  join episode_follow_up f on f.episode_id = u.episode_id
  where f.first_treated is not null $$;

-- Adds the rows `added` and takes out the rows `removed` from both counts.
create function follow_up_counts_fold(added follow_up_folded[], removed follow_up_folded[])
  returns void language plpgsql as $$
begin
  insert into time_to_event_counts as c (site_id, kind, days, event, joints)
  select x.site_id, o.kind, o.days, o.event, sum(x.sign)
  from (select a, 1 as sign, a.site_id from unnest(added) a
        union all select r, -1, r.site_id from unnest(removed) r) x(f, sign, site_id)
  cross join lateral time_to_event_of(x.f) o
  group by x.site_id, o.kind, o.days, o.event
  order by 1, 2, 3, 4
  on conflict (site_id, kind, days, event) do update set joints = c.joints + excluded.joints;
  insert into follow_up_flow_counts as c (site_id, first_treated, invited, completed, joints)
  select x.site_id, x.first_treated, x.invited, x.completed, sum(x.sign)
  from (select a.site_id, a.first_treated, a.invited, a.completed, 1 as sign from unnest(added) a
        union all select r.site_id, r.first_treated, r.invited, r.completed, -1
        from unnest(removed) r) x
  group by 1, 2, 3, 4
  order by 1, 2, 3, 4
  on conflict (site_id, first_treated, invited, completed) do update
    set joints = c.joints + excluded.joints;
end $$;

-- One folder at a time: two folds of the same joint would both take out its old row.
create function follow_up_counts_lock() returns void language sql as $$
  select pg_advisory_xact_lock(7317002) $$;

-- Takes these joints' folded rows out and puts their current rows in (nothing for a joint that
-- is gone or untreated). Rows the same before and after cancel out and are not touched.
create function follow_up_counts_refold(episodes uuid[]) returns void language plpgsql as $$
declare
  before follow_up_folded[];
  after follow_up_folded[];
begin
  perform follow_up_counts_lock();
  before := array(select f from (select distinct u.episode_id from unnest(episodes) as u(episode_id)) u
                  join follow_up_folded f on f.episode_id = u.episode_id);
  after := array(select f from follow_up_folded_of(episodes) f);
  perform follow_up_counts_fold(
    array(select a from unnest(after) a except all select b from unnest(before) b),
    array(select b from unnest(before) b except all select a from unnest(after) a));
  delete from follow_up_folded f using unnest(episodes) as u(episode_id)
  where f.episode_id = u.episode_id;
  insert into follow_up_folded select * from unnest(after);
  delete from time_to_event_counts where joints = 0;
  delete from follow_up_flow_counts where joints = 0;
end $$;

-- Folds every joint noted since the last fold; says how many. The views call it first, so
-- they never miss a change committed before they were asked for.
create function follow_up_counts_catch_up() returns int language plpgsql as $$
declare
  episodes uuid[];
begin
  if not exists (select 1 from follow_up_counts_pending) then return 0; end if;
  perform follow_up_counts_lock();
  with taken as (delete from follow_up_counts_pending returning episode_id)
  select array_agg(distinct episode_id) into episodes from taken;
  if episodes is null then return 0; end if;
  perform follow_up_counts_refold(episodes);
  return cardinality(episodes);
end $$;

-- A joint's row changed in what the counts read (a draft save or a same-day answer does not).
create function follow_up_counts_note() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into follow_up_counts_pending (episode_id, site_id)
      select episode_id, site_id from new_rows where first_treated is not null;
  else
    insert into follow_up_counts_pending (episode_id, site_id)
      select n.episode_id, n.site_id from new_rows n join old_rows o on o.episode_id = n.episode_id
      where (n.site_id, n.first_treated, n.last_answered, n.last_reported, n.invited, n.completed,
             n.reinjection_on, n.arthroplasty_on, n.back_to_activities_on, n.back_to_work_on)
            is distinct from
            (o.site_id, o.first_treated, o.last_answered, o.last_reported, o.invited, o.completed,
             o.reinjection_on, o.arthroplasty_on, o.back_to_activities_on, o.back_to_work_on);
  end if;
  return null;
end $$;
-- A joint's deletion (an erasure) folds it out in its own transaction and leaves no id behind.
create function follow_up_counts_gone() returns trigger language plpgsql as $$
declare
  episodes uuid[] := array(select episode_id from old_rows);
begin
  perform follow_up_counts_refold(episodes);
  delete from follow_up_counts_pending p using unnest(episodes) as u(episode_id)
  where p.episode_id = u.episode_id;
  return null;
end $$;
create trigger episode_follow_up_counts_insert after insert on episode_follow_up
  referencing new table as new_rows for each statement execute function follow_up_counts_note();
create trigger episode_follow_up_counts_update after update on episode_follow_up
  referencing old table as old_rows new table as new_rows
  for each statement execute function follow_up_counts_note();
create trigger episode_follow_up_counts_delete after delete on episode_follow_up
  referencing old table as old_rows for each statement execute function follow_up_counts_gone();

-- Every joint at once, set-based: the first fill, and after a bulk load without triggers.
create function follow_up_counts_rebuild() returns void language plpgsql as $$
begin
  perform follow_up_counts_lock();
  -- Deletes, not truncate: the serving role may not truncate (as 0090's rebuild).
  delete from follow_up_folded;
  delete from time_to_event_counts;
  delete from follow_up_flow_counts;
  delete from follow_up_counts_pending;
  insert into follow_up_folded
  select f.episode_id, f.site_id, f.first_treated, greatest(f.last_answered, f.last_reported),
         f.invited, f.completed, f.reinjection_on, f.arthroplasty_on, f.back_to_activities_on,
         f.back_to_work_on
  from episode_follow_up f where f.first_treated is not null;
  insert into time_to_event_counts (site_id, kind, days, event, joints)
  select f.site_id, o.kind, o.days, o.event, count(*)
  from follow_up_folded f cross join lateral time_to_event_of(f) o
  group by 1, 2, 3, 4;
  insert into follow_up_flow_counts (site_id, first_treated, invited, completed, joints)
  select site_id, first_treated, invited, completed, count(*) from follow_up_folded
  group by 1, 2, 3, 4;
end $$;

-- Rebuilding the joints' rows rebuilds the counts read from them (0091's rebuild truncates,
-- which notes nothing).
alter function episode_follow_up_rebuild() rename to episode_follow_up_rows_rebuild;
create function episode_follow_up_rebuild() returns void language plpgsql as $$
begin
  perform episode_follow_up_rows_rebuild();
  perform follow_up_counts_rebuild();
end $$;
select follow_up_counts_rebuild();
