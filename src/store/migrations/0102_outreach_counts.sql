-- The Follow-up page's outreach counts kept per site (issue 17): links and answered links per
-- time point and the channels a link was sent on, answered links per mode, and per message the
-- links it reached and those answered before the next. At a million joints, reading the site's
-- last links and their contacts took over 3 s. Every count is a sum over joints, so each
-- joint's share is kept (outreach_folded) and added up per site; a write notes the joint, and
-- the next whole-site read folds it in, as the outcome sums (0090) and follow-up counts (0101)
-- do. A cohort's counts still read its links. Derived: backups leave these out.

-- Per site: section 'channel' (label: the channels, '+'-joined, or 'none'; links, answered),
-- 'mode' (label: the mode; answered links), 'message' (label: 'message' or 'phone', step;
-- links reached, answered before the next message). Time point '' for messages.
create table outreach_counts (
  site_id uuid not null,
  section text not null,
  timepoint text not null,
  label text not null,
  step int not null,
  links bigint not null,
  completed bigint not null,
  primary key (site_id, section, timepoint, label, step)
);

-- Each joint's share as last folded in, so a fold takes out what it put in.
create table outreach_folded (
  episode_id uuid not null,
  site_id uuid not null,
  section text not null,
  timepoint text not null,
  label text not null,
  step int not null,
  links bigint not null,
  completed bigint not null,
  primary key (episode_id, section, timepoint, label, step)
);

create table outreach_counts_pending (
  id bigint generated always as identity primary key,
  episode_id uuid not null,
  site_id uuid not null
);

-- These joints' shares, as outreachCounts (outreach.repo.ts) counts a cohort: one link per
-- joint and time point counts, the last one issued.
create function outreach_of(episodes uuid[]) returns setof outreach_folded
  language sql stable as $$
  with links as materialized (
    select distinct on (a.episode_id, a.timepoint) a.id, a.episode_id, a.site_id, a.timepoint,
           a.completed_at, a.answered_modes
    from (select distinct u.episode_id from unnest(episodes) as u(episode_id)) u
    join joint_episodes e on e.id = u.episode_id
    join survey_assignments a on a.site_id = e.site_id and a.episode_id = e.id
    order by a.episode_id, a.timepoint, a.created_at desc
  ), sent_on as (
    -- The channels a link was sent on before it was answered; the others went out on none.
    select l.episode_id, l.site_id, l.timepoint, l.completed_at,
           coalesce((select string_agg(distinct c.channel, '+' order by c.channel)
                     from follow_up_contacts c
                     where c.assignment_id = l.id and (l.completed_at is null or c.at <= l.completed_at)),
                    'none') as channels
    from links l
  ), messages as (
    -- Messages of the same step on two channels (the e-mail and the text of an invitation)
    -- are one message; the next message is the first contact of a later step or a call.
    select l.episode_id, l.site_id, c.assignment_id,
           case when c.channel = 'phone' then 'phone' else 'message' end as channel,
           c.step, min(c.at) as at, min(l.completed_at) as completed_at
    from links l join follow_up_contacts c on c.assignment_id = l.id
    group by 1, 2, 3, 4, 5
  ), ordered as (
    select m.*, lead(m.at) over (partition by m.assignment_id order by m.at, m.channel, m.step) as next_at
    from messages m
  )
  select episode_id, site_id, 'channel'::text, timepoint, channels, 0, count(*), count(completed_at)
  from sent_on group by 1, 2, 4, 5
  union all
  select l.episode_id, l.site_id, 'mode', l.timepoint, m.mode, 0, 0, count(*)
  from links l cross join unnest(l.answered_modes) as m(mode) group by 1, 2, 4, 5
  union all
  select episode_id, site_id, 'message', '', channel, step, count(*),
         count(*) filter (where completed_at > at and (next_at is null or completed_at <= next_at))
  from ordered where completed_at is null or completed_at > at
  group by 1, 2, 5, 6 $$;

-- Adds the shares `added` and takes out the shares `removed`.
create function outreach_counts_fold(added outreach_folded[], removed outreach_folded[])
  returns void language plpgsql as $$
begin
  insert into outreach_counts as c (site_id, section, timepoint, label, step, links, completed)
  select x.site_id, x.section, x.timepoint, x.label, x.step, sum(x.sign * x.links), sum(x.sign * x.completed)
  from (select a.*, 1 as sign from unnest(added) a
        union all select r.*, -1 from unnest(removed) r) x
  group by 1, 2, 3, 4, 5
  order by 1, 2, 3, 4, 5
  on conflict (site_id, section, timepoint, label, step) do update
    set links = c.links + excluded.links, completed = c.completed + excluded.completed;
end $$;

-- One folder at a time: two folds of the same joint would both take out its old share.
create function outreach_counts_lock() returns void language sql as $$
  select pg_advisory_xact_lock(7317003) $$;

-- Takes these joints' folded shares out and puts their current ones in (nothing for a joint
-- that is gone). Shares the same before and after cancel out and are not touched.
create function outreach_counts_refold(episodes uuid[]) returns void language plpgsql as $$
declare
  before outreach_folded[];
  after outreach_folded[];
begin
  perform outreach_counts_lock();
  before := array(select f from (select distinct u.episode_id from unnest(episodes) as u(episode_id)) u
                  join outreach_folded f on f.episode_id = u.episode_id);
  after := array(select f from outreach_of(episodes) f);
  perform outreach_counts_fold(
    array(select a from unnest(after) a except all select b from unnest(before) b),
    array(select b from unnest(before) b except all select a from unnest(after) a));
  delete from outreach_folded f using unnest(episodes) as u(episode_id)
  where f.episode_id = u.episode_id;
  insert into outreach_folded select * from unnest(after);
  delete from outreach_counts where links = 0 and completed = 0;
end $$;

-- Folds every joint noted since the last fold; says how many.
create function outreach_counts_catch_up() returns int language plpgsql as $$
declare
  episodes uuid[];
begin
  if not exists (select 1 from outreach_counts_pending) then return 0; end if;
  perform outreach_counts_lock();
  with taken as (delete from outreach_counts_pending returning episode_id)
  select array_agg(distinct episode_id) into episodes from taken;
  if episodes is null then return 0; end if;
  perform outreach_counts_refold(episodes);
  return cardinality(episodes);
end $$;

-- Notes these joints, under their own site (a joint already gone is folded out by the trigger
-- below).
create function outreach_counts_note(episodes uuid[]) returns void language plpgsql as $$
begin
  insert into outreach_counts_pending (episode_id, site_id)
    select e.id, e.site_id
    from (select distinct u.episode_id from unnest(episodes) as u(episode_id)) u
    join joint_episodes e on e.id = u.episode_id;
end $$;
-- A joint's deletion (an erasure) folds it out in its own transaction, after its links went
-- with it, and leaves no id behind.
create function outreach_joints_gone() returns trigger language plpgsql as $$
begin
  perform outreach_counts_refold(array(select id from old_rows));
  delete from outreach_counts_pending p using old_rows o where p.episode_id = o.id;
  return null;
end $$;
create trigger joint_episodes_outreach_delete after delete on joint_episodes
  referencing old table as old_rows for each statement execute function outreach_joints_gone();
-- A joint moved to another site: its share moves with it.
create function outreach_joint_moved() returns trigger language plpgsql as $$
begin
  perform outreach_counts_note(array[new.id]);
  return null;
end $$;
create trigger joint_episodes_outreach_update after update on joint_episodes
  for each row when (old.site_id is distinct from new.site_id)
  execute function outreach_joint_moved();

create function outreach_links_noted() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    perform outreach_counts_note(array(select episode_id from old_rows));
  else
    perform outreach_counts_note(array(select episode_id from new_rows));
  end if;
  return null;
end $$;
create trigger survey_assignments_outreach_insert after insert on survey_assignments
  referencing new table as new_rows for each statement execute function outreach_links_noted();
create trigger survey_assignments_outreach_delete after delete on survey_assignments
  referencing old table as old_rows for each statement execute function outreach_links_noted();
-- Saving a draft updates a link often: only what the counts read notes it (row-level, so a
-- draft save pays one comparison).
create function outreach_link_changed() returns trigger language plpgsql as $$
begin
  perform outreach_counts_note(array[old.episode_id, new.episode_id]);
  return null;
end $$;
create trigger survey_assignments_outreach_update after update on survey_assignments
  for each row when (old.completed_at is distinct from new.completed_at
                     or old.answered_modes is distinct from new.answered_modes
                     or old.timepoint is distinct from new.timepoint
                     or old.created_at is distinct from new.created_at
                     or old.episode_id is distinct from new.episode_id)
  execute function outreach_link_changed();

-- A contact's joint is its link's. A delivery report updates a contact often: only what the
-- counts read (its link, channel, step and time) notes it.
create function outreach_contacts_noted() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    perform outreach_counts_note(array(
      select a.episode_id from old_rows c
      join survey_assignments a on a.site_id = c.site_id and a.id = c.assignment_id));
  else
    perform outreach_counts_note(array(
      select a.episode_id from new_rows c
      join survey_assignments a on a.site_id = c.site_id and a.id = c.assignment_id));
  end if;
  return null;
end $$;
create function outreach_contact_changed() returns trigger language plpgsql as $$
begin
  perform outreach_counts_note(array(
    select a.episode_id from survey_assignments a
    where a.id in (old.assignment_id, new.assignment_id)));
  return null;
end $$;
create trigger follow_up_contacts_outreach_insert after insert on follow_up_contacts
  referencing new table as new_rows for each statement execute function outreach_contacts_noted();
create trigger follow_up_contacts_outreach_update after update on follow_up_contacts
  for each row when (old.assignment_id is distinct from new.assignment_id
                     or old.channel is distinct from new.channel
                     or old.step is distinct from new.step
                     or old.at is distinct from new.at)
  execute function outreach_contact_changed();
create trigger follow_up_contacts_outreach_delete after delete on follow_up_contacts
  referencing old table as old_rows for each statement execute function outreach_contacts_noted();

-- Every joint at once: the first fill, and after a bulk load without triggers.
create function outreach_counts_rebuild() returns void language plpgsql as $$
begin
  perform outreach_counts_lock();
  -- Deletes, not truncate: the serving role may not truncate (as 0090's rebuild).
  delete from outreach_counts;
  delete from outreach_folded;
  delete from outreach_counts_pending;
  insert into outreach_folded
  select * from outreach_of(array(select distinct episode_id from survey_assignments));
  insert into outreach_counts (site_id, section, timepoint, label, step, links, completed)
  select site_id, section, timepoint, label, step, sum(links), sum(completed)
  from outreach_folded group by 1, 2, 3, 4, 5;
end $$;
select outreach_counts_rebuild();
