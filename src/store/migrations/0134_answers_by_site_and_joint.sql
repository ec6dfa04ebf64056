-- A submission's two answers each wrote an entry in six indexes. 0011's index of answers by
-- joint and time (`responses_episode_idx`) repeats its other one by site, joint, instrument,
-- time point and time (`responses_visit_idx`) for every statement that names the joint's site.
-- Three functions named the joint alone: they now take its site from its `joint_episodes` row
-- first (the marks' items not from the fold's key rows, an array whose size the planner cannot
-- see: it then merged every answer of the item's instrument). Otherwise as in 0020, 0091 and
-- 0127. Issue 17's ingest: five entries per answer.

create or replace function outcome_joint_scores_rebuild(episodes uuid[]) returns void language plpgsql as $$
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
      -- A joint deleted in this statement (its cascade still running) gets no row back.
      from joint_episodes e
      join responses r on r.site_id = e.site_id and r.episode_id = e.id
      join response_scores s on s.response_id = r.id
      cross join lateral (select array_position(array['baseline', 'w6', 'm3', 'm6', 'm12', 'm24', 'm36', 'm48', 'm60'], r.timepoint) as k) p
      where p.k is not null and e.id = any(episodes)
      order by r.episode_id, s.instrument_id, s.scale, p.k, r.submitted_at, r.id
    ) first_per_slot
    group by episode_id, instrument_id, scale, site_id
  ) per_joint;
end $$;

create or replace function episode_follow_up_recompute(episodes uuid[]) returns void language plpgsql as $$
begin
  insert into episode_follow_up as f (episode_id, site_id, first_treated, last_answered, invited, completed)
  select e.id, e.site_id,
         (select min(t.treatment_date) from treatments t where t.episode_id = e.id),
         (select max(r.submitted_at)::date from responses r
          where r.site_id = e.site_id and r.episode_id = e.id),
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

create or replace function outcome_marks_query(scores text, keys text) returns text language sql immutable as $q$
  select format($m$
  select o.episode_id, '', '{}'::smallint[], o.site_id, o.joint, o.kl_grade, o.sex, o.treatments
  from unnest($1) as u(episode_id)
  join %1$s o on o.episode_id = u.episode_id
  where num_nonnulls(variadic o.scores) > 0
  group by o.episode_id, o.site_id, o.joint, o.kl_grade, o.sex, o.treatments
  union all
  select pf.episode_id, pf.instrument_id,
         array[0::smallint,
             omeract_oarsi_class(p[1], p[2], f[1], f[2], gs.scores[1], gs.scores[2], r.tolerance, r.per_point, r.high_absolute, r.high_relative, r.moderate_absolute, r.moderate_relative),
             omeract_oarsi_class(p[1], p[3], f[1], f[3], gs.scores[1], gs.scores[3], r.tolerance, r.per_point, r.high_absolute, r.high_relative, r.moderate_absolute, r.moderate_relative),
             omeract_oarsi_class(p[1], p[4], f[1], f[4], gs.scores[1], gs.scores[4], r.tolerance, r.per_point, r.high_absolute, r.high_relative, r.moderate_absolute, r.moderate_relative),
             omeract_oarsi_class(p[1], p[5], f[1], f[5], gs.scores[1], gs.scores[5], r.tolerance, r.per_point, r.high_absolute, r.high_relative, r.moderate_absolute, r.moderate_relative),
             omeract_oarsi_class(p[1], p[6], f[1], f[6], gs.scores[1], gs.scores[6], r.tolerance, r.per_point, r.high_absolute, r.high_relative, r.moderate_absolute, r.moderate_relative),
             omeract_oarsi_class(p[1], p[7], f[1], f[7], gs.scores[1], gs.scores[7], r.tolerance, r.per_point, r.high_absolute, r.high_relative, r.moderate_absolute, r.moderate_relative),
             omeract_oarsi_class(p[1], p[8], f[1], f[8], gs.scores[1], gs.scores[8], r.tolerance, r.per_point, r.high_absolute, r.high_relative, r.moderate_absolute, r.moderate_relative),
             omeract_oarsi_class(p[1], p[9], f[1], f[9], gs.scores[1], gs.scores[9], r.tolerance, r.per_point, r.high_absolute, r.high_relative, r.moderate_absolute, r.moderate_relative)],
         pf.site_id, pf.joint, pf.kl_grade, pf.sex, pf.treatments
  from (select o.episode_id, o.instrument_id, o.site_id, o.joint, o.kl_grade, o.sex, o.treatments,
               max(o.scores) filter (where o.scale = d.pain) as p,
               max(o.scores) filter (where o.scale = d.function) as f
        from unnest($1) as u(episode_id)
        join %1$s o on o.episode_id = u.episode_id
        join jsonb_to_recordset(coalesce((select spec->'domains' from outcome_rules), '[]'))
          as d(instrument_id text, pain text, function text)
          on d.instrument_id = o.instrument_id and o.scale in (d.pain, d.function)
        group by o.episode_id, o.instrument_id, o.site_id, o.joint, o.kl_grade, o.sex, o.treatments) pf
  cross join (select (spec->>'tolerance')::float8 as tolerance,
                     100 / (spec->'global'->>'max')::float8 as per_point,
                     (spec->'high'->>'absolute')::float8 as high_absolute,
                     (spec->'high'->>'relative')::float8 as high_relative,
                     (spec->'moderate'->>'absolute')::float8 as moderate_absolute,
                     (spec->'moderate'->>'relative')::float8 as moderate_relative,
                     spec->'global'->>'instrument_id' as global_instrument,
                     spec->'global'->>'scale' as global_scale
              from outcome_rules limit 1) r
  left join %1$s gs
    on gs.episode_id = pf.episode_id and gs.instrument_id = r.global_instrument
   and gs.scale = r.global_scale
  where pf.p is not null and pf.f is not null
  union all
  -- Kept items ('item:<instrument>/<item>'): each slot's first numeric answer, as
  -- itemAnswerCounts reads them from every answer. The slots are outcome_joint_scores' (0012).
  select a.episode_id, 'item:' || a.item,
         array[max(a.answer) filter (where a.slot = 1), max(a.answer) filter (where a.slot = 2), max(a.answer) filter (where a.slot = 3), max(a.answer) filter (where a.slot = 4), max(a.answer) filter (where a.slot = 5), max(a.answer) filter (where a.slot = 6), max(a.answer) filter (where a.slot = 7), max(a.answer) filter (where a.slot = 8), max(a.answer) filter (where a.slot = 9)],
         k.site_id, k.joint, k.kl_grade, k.sex, k.treatments
  from (select distinct on (r.episode_id, r.timepoint, it.instrument_id, it.item)
               r.episode_id, it.instrument_id || '/' || it.item as item,
               array_position(array['baseline', 'w6', 'm3', 'm6', 'm12', 'm24', 'm36', 'm48', 'm60'],
                              r.timepoint) as slot,
               (r.answers ->> it.item)::float8::smallint as answer
        from unnest($1) as u(episode_id)
        join joint_episodes e on e.id = u.episode_id
        join responses r on r.site_id = e.site_id and r.episode_id = e.id
        join jsonb_to_recordset(coalesce((select spec->'items' from outcome_rules), '[]'))
          as it(instrument_id text, item text) on it.instrument_id = r.instrument_id
        where jsonb_typeof(r.answers -> it.item) = 'number'
        order by r.episode_id, r.timepoint, it.instrument_id, it.item, r.submitted_at, r.id) a
  join %2$s k on k.episode_id = a.episode_id
  where a.slot is not null
  group by a.episode_id, a.item, k.site_id, k.joint, k.kl_grade, k.sex, k.treatments $m$, scores, keys) $q$;

drop index responses_episode_idx;
