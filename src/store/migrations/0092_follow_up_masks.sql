-- Each joint's survey links issued and answered, as bit masks over the time points (issue 17),
-- kept beside its first treatment date: the Follow-up page counts its flow from these narrow
-- rows and lists only the joints with a window open today, instead of grouping every survey
-- link of the site. Bit i-1 is the i-th time point of core/schedule/timepoints.ts
-- (TIMEPOINT_IDS); followup.int.test.ts checks the list and the masks against the links.
create function follow_up_timepoint_bit(timepoint text) returns int language sql immutable as $$
  select coalesce(1 << (array_position(
    array['baseline', 'w6', 'm3', 'm6', 'm12', 'm24', 'm36', 'm48', 'm60'], timepoint) - 1), 0) $$;

alter table episode_follow_up
  add column invited int not null default 0,
  add column completed int not null default 0;
create index episode_follow_up_site_treated_idx on episode_follow_up (site_id, first_treated);

-- The masks of some joints, recounted from their links.
create function episode_follow_up_links(episodes uuid[]) returns void language plpgsql as $$
begin
  insert into episode_follow_up as f (episode_id, site_id, invited, completed)
  select e.id, e.site_id,
         coalesce((select bit_or(follow_up_timepoint_bit(a.timepoint)) from survey_assignments a
                   where a.site_id = e.site_id and a.episode_id = e.id), 0),
         coalesce((select bit_or(follow_up_timepoint_bit(a.timepoint)) from survey_assignments a
                   where a.site_id = e.site_id and a.episode_id = e.id and a.completed_at is not null), 0)
  from joint_episodes e where e.id = any(episodes)
  order by e.id
  on conflict (episode_id) do update set invited = excluded.invited, completed = excluded.completed;
end $$;

-- A new link only adds bits (one row update per joint and statement).
create function episode_follow_up_linked() returns trigger language plpgsql as $$
begin
  insert into episode_follow_up as f (episode_id, site_id, invited, completed)
  select n.episode_id, n.site_id, bit_or(follow_up_timepoint_bit(n.timepoint)),
         coalesce(bit_or(follow_up_timepoint_bit(n.timepoint)) filter (where n.completed_at is not null), 0)
  from new_rows n group by n.episode_id, n.site_id order by n.episode_id
  on conflict (episode_id) do update
    set invited = f.invited | excluded.invited, completed = f.completed | excluded.completed;
  return null;
end $$;
create trigger survey_assignments_follow_up_insert after insert on survey_assignments
  referencing new table as new_rows for each statement execute function episode_follow_up_linked();

-- Saving a draft updates a link too, often: only a change of answered, time point or joint
-- counts (row-level, so the draft saves pay one comparison). An answer, the usual change, sets
-- one bit; anything else recounts the joints' links.
create function episode_follow_up_link_changed() returns trigger language plpgsql as $$
begin
  if old.completed_at is null and new.completed_at is not null
     and old.episode_id = new.episode_id and old.timepoint = new.timepoint then
    update episode_follow_up set completed = completed | follow_up_timepoint_bit(new.timepoint)
    where episode_id = new.episode_id;
  else
    perform episode_follow_up_links(array[old.episode_id, new.episode_id]);
  end if;
  return null;
end $$;
create trigger survey_assignments_follow_up_update after update on survey_assignments
  for each row when (old.completed_at is distinct from new.completed_at
                     or old.timepoint is distinct from new.timepoint
                     or old.episode_id is distinct from new.episode_id)
  execute function episode_follow_up_link_changed();

create function episode_follow_up_links_removed() returns trigger language plpgsql as $$
begin
  perform episode_follow_up_links(array(select distinct episode_id from old_rows));
  return null;
end $$;
create trigger survey_assignments_follow_up_delete after delete on survey_assignments
  referencing old table as old_rows for each statement execute function episode_follow_up_links_removed();

-- The whole table from the registry, set-based: after a bulk load without triggers.
create or replace function episode_follow_up_rebuild() returns void language plpgsql as $$
begin
  truncate episode_follow_up;
  insert into episode_follow_up (episode_id, site_id, first_treated, last_answered, invited, completed)
  select e.id, e.site_id, t.first_treated, r.last_answered,
         coalesce(a.invited, 0), coalesce(a.completed, 0)
  from joint_episodes e
  left join (select episode_id, min(treatment_date) as first_treated from treatments
             group by episode_id) t on t.episode_id = e.id
  left join (select episode_id, max(submitted_at)::date as last_answered from responses
             group by episode_id) r on r.episode_id = e.id
  left join (select episode_id, bit_or(follow_up_timepoint_bit(timepoint)) as invited,
                    coalesce(bit_or(follow_up_timepoint_bit(timepoint))
                      filter (where completed_at is not null), 0) as completed
             from survey_assignments group by episode_id) a on a.episode_id = e.id;
end $$;
select episode_follow_up_rebuild();
