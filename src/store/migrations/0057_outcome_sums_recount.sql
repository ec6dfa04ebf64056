-- Recounting the dashboard sums (migration 0055) one slice of joints at a time called the
-- triggers' fold per slice: at 100,000 joints that took minutes. The recount is now set-based,
-- the same sums in one pass per table (a change of thresholds, a bulk load, the tests' check).
create or replace function outcome_sums_rebuild() returns void language plpgsql as $$
begin
  lock table outcome_rules in exclusive mode;
  truncate outcome_sums, outcome_cohort_counts, outcome_joint_marks, episode_cohorts;
  insert into episode_cohorts (episode_id, site_id, joint, kl_grade, sex, treatments)
  select e.id, e.site_id, e.joint, e.kl_grade, p.sex, coalesce(t.treatments, '{}')
  from joint_episodes e join patients p on p.id = e.patient_id
  left join (select episode_id, array_agg(k order by k) as treatments
             from (select distinct episode_id, product_class || '|' || cohort_dose_band(cell_dose_millions)
                          || '|' || cohort_bmi_class(bmi) as k from treatments) d
             group by episode_id) t on t.episode_id = e.id;
  insert into outcome_sums (site_id, joint, kl_grade, sex, treatments, instrument_id, scale, pattern,
    joints, sums, squares, products, squared_joint_sums, past_mcid, in_pass)
  select k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, x.instrument_id, x.scale, x.pattern,
         count(*),
         array[coalesce(sum(x.v[1]), 0), coalesce(sum(x.v[2]), 0), coalesce(sum(x.v[3]), 0), coalesce(sum(x.v[4]), 0), coalesce(sum(x.v[5]), 0), coalesce(sum(x.v[6]), 0), coalesce(sum(x.v[7]), 0), coalesce(sum(x.v[8]), 0), coalesce(sum(x.v[9]), 0)],
         array[coalesce(sum(x.v[1] * x.v[1]), 0), coalesce(sum(x.v[2] * x.v[2]), 0), coalesce(sum(x.v[3] * x.v[3]), 0), coalesce(sum(x.v[4] * x.v[4]), 0), coalesce(sum(x.v[5] * x.v[5]), 0), coalesce(sum(x.v[6] * x.v[6]), 0), coalesce(sum(x.v[7] * x.v[7]), 0), coalesce(sum(x.v[8] * x.v[8]), 0), coalesce(sum(x.v[9] * x.v[9]), 0)],
         array[coalesce(sum(x.v[1] * x.v[1]), 0), coalesce(sum(x.v[2] * x.v[1]), 0), coalesce(sum(x.v[3] * x.v[1]), 0), coalesce(sum(x.v[4] * x.v[1]), 0), coalesce(sum(x.v[5] * x.v[1]), 0), coalesce(sum(x.v[6] * x.v[1]), 0), coalesce(sum(x.v[7] * x.v[1]), 0), coalesce(sum(x.v[8] * x.v[1]), 0), coalesce(sum(x.v[9] * x.v[1]), 0)],
         coalesce(sum(x.joint_sum * x.joint_sum), 0),
         array[(count(*) filter (where (x.scores[1] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int,
           (count(*) filter (where (x.scores[2] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int,
           (count(*) filter (where (x.scores[3] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int,
           (count(*) filter (where (x.scores[4] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int,
           (count(*) filter (where (x.scores[5] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int,
           (count(*) filter (where (x.scores[6] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int,
           (count(*) filter (where (x.scores[7] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int,
           (count(*) filter (where (x.scores[8] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int,
           (count(*) filter (where (x.scores[9] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int],
         array[(count(*) filter (where x.scores[1] * th.sign >= th.pass * th.sign - th.tolerance))::int,
           (count(*) filter (where x.scores[2] * th.sign >= th.pass * th.sign - th.tolerance))::int,
           (count(*) filter (where x.scores[3] * th.sign >= th.pass * th.sign - th.tolerance))::int,
           (count(*) filter (where x.scores[4] * th.sign >= th.pass * th.sign - th.tolerance))::int,
           (count(*) filter (where x.scores[5] * th.sign >= th.pass * th.sign - th.tolerance))::int,
           (count(*) filter (where x.scores[6] * th.sign >= th.pass * th.sign - th.tolerance))::int,
           (count(*) filter (where x.scores[7] * th.sign >= th.pass * th.sign - th.tolerance))::int,
           (count(*) filter (where x.scores[8] * th.sign >= th.pass * th.sign - th.tolerance))::int,
           (count(*) filter (where x.scores[9] * th.sign >= th.pass * th.sign - th.tolerance))::int]
  from (
    select o.episode_id, o.instrument_id, o.scale, o.scores, array[o.scores[1]::numeric, o.scores[2]::numeric, o.scores[3]::numeric, o.scores[4]::numeric, o.scores[5]::numeric, o.scores[6]::numeric, o.scores[7]::numeric, o.scores[8]::numeric, o.scores[9]::numeric] as v,
           (case when o.scores[1] is not null then 1 else 0 end)
           + (case when o.scores[2] is not null then 2 else 0 end)
           + (case when o.scores[3] is not null then 4 else 0 end)
           + (case when o.scores[4] is not null then 8 else 0 end)
           + (case when o.scores[5] is not null then 16 else 0 end)
           + (case when o.scores[6] is not null then 32 else 0 end)
           + (case when o.scores[7] is not null then 64 else 0 end)
           + (case when o.scores[8] is not null then 128 else 0 end)
           + (case when o.scores[9] is not null then 256 else 0 end) as pattern
    from outcome_joint_scores o
  ) x0
  cross join lateral (select x0.*, coalesce(x0.v[1], 0) + coalesce(x0.v[2], 0) + coalesce(x0.v[3], 0) + coalesce(x0.v[4], 0) + coalesce(x0.v[5], 0) + coalesce(x0.v[6], 0) + coalesce(x0.v[7], 0) + coalesce(x0.v[8], 0) + coalesce(x0.v[9], 0) as joint_sum) x
  join episode_cohorts k on k.episode_id = x.episode_id
  left join (select t.*, coalesce((r.spec->>'tolerance')::float8, 0) as tolerance
             from outcome_rules r
             cross join jsonb_to_recordset(coalesce(r.spec->'thresholds', '[]'))
               as t(instrument_id text, scale text, sign int, mcid float8, pass float8)) th
    on th.instrument_id = x.instrument_id and th.scale = x.scale
  where x.pattern > 0
  group by k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, x.instrument_id, x.scale, x.pattern;
  insert into outcome_joint_marks (episode_id, instrument_id, classes)
  select o.episode_id, '', '{}'::smallint[] from outcome_joint_scores o
  where exists (select 1 from unnest(o.scores) v where v is not null)
  group by o.episode_id
  union all
  select pf.episode_id, pf.instrument_id,
         array[0::smallint,
             omeract_oarsi_class(p[1], p[2], f[1], f[2], r.spec),
             omeract_oarsi_class(p[1], p[3], f[1], f[3], r.spec),
             omeract_oarsi_class(p[1], p[4], f[1], f[4], r.spec),
             omeract_oarsi_class(p[1], p[5], f[1], f[5], r.spec),
             omeract_oarsi_class(p[1], p[6], f[1], f[6], r.spec),
             omeract_oarsi_class(p[1], p[7], f[1], f[7], r.spec),
             omeract_oarsi_class(p[1], p[8], f[1], f[8], r.spec),
             omeract_oarsi_class(p[1], p[9], f[1], f[9], r.spec)]
  from (select o.episode_id, o.instrument_id,
               max(o.scores) filter (where o.scale = d.pain) as p,
               max(o.scores) filter (where o.scale = d.function) as f
        from outcome_joint_scores o
        join jsonb_to_recordset(coalesce((select spec->'domains' from outcome_rules), '[]'))
          as d(instrument_id text, pain text, function text)
          on d.instrument_id = o.instrument_id and o.scale in (d.pain, d.function)
        group by o.episode_id, o.instrument_id) pf
  cross join outcome_rules r
  where pf.p is not null and pf.f is not null;
  insert into outcome_cohort_counts (site_id, joint, kl_grade, sex, treatments, instrument_id,
    joints, paired, responders, undetermined)
  select k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, x.instrument_id, count(*),
         array[(count(*) filter (where x.classes[1] > 0))::int, (count(*) filter (where x.classes[2] > 0))::int, (count(*) filter (where x.classes[3] > 0))::int, (count(*) filter (where x.classes[4] > 0))::int, (count(*) filter (where x.classes[5] > 0))::int, (count(*) filter (where x.classes[6] > 0))::int, (count(*) filter (where x.classes[7] > 0))::int, (count(*) filter (where x.classes[8] > 0))::int, (count(*) filter (where x.classes[9] > 0))::int],
         array[(count(*) filter (where x.classes[1] = 2))::int, (count(*) filter (where x.classes[2] = 2))::int, (count(*) filter (where x.classes[3] = 2))::int, (count(*) filter (where x.classes[4] = 2))::int, (count(*) filter (where x.classes[5] = 2))::int, (count(*) filter (where x.classes[6] = 2))::int, (count(*) filter (where x.classes[7] = 2))::int, (count(*) filter (where x.classes[8] = 2))::int, (count(*) filter (where x.classes[9] = 2))::int],
         array[(count(*) filter (where x.classes[1] = 3))::int, (count(*) filter (where x.classes[2] = 3))::int, (count(*) filter (where x.classes[3] = 3))::int, (count(*) filter (where x.classes[4] = 3))::int, (count(*) filter (where x.classes[5] = 3))::int, (count(*) filter (where x.classes[6] = 3))::int, (count(*) filter (where x.classes[7] = 3))::int, (count(*) filter (where x.classes[8] = 3))::int, (count(*) filter (where x.classes[9] = 3))::int]
  from outcome_joint_marks x
  join episode_cohorts k on k.episode_id = x.episode_id
  group by k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, x.instrument_id;
end $$;
