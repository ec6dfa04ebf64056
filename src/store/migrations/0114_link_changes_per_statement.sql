-- A statement's changed survey links are noted once, not link by link (issue 17's ingest
-- profile: the two row triggers 0091 and 0102 put on a link's update ran once per submission,
-- and the outreach note was planned afresh each time, about a sixth of a submission's time in
-- the database). One statement trigger reads the changed links once and does what the two did.
drop trigger survey_assignments_follow_up_update on survey_assignments;
drop trigger survey_assignments_outreach_update on survey_assignments;
drop function episode_follow_up_link_changed();
drop function outreach_link_changed();

create function survey_links_changed() returns trigger language plpgsql as $$
declare
  recount uuid[];
  noted uuid[];
begin
  -- 0094's modes update after a submission's own finds nothing to change: it stops here.
  if not exists (select from new_rows) then
    return null;
  end if;
  -- A link's id never changes (it is the key everything else names), so old and new pair by it.
  -- The update below runs whether or not the select reads it.
  with pairs as (
    select n.episode_id as new_episode, o.episode_id as old_episode, n.timepoint,
           o.completed_at is null and n.completed_at is not null
             and o.episode_id = n.episode_id and o.timepoint = n.timepoint as answered,
           o.completed_at is distinct from n.completed_at
             or o.timepoint is distinct from n.timepoint
             or o.episode_id is distinct from n.episode_id as follow_up,
           o.completed_at is distinct from n.completed_at
             or o.answered_modes is distinct from n.answered_modes
             or o.timepoint is distinct from n.timepoint
             or o.created_at is distinct from n.created_at
             or o.episode_id is distinct from n.episode_id as outreach
    from old_rows o join new_rows n on n.id = o.id
  ), answered as (
    -- A link newly answered, of the same joint and time point: its bit is set.
    update episode_follow_up f set completed = f.completed | a.bits
    from (select new_episode, bit_or(follow_up_timepoint_bit(timepoint)) as bits from pairs
          where answered group by new_episode) a
    where f.episode_id = a.new_episode
    returning 1
  )
  select array(select e from pairs p, unnest(array[p.old_episode, p.new_episode]) e
               where p.follow_up and not p.answered),
         array(select e from pairs p, unnest(array[p.old_episode, p.new_episode]) e
               where p.outreach)
  into recount, noted;
  -- Anything else that moves a link's completion, time point or joint: both joints afresh.
  if cardinality(recount) > 0 then
    perform episode_follow_up_recompute(recount);
  end if;
  if cardinality(noted) > 0 then
    perform outreach_counts_note(noted);
  end if;
  return null;
end $$;
create trigger survey_assignments_links_changed after update on survey_assignments
  referencing old table as old_rows new table as new_rows
  for each statement execute function survey_links_changed();
