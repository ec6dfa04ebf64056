-- The classes of the joints passed, joined with the list rather than searched with = any: a
-- rebuild passes every joint, and a search of a million-element list per row made the
-- rebuild quadratic (105 s of its 125 s at 100,000 joints; it did not end in 45 minutes at
-- 1,000,000). Joined, a short list probes the indexes and a long one scans once.
create or replace function outcome_marks_of(episodes uuid[]) returns setof outcome_joint_marks
  language sql stable as $$
  select o.episode_id, '', '{}'::smallint[], o.site_id, o.joint, o.kl_grade, o.sex, o.treatments
  from unnest(episodes) as u(episode_id)
  join outcome_folded_scores o on o.episode_id = u.episode_id
  where exists (select 1 from unnest(o.scores) v where v is not null)
  group by o.episode_id, o.site_id, o.joint, o.kl_grade, o.sex, o.treatments
  union all
  select pf.episode_id, pf.instrument_id,
         array[0::smallint,
             omeract_oarsi_class(p[1], p[2], f[1], f[2], gs.scores[1], gs.scores[2], r.spec),
             omeract_oarsi_class(p[1], p[3], f[1], f[3], gs.scores[1], gs.scores[3], r.spec),
             omeract_oarsi_class(p[1], p[4], f[1], f[4], gs.scores[1], gs.scores[4], r.spec),
             omeract_oarsi_class(p[1], p[5], f[1], f[5], gs.scores[1], gs.scores[5], r.spec),
             omeract_oarsi_class(p[1], p[6], f[1], f[6], gs.scores[1], gs.scores[6], r.spec),
             omeract_oarsi_class(p[1], p[7], f[1], f[7], gs.scores[1], gs.scores[7], r.spec),
             omeract_oarsi_class(p[1], p[8], f[1], f[8], gs.scores[1], gs.scores[8], r.spec),
             omeract_oarsi_class(p[1], p[9], f[1], f[9], gs.scores[1], gs.scores[9], r.spec)],
         pf.site_id, pf.joint, pf.kl_grade, pf.sex, pf.treatments
  from (select o.episode_id, o.instrument_id, o.site_id, o.joint, o.kl_grade, o.sex, o.treatments,
               max(o.scores) filter (where o.scale = d.pain) as p,
               max(o.scores) filter (where o.scale = d.function) as f
        from unnest(episodes) as u(episode_id)
        join outcome_folded_scores o on o.episode_id = u.episode_id
        join jsonb_to_recordset(coalesce((select spec->'domains' from outcome_rules), '[]'))
          as d(instrument_id text, pain text, function text)
          on d.instrument_id = o.instrument_id and o.scale in (d.pain, d.function)
        group by o.episode_id, o.instrument_id, o.site_id, o.joint, o.kl_grade, o.sex, o.treatments) pf
  cross join outcome_rules r
  left join outcome_folded_scores gs
    on gs.episode_id = pf.episode_id and gs.instrument_id = r.spec->'global'->>'instrument_id'
   and gs.scale = r.spec->'global'->>'scale'
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
        from unnest(episodes) as u(episode_id)
        join responses r on r.episode_id = u.episode_id
        join jsonb_to_recordset(coalesce((select spec->'items' from outcome_rules), '[]'))
          as it(instrument_id text, item text) on it.instrument_id = r.instrument_id
        where jsonb_typeof(r.answers -> it.item) = 'number'
        order by r.episode_id, r.timepoint, it.instrument_id, it.item, r.submitted_at, r.id) a
  join episode_cohorts k on k.episode_id = a.episode_id
  where a.slot is not null
  group by a.episode_id, a.item, k.site_id, k.joint, k.kl_grade, k.sex, k.treatments $$;
