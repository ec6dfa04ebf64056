-- The fold's marks planned for the joints it is given (issue 17). The rules' table has one row
-- (0090), but autovacuum analyzes a table only after 50 changes, so the planner never learned
-- that and took the table's default size, about 1,330 rows. Crossed with that, each step's marks
-- looked like a thousand rows, and PostgreSQL fetched the joints' global scores from every
-- folded row by a hash join until probing 1,330 times looked cheaper (at 100,000 joints it
-- probed). At 12,000 joints a step of one joint took 27-29 ms (10 ms now), and as the step
-- sizer shrank steps to one joint, a backlog of 12,000 noted joints took 32 s to fold (9.6 s
-- now). `limit 1` says the one row; the rest is 0120's query.
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
        join responses r on r.episode_id = u.episode_id
        join jsonb_to_recordset(coalesce((select spec->'items' from outcome_rules), '[]'))
          as it(instrument_id text, item text) on it.instrument_id = r.instrument_id
        where jsonb_typeof(r.answers -> it.item) = 'number'
        order by r.episode_id, r.timepoint, it.instrument_id, it.item, r.submitted_at, r.id) a
  join %2$s k on k.episode_id = a.episode_id
  where a.slot is not null
  group by a.episode_id, a.item, k.site_id, k.joint, k.kl_grade, k.sex, k.treatments $m$, scores, keys) $q$;
