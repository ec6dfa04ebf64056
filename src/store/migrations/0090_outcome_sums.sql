-- Dashboard sums (issue 17): a cohort's outcome statistics are sums (n, Σ score, Σ score²,
-- Σ score × baseline per visit pattern for the mixed model; joints past the MCID, the relative
-- MCID and in the PASS; OMERACT-OARSI classes), kept per site and cohort key so a dashboard adds
-- a few hundred rows instead of reading every joint. Sums are numeric, so taking a joint out and
-- putting it back leaves them exactly as a recount would.
--
-- A write only notes which joints changed (one insert per statement into outcome_sums_pending);
-- the joints are folded in (their old contribution out, their current one in) by the next
-- dashboard read or the daily round, one folder at a time. Measured, folding inside every
-- submission's transaction cost about 9 ms of database time per KOOS answer.
-- Derived data: backups leave these tables out and a restore rebuilds them.

-- Cell dose bands and WHO BMI classes as in core/registry/vocabulary.ts (CELL_DOSE_BANDS;
-- BMI_CLASSES after WHO Technical Report Series 894, 2000, Table 2.1): lower bound included.
-- analytics.int.test.ts checks these against the TypeScript bands.
create function cohort_dose_band(dose double precision) returns text language sql immutable as $$
  select case when dose is null then '' when dose < 10 then 'lt10' when dose < 50 then '10to50'
              when dose < 100 then '50to100' else 'ge100' end $$;
create function cohort_bmi_class(bmi double precision) returns text language sql immutable as $$
  select case when bmi is null then '' when bmi < 18.5 then 'underweight' when bmi < 25 then 'normal'
              when bmi < 30 then 'overweight' else 'obese' end $$;

-- A joint's cohort key: where the filters of a report place it (every joint, scored or not:
-- the Kaplan–Meier curves filter on it too). A joint belongs to a
-- treatment-level cohort (product, dose band, BMI class) when ANY of its treatments matches,
-- so its treatments are one sorted set of 'product|dose band|BMI class' and the joint is
-- counted once, under that set.
create table episode_cohorts (
  episode_id uuid primary key,
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  treatments text[] not null
);

create function episode_cohort_keys(episodes uuid[])
  returns table (episode_id uuid, site_id uuid, joint text, kl_grade smallint, sex text, treatments text[])
  language sql stable as $$
  select e.id, e.site_id, e.joint, e.kl_grade, p.sex,
         coalesce((select array_agg(k order by k) from (
                     select distinct t.product_class || '|' || cohort_dose_band(t.cell_dose_millions)
                            || '|' || cohort_bmi_class(t.bmi) as k
                     from treatments t where t.episode_id = e.id) ks), '{}')
  from joint_episodes e join patients p on p.id = e.patient_id
  where e.id = any(episodes) $$;

-- What the threshold and responder counts are taken against: the app writes the MCID, PASS and
-- OMERACT-OARSI rule of its instrument definitions here and recounts when they change.
create table outcome_rules (
  id boolean primary key default true check (id),
  spec jsonb not null
);
insert into outcome_rules (spec) values ('{}');

-- Per cohort key, scale and visit pattern (bit i-1 set = a score at slot i, the slots of
-- outcome_joint_scores): the joints and the sums of their first scores.
create table outcome_sums (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  treatments text[] not null,
  instrument_id text not null,
  scale text not null,
  pattern int not null,
  joints bigint not null,
  sums numeric[] not null,              -- Σ score per slot
  squares numeric[] not null,           -- Σ score² per slot
  products numeric[] not null,          -- Σ score × baseline score per slot
  squared_joint_sums numeric not null,  -- Σ over joints of (Σ of the joint's scores)²
  past_mcid int[] not null,             -- joints improved by the MCID from baseline, per slot
  past_relative int[] not null,         -- joints improved by the relative MCID, per slot
  in_pass int[] not null,               -- joints in the PASS, per slot
  primary key (site_id, joint, kl_grade, sex, treatments, instrument_id, scale, pattern)
);

-- The same per site only: a whole-site view reads these few thousand rows.
create table outcome_site_sums (
  site_id uuid not null,
  instrument_id text not null,
  scale text not null,
  pattern int not null,
  joints bigint not null,
  sums numeric[] not null,
  squares numeric[] not null,
  products numeric[] not null,
  squared_joint_sums numeric not null,
  past_mcid int[] not null,
  past_relative int[] not null,
  in_pass int[] not null,
  primary key (site_id, instrument_id, scale, pattern)
);

-- Per cohort key and questionnaire: OMERACT-OARSI classes per slot (joints with both domains
-- at baseline and then, responders, undetermined, classed with a patient global).
-- instrument_id '' counts the joints scored.
create table outcome_cohort_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  treatments text[] not null,
  instrument_id text not null,
  joints bigint not null,
  paired int[] not null,
  responders int[] not null,
  undetermined int[] not null,
  with_global int[] not null,
  primary key (site_id, joint, kl_grade, sex, treatments, instrument_id)
);

create table outcome_site_counts (
  site_id uuid not null,
  instrument_id text not null,
  joints bigint not null,
  paired int[] not null,
  responders int[] not null,
  undetermined int[] not null,
  with_global int[] not null,
  primary key (site_id, instrument_id)
);

-- Per cohort key (and per site), item and slot: the joints whose first answer there was each
-- answer, for kept items that are not scored, such as work status (spec.items).
create table outcome_answer_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  treatments text[] not null,
  item text not null,
  slot smallint not null,
  answer smallint not null,
  joints bigint not null,
  primary key (site_id, joint, kl_grade, sex, treatments, item, slot, answer)
);
create table outcome_site_answer_counts (
  site_id uuid not null,
  item text not null,
  slot smallint not null,
  answer smallint not null,
  joints bigint not null,
  primary key (site_id, item, slot, answer)
);

-- What the sums hold for each joint: its rows of outcome_joint_scores as last folded in, with
-- its cohort key then, and its classes per slot (0 none, 1 non-responder, 2 responder, 3 undetermined; + 4 when a
-- patient global at baseline and then decided it), so a fold takes out exactly what it put in.
create table outcome_folded_scores (
  episode_id uuid not null,
  instrument_id text not null,
  scale text not null,
  scores double precision[] not null,
  -- The cohort key it was folded in under, so it is taken out under that key.
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  treatments text[] not null,
  primary key (episode_id, instrument_id, scale)
);
create table outcome_joint_marks (
  episode_id uuid not null,
  instrument_id text not null,
  classes smallint[] not null,
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  treatments text[] not null,
  primary key (episode_id, instrument_id)
);

-- Joints changed since the last fold. A log, not a set: a row a writer adds while a fold runs
-- stays for the next fold instead of merging into one the fold is taking.
create table outcome_sums_pending (
  id bigint generated always as identity primary key,
  episode_id uuid not null,
  site_id uuid not null
);


-- OMERACT-OARSI on two 0–100 domains (100 = no problem), as core/analytics/responders.ts:
-- improved by a level when the gain reaches both its absolute points and its share of the room
-- left at baseline. When exactly one of pain and function improved, the patient global (0–10,
-- 10 worst, read as 100 − 100 g / max) decides; without it the joint is undetermined.
create function omeract_oarsi_improved(d1 float8, di float8, level jsonb, tolerance float8)
  returns boolean language sql immutable as $$
  select di - d1 >= (level->>'absolute')::float8 - tolerance
     and di - d1 >= (level->>'relative')::float8 * (100 - d1) - tolerance $$;
create function omeract_oarsi_class(p1 float8, pi float8, f1 float8, fi float8, g1 float8, gi float8, spec jsonb)
  returns smallint language plpgsql immutable as $$
declare
  tol float8 := (spec->>'tolerance')::float8;
  per_point float8 := 100 / (spec->'global'->>'max')::float8;
  with_global boolean := g1 is not null and gi is not null;
  high boolean;
  pain_up boolean;
  function_up boolean;
  class smallint;
begin
  if p1 is null or pi is null or f1 is null or fi is null then return 0; end if;
  high := omeract_oarsi_improved(p1, pi, spec->'high', tol) or omeract_oarsi_improved(f1, fi, spec->'high', tol);
  pain_up := omeract_oarsi_improved(p1, pi, spec->'moderate', tol);
  function_up := omeract_oarsi_improved(f1, fi, spec->'moderate', tol);
  if high or (pain_up and function_up) then class := 2;
  elsif pain_up <> function_up then
    if not with_global then class := 3;
    elsif omeract_oarsi_improved(100 - g1 * per_point, 100 - gi * per_point, spec->'moderate', tol) then class := 2;
    else class := 1;
    end if;
  else class := 1;
  end if;
  return class + case when with_global then 4 else 0 end;
end $$;

-- These joints' classes from what outcome_folded_scores holds for them. The list is joined,
-- not searched with = any: the recount passes every joint, and a search of that list per row
-- made it quadratic (105 s of 125 s at 100,000 joints; unfinished after 45 min at 1,000,000).
create function outcome_marks_of(episodes uuid[]) returns setof outcome_joint_marks
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

-- Adds folded rows to the sums (and takes others away) under the cohort key each carries: one
-- upsert, adding the arrays slot by slot inline (a function per row cost ~0.1 ms).
create function outcome_sums_fold(added outcome_folded_scores[], removed outcome_folded_scores[])
  returns void language plpgsql as $$
declare
  fine outcome_sums[];
begin
  fine := array(
  select row(x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id, x.scale, x.pattern,
         sum(x.w),
         array[coalesce(sum(x.w * x.v[1]), 0), coalesce(sum(x.w * x.v[2]), 0), coalesce(sum(x.w * x.v[3]), 0), coalesce(sum(x.w * x.v[4]), 0), coalesce(sum(x.w * x.v[5]), 0), coalesce(sum(x.w * x.v[6]), 0), coalesce(sum(x.w * x.v[7]), 0), coalesce(sum(x.w * x.v[8]), 0), coalesce(sum(x.w * x.v[9]), 0)],
         array[coalesce(sum(x.w * x.v[1] * x.v[1]), 0), coalesce(sum(x.w * x.v[2] * x.v[2]), 0), coalesce(sum(x.w * x.v[3] * x.v[3]), 0), coalesce(sum(x.w * x.v[4] * x.v[4]), 0), coalesce(sum(x.w * x.v[5] * x.v[5]), 0), coalesce(sum(x.w * x.v[6] * x.v[6]), 0), coalesce(sum(x.w * x.v[7] * x.v[7]), 0), coalesce(sum(x.w * x.v[8] * x.v[8]), 0), coalesce(sum(x.w * x.v[9] * x.v[9]), 0)],
         array[coalesce(sum(x.w * x.v[1] * x.v[1]), 0), coalesce(sum(x.w * x.v[2] * x.v[1]), 0), coalesce(sum(x.w * x.v[3] * x.v[1]), 0), coalesce(sum(x.w * x.v[4] * x.v[1]), 0), coalesce(sum(x.w * x.v[5] * x.v[1]), 0), coalesce(sum(x.w * x.v[6] * x.v[1]), 0), coalesce(sum(x.w * x.v[7] * x.v[1]), 0), coalesce(sum(x.w * x.v[8] * x.v[1]), 0), coalesce(sum(x.w * x.v[9] * x.v[1]), 0)],
         coalesce(sum(x.w * x.joint_sum * x.joint_sum), 0),
         array[0, coalesce(sum(x.w) filter (where (x.scores[2] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[3] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[4] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[5] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[6] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[7] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[8] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[9] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int],
         array[0, coalesce(sum(x.w) filter (where (x.scores[2] - x.scores[1]) * th.sign > th.tolerance and (x.scores[2] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[3] - x.scores[1]) * th.sign > th.tolerance and (x.scores[3] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[4] - x.scores[1]) * th.sign > th.tolerance and (x.scores[4] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[5] - x.scores[1]) * th.sign > th.tolerance and (x.scores[5] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[6] - x.scores[1]) * th.sign > th.tolerance and (x.scores[6] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[7] - x.scores[1]) * th.sign > th.tolerance and (x.scores[7] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[8] - x.scores[1]) * th.sign > th.tolerance and (x.scores[8] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[9] - x.scores[1]) * th.sign > th.tolerance and (x.scores[9] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int],
         array[coalesce(sum(x.w) filter (where x.scores[1] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[2] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[3] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[4] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[5] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[6] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[7] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[8] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[9] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int])::outcome_sums
  from (
    select o.episode_id, o.instrument_id, o.scale, o.scores,
           o.site_id, o.joint, o.kl_grade, o.sex, o.treatments,
           array[o.scores[1]::numeric, o.scores[2]::numeric, o.scores[3]::numeric, o.scores[4]::numeric, o.scores[5]::numeric, o.scores[6]::numeric, o.scores[7]::numeric, o.scores[8]::numeric, o.scores[9]::numeric] as v,
           (case when o.scores[1] is not null then 1 else 0 end)
           + (case when o.scores[2] is not null then 2 else 0 end)
           + (case when o.scores[3] is not null then 4 else 0 end)
           + (case when o.scores[4] is not null then 8 else 0 end)
           + (case when o.scores[5] is not null then 16 else 0 end)
           + (case when o.scores[6] is not null then 32 else 0 end)
           + (case when o.scores[7] is not null then 64 else 0 end)
           + (case when o.scores[8] is not null then 128 else 0 end)
           + (case when o.scores[9] is not null then 256 else 0 end) as pattern, o.w
    from (select 1 as w, a.* from unnest(added) a union all select -1, r.* from unnest(removed) r) o
    -- A fence: without it the planner inlines v into each of its ~40 uses, converting every
    -- score to numeric again each time (3 s instead of 0.1 s for 1,000 joints).
    offset 0
  ) x0
  cross join lateral (select x0.*, coalesce(x0.v[1], 0) + coalesce(x0.v[2], 0) + coalesce(x0.v[3], 0) + coalesce(x0.v[4], 0) + coalesce(x0.v[5], 0) + coalesce(x0.v[6], 0) + coalesce(x0.v[7], 0) + coalesce(x0.v[8], 0) + coalesce(x0.v[9], 0) as joint_sum) x
  left join (select t.*, coalesce((r.spec->>'tolerance')::float8, 0) as tolerance
             from outcome_rules r
             cross join jsonb_to_recordset(coalesce(r.spec->'thresholds', '[]'))
               as t(instrument_id text, scale text, sign int, mcid float8, pass float8, rel float8, best float8)) th
    on th.instrument_id = x.instrument_id and th.scale = x.scale
  where x.pattern > 0
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id, x.scale, x.pattern);
  insert into outcome_sums as s select * from unnest(fine)
  on conflict (site_id, joint, kl_grade, sex, treatments, instrument_id, scale, pattern) do update set
    joints = s.joints + excluded.joints,
    sums = array[s.sums[1] + excluded.sums[1], s.sums[2] + excluded.sums[2], s.sums[3] + excluded.sums[3], s.sums[4] + excluded.sums[4], s.sums[5] + excluded.sums[5], s.sums[6] + excluded.sums[6], s.sums[7] + excluded.sums[7], s.sums[8] + excluded.sums[8], s.sums[9] + excluded.sums[9]],
    squares = array[s.squares[1] + excluded.squares[1], s.squares[2] + excluded.squares[2], s.squares[3] + excluded.squares[3], s.squares[4] + excluded.squares[4], s.squares[5] + excluded.squares[5], s.squares[6] + excluded.squares[6], s.squares[7] + excluded.squares[7], s.squares[8] + excluded.squares[8], s.squares[9] + excluded.squares[9]],
    products = array[s.products[1] + excluded.products[1], s.products[2] + excluded.products[2], s.products[3] + excluded.products[3], s.products[4] + excluded.products[4], s.products[5] + excluded.products[5], s.products[6] + excluded.products[6], s.products[7] + excluded.products[7], s.products[8] + excluded.products[8], s.products[9] + excluded.products[9]],
    squared_joint_sums = s.squared_joint_sums + excluded.squared_joint_sums,
    past_mcid = array[s.past_mcid[1] + excluded.past_mcid[1], s.past_mcid[2] + excluded.past_mcid[2], s.past_mcid[3] + excluded.past_mcid[3], s.past_mcid[4] + excluded.past_mcid[4], s.past_mcid[5] + excluded.past_mcid[5], s.past_mcid[6] + excluded.past_mcid[6], s.past_mcid[7] + excluded.past_mcid[7], s.past_mcid[8] + excluded.past_mcid[8], s.past_mcid[9] + excluded.past_mcid[9]],
    past_relative = array[s.past_relative[1] + excluded.past_relative[1], s.past_relative[2] + excluded.past_relative[2], s.past_relative[3] + excluded.past_relative[3], s.past_relative[4] + excluded.past_relative[4], s.past_relative[5] + excluded.past_relative[5], s.past_relative[6] + excluded.past_relative[6], s.past_relative[7] + excluded.past_relative[7], s.past_relative[8] + excluded.past_relative[8], s.past_relative[9] + excluded.past_relative[9]],
    in_pass = array[s.in_pass[1] + excluded.in_pass[1], s.in_pass[2] + excluded.in_pass[2], s.in_pass[3] + excluded.in_pass[3], s.in_pass[4] + excluded.in_pass[4], s.in_pass[5] + excluded.in_pass[5], s.in_pass[6] + excluded.in_pass[6], s.in_pass[7] + excluded.in_pass[7], s.in_pass[8] + excluded.in_pass[8], s.in_pass[9] + excluded.in_pass[9]];
  -- The same added up per site: what a whole-site view reads.
  insert into outcome_site_sums as s
  select x.site_id, x.instrument_id, x.scale, x.pattern, sum(x.joints), array[sum(x.sums[1]), sum(x.sums[2]), sum(x.sums[3]), sum(x.sums[4]), sum(x.sums[5]), sum(x.sums[6]), sum(x.sums[7]), sum(x.sums[8]), sum(x.sums[9])], array[sum(x.squares[1]), sum(x.squares[2]), sum(x.squares[3]), sum(x.squares[4]), sum(x.squares[5]), sum(x.squares[6]), sum(x.squares[7]), sum(x.squares[8]), sum(x.squares[9])], array[sum(x.products[1]), sum(x.products[2]), sum(x.products[3]), sum(x.products[4]), sum(x.products[5]), sum(x.products[6]), sum(x.products[7]), sum(x.products[8]), sum(x.products[9])], sum(x.squared_joint_sums), array[sum(x.past_mcid[1])::int, sum(x.past_mcid[2])::int, sum(x.past_mcid[3])::int, sum(x.past_mcid[4])::int, sum(x.past_mcid[5])::int, sum(x.past_mcid[6])::int, sum(x.past_mcid[7])::int, sum(x.past_mcid[8])::int, sum(x.past_mcid[9])::int], array[sum(x.past_relative[1])::int, sum(x.past_relative[2])::int, sum(x.past_relative[3])::int, sum(x.past_relative[4])::int, sum(x.past_relative[5])::int, sum(x.past_relative[6])::int, sum(x.past_relative[7])::int, sum(x.past_relative[8])::int, sum(x.past_relative[9])::int], array[sum(x.in_pass[1])::int, sum(x.in_pass[2])::int, sum(x.in_pass[3])::int, sum(x.in_pass[4])::int, sum(x.in_pass[5])::int, sum(x.in_pass[6])::int, sum(x.in_pass[7])::int, sum(x.in_pass[8])::int, sum(x.in_pass[9])::int]
  from unnest(fine) x group by x.site_id, x.instrument_id, x.scale, x.pattern
  on conflict (site_id, instrument_id, scale, pattern) do update set
    joints = s.joints + excluded.joints,
    sums = array[s.sums[1] + excluded.sums[1], s.sums[2] + excluded.sums[2], s.sums[3] + excluded.sums[3], s.sums[4] + excluded.sums[4], s.sums[5] + excluded.sums[5], s.sums[6] + excluded.sums[6], s.sums[7] + excluded.sums[7], s.sums[8] + excluded.sums[8], s.sums[9] + excluded.sums[9]],
    squares = array[s.squares[1] + excluded.squares[1], s.squares[2] + excluded.squares[2], s.squares[3] + excluded.squares[3], s.squares[4] + excluded.squares[4], s.squares[5] + excluded.squares[5], s.squares[6] + excluded.squares[6], s.squares[7] + excluded.squares[7], s.squares[8] + excluded.squares[8], s.squares[9] + excluded.squares[9]],
    products = array[s.products[1] + excluded.products[1], s.products[2] + excluded.products[2], s.products[3] + excluded.products[3], s.products[4] + excluded.products[4], s.products[5] + excluded.products[5], s.products[6] + excluded.products[6], s.products[7] + excluded.products[7], s.products[8] + excluded.products[8], s.products[9] + excluded.products[9]],
    squared_joint_sums = s.squared_joint_sums + excluded.squared_joint_sums,
    past_mcid = array[s.past_mcid[1] + excluded.past_mcid[1], s.past_mcid[2] + excluded.past_mcid[2], s.past_mcid[3] + excluded.past_mcid[3], s.past_mcid[4] + excluded.past_mcid[4], s.past_mcid[5] + excluded.past_mcid[5], s.past_mcid[6] + excluded.past_mcid[6], s.past_mcid[7] + excluded.past_mcid[7], s.past_mcid[8] + excluded.past_mcid[8], s.past_mcid[9] + excluded.past_mcid[9]],
    past_relative = array[s.past_relative[1] + excluded.past_relative[1], s.past_relative[2] + excluded.past_relative[2], s.past_relative[3] + excluded.past_relative[3], s.past_relative[4] + excluded.past_relative[4], s.past_relative[5] + excluded.past_relative[5], s.past_relative[6] + excluded.past_relative[6], s.past_relative[7] + excluded.past_relative[7], s.past_relative[8] + excluded.past_relative[8], s.past_relative[9] + excluded.past_relative[9]],
    in_pass = array[s.in_pass[1] + excluded.in_pass[1], s.in_pass[2] + excluded.in_pass[2], s.in_pass[3] + excluded.in_pass[3], s.in_pass[4] + excluded.in_pass[4], s.in_pass[5] + excluded.in_pass[5], s.in_pass[6] + excluded.in_pass[6], s.in_pass[7] + excluded.in_pass[7], s.in_pass[8] + excluded.in_pass[8], s.in_pass[9] + excluded.in_pass[9]];
end $$;

-- Adds joints' marks to the counts (and takes others away) under the cohort key each carries.
create function outcome_counts_fold(added outcome_joint_marks[], removed outcome_joint_marks[])
  returns void language plpgsql as $$
declare
  fine outcome_cohort_counts[];
begin
  fine := array(
  select row(x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id,
         sum(x.w),
         array[coalesce(sum(x.w) filter (where x.classes[1] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] % 4 > 0), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] % 4 = 2), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] % 4 = 3), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] >= 4), 0)::int])::outcome_cohort_counts
  from (select 1 as w, a.* from unnest(added) a union all select -1, r.* from unnest(removed) r) x
  where x.instrument_id not like 'item:%'
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id);
  insert into outcome_cohort_counts as c select * from unnest(fine)
  on conflict (site_id, joint, kl_grade, sex, treatments, instrument_id) do update set
    joints = c.joints + excluded.joints,
    paired = array[c.paired[1] + excluded.paired[1], c.paired[2] + excluded.paired[2], c.paired[3] + excluded.paired[3], c.paired[4] + excluded.paired[4], c.paired[5] + excluded.paired[5], c.paired[6] + excluded.paired[6], c.paired[7] + excluded.paired[7], c.paired[8] + excluded.paired[8], c.paired[9] + excluded.paired[9]],
    responders = array[c.responders[1] + excluded.responders[1], c.responders[2] + excluded.responders[2], c.responders[3] + excluded.responders[3], c.responders[4] + excluded.responders[4], c.responders[5] + excluded.responders[5], c.responders[6] + excluded.responders[6], c.responders[7] + excluded.responders[7], c.responders[8] + excluded.responders[8], c.responders[9] + excluded.responders[9]],
    undetermined = array[c.undetermined[1] + excluded.undetermined[1], c.undetermined[2] + excluded.undetermined[2], c.undetermined[3] + excluded.undetermined[3], c.undetermined[4] + excluded.undetermined[4], c.undetermined[5] + excluded.undetermined[5], c.undetermined[6] + excluded.undetermined[6], c.undetermined[7] + excluded.undetermined[7], c.undetermined[8] + excluded.undetermined[8], c.undetermined[9] + excluded.undetermined[9]],
    with_global = array[c.with_global[1] + excluded.with_global[1], c.with_global[2] + excluded.with_global[2], c.with_global[3] + excluded.with_global[3], c.with_global[4] + excluded.with_global[4], c.with_global[5] + excluded.with_global[5], c.with_global[6] + excluded.with_global[6], c.with_global[7] + excluded.with_global[7], c.with_global[8] + excluded.with_global[8], c.with_global[9] + excluded.with_global[9]];
  insert into outcome_site_counts as c
  select x.site_id, x.instrument_id, sum(x.joints), array[sum(x.paired[1])::int, sum(x.paired[2])::int, sum(x.paired[3])::int, sum(x.paired[4])::int, sum(x.paired[5])::int, sum(x.paired[6])::int, sum(x.paired[7])::int, sum(x.paired[8])::int, sum(x.paired[9])::int], array[sum(x.responders[1])::int, sum(x.responders[2])::int, sum(x.responders[3])::int, sum(x.responders[4])::int, sum(x.responders[5])::int, sum(x.responders[6])::int, sum(x.responders[7])::int, sum(x.responders[8])::int, sum(x.responders[9])::int], array[sum(x.undetermined[1])::int, sum(x.undetermined[2])::int, sum(x.undetermined[3])::int, sum(x.undetermined[4])::int, sum(x.undetermined[5])::int, sum(x.undetermined[6])::int, sum(x.undetermined[7])::int, sum(x.undetermined[8])::int, sum(x.undetermined[9])::int], array[sum(x.with_global[1])::int, sum(x.with_global[2])::int, sum(x.with_global[3])::int, sum(x.with_global[4])::int, sum(x.with_global[5])::int, sum(x.with_global[6])::int, sum(x.with_global[7])::int, sum(x.with_global[8])::int, sum(x.with_global[9])::int]
  from unnest(fine) x group by x.site_id, x.instrument_id
  on conflict (site_id, instrument_id) do update set
    joints = c.joints + excluded.joints,
    paired = array[c.paired[1] + excluded.paired[1], c.paired[2] + excluded.paired[2], c.paired[3] + excluded.paired[3], c.paired[4] + excluded.paired[4], c.paired[5] + excluded.paired[5], c.paired[6] + excluded.paired[6], c.paired[7] + excluded.paired[7], c.paired[8] + excluded.paired[8], c.paired[9] + excluded.paired[9]],
    responders = array[c.responders[1] + excluded.responders[1], c.responders[2] + excluded.responders[2], c.responders[3] + excluded.responders[3], c.responders[4] + excluded.responders[4], c.responders[5] + excluded.responders[5], c.responders[6] + excluded.responders[6], c.responders[7] + excluded.responders[7], c.responders[8] + excluded.responders[8], c.responders[9] + excluded.responders[9]],
    undetermined = array[c.undetermined[1] + excluded.undetermined[1], c.undetermined[2] + excluded.undetermined[2], c.undetermined[3] + excluded.undetermined[3], c.undetermined[4] + excluded.undetermined[4], c.undetermined[5] + excluded.undetermined[5], c.undetermined[6] + excluded.undetermined[6], c.undetermined[7] + excluded.undetermined[7], c.undetermined[8] + excluded.undetermined[8], c.undetermined[9] + excluded.undetermined[9]],
    with_global = array[c.with_global[1] + excluded.with_global[1], c.with_global[2] + excluded.with_global[2], c.with_global[3] + excluded.with_global[3], c.with_global[4] + excluded.with_global[4], c.with_global[5] + excluded.with_global[5], c.with_global[6] + excluded.with_global[6], c.with_global[7] + excluded.with_global[7], c.with_global[8] + excluded.with_global[8], c.with_global[9] + excluded.with_global[9]];
end $$;

-- Adds joints' kept-item answers to the answer counts (and takes others away).
create function outcome_answers_fold(added outcome_joint_marks[], removed outcome_joint_marks[])
  returns void language plpgsql as $$
declare
  fine outcome_answer_counts[];
begin
  fine := array(
    select row(x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, substr(x.instrument_id, 6),
               u.slot::smallint, u.answer, sum(x.w))::outcome_answer_counts
    from (select 1 as w, a.* from unnest(added) a union all select -1, r.* from unnest(removed) r) x
    cross join lateral unnest(x.classes) with ordinality as u(answer, slot)
    where x.instrument_id like 'item:%' and u.answer is not null
    group by x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id, u.slot, u.answer);
  insert into outcome_answer_counts as c select * from unnest(fine)
  on conflict (site_id, joint, kl_grade, sex, treatments, item, slot, answer) do update set
    joints = c.joints + excluded.joints;
  insert into outcome_site_answer_counts as c
  select x.site_id, x.item, x.slot, x.answer, sum(x.joints) from unnest(fine) x
  group by x.site_id, x.item, x.slot, x.answer
  on conflict (site_id, item, slot, answer) do update set joints = c.joints + excluded.joints;
end $$;

-- One folder at a time: two folds of the same joint would both take out its old rows.
create function outcome_sums_lock() returns void language sql as $$
  select pg_advisory_xact_lock(7317001) $$;

-- Takes these joints' folded rows and marks out of the sums under the key they were folded in
-- under, and puts their current rows in under their current key (nothing for a joint that no
-- longer exists). Rows the same before and after cancel out and are not touched.
create function outcome_sums_refold(episodes uuid[]) returns void language plpgsql as $$
declare
  folded_before outcome_folded_scores[];
  folded_after outcome_folded_scores[];
  marks_were outcome_joint_marks[];
  marks_now outcome_joint_marks[];
begin
  perform outcome_sums_lock();
  delete from episode_cohorts where episode_id = any(episodes);
  insert into episode_cohorts select * from episode_cohort_keys(episodes);
  folded_before := array(select f from outcome_folded_scores f where f.episode_id = any(episodes));
  folded_after := array(
    select row(o.episode_id, o.instrument_id, o.scale, o.scores,
               k.site_id, k.joint, k.kl_grade, k.sex, k.treatments)::outcome_folded_scores
    from outcome_joint_scores o join episode_cohorts k on k.episode_id = o.episode_id
    where o.episode_id = any(episodes) and k.episode_id = any(episodes));
  perform outcome_sums_fold(
    array(select n from unnest(folded_after) n except all select w from unnest(folded_before) w),
    array(select w from unnest(folded_before) w except all select n from unnest(folded_after) n));
  delete from outcome_folded_scores where episode_id = any(episodes);
  insert into outcome_folded_scores select * from unnest(folded_after);
  marks_were := array(select m from outcome_joint_marks m where m.episode_id = any(episodes));
  marks_now := array(select m from outcome_marks_of(episodes) m);
  perform outcome_counts_fold(
    array(select n from unnest(marks_now) n except all select w from unnest(marks_were) w),
    array(select w from unnest(marks_were) w except all select n from unnest(marks_now) n));
  perform outcome_answers_fold(
    array(select n from unnest(marks_now) n except all select w from unnest(marks_were) w),
    array(select w from unnest(marks_were) w except all select n from unnest(marks_now) n));
  delete from outcome_joint_marks where episode_id = any(episodes);
  insert into outcome_joint_marks select * from unnest(marks_now);
end $$;

-- Folds every joint noted since the last fold; says how many. A dashboard read calls it first,
-- so a view never misses a change committed before it was asked for.
create function outcome_sums_catch_up() returns int language plpgsql as $$
declare
  episodes uuid[];
begin
  if not exists (select 1 from outcome_sums_pending) then return 0; end if;
  perform outcome_sums_lock();
  with taken as (delete from outcome_sums_pending returning episode_id)
  select array_agg(distinct episode_id) into episodes from taken;
  if episodes is null then return 0; end if;
  perform outcome_sums_refold(episodes);
  return cardinality(episodes);
end $$;

-- Writes note the joints they touched. Scores: a submission, a rescoring, an answer entered
-- in error; joints, treatments and a patient's sex: the cohort key.
create function outcome_sums_note_new() returns trigger language plpgsql as $$
begin
  insert into outcome_sums_pending (episode_id, site_id) select distinct episode_id, site_id from new_rows;
  return null;
end $$;
create function outcome_sums_note_old() returns trigger language plpgsql as $$
begin
  -- A joint's own deletion (an erasure's cascade) leaves nothing to fold and no id behind.
  insert into outcome_sums_pending (episode_id, site_id)
    select distinct o.episode_id, o.site_id from old_rows o
    where exists (select 1 from joint_episodes e where e.id = o.episode_id);
  return null;
end $$;
create function outcome_sums_note_both() returns trigger language plpgsql as $$
begin
  insert into outcome_sums_pending (episode_id, site_id)
    select episode_id, site_id from new_rows union select episode_id, site_id from old_rows;
  return null;
end $$;
create trigger outcome_joint_scores_sums_insert after insert on outcome_joint_scores
  referencing new table as new_rows for each statement execute function outcome_sums_note_new();
create trigger outcome_joint_scores_sums_update after update on outcome_joint_scores
  referencing old table as old_rows new table as new_rows
  for each statement execute function outcome_sums_note_new();
create trigger outcome_joint_scores_sums_delete after delete on outcome_joint_scores
  referencing old table as old_rows for each statement execute function outcome_sums_note_old();
create trigger treatments_cohort_insert after insert on treatments
  referencing new table as new_rows for each statement execute function outcome_sums_note_new();
create trigger treatments_cohort_update after update on treatments
  referencing old table as old_rows new table as new_rows
  for each statement execute function outcome_sums_note_both();
create trigger treatments_cohort_delete after delete on treatments
  referencing old table as old_rows for each statement execute function outcome_sums_note_old();

create function episode_cohorts_joints_changed() returns trigger language plpgsql as $$
begin
  insert into outcome_sums_pending (episode_id, site_id)
    select n.id, n.site_id from new_rows n join old_rows o on o.id = n.id
    where (n.site_id, n.joint, n.kl_grade) is distinct from (o.site_id, o.joint, o.kl_grade);
  return null;
end $$;
-- Answers to a kept item that is not scored (work status) move no score: noted here.
create function outcome_sums_note_answers() returns trigger language plpgsql as $$
begin
  insert into outcome_sums_pending (episode_id, site_id)
    select distinct n.episode_id, n.site_id from new_rows n
    where n.instrument_id in (select it->>'instrument_id' from outcome_rules r
                              cross join jsonb_array_elements(coalesce(r.spec->'items', '[]')) it);
  return null;
end $$;
create function outcome_sums_note_answers_gone() returns trigger language plpgsql as $$
begin
  insert into outcome_sums_pending (episode_id, site_id)
    select distinct o.episode_id, o.site_id from old_rows o
    where o.instrument_id in (select it->>'instrument_id' from outcome_rules r
                              cross join jsonb_array_elements(coalesce(r.spec->'items', '[]')) it)
      and exists (select 1 from joint_episodes e where e.id = o.episode_id);
  return null;
end $$;
create trigger responses_sums_insert after insert on responses
  referencing new table as new_rows for each statement execute function outcome_sums_note_answers();
create trigger responses_sums_update after update on responses
  referencing old table as old_rows new table as new_rows
  for each statement execute function outcome_sums_note_answers();
create trigger responses_sums_delete after delete on responses
  referencing old table as old_rows for each statement execute function outcome_sums_note_answers_gone();

create function episode_cohorts_joints_added() returns trigger language plpgsql as $$
begin
  insert into outcome_sums_pending (episode_id, site_id) select id, site_id from new_rows;
  return null;
end $$;
create trigger joint_episodes_cohort_insert after insert on joint_episodes
  referencing new table as new_rows for each statement execute function episode_cohorts_joints_added();
create trigger joint_episodes_cohort_update after update on joint_episodes
  referencing old table as old_rows new table as new_rows
  for each statement execute function episode_cohorts_joints_changed();
-- An erased or removed joint leaves the sums, its folded rows and its marks at once: nothing
-- of it may wait for the next fold.
create function episode_cohorts_joints_deleted() returns trigger language plpgsql as $$
begin
  perform outcome_sums_refold(array(select id from old_rows));
  delete from outcome_sums_pending where episode_id in (select id from old_rows);
  return null;
end $$;
create trigger joint_episodes_cohort_delete after delete on joint_episodes
  referencing old table as old_rows for each statement execute function episode_cohorts_joints_deleted();

create function episode_cohorts_sex_changed() returns trigger language plpgsql as $$
begin
  insert into outcome_sums_pending (episode_id, site_id)
    select e.id, e.site_id from new_rows n join old_rows o on o.id = n.id
    join joint_episodes e on e.patient_id = n.id
    where n.sex is distinct from o.sex;
  return null;
end $$;
create trigger patients_cohort_update after update on patients
  referencing old table as old_rows new table as new_rows
  for each statement execute function episode_cohorts_sex_changed();

-- Recounts every sum set-based, one pass per table: when the MCID, PASS or responder rule
-- changes, after a bulk load, and the tests' check that folding kept them exact.
create function outcome_sums_rebuild() returns void language plpgsql as $$
begin
  perform outcome_sums_lock();
  delete from outcome_sums_pending;
  -- delete, not truncate: the serving role may change rows but not truncate (store/roles.ts).
  delete from outcome_sums; delete from outcome_cohort_counts; delete from outcome_joint_marks;
  delete from outcome_site_sums; delete from outcome_site_counts;
  delete from outcome_answer_counts; delete from outcome_site_answer_counts;
  delete from outcome_folded_scores; delete from episode_cohorts;
  insert into episode_cohorts (episode_id, site_id, joint, kl_grade, sex, treatments)
  select e.id, e.site_id, e.joint, e.kl_grade, p.sex, coalesce(t.treatments, '{}')
  from joint_episodes e join patients p on p.id = e.patient_id
  left join (select episode_id, array_agg(k order by k) as treatments
             from (select distinct episode_id, product_class || '|' || cohort_dose_band(cell_dose_millions)
                          || '|' || cohort_bmi_class(bmi) as k from treatments) d
             group by episode_id) t on t.episode_id = e.id;
  insert into outcome_folded_scores
  select o.episode_id, o.instrument_id, o.scale, o.scores, k.site_id, k.joint, k.kl_grade, k.sex, k.treatments
  from outcome_joint_scores o join episode_cohorts k on k.episode_id = o.episode_id;
  insert into outcome_sums (site_id, joint, kl_grade, sex, treatments, instrument_id, scale, pattern,
    joints, sums, squares, products, squared_joint_sums, past_mcid, past_relative, in_pass)
  select x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id, x.scale, x.pattern,
         count(*),
         array[coalesce(sum(x.v[1]), 0), coalesce(sum(x.v[2]), 0), coalesce(sum(x.v[3]), 0), coalesce(sum(x.v[4]), 0), coalesce(sum(x.v[5]), 0), coalesce(sum(x.v[6]), 0), coalesce(sum(x.v[7]), 0), coalesce(sum(x.v[8]), 0), coalesce(sum(x.v[9]), 0)],
         array[coalesce(sum(x.v[1] * x.v[1]), 0), coalesce(sum(x.v[2] * x.v[2]), 0), coalesce(sum(x.v[3] * x.v[3]), 0), coalesce(sum(x.v[4] * x.v[4]), 0), coalesce(sum(x.v[5] * x.v[5]), 0), coalesce(sum(x.v[6] * x.v[6]), 0), coalesce(sum(x.v[7] * x.v[7]), 0), coalesce(sum(x.v[8] * x.v[8]), 0), coalesce(sum(x.v[9] * x.v[9]), 0)],
         array[coalesce(sum(x.v[1] * x.v[1]), 0), coalesce(sum(x.v[2] * x.v[1]), 0), coalesce(sum(x.v[3] * x.v[1]), 0), coalesce(sum(x.v[4] * x.v[1]), 0), coalesce(sum(x.v[5] * x.v[1]), 0), coalesce(sum(x.v[6] * x.v[1]), 0), coalesce(sum(x.v[7] * x.v[1]), 0), coalesce(sum(x.v[8] * x.v[1]), 0), coalesce(sum(x.v[9] * x.v[1]), 0)],
         coalesce(sum(x.joint_sum * x.joint_sum), 0),
         array[0, (count(*) filter (where (x.scores[2] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int, (count(*) filter (where (x.scores[3] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int, (count(*) filter (where (x.scores[4] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int, (count(*) filter (where (x.scores[5] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int, (count(*) filter (where (x.scores[6] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int, (count(*) filter (where (x.scores[7] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int, (count(*) filter (where (x.scores[8] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int, (count(*) filter (where (x.scores[9] - x.scores[1]) * th.sign >= th.mcid - th.tolerance))::int],
         array[0, (count(*) filter (where (x.scores[2] - x.scores[1]) * th.sign > th.tolerance and (x.scores[2] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance))::int, (count(*) filter (where (x.scores[3] - x.scores[1]) * th.sign > th.tolerance and (x.scores[3] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance))::int, (count(*) filter (where (x.scores[4] - x.scores[1]) * th.sign > th.tolerance and (x.scores[4] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance))::int, (count(*) filter (where (x.scores[5] - x.scores[1]) * th.sign > th.tolerance and (x.scores[5] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance))::int, (count(*) filter (where (x.scores[6] - x.scores[1]) * th.sign > th.tolerance and (x.scores[6] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance))::int, (count(*) filter (where (x.scores[7] - x.scores[1]) * th.sign > th.tolerance and (x.scores[7] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance))::int, (count(*) filter (where (x.scores[8] - x.scores[1]) * th.sign > th.tolerance and (x.scores[8] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance))::int, (count(*) filter (where (x.scores[9] - x.scores[1]) * th.sign > th.tolerance and (x.scores[9] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance))::int],
         array[(count(*) filter (where x.scores[1] * th.sign >= th.pass * th.sign - th.tolerance))::int, (count(*) filter (where x.scores[2] * th.sign >= th.pass * th.sign - th.tolerance))::int, (count(*) filter (where x.scores[3] * th.sign >= th.pass * th.sign - th.tolerance))::int, (count(*) filter (where x.scores[4] * th.sign >= th.pass * th.sign - th.tolerance))::int, (count(*) filter (where x.scores[5] * th.sign >= th.pass * th.sign - th.tolerance))::int, (count(*) filter (where x.scores[6] * th.sign >= th.pass * th.sign - th.tolerance))::int, (count(*) filter (where x.scores[7] * th.sign >= th.pass * th.sign - th.tolerance))::int, (count(*) filter (where x.scores[8] * th.sign >= th.pass * th.sign - th.tolerance))::int, (count(*) filter (where x.scores[9] * th.sign >= th.pass * th.sign - th.tolerance))::int]
  from (
    select o.episode_id, o.instrument_id, o.scale, o.scores,
           o.site_id, o.joint, o.kl_grade, o.sex, o.treatments,
           array[o.scores[1]::numeric, o.scores[2]::numeric, o.scores[3]::numeric, o.scores[4]::numeric, o.scores[5]::numeric, o.scores[6]::numeric, o.scores[7]::numeric, o.scores[8]::numeric, o.scores[9]::numeric] as v,
           (case when o.scores[1] is not null then 1 else 0 end)
           + (case when o.scores[2] is not null then 2 else 0 end)
           + (case when o.scores[3] is not null then 4 else 0 end)
           + (case when o.scores[4] is not null then 8 else 0 end)
           + (case when o.scores[5] is not null then 16 else 0 end)
           + (case when o.scores[6] is not null then 32 else 0 end)
           + (case when o.scores[7] is not null then 64 else 0 end)
           + (case when o.scores[8] is not null then 128 else 0 end)
           + (case when o.scores[9] is not null then 256 else 0 end) as pattern
    from outcome_folded_scores o
    offset 0
  ) x0
  cross join lateral (select x0.*, coalesce(x0.v[1], 0) + coalesce(x0.v[2], 0) + coalesce(x0.v[3], 0) + coalesce(x0.v[4], 0) + coalesce(x0.v[5], 0) + coalesce(x0.v[6], 0) + coalesce(x0.v[7], 0) + coalesce(x0.v[8], 0) + coalesce(x0.v[9], 0) as joint_sum) x
  left join (select t.*, coalesce((r.spec->>'tolerance')::float8, 0) as tolerance
             from outcome_rules r
             cross join jsonb_to_recordset(coalesce(r.spec->'thresholds', '[]'))
               as t(instrument_id text, scale text, sign int, mcid float8, pass float8, rel float8, best float8)) th
    on th.instrument_id = x.instrument_id and th.scale = x.scale
  where x.pattern > 0
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id, x.scale, x.pattern;
  insert into outcome_site_sums
  select x.site_id, x.instrument_id, x.scale, x.pattern, sum(x.joints), array[sum(x.sums[1]), sum(x.sums[2]), sum(x.sums[3]), sum(x.sums[4]), sum(x.sums[5]), sum(x.sums[6]), sum(x.sums[7]), sum(x.sums[8]), sum(x.sums[9])], array[sum(x.squares[1]), sum(x.squares[2]), sum(x.squares[3]), sum(x.squares[4]), sum(x.squares[5]), sum(x.squares[6]), sum(x.squares[7]), sum(x.squares[8]), sum(x.squares[9])], array[sum(x.products[1]), sum(x.products[2]), sum(x.products[3]), sum(x.products[4]), sum(x.products[5]), sum(x.products[6]), sum(x.products[7]), sum(x.products[8]), sum(x.products[9])], sum(x.squared_joint_sums), array[sum(x.past_mcid[1])::int, sum(x.past_mcid[2])::int, sum(x.past_mcid[3])::int, sum(x.past_mcid[4])::int, sum(x.past_mcid[5])::int, sum(x.past_mcid[6])::int, sum(x.past_mcid[7])::int, sum(x.past_mcid[8])::int, sum(x.past_mcid[9])::int], array[sum(x.past_relative[1])::int, sum(x.past_relative[2])::int, sum(x.past_relative[3])::int, sum(x.past_relative[4])::int, sum(x.past_relative[5])::int, sum(x.past_relative[6])::int, sum(x.past_relative[7])::int, sum(x.past_relative[8])::int, sum(x.past_relative[9])::int], array[sum(x.in_pass[1])::int, sum(x.in_pass[2])::int, sum(x.in_pass[3])::int, sum(x.in_pass[4])::int, sum(x.in_pass[5])::int, sum(x.in_pass[6])::int, sum(x.in_pass[7])::int, sum(x.in_pass[8])::int, sum(x.in_pass[9])::int]
  from outcome_sums x group by x.site_id, x.instrument_id, x.scale, x.pattern;
  insert into outcome_joint_marks select * from outcome_marks_of(array(select episode_id from episode_cohorts));
  insert into outcome_cohort_counts (site_id, joint, kl_grade, sex, treatments, instrument_id,
    joints, paired, responders, undetermined, with_global)
  select x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id,
         count(*),
         array[(count(*) filter (where x.classes[1] % 4 > 0))::int, (count(*) filter (where x.classes[2] % 4 > 0))::int, (count(*) filter (where x.classes[3] % 4 > 0))::int, (count(*) filter (where x.classes[4] % 4 > 0))::int, (count(*) filter (where x.classes[5] % 4 > 0))::int, (count(*) filter (where x.classes[6] % 4 > 0))::int, (count(*) filter (where x.classes[7] % 4 > 0))::int, (count(*) filter (where x.classes[8] % 4 > 0))::int, (count(*) filter (where x.classes[9] % 4 > 0))::int],
         array[(count(*) filter (where x.classes[1] % 4 = 2))::int, (count(*) filter (where x.classes[2] % 4 = 2))::int, (count(*) filter (where x.classes[3] % 4 = 2))::int, (count(*) filter (where x.classes[4] % 4 = 2))::int, (count(*) filter (where x.classes[5] % 4 = 2))::int, (count(*) filter (where x.classes[6] % 4 = 2))::int, (count(*) filter (where x.classes[7] % 4 = 2))::int, (count(*) filter (where x.classes[8] % 4 = 2))::int, (count(*) filter (where x.classes[9] % 4 = 2))::int],
         array[(count(*) filter (where x.classes[1] % 4 = 3))::int, (count(*) filter (where x.classes[2] % 4 = 3))::int, (count(*) filter (where x.classes[3] % 4 = 3))::int, (count(*) filter (where x.classes[4] % 4 = 3))::int, (count(*) filter (where x.classes[5] % 4 = 3))::int, (count(*) filter (where x.classes[6] % 4 = 3))::int, (count(*) filter (where x.classes[7] % 4 = 3))::int, (count(*) filter (where x.classes[8] % 4 = 3))::int, (count(*) filter (where x.classes[9] % 4 = 3))::int],
         array[(count(*) filter (where x.classes[1] >= 4))::int, (count(*) filter (where x.classes[2] >= 4))::int, (count(*) filter (where x.classes[3] >= 4))::int, (count(*) filter (where x.classes[4] >= 4))::int, (count(*) filter (where x.classes[5] >= 4))::int, (count(*) filter (where x.classes[6] >= 4))::int, (count(*) filter (where x.classes[7] >= 4))::int, (count(*) filter (where x.classes[8] >= 4))::int, (count(*) filter (where x.classes[9] >= 4))::int]
  from outcome_joint_marks x
  where x.instrument_id not like 'item:%'
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id;
  insert into outcome_site_counts
  select x.site_id, x.instrument_id, sum(x.joints), array[sum(x.paired[1])::int, sum(x.paired[2])::int, sum(x.paired[3])::int, sum(x.paired[4])::int, sum(x.paired[5])::int, sum(x.paired[6])::int, sum(x.paired[7])::int, sum(x.paired[8])::int, sum(x.paired[9])::int], array[sum(x.responders[1])::int, sum(x.responders[2])::int, sum(x.responders[3])::int, sum(x.responders[4])::int, sum(x.responders[5])::int, sum(x.responders[6])::int, sum(x.responders[7])::int, sum(x.responders[8])::int, sum(x.responders[9])::int], array[sum(x.undetermined[1])::int, sum(x.undetermined[2])::int, sum(x.undetermined[3])::int, sum(x.undetermined[4])::int, sum(x.undetermined[5])::int, sum(x.undetermined[6])::int, sum(x.undetermined[7])::int, sum(x.undetermined[8])::int, sum(x.undetermined[9])::int], array[sum(x.with_global[1])::int, sum(x.with_global[2])::int, sum(x.with_global[3])::int, sum(x.with_global[4])::int, sum(x.with_global[5])::int, sum(x.with_global[6])::int, sum(x.with_global[7])::int, sum(x.with_global[8])::int, sum(x.with_global[9])::int]
  from outcome_cohort_counts x group by x.site_id, x.instrument_id;
  insert into outcome_answer_counts
  select x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, substr(x.instrument_id, 6),
         u.slot, u.answer, count(*)
  from outcome_joint_marks x cross join lateral unnest(x.classes) with ordinality as u(answer, slot)
  where x.instrument_id like 'item:%' and u.answer is not null
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id, u.slot, u.answer;
  insert into outcome_site_answer_counts
  select x.site_id, x.item, x.slot, x.answer, sum(x.joints) from outcome_answer_counts x
  group by x.site_id, x.item, x.slot, x.answer;
end $$;

select outcome_sums_rebuild();
