-- Each joint's reported events, kept beside its first treatment and last answer (issue 17): the
-- day of the first event of each kind on or after the first treatment, and the day of the last
-- report, so the Kaplan–Meier curves read one narrow row per joint instead of grouping every
-- reported event of the site. Recomputed for the joints concerned when an event or a treatment
-- changes; report.int.test.ts checks the curves against every joint's history.
alter table episode_follow_up
  add column last_reported date,
  add column reinjection_on date,
  add column arthroplasty_on date,
  add column back_to_activities_on date,
  add column back_to_work_on date;

create or replace function episode_follow_up_recompute(episodes uuid[]) returns void language plpgsql as $$
begin
  insert into episode_follow_up as f (episode_id, site_id, first_treated, last_answered)
  select e.id, e.site_id,
         (select min(t.treatment_date) from treatments t where t.episode_id = e.id),
         (select max(r.submitted_at)::date from responses r where r.episode_id = e.id)
  from joint_episodes e where e.id = any(episodes)
  order by e.id
  on conflict (episode_id) do update
    set first_treated = excluded.first_treated, last_answered = excluded.last_answered;
  perform episode_follow_up_events(episodes);
end $$;

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
    -- Joined, not searched with = any: the rebuild passes every joint.
    from unnest(episodes) as u(episode_id)
    join episode_follow_up g on g.episode_id = u.episode_id
    left join patient_events pe on pe.episode_id = g.episode_id
    group by g.episode_id
  ) x
  where f.episode_id = x.episode_id;
end $$;

create function episode_follow_up_events_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform episode_follow_up_recompute(array(select distinct episode_id from new_rows));
  elsif tg_op = 'DELETE' then
    perform episode_follow_up_recompute(array(select distinct episode_id from old_rows));
  else
    perform episode_follow_up_recompute(array(select episode_id from old_rows
                                              union select episode_id from new_rows));
  end if;
  return null;
end $$;
create trigger patient_events_follow_up_insert after insert on patient_events
  referencing new table as new_rows for each statement execute function episode_follow_up_events_changed();
create trigger patient_events_follow_up_update after update on patient_events
  referencing old table as old_rows new table as new_rows
  for each statement execute function episode_follow_up_events_changed();
create trigger patient_events_follow_up_delete after delete on patient_events
  referencing old table as old_rows for each statement execute function episode_follow_up_events_changed();

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
  perform episode_follow_up_events(array(select distinct episode_id from patient_events));
end $$;
select episode_follow_up_rebuild();
