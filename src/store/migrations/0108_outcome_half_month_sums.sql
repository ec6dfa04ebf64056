-- Outcome sums kept per site, joint, KL grade, sex and set of treatment half-months (issue
-- 17), as 0106 keeps them per set of ages. A cohort by treatment dates read each selected
-- joint's folded rows: "treated in 2024" took 0.33 s at 100,000 joints and 2.4 s at 1,000,000.
-- A joint is in a date range when one of its treatments is, so its distinct half-months (the
-- 1st to the 15th, and the 16th to the month's end; sorted) key its rows: a range of whole
-- half-months adds up the sets with one in it. A range ending within a half-month reads the
-- rows of the joints treated only on its other days, fewer than a whole month's would be. A
-- joint's treatments fall in a few neighbouring half-months, so there are a few thousand sets.
-- Derived: backups leave these out.
create table outcome_folded_half_months (
  episode_id uuid primary key,
  site_id uuid not null,
  half_months int[] not null
);
-- Columns in the order of 0106's: the additions insert by position.
create table outcome_half_month_sums (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  half_months int[] not null,
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
  primary key (site_id, joint, kl_grade, sex, half_months, instrument_id, scale, pattern)
);
create table outcome_half_month_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  half_months int[] not null,
  instrument_id text not null,
  joints bigint not null,
  paired int[] not null,
  responders int[] not null,
  undetermined int[] not null,
  with_global int[] not null,
  primary key (site_id, joint, kl_grade, sex, half_months, instrument_id)
);
create table outcome_half_month_answer_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  half_months int[] not null,
  item text not null,
  slot smallint not null,
  answer smallint not null,
  joints bigint not null,
  primary key (site_id, joint, kl_grade, sex, half_months, item, slot, answer)
);

-- A treatment date's half-month as the key holds it: 2024-03-15 is 2024031, 2024-03-16 is
-- 2024032.
create function treatment_half_month(d date) returns int language sql immutable as $$
  select (extract(year from d) * 1000 + extract(month from d) * 10
          + case when extract(day from d) <= 15 then 1 else 2 end)::int $$;

-- Each joint's distinct treatment half-months, as the date filter reads them.
create function episode_treatment_half_months(episodes uuid[]) returns setof outcome_folded_half_months
  language sql stable as $$
  select e.id, e.site_id,
         coalesce((select array_agg(distinct treatment_half_month(t.treatment_date)
                                    order by treatment_half_month(t.treatment_date))
                   from treatments t where t.episode_id = e.id), '{}')
  from (select distinct u.id from unnest(episodes) as u(id)) u
  join joint_episodes e on e.id = u.id $$;

-- The same for every joint at once, set-based for the rebuilds.
create function every_joint_treatment_half_months() returns setof outcome_folded_half_months
  language sql stable as $$
  select e.id, e.site_id, coalesce(t.half_months, '{}')
  from joint_episodes e
  left join (select episode_id, array_agg(distinct treatment_half_month(treatment_date)
                                          order by treatment_half_month(treatment_date)) as half_months
             from treatments group by episode_id) t
    on t.episode_id = e.id $$;

-- 0106's additions, for either kind of set: `kind` 'age' adds to outcome_age_sums (key column
-- ages), 'half_month' to outcome_half_month_sums (half_months). `source` names the joint's set
-- key_set.
create function outcome_set_sums_add(kind text, source text, rows_in outcome_folded_scores[],
  rows_out outcome_folded_scores[], sets_in anyarray, sets_out anyarray)
  returns void language plpgsql as $f$
begin
  execute format($q$
  insert into %1$I as s
  select x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id, x.scale, x.pattern, sum(x.w),
         array[coalesce(sum(x.w * x.v[1]), 0), coalesce(sum(x.w * x.v[2]), 0), coalesce(sum(x.w * x.v[3]), 0), coalesce(sum(x.w * x.v[4]), 0), coalesce(sum(x.w * x.v[5]), 0), coalesce(sum(x.w * x.v[6]), 0), coalesce(sum(x.w * x.v[7]), 0), coalesce(sum(x.w * x.v[8]), 0), coalesce(sum(x.w * x.v[9]), 0)],
         array[coalesce(sum(x.w * x.v[1] * x.v[1]), 0), coalesce(sum(x.w * x.v[2] * x.v[2]), 0), coalesce(sum(x.w * x.v[3] * x.v[3]), 0), coalesce(sum(x.w * x.v[4] * x.v[4]), 0), coalesce(sum(x.w * x.v[5] * x.v[5]), 0), coalesce(sum(x.w * x.v[6] * x.v[6]), 0), coalesce(sum(x.w * x.v[7] * x.v[7]), 0), coalesce(sum(x.w * x.v[8] * x.v[8]), 0), coalesce(sum(x.w * x.v[9] * x.v[9]), 0)],
         array[coalesce(sum(x.w * x.v[1] * x.v[1]), 0), coalesce(sum(x.w * x.v[2] * x.v[1]), 0), coalesce(sum(x.w * x.v[3] * x.v[1]), 0), coalesce(sum(x.w * x.v[4] * x.v[1]), 0), coalesce(sum(x.w * x.v[5] * x.v[1]), 0), coalesce(sum(x.w * x.v[6] * x.v[1]), 0), coalesce(sum(x.w * x.v[7] * x.v[1]), 0), coalesce(sum(x.w * x.v[8] * x.v[1]), 0), coalesce(sum(x.w * x.v[9] * x.v[1]), 0)],
         coalesce(sum(x.w * x.joint_sum * x.joint_sum), 0),
         array[0, coalesce(sum(x.w) filter (where (x.scores[2] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[3] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[4] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[5] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[6] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[7] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[8] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[9] - x.scores[1]) * th.sign >= th.mcid - th.tolerance), 0)::int],
         array[0, coalesce(sum(x.w) filter (where (x.scores[2] - x.scores[1]) * th.sign > th.tolerance and (x.scores[2] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[3] - x.scores[1]) * th.sign > th.tolerance and (x.scores[3] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[4] - x.scores[1]) * th.sign > th.tolerance and (x.scores[4] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[5] - x.scores[1]) * th.sign > th.tolerance and (x.scores[5] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[6] - x.scores[1]) * th.sign > th.tolerance and (x.scores[6] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[7] - x.scores[1]) * th.sign > th.tolerance and (x.scores[7] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[8] - x.scores[1]) * th.sign > th.tolerance and (x.scores[8] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.scores[9] - x.scores[1]) * th.sign > th.tolerance and (x.scores[9] - x.scores[1]) * th.sign >= th.rel * abs(th.best - x.scores[1]) - th.tolerance), 0)::int],
         array[coalesce(sum(x.w) filter (where x.scores[1] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[2] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[3] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[4] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[5] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[6] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[7] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[8] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.scores[9] * th.sign >= th.pass * th.sign - th.tolerance), 0)::int]
  from (select o.w, o.site_id, o.joint, o.kl_grade, o.sex, o.key_set, o.instrument_id, o.scale, o.scores,
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
        from %3$s o
        -- A fence, as in 0090: v is converted once, not at each of its uses.
        offset 0) x0
  cross join lateral (select x0.*, coalesce(x0.v[1], 0) + coalesce(x0.v[2], 0) + coalesce(x0.v[3], 0) + coalesce(x0.v[4], 0) + coalesce(x0.v[5], 0) + coalesce(x0.v[6], 0) + coalesce(x0.v[7], 0) + coalesce(x0.v[8], 0) + coalesce(x0.v[9], 0) as joint_sum) x
  left join (select t.*, coalesce((r.spec->>'tolerance')::float8, 0) as tolerance
             from outcome_rules r
             cross join jsonb_to_recordset(coalesce(r.spec->'thresholds', '[]'))
               as t(instrument_id text, scale text, sign int, mcid float8, pass float8, rel float8, best float8)) th
    on th.instrument_id = x.instrument_id and th.scale = x.scale
  where x.pattern > 0
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id, x.scale, x.pattern
  on conflict (site_id, joint, kl_grade, sex, %2$I, instrument_id, scale, pattern) do update set
    joints = s.joints + excluded.joints,
    sums = array[s.sums[1] + excluded.sums[1], s.sums[2] + excluded.sums[2], s.sums[3] + excluded.sums[3], s.sums[4] + excluded.sums[4], s.sums[5] + excluded.sums[5], s.sums[6] + excluded.sums[6], s.sums[7] + excluded.sums[7], s.sums[8] + excluded.sums[8], s.sums[9] + excluded.sums[9]],
    squares = array[s.squares[1] + excluded.squares[1], s.squares[2] + excluded.squares[2], s.squares[3] + excluded.squares[3], s.squares[4] + excluded.squares[4], s.squares[5] + excluded.squares[5], s.squares[6] + excluded.squares[6], s.squares[7] + excluded.squares[7], s.squares[8] + excluded.squares[8], s.squares[9] + excluded.squares[9]],
    products = array[s.products[1] + excluded.products[1], s.products[2] + excluded.products[2], s.products[3] + excluded.products[3], s.products[4] + excluded.products[4], s.products[5] + excluded.products[5], s.products[6] + excluded.products[6], s.products[7] + excluded.products[7], s.products[8] + excluded.products[8], s.products[9] + excluded.products[9]],
    squared_joint_sums = s.squared_joint_sums + excluded.squared_joint_sums,
    past_mcid = array[s.past_mcid[1] + excluded.past_mcid[1], s.past_mcid[2] + excluded.past_mcid[2], s.past_mcid[3] + excluded.past_mcid[3], s.past_mcid[4] + excluded.past_mcid[4], s.past_mcid[5] + excluded.past_mcid[5], s.past_mcid[6] + excluded.past_mcid[6], s.past_mcid[7] + excluded.past_mcid[7], s.past_mcid[8] + excluded.past_mcid[8], s.past_mcid[9] + excluded.past_mcid[9]],
    past_relative = array[s.past_relative[1] + excluded.past_relative[1], s.past_relative[2] + excluded.past_relative[2], s.past_relative[3] + excluded.past_relative[3], s.past_relative[4] + excluded.past_relative[4], s.past_relative[5] + excluded.past_relative[5], s.past_relative[6] + excluded.past_relative[6], s.past_relative[7] + excluded.past_relative[7], s.past_relative[8] + excluded.past_relative[8], s.past_relative[9] + excluded.past_relative[9]],
    in_pass = array[s.in_pass[1] + excluded.in_pass[1], s.in_pass[2] + excluded.in_pass[2], s.in_pass[3] + excluded.in_pass[3], s.in_pass[4] + excluded.in_pass[4], s.in_pass[5] + excluded.in_pass[5], s.in_pass[6] + excluded.in_pass[6], s.in_pass[7] + excluded.in_pass[7], s.in_pass[8] + excluded.in_pass[8], s.in_pass[9] + excluded.in_pass[9]]
  $q$, 'outcome_' || kind || '_sums', kind || 's', source) using rows_in, rows_out, sets_in, sets_out;
end $f$;

-- The same for marks: `source` is (w, site_id, joint, kl_grade, sex, key_set, instrument_id,
-- classes). Classes and kept answers are counted as 0090's outcome_counts_fold and
-- outcome_answers_fold count them.
create function outcome_set_marks_add(kind text, source text, marks_in outcome_joint_marks[],
  marks_out outcome_joint_marks[], sets_in anyarray, sets_out anyarray)
  returns void language plpgsql as $f$
begin
  execute format($q$
  insert into %1$I as c
  select x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id, sum(x.w),
         array[coalesce(sum(x.w) filter (where x.classes[1] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] %% 4 > 0), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] %% 4 = 2), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] %% 4 = 3), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] >= 4), 0)::int]
  from %3$s x
  where x.instrument_id not like 'item:%%'
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id
  on conflict (site_id, joint, kl_grade, sex, %2$I, instrument_id) do update set
    joints = c.joints + excluded.joints,
    paired = array[c.paired[1] + excluded.paired[1], c.paired[2] + excluded.paired[2], c.paired[3] + excluded.paired[3], c.paired[4] + excluded.paired[4], c.paired[5] + excluded.paired[5], c.paired[6] + excluded.paired[6], c.paired[7] + excluded.paired[7], c.paired[8] + excluded.paired[8], c.paired[9] + excluded.paired[9]],
    responders = array[c.responders[1] + excluded.responders[1], c.responders[2] + excluded.responders[2], c.responders[3] + excluded.responders[3], c.responders[4] + excluded.responders[4], c.responders[5] + excluded.responders[5], c.responders[6] + excluded.responders[6], c.responders[7] + excluded.responders[7], c.responders[8] + excluded.responders[8], c.responders[9] + excluded.responders[9]],
    undetermined = array[c.undetermined[1] + excluded.undetermined[1], c.undetermined[2] + excluded.undetermined[2], c.undetermined[3] + excluded.undetermined[3], c.undetermined[4] + excluded.undetermined[4], c.undetermined[5] + excluded.undetermined[5], c.undetermined[6] + excluded.undetermined[6], c.undetermined[7] + excluded.undetermined[7], c.undetermined[8] + excluded.undetermined[8], c.undetermined[9] + excluded.undetermined[9]],
    with_global = array[c.with_global[1] + excluded.with_global[1], c.with_global[2] + excluded.with_global[2], c.with_global[3] + excluded.with_global[3], c.with_global[4] + excluded.with_global[4], c.with_global[5] + excluded.with_global[5], c.with_global[6] + excluded.with_global[6], c.with_global[7] + excluded.with_global[7], c.with_global[8] + excluded.with_global[8], c.with_global[9] + excluded.with_global[9]]
  $q$, 'outcome_' || kind || '_counts', kind || 's', source) using marks_in, marks_out, sets_in, sets_out;
  execute format($q$
  insert into %1$I as c
  select x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, substr(x.instrument_id, 6), u.slot::smallint, u.answer, sum(x.w)
  from %3$s x
  cross join lateral unnest(x.classes) with ordinality as u(answer, slot)
  where x.instrument_id like 'item:%%' and u.answer is not null
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id, u.slot, u.answer
  on conflict (site_id, joint, kl_grade, sex, %2$I, item, slot, answer) do update set joints = c.joints + excluded.joints
  $q$, 'outcome_' || kind || '_answer_counts', kind || 's', source) using marks_in, marks_out, sets_in, sets_out;
end $f$;

-- One kind of set's share of a fold: a joint whose set (or site) changed moves all its rows
-- out of the old set and into the new; the others move only the rows that changed.
create function outcome_set_rows_move(kind text, moved uuid[], sets_now anyarray,
  sets_before anyarray, rows_in outcome_folded_scores[], rows_out outcome_folded_scores[],
  rows_after outcome_folded_scores[], rows_before outcome_folded_scores[])
  returns void language plpgsql as $$
begin
  if cardinality(rows_in) + cardinality(rows_out) + cardinality(moved) = 0 then return; end if;
  perform outcome_set_sums_add(kind, format('(
      select 1 as w, r.site_id, r.joint, r.kl_grade, r.sex, a.%1$I as key_set, r.instrument_id, r.scale, r.scores
      from unnest($1) r join unnest($3) a on a.episode_id = r.episode_id
      union all select -1, r.site_id, r.joint, r.kl_grade, r.sex, a.%1$I, r.instrument_id, r.scale, r.scores
      from unnest($2) r join unnest($4) a on a.episode_id = r.episode_id)', kind || 's'),
    array(select r from unnest(rows_in) r where r.episode_id <> all(moved)
          union all select r from unnest(rows_after) r where r.episode_id = any(moved)),
    array(select r from unnest(rows_out) r where r.episode_id <> all(moved)
          union all select r from unnest(rows_before) r where r.episode_id = any(moved)),
    sets_now, sets_before);
end $$;

-- The same for marks.
create function outcome_set_marks_move(kind text, moved uuid[], sets_now anyarray,
  sets_before anyarray, marks_in outcome_joint_marks[], marks_out outcome_joint_marks[],
  marks_after outcome_joint_marks[], marks_before outcome_joint_marks[])
  returns void language plpgsql as $$
begin
  if cardinality(marks_in) + cardinality(marks_out) + cardinality(moved) = 0 then return; end if;
  perform outcome_set_marks_add(kind, format('(
      select 1 as w, m.site_id, m.joint, m.kl_grade, m.sex, a.%1$I as key_set, m.instrument_id, m.classes
      from unnest($1) m join unnest($3) a on a.episode_id = m.episode_id
      union all select -1, m.site_id, m.joint, m.kl_grade, m.sex, a.%1$I, m.instrument_id, m.classes
      from unnest($2) m join unnest($4) a on a.episode_id = m.episode_id)', kind || 's'),
    array(select m from unnest(marks_in) m where m.episode_id <> all(moved)
          union all select m from unnest(marks_after) m where m.episode_id = any(moved)),
    array(select m from unnest(marks_out) m where m.episode_id <> all(moved)
          union all select m from unnest(marks_before) m where m.episode_id = any(moved)),
    sets_now, sets_before);
end $$;

-- 0106's refold, moving rows between sets of treatment half-months as between sets of ages.
create or replace function outcome_sums_refold(episodes uuid[]) returns void language plpgsql as $$
declare
  keys_now episode_cohorts[];
  folded_before outcome_folded_scores[];
  folded_after outcome_folded_scores[];
  folded_in outcome_folded_scores[];
  folded_out outcome_folded_scores[];
  marks_were outcome_joint_marks[];
  marks_now outcome_joint_marks[];
  marks_in outcome_joint_marks[];
  marks_out outcome_joint_marks[];
  ages_before outcome_folded_ages[];
  ages_now outcome_folded_ages[];
  half_months_before outcome_folded_half_months[];
  half_months_now outcome_folded_half_months[];
  moved_ages uuid[];
  moved_half_months uuid[];
begin
  perform outcome_sums_lock();
  episodes := array(select distinct u.id from unnest(episodes) as u(id));
  keys_now := array(select row(k.*)::episode_cohorts from episode_cohort_keys(episodes) k);
  -- Joints gone (a list nearly always empty, so the index finds them).
  delete from episode_cohorts c
  where c.episode_id = any(array(select u.id from unnest(episodes) as u(id)
                                 except select n.episode_id from unnest(keys_now) n));
  insert into episode_cohorts as c select * from unnest(keys_now)
  on conflict (episode_id) do update
    set site_id = excluded.site_id, joint = excluded.joint, kl_grade = excluded.kl_grade,
        sex = excluded.sex, treatments = excluded.treatments
    where (c.site_id, c.joint, c.kl_grade, c.sex, c.treatments)
      is distinct from (excluded.site_id, excluded.joint, excluded.kl_grade, excluded.sex, excluded.treatments);
  ages_before := array(select a from unnest(episodes) as u(id)
                       join outcome_folded_ages a on a.episode_id = u.id);
  ages_now := array(select a from episode_treatment_ages(episodes) a);
  moved_ages := array(select coalesce(n.episode_id, b.episode_id)
                      from unnest(ages_now) n full join unnest(ages_before) b on b.episode_id = n.episode_id
                      where (n.site_id, n.ages) is distinct from (b.site_id, b.ages));
  half_months_before := array(select a from unnest(episodes) as u(id)
                         join outcome_folded_half_months a on a.episode_id = u.id);
  half_months_now := array(select a from episode_treatment_half_months(episodes) a);
  moved_half_months := array(select coalesce(n.episode_id, b.episode_id)
                        from unnest(half_months_now) n full join unnest(half_months_before) b on b.episode_id = n.episode_id
                        where (n.site_id, n.half_months) is distinct from (b.site_id, b.half_months));
  -- The generated columns are left null on both sides, as in 0105, so equal rows pair.
  folded_before := array(
    select row(f.episode_id, f.instrument_id, f.scale, f.scores,
               f.site_id, f.joint, f.kl_grade, f.sex, f.treatments,
               null, null, null, null, null, null, null, null, null, null)::outcome_folded_scores
    from unnest(episodes) as u(id) join outcome_folded_scores f on f.episode_id = u.id);
  folded_after := array(
    select row(o.episode_id, o.instrument_id, o.scale, o.scores,
               k.site_id, k.joint, k.kl_grade, k.sex, k.treatments,
               null, null, null, null, null, null, null, null, null, null)::outcome_folded_scores
    from unnest(keys_now) k join outcome_joint_scores o on o.episode_id = k.episode_id);
  select * into folded_in, folded_out from fold_changes(folded_after, folded_before);
  perform outcome_sums_fold(folded_in, folded_out);
  perform outcome_set_rows_move('age', moved_ages, ages_now, ages_before,
    folded_in, folded_out, folded_after, folded_before);
  perform outcome_set_rows_move('half_month', moved_half_months, half_months_now, half_months_before,
    folded_in, folded_out, folded_after, folded_before);
  delete from outcome_folded_scores f using unnest(folded_out) w
  where f.episode_id = w.episode_id and f.instrument_id = w.instrument_id and f.scale = w.scale;
  insert into outcome_folded_scores
    (episode_id, instrument_id, scale, scores, site_id, joint, kl_grade, sex, treatments)
  select episode_id, instrument_id, scale, scores, site_id, joint, kl_grade, sex, treatments
  from unnest(folded_in);
  -- Marks are taken from the folded rows just written.
  marks_were := array(select m from unnest(episodes) as u(id)
                      join outcome_joint_marks m on m.episode_id = u.id);
  marks_now := array(select m from outcome_marks_of(episodes) m);
  select * into marks_in, marks_out from fold_changes(marks_now, marks_were);
  perform outcome_counts_fold(marks_in, marks_out);
  perform outcome_answers_fold(marks_in, marks_out);
  perform outcome_set_marks_move('age', moved_ages, ages_now, ages_before,
    marks_in, marks_out, marks_now, marks_were);
  perform outcome_set_marks_move('half_month', moved_half_months, half_months_now, half_months_before,
    marks_in, marks_out, marks_now, marks_were);
  delete from outcome_joint_marks m using unnest(marks_out) w
  where m.episode_id = w.episode_id and m.instrument_id = w.instrument_id;
  insert into outcome_joint_marks select * from unnest(marks_in);
  delete from outcome_folded_ages a where a.episode_id = any(moved_ages);
  insert into outcome_folded_ages
  select n.* from unnest(ages_now) n where n.episode_id = any(moved_ages);
  delete from outcome_folded_half_months a where a.episode_id = any(moved_half_months);
  insert into outcome_folded_half_months
  select n.* from unnest(half_months_now) n where n.episode_id = any(moved_half_months);
end $$;

-- One kind of set's sums recounted from the folded rows and marks, under each joint's set now.
create function outcome_set_sums_rebuild(kind text) returns void language plpgsql as $$
begin
  -- Servers still on the old functions fold under this lock too: none may fold halfway through.
  perform outcome_sums_lock();
  execute format('delete from %I; delete from %I; delete from %I; delete from %I;
    insert into %I select * from %I()',
    'outcome_' || kind || '_sums', 'outcome_' || kind || '_counts',
    'outcome_' || kind || '_answer_counts', 'outcome_folded_' || kind || 's',
    'outcome_folded_' || kind || 's', 'every_joint_treatment_' || kind || 's');
  -- The sets are read from the table by the source, so none is passed (typed for the call).
  perform outcome_set_sums_add(kind, format('(select 1 as w, f.site_id, f.joint, f.kl_grade, f.sex, a.%1$I as key_set, f.instrument_id, f.scale, f.scores
      from outcome_folded_scores f join %2$I a on a.episode_id = f.episode_id)', kind || 's', 'outcome_folded_' || kind || 's'),
    null, null, null::int[], null::int[]);
  perform outcome_set_marks_add(kind, format('(select 1 as w, m.site_id, m.joint, m.kl_grade, m.sex, a.%1$I as key_set, m.instrument_id, m.classes
      from outcome_joint_marks m join %2$I a on a.episode_id = m.episode_id)', kind || 's', 'outcome_folded_' || kind || 's'),
    null, null, null::int[], null::int[]);
end $$;

-- 0106's age rebuild, now one kind of the above; a rebuild recounts both kinds.
drop function outcome_age_sums_rebuild();
drop function outcome_age_sums_add(text, outcome_folded_scores[], outcome_folded_scores[],
  outcome_folded_ages[], outcome_folded_ages[]);
drop function outcome_age_marks_add(text, outcome_joint_marks[], outcome_joint_marks[],
  outcome_folded_ages[], outcome_folded_ages[]);
create or replace function outcome_sums_rebuild() returns void language plpgsql as $$
begin
  perform outcome_sums_rebuild_by_key();
  perform outcome_set_sums_rebuild('age');
  perform outcome_set_sums_rebuild('half_month');
end $$;

select outcome_set_sums_rebuild('half_month');

-- A range ending within a half-month finds the joints treated on its other days by date.
create index treatments_date_idx on treatments (treatment_date) include (site_id, episode_id);
