-- Corrections, patient status and erasure (issue 14).
-- A patient's status: deceased, lost to follow-up and withdrawn patients are never contacted.
-- A withdrawn patient's data stays only when the consent form allows it (else it is erased).
alter table patients
  add column status text not null default 'active'
    check (status in ('active', 'deceased', 'lost-to-follow-up', 'withdrawn')),
  add column status_date date;

-- outcome_joint_scores (migration 0012) was kept on INSERT only. A corrected answer rescored,
-- or an answer removed as entered in error, must move it too: the affected joints' rows are
-- rebuilt from their remaining scores in the same statement, as 0012 first filled them.
create function outcome_joint_scores_rebuild(episodes uuid[]) returns void language plpgsql as $$
begin
  delete from outcome_joint_scores where episode_id = any(episodes);
  insert into outcome_joint_scores (episode_id, instrument_id, scale, site_id, scores, answered_at)
  select episode_id, instrument_id, scale, site_id, array[v1, v2, v3, v4, v5, v6, v7, v8, v9], array[a1, a2, a3, a4, a5, a6, a7, a8, a9]
  from (
    select episode_id, instrument_id, scale, site_id,
           max(value) filter (where k = 1) as v1,
           max(value) filter (where k = 2) as v2,
           max(value) filter (where k = 3) as v3,
           max(value) filter (where k = 4) as v4,
           max(value) filter (where k = 5) as v5,
           max(value) filter (where k = 6) as v6,
           max(value) filter (where k = 7) as v7,
           max(value) filter (where k = 8) as v8,
           max(value) filter (where k = 9) as v9,
           min(submitted_at) filter (where k = 1) as a1,
           min(submitted_at) filter (where k = 2) as a2,
           min(submitted_at) filter (where k = 3) as a3,
           min(submitted_at) filter (where k = 4) as a4,
           min(submitted_at) filter (where k = 5) as a5,
           min(submitted_at) filter (where k = 6) as a6,
           min(submitted_at) filter (where k = 7) as a7,
           min(submitted_at) filter (where k = 8) as a8,
           min(submitted_at) filter (where k = 9) as a9
    from (
      select distinct on (r.episode_id, s.instrument_id, s.scale, p.k)
             r.episode_id, s.instrument_id, s.scale, r.site_id, p.k, s.value, r.submitted_at
      from response_scores s
      join responses r on r.id = s.response_id
      -- A joint deleted in this statement (its cascade still running) gets no row back.
      join joint_episodes e on e.id = r.episode_id
      cross join lateral (select array_position(array['baseline', 'w6', 'm3', 'm6', 'm12', 'm24', 'm36', 'm48', 'm60'], r.timepoint) as k) p
      where p.k is not null and r.episode_id = any(episodes)
      order by r.episode_id, s.instrument_id, s.scale, p.k, r.submitted_at, r.id
    ) first_per_slot
    group by episode_id, instrument_id, scale, site_id
  ) per_joint;
end $$;

-- Scores changed or removed while their answer stays (a rescoring).
create function outcome_joint_scores_scores_changed() returns trigger language plpgsql as $$
begin
  perform outcome_joint_scores_rebuild(array(
    select distinct r.episode_id from changed c join responses r on r.id = c.response_id));
  return null;
end $$;
create trigger response_scores_outcome_joint_scores_update after update on response_scores
  referencing new table as changed
  for each statement execute function outcome_joint_scores_scores_changed();
create trigger response_scores_outcome_joint_scores_delete after delete on response_scores
  referencing old table as changed
  for each statement execute function outcome_joint_scores_scores_changed();

-- An answer removed (its scores go with it by cascade) or moved to another joint or time point.
create function outcome_joint_scores_responses_removed() returns trigger language plpgsql as $$
begin
  perform outcome_joint_scores_rebuild(array(select distinct episode_id from removed));
  return null;
end $$;
create trigger responses_outcome_joint_scores_delete after delete on responses
  referencing old table as removed
  for each statement execute function outcome_joint_scores_responses_removed();

create function outcome_joint_scores_responses_moved() returns trigger language plpgsql as $$
begin
  perform outcome_joint_scores_rebuild(array(
    select o.episode_id from removed o join moved n on n.id = o.id
      where (o.episode_id, o.timepoint, o.submitted_at) is distinct from (n.episode_id, n.timepoint, n.submitted_at)
    union
    select n.episode_id from removed o join moved n on n.id = o.id
      where (o.episode_id, o.timepoint, o.submitted_at) is distinct from (n.episode_id, n.timepoint, n.submitted_at)));
  return null;
end $$;
create trigger responses_outcome_joint_scores_update after update on responses
  referencing old table as removed new table as moved
  for each statement execute function outcome_joint_scores_responses_moved();
