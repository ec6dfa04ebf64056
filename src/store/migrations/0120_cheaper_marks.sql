-- Cheaper marks (issue 17): working out the joints' OMERACT-OARSI classes was a quarter of a
-- fold and a third of a read's pending changes. Each class called a PL/pgSQL function that read
-- its thresholds out of the rules' JSON again (about 4 µs a call, 8 calls a joint and
-- instrument), and each joint's rows were tested for a score by a subquery per row. Now the
-- thresholds are read once per statement and the class is an SQL expression the planner inlines;
-- the same arithmetic in the same order, so the same classes (0090).

create function omeract_oarsi_improved(d1 float8, di float8, absolute float8, relative float8,
  tolerance float8) returns boolean language sql immutable as $$
  select di - d1 >= absolute - tolerance and di - d1 >= relative * (100 - d1) - tolerance $$;

-- 0090's omeract_oarsi_class, with the rules' thresholds given: 0 without the four scores;
-- 1 not improved, 2 improved, 3 undecided without the patient's global; plus 4 with it.
create function omeract_oarsi_class(p1 float8, pi float8, f1 float8, fi float8, g1 float8,
  gi float8, tolerance float8, per_point float8, high_absolute float8, high_relative float8,
  moderate_absolute float8, moderate_relative float8) returns smallint language sql immutable as $$
  select (case
    when p1 is null or pi is null or f1 is null or fi is null then 0
    else case
        when omeract_oarsi_improved(p1, pi, high_absolute, high_relative, tolerance)
          or omeract_oarsi_improved(f1, fi, high_absolute, high_relative, tolerance)
          or (omeract_oarsi_improved(p1, pi, moderate_absolute, moderate_relative, tolerance)
              and omeract_oarsi_improved(f1, fi, moderate_absolute, moderate_relative, tolerance))
          then 2
        when omeract_oarsi_improved(p1, pi, moderate_absolute, moderate_relative, tolerance)
          <> omeract_oarsi_improved(f1, fi, moderate_absolute, moderate_relative, tolerance)
          then case
            when g1 is null or gi is null then 3
            when omeract_oarsi_improved(100 - g1 * per_point, 100 - gi * per_point,
                   moderate_absolute, moderate_relative, tolerance) then 2
            else 1 end
        else 1 end
      + case when g1 is not null and gi is not null then 4 else 0 end
    end)::smallint $$;

-- 0118's marks' query, with the classes above and a joint's rows tested for a score in one call.
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
              from outcome_rules) r
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

-- Nothing calls the JSON-reading forms any more.
drop function omeract_oarsi_class(float8, float8, float8, float8, float8, float8, jsonb);
drop function omeract_oarsi_improved(float8, float8, jsonb, float8);
