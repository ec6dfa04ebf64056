-- Dashboard sums kept in the writing transaction (issue 17): the outcome statistics of a cohort
-- are sums (n, Σ score, Σ score², Σ score × baseline, per visit pattern for the mixed model;
-- joints past the MCID and in the PASS; OMERACT-OARSI classes), so triggers keep them per site
-- and per cohort key, and a dashboard adds a few hundred rows instead of reading every joint.
-- Sums are numeric, so adding and taking away a joint leaves them exactly as a recount would.
-- Derived data: backups leave these tables out and a restore rebuilds them through the triggers.

-- Cell dose bands and WHO BMI classes as in core/registry/vocabulary.ts (CELL_DOSE_BANDS;
-- BMI_CLASSES after WHO Technical Report Series 894, 2000, Table 2.1): lower bound included.
-- analytics.int.test.ts checks these against the TypeScript bands.
create function cohort_dose_band(dose double precision) returns text language sql immutable as $$
  select case when dose is null then '' when dose < 10 then 'lt10' when dose < 50 then '10to50'
              when dose < 100 then '50to100' else 'ge100' end $$;
create function cohort_bmi_class(bmi double precision) returns text language sql immutable as $$
  select case when bmi is null then '' when bmi < 18.5 then 'underweight' when bmi < 25 then 'normal'
              when bmi < 30 then 'overweight' else 'obese' end $$;

-- A joint's cohort key: where the filters of a report place it. A joint belongs to a
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
-- OMERACT-OARSI rule of its instrument definitions here (and rebuilds the sums when they change).
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
  in_pass int[] not null,               -- joints in the PASS, per slot
  primary key (site_id, joint, kl_grade, sex, treatments, instrument_id, scale, pattern)
);

-- Per cohort key and questionnaire: OMERACT-OARSI classes per slot (joints with both domains
-- at baseline and then, responders, undetermined). instrument_id '' counts the joints scored.
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
  primary key (site_id, joint, kl_grade, sex, treatments, instrument_id)
);

-- Each joint's current classes (what outcome_cohort_counts holds for it), so a change counts
-- the difference: per slot 0 none, 1 non-responder, 2 responder, 3 undetermined.
create table outcome_joint_marks (
  episode_id uuid not null,
  instrument_id text not null,
  classes smallint[] not null,
  primary key (episode_id, instrument_id)
);

create function sum_numeric_arrays(a numeric[], b numeric[]) returns numeric[] language sql immutable as $$
  select array_agg(coalesce(x, 0) + coalesce(y, 0) order by i) from unnest(a, b) with ordinality as u(x, y, i) $$;
create function sum_int_arrays(a int[], b int[]) returns int[] language sql immutable as $$
  select array_agg(coalesce(x, 0) + coalesce(y, 0) order by i) from unnest(a, b) with ordinality as u(x, y, i) $$;

-- OMERACT-OARSI on two 0–100 domains (100 = no problem), as core/analytics/responders.ts:
-- improved by a level when the gain reaches both its absolute points and its share of the room
-- left at baseline; 0 = not both domains at both times, 1 non-responder, 2 responder, 3 undetermined.
create function omeract_oarsi_improved(d1 float8, di float8, level jsonb, tolerance float8)
  returns boolean language sql immutable as $$
  select di - d1 >= (level->>'absolute')::float8 - tolerance
     and di - d1 >= (level->>'relative')::float8 * (100 - d1) - tolerance $$;
create function omeract_oarsi_class(p1 float8, pi float8, f1 float8, fi float8, spec jsonb)
  returns smallint language plpgsql immutable as $$
declare
  tol float8 := (spec->>'tolerance')::float8;
  high boolean;
  pain_up boolean;
  function_up boolean;
begin
  if p1 is null or pi is null or f1 is null or fi is null then return 0; end if;
  high := omeract_oarsi_improved(p1, pi, spec->'high', tol) or omeract_oarsi_improved(f1, fi, spec->'high', tol);
  pain_up := omeract_oarsi_improved(p1, pi, spec->'moderate', tol);
  function_up := omeract_oarsi_improved(f1, fi, spec->'moderate', tol);
  if high or (pain_up and function_up) then return 2; end if;
  if pain_up <> function_up then return 3; end if;
  return 1;
end $$;

-- Adds rows of outcome_joint_scores to the sums (and takes others away) under their joints'
-- cohort keys: one upsert, in key order so two writers lock shared rows in the same order.
create function outcome_sums_fold(added outcome_joint_scores[], removed outcome_joint_scores[])
  returns void language plpgsql as $$
begin
  insert into outcome_sums as s (site_id, joint, kl_grade, sex, treatments, instrument_id, scale, pattern,
    joints, sums, squares, products, squared_joint_sums, past_mcid, in_pass)
  select k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, x.instrument_id, x.scale, x.pattern,
         sum(x.w),
         array[coalesce(sum(x.w * x.v[1]), 0), coalesce(sum(x.w * x.v[2]), 0), coalesce(sum(x.w * x.v[3]), 0), coalesce(sum(x.w * x.v[4]), 0), coalesce(sum(x.w * x.v[5]), 0), coalesce(sum(x.w * x.v[6]), 0), coalesce(sum(x.w * x.v[7]), 0), coalesce(sum(x.w * x.v[8]), 0), coalesce(sum(x.w * x.v[9]), 0)],
         array[coalesce(sum(x.w * x.v[1] * x.v[1]), 0), coalesce(sum(x.w * x.v[2] * x.v[2]), 0), coalesce(sum(x.w * x.v[3] * x.v[3]), 0), coalesce(sum(x.w * x.v[4] * x.v[4]), 0), coalesce(sum(x.w * x.v[5] * x.v[5]), 0), coalesce(sum(x.w * x.v[6] * x.v[6]), 0), coalesce(sum(x.w * x.v[7] * x.v[7]), 0), coalesce(sum(x.w * x.v[8] * x.v[8]), 0), coalesce(sum(x.w * x.v[9] * x.v[9]), 0)],
         array[coalesce(sum(x.w * x.v[1] * x.v[1]), 0), coalesce(sum(x.w * x.v[2] * x.v[1]), 0), coalesce(sum(x.w * x.v[3] * x.v[1]), 0), coalesce(sum(x.w * x.v[4] * x.v[1]), 0), coalesce(sum(x.w * x.v[5] * x.v[1]), 0), coalesce(sum(x.w * x.v[6] * x.v[1]), 0), coalesce(sum(x.w * x.v[7] * x.v[1]), 0), coalesce(sum(x.w * x.v[8] * x.v[1]), 0), coalesce(sum(x.w * x.v[9] * x.v[1]), 0)],
         coalesce(sum(x.w * x.joint_sum * x.joint_sum), 0),
         array[coalesce(sum(x.w) filter (where (x.scores[1] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where (x.scores[2] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where (x.scores[3] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where (x.scores[4] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where (x.scores[5] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where (x.scores[6] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where (x.scores[7] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where (x.scores[8] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where (x.scores[9] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int],
         array[coalesce(sum(x.w) filter (where x.scores[1] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where x.scores[2] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where x.scores[3] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where x.scores[4] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where x.scores[5] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where x.scores[6] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where x.scores[7] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where x.scores[8] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int,
           coalesce(sum(x.w) filter (where x.scores[9] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int]
  from (
    select w, o.episode_id, o.instrument_id, o.scale, o.scores, array[o.scores[1]::numeric, o.scores[2]::numeric, o.scores[3]::numeric, o.scores[4]::numeric, o.scores[5]::numeric, o.scores[6]::numeric, o.scores[7]::numeric, o.scores[8]::numeric, o.scores[9]::numeric] as v,
         (case when o.scores[1] is not null then 1 else 0 end)
         + (case when o.scores[2] is not null then 2 else 0 end)
         + (case when o.scores[3] is not null then 4 else 0 end)
         + (case when o.scores[4] is not null then 8 else 0 end)
         + (case when o.scores[5] is not null then 16 else 0 end)
         + (case when o.scores[6] is not null then 32 else 0 end)
         + (case when o.scores[7] is not null then 64 else 0 end)
         + (case when o.scores[8] is not null then 128 else 0 end)
         + (case when o.scores[9] is not null then 256 else 0 end) as pattern
    from (select 1 as w, a.* from unnest(added) a
          union all select -1, r.* from unnest(removed) r) o
  ) x0
  cross join lateral (select x0.*, coalesce(x0.v[1], 0) + coalesce(x0.v[2], 0) + coalesce(x0.v[3], 0) + coalesce(x0.v[4], 0) + coalesce(x0.v[5], 0) + coalesce(x0.v[6], 0) + coalesce(x0.v[7], 0) + coalesce(x0.v[8], 0) + coalesce(x0.v[9], 0) as joint_sum) x
  join episode_cohorts k on k.episode_id = x.episode_id
  left join (select t.*, coalesce((r.spec->>'tolerance')::float8, 0) as tolerance
             from outcome_rules r
             cross join jsonb_to_recordset(coalesce(r.spec->'thresholds', '[]'))
               as t(instrument_id text, scale text, sign int, mcid float8, pass float8)) th
    on th.instrument_id = x.instrument_id and th.scale = x.scale
  where x.pattern > 0
  group by k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, x.instrument_id, x.scale, x.pattern
  order by k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, x.instrument_id, x.scale, x.pattern
  on conflict (site_id, joint, kl_grade, sex, treatments, instrument_id, scale, pattern) do update set
    joints = s.joints + excluded.joints,
    sums = sum_numeric_arrays(s.sums, excluded.sums),
    squares = sum_numeric_arrays(s.squares, excluded.squares),
    products = sum_numeric_arrays(s.products, excluded.products),
    squared_joint_sums = s.squared_joint_sums + excluded.squared_joint_sums,
    past_mcid = sum_int_arrays(s.past_mcid, excluded.past_mcid),
    in_pass = sum_int_arrays(s.in_pass, excluded.in_pass);
end $$;

-- Adds joints' marks to the counts (and takes others away) under their cohort keys.
create function outcome_counts_fold(added outcome_joint_marks[], removed outcome_joint_marks[])
  returns void language plpgsql as $$
begin
  insert into outcome_cohort_counts as c (site_id, joint, kl_grade, sex, treatments, instrument_id,
    joints, paired, responders, undetermined)
  select k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, x.instrument_id, sum(x.w),
         array[coalesce(sum(x.w) filter (where x.classes[1] > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] > 0), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] = 2), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] = 3), 0)::int]
  from (select 1 as w, a.* from unnest(added) a union all select -1, r.* from unnest(removed) r) x
  join episode_cohorts k on k.episode_id = x.episode_id
  group by k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, x.instrument_id
  order by k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, x.instrument_id
  on conflict (site_id, joint, kl_grade, sex, treatments, instrument_id) do update set
    joints = c.joints + excluded.joints,
    paired = sum_int_arrays(c.paired, excluded.paired),
    responders = sum_int_arrays(c.responders, excluded.responders),
    undetermined = sum_int_arrays(c.undetermined, excluded.undetermined);
end $$;

-- Brings these joints' marks (scored at all; OMERACT-OARSI classes per questionnaire) and the
-- counts in step with their rows in outcome_joint_scores: the old marks out, the new ones in.
create function outcome_marks_sync(episodes uuid[]) returns void language plpgsql as $$
declare
  wanted outcome_joint_marks[];
  current outcome_joint_marks[];
  added outcome_joint_marks[];
  removed outcome_joint_marks[];
begin
  wanted := array(
    select row(o.episode_id, '', '{}'::smallint[])::outcome_joint_marks from outcome_joint_scores o
    where o.episode_id = any(episodes) and exists (select 1 from unnest(o.scores) v where v is not null)
    group by o.episode_id
    union all
    select row(pf.episode_id, pf.instrument_id,
           array[0::smallint,
               omeract_oarsi_class(p[1], p[2], f[1], f[2], r.spec),
               omeract_oarsi_class(p[1], p[3], f[1], f[3], r.spec),
               omeract_oarsi_class(p[1], p[4], f[1], f[4], r.spec),
               omeract_oarsi_class(p[1], p[5], f[1], f[5], r.spec),
               omeract_oarsi_class(p[1], p[6], f[1], f[6], r.spec),
               omeract_oarsi_class(p[1], p[7], f[1], f[7], r.spec),
               omeract_oarsi_class(p[1], p[8], f[1], f[8], r.spec),
               omeract_oarsi_class(p[1], p[9], f[1], f[9], r.spec)])::outcome_joint_marks
    from (select o.episode_id, o.instrument_id,
                 max(o.scores) filter (where o.scale = d.pain) as p,
                 max(o.scores) filter (where o.scale = d.function) as f
          from outcome_joint_scores o
          join jsonb_to_recordset(coalesce((select spec->'domains' from outcome_rules), '[]'))
            as d(instrument_id text, pain text, function text)
            on d.instrument_id = o.instrument_id and o.scale in (d.pain, d.function)
          where o.episode_id = any(episodes)
          group by o.episode_id, o.instrument_id) pf
    cross join outcome_rules r
    where pf.p is not null and pf.f is not null);
  current := array(select m from outcome_joint_marks m where m.episode_id = any(episodes));
  added := array(select w from unnest(wanted) w except all select c from unnest(current) c);
  removed := array(select c from unnest(current) c except all select w from unnest(wanted) w);
  if cardinality(added) = 0 and cardinality(removed) = 0 then return; end if;
  perform outcome_counts_fold(added, removed);
  delete from outcome_joint_marks m
    using unnest(removed) r where m.episode_id = r.episode_id and m.instrument_id = r.instrument_id;
  insert into outcome_joint_marks select * from unnest(added);
end $$;

-- Moves joints whose cohort key changed (a corrected joint, KL grade or sex; a treatment added,
-- corrected or removed) from their old key's sums to the new one's. Joints already deleted keep
-- their key until the cascade has taken their scores out.
create function episode_cohorts_sync(episodes uuid[]) returns void language plpgsql as $$
declare
  moved uuid[];
begin
  moved := array(
    select n.episode_id from episode_cohort_keys(episodes) n
    left join episode_cohorts c on c.episode_id = n.episode_id
    where (c.site_id, c.joint, c.kl_grade, c.sex, c.treatments)
          is distinct from (n.site_id, n.joint, n.kl_grade, n.sex, n.treatments));
  if cardinality(moved) = 0 then return; end if;
  perform outcome_sums_fold('{}', array(select o from outcome_joint_scores o where o.episode_id = any(moved)));
  perform outcome_counts_fold('{}', array(select m from outcome_joint_marks m where m.episode_id = any(moved)));
  insert into episode_cohorts as c select * from episode_cohort_keys(moved)
    on conflict (episode_id) do update set site_id = excluded.site_id, joint = excluded.joint,
      kl_grade = excluded.kl_grade, sex = excluded.sex, treatments = excluded.treatments;
  perform outcome_sums_fold(array(select o from outcome_joint_scores o where o.episode_id = any(moved)), '{}');
  perform outcome_counts_fold(array(select m from outcome_joint_marks m where m.episode_id = any(moved)), '{}');
end $$;

-- outcome_joint_scores changes (a submission, a rescoring, an answer entered in error or
-- erased): its old rows out of the sums, its new rows in, then the joints' marks.
create function outcome_sums_scores_inserted() returns trigger language plpgsql as $$
begin
  perform outcome_sums_fold(array(select n::outcome_joint_scores from new_rows n), '{}');
  perform outcome_marks_sync(array(select distinct episode_id from new_rows));
  return null;
end $$;
create function outcome_sums_scores_updated() returns trigger language plpgsql as $$
begin
  perform outcome_sums_fold(array(select n::outcome_joint_scores from new_rows n), array(select o::outcome_joint_scores from old_rows o));
  perform outcome_marks_sync(array(select distinct episode_id from new_rows));
  return null;
end $$;
create function outcome_sums_scores_deleted() returns trigger language plpgsql as $$
begin
  perform outcome_sums_fold('{}', array(select o::outcome_joint_scores from old_rows o));
  perform outcome_marks_sync(array(select distinct episode_id from old_rows));
  return null;
end $$;
create trigger outcome_joint_scores_sums_insert after insert on outcome_joint_scores
  referencing new table as new_rows for each statement execute function outcome_sums_scores_inserted();
create trigger outcome_joint_scores_sums_update after update on outcome_joint_scores
  referencing old table as old_rows new table as new_rows
  for each statement execute function outcome_sums_scores_updated();
create trigger outcome_joint_scores_sums_delete after delete on outcome_joint_scores
  referencing old table as old_rows for each statement execute function outcome_sums_scores_deleted();

-- Joints, their patients and treatments place a joint in its cohort.
create function episode_cohorts_joints_changed() returns trigger language plpgsql as $$
begin
  perform episode_cohorts_sync(array(select id from new_rows));
  return null;
end $$;
create trigger joint_episodes_cohort_insert after insert on joint_episodes
  referencing new table as new_rows for each statement execute function episode_cohorts_joints_changed();
create trigger joint_episodes_cohort_update after update on joint_episodes
  referencing new table as new_rows for each statement execute function episode_cohorts_joints_changed();
-- A joint about to be deleted leaves the sums with its scores and marks, and its key goes.
-- Before the row goes, since a cascade (an erasure) deletes its scores and fires their
-- triggers only at the end of the outer statement, when the key would already be gone.
create function episode_cohorts_joint_deleting() returns trigger language plpgsql as $$
begin
  perform outcome_sums_fold('{}', array(select o from outcome_joint_scores o where o.episode_id = old.id));
  perform outcome_counts_fold('{}', array(select m from outcome_joint_marks m where m.episode_id = old.id));
  delete from outcome_joint_marks where episode_id = old.id;
  delete from episode_cohorts where episode_id = old.id;
  return old;
end $$;
create trigger joint_episodes_cohort_delete before delete on joint_episodes
  for each row execute function episode_cohorts_joint_deleting();

create function episode_cohorts_sex_changed() returns trigger language plpgsql as $$
begin
  perform episode_cohorts_sync(array(
    select e.id from new_rows n join old_rows o on o.id = n.id
    join joint_episodes e on e.patient_id = n.id
    where n.sex is distinct from o.sex));
  return null;
end $$;
create trigger patients_cohort_update after update on patients
  referencing old table as old_rows new table as new_rows
  for each statement execute function episode_cohorts_sex_changed();

create function episode_cohorts_treatments_added() returns trigger language plpgsql as $$
begin
  perform episode_cohorts_sync(array(select distinct episode_id from new_rows));
  return null;
end $$;
create function episode_cohorts_treatments_changed() returns trigger language plpgsql as $$
begin
  perform episode_cohorts_sync(array(
    select episode_id from new_rows union select episode_id from old_rows));
  return null;
end $$;
create function episode_cohorts_treatments_removed() returns trigger language plpgsql as $$
begin
  perform episode_cohorts_sync(array(select distinct episode_id from old_rows));
  return null;
end $$;
create trigger treatments_cohort_insert after insert on treatments
  referencing new table as new_rows for each statement execute function episode_cohorts_treatments_added();
create trigger treatments_cohort_update after update on treatments
  referencing old table as old_rows new table as new_rows
  for each statement execute function episode_cohorts_treatments_changed();
create trigger treatments_cohort_delete after delete on treatments
  referencing old table as old_rows for each statement execute function episode_cohorts_treatments_removed();

-- Recounts every sum from outcome_joint_scores, a slice of joints at a time (the app calls it
-- when the MCID, PASS or responder rule it counts against changes; a bulk load may too).
create function outcome_sums_rebuild() returns void language plpgsql as $$
declare
  slice uuid[];
begin
  lock table outcome_rules in exclusive mode;
  truncate outcome_sums, outcome_cohort_counts, outcome_joint_marks, episode_cohorts;
  for slice in
    select array_agg(id) from (select id, (row_number() over (order by id) - 1) / 20000 as part
                               from joint_episodes) s group by part
  loop
    insert into episode_cohorts select * from episode_cohort_keys(slice);
    perform outcome_sums_fold(array(select o from outcome_joint_scores o where o.episode_id = any(slice)), '{}');
    perform outcome_marks_sync(slice);
  end loop;
end $$;

select outcome_sums_rebuild();
