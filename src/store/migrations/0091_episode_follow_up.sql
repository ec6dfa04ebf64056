-- What the Kaplan–Meier curves and the Follow-up page need of each joint, kept in the writing
-- transaction (issue 17), so they read one narrow row per joint instead of grouping every
-- treatment, answer, survey link and reported event of the site:
--   first treatment and last answer dates;
--   the survey links issued and answered, as bit masks over the time points (bit i-1 is the
--   i-th time point of core/schedule/timepoints.ts, TIMEPOINT_IDS);
--   the last reported event, and the first event of each kind on or after the first treatment.
-- An answer, and a new or answered link, move the row on; any other change recomputes the
-- joints concerned. Derived: backups leave it out. followup.int.test.ts and
-- report.int.test.ts compare what is read from it with the computation over every row.
create table episode_follow_up (
  episode_id uuid primary key references joint_episodes (id) on delete cascade,
  site_id uuid not null,
  first_treated date,
  last_answered date,
  invited int not null default 0,
  completed int not null default 0,
  last_reported date,
  reinjection_on date,
  arthroplasty_on date,
  back_to_activities_on date,
  back_to_work_on date
);
create index episode_follow_up_site_treated_idx on episode_follow_up (site_id, first_treated);

create function follow_up_timepoint_bit(timepoint text) returns int language sql immutable as $$
  select coalesce(1 << (array_position(
    array['baseline', 'w6', 'm3', 'm6', 'm12', 'm24', 'm36', 'm48', 'm60'], timepoint) - 1), 0) $$;

-- The events part of some joints' rows, from their reported events. The list is joined, not
-- searched with = any: the rebuild passes every joint.
create function episode_follow_up_events(episodes uuid[]) returns void language plpgsql as $$
begin
  update episode_follow_up f
  set last_reported = x.last_reported, reinjection_on = x.reinjection_on,
      arthroplasty_on = x.arthroplasty_on, back_to_activities_on = x.back_to_activities_on,
      back_to_work_on = x.back_to_work_on
  from (
    select g.episode_id,
           max(pe.created_at)::date as last_reported,
           min(pe.event_date) filter (where pe.kind = 'reinjection' and pe.event_date >= g.first_treated) as reinjection_on,
           min(pe.event_date) filter (where pe.kind = 'arthroplasty' and pe.event_date >= g.first_treated) as arthroplasty_on,
           min(pe.event_date) filter (where pe.kind = 'returned-to-activities' and pe.event_date >= g.first_treated) as back_to_activities_on,
           min(pe.event_date) filter (where pe.kind = 'returned-to-work' and pe.event_date >= g.first_treated) as back_to_work_on
    from (select distinct u.episode_id from unnest(episodes) as u(episode_id)) u
    join episode_follow_up g on g.episode_id = u.episode_id
    left join patient_events pe on pe.episode_id = g.episode_id
    group by g.episode_id
  ) x
  where f.episode_id = x.episode_id;
end $$;

-- Some joints' rows, recomputed whole from the registry.
create function episode_follow_up_recompute(episodes uuid[]) returns void language plpgsql as $$
begin
  insert into episode_follow_up as f (episode_id, site_id, first_treated, last_answered, invited, completed)
  select e.id, e.site_id,
         (select min(t.treatment_date) from treatments t where t.episode_id = e.id),
         (select max(r.submitted_at)::date from responses r where r.episode_id = e.id),
         coalesce((select bit_or(follow_up_timepoint_bit(a.timepoint)) from survey_assignments a
                   where a.site_id = e.site_id and a.episode_id = e.id), 0),
         coalesce((select bit_or(follow_up_timepoint_bit(a.timepoint)) from survey_assignments a
                   where a.site_id = e.site_id and a.episode_id = e.id and a.completed_at is not null), 0)
  from (select distinct u.id from unnest(episodes) as u(id)) u
  join joint_episodes e on e.id = u.id
  order by e.id
  on conflict (episode_id) do update
    set first_treated = excluded.first_treated, last_answered = excluded.last_answered,
        invited = excluded.invited, completed = excluded.completed;
  perform episode_follow_up_events(episodes);
end $$;

-- The joints a statement touched, recomputed: removals, corrections, treatments, reported events
-- and link changes other than an answer.
create function episode_follow_up_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform episode_follow_up_recompute(array(select episode_id from new_rows));
  elsif tg_op = 'DELETE' then
    perform episode_follow_up_recompute(array(select episode_id from old_rows));
  else
    perform episode_follow_up_recompute(array(select episode_id from old_rows
                                              union select episode_id from new_rows));
  end if;
  return null;
end $$;

-- A submission: the joint's last answer moves on (one row update per statement and joint).
create function episode_follow_up_answered() returns trigger language plpgsql as $$
begin
  insert into episode_follow_up as f (episode_id, site_id, last_answered)
  select n.episode_id, n.site_id, max(n.submitted_at)::date from new_rows n
  group by n.episode_id, n.site_id order by n.episode_id
  on conflict (episode_id) do update
    set last_answered = greatest(f.last_answered, excluded.last_answered);
  return null;
end $$;
create trigger responses_follow_up_insert after insert on responses
  referencing new table as new_rows for each statement execute function episode_follow_up_answered();
create trigger responses_follow_up_update after update on responses
  referencing old table as old_rows new table as new_rows
  for each statement execute function episode_follow_up_changed();
create trigger responses_follow_up_delete after delete on responses
  referencing old table as old_rows for each statement execute function episode_follow_up_changed();

create trigger treatments_follow_up_insert after insert on treatments
  referencing new table as new_rows for each statement execute function episode_follow_up_changed();
create trigger treatments_follow_up_update after update on treatments
  referencing old table as old_rows new table as new_rows
  for each statement execute function episode_follow_up_changed();
create trigger treatments_follow_up_delete after delete on treatments
  referencing old table as old_rows for each statement execute function episode_follow_up_changed();

create trigger patient_events_follow_up_insert after insert on patient_events
  referencing new table as new_rows for each statement execute function episode_follow_up_changed();
create trigger patient_events_follow_up_update after update on patient_events
  referencing old table as old_rows new table as new_rows
  for each statement execute function episode_follow_up_changed();
create trigger patient_events_follow_up_delete after delete on patient_events
  referencing old table as old_rows for each statement execute function episode_follow_up_changed();

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
-- one bit; anything else recomputes the joints.
create function episode_follow_up_link_changed() returns trigger language plpgsql as $$
begin
  if old.completed_at is null and new.completed_at is not null
     and old.episode_id = new.episode_id and old.timepoint = new.timepoint then
    update episode_follow_up set completed = completed | follow_up_timepoint_bit(new.timepoint)
    where episode_id = new.episode_id;
  else
    perform episode_follow_up_recompute(array[old.episode_id, new.episode_id]);
  end if;
  return null;
end $$;
create trigger survey_assignments_follow_up_update after update on survey_assignments
  for each row when (old.completed_at is distinct from new.completed_at
                     or old.timepoint is distinct from new.timepoint
                     or old.episode_id is distinct from new.episode_id)
  execute function episode_follow_up_link_changed();
create trigger survey_assignments_follow_up_delete after delete on survey_assignments
  referencing old table as old_rows for each statement execute function episode_follow_up_changed();

-- Every joint at once, set-based: the first fill, and after a bulk load without triggers.
create function episode_follow_up_rebuild() returns void language plpgsql as $$
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
  perform episode_follow_up_events(array(select distinct episode_id from patient_events));
end $$;
select episode_follow_up_rebuild();
