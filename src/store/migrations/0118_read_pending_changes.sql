-- Reads right after a burst of changes, without waiting for the fold (issue 17). A whole-site or
-- cohort-key view folded every noted joint before it read: 1,000 changed joints took 4.8 s at
-- 100,000 joints, 3 s of it in the kept sets of ages and half-months that view never reads. Now
-- such a view adds to the kept sums what the noted joints change, in its own snapshot: their rows
-- and marks as they are now, less as last folded (outcome_pending_changes), counted as the fold
-- counts them. So each fold's aggregate becomes a function the view calls too, and the marks'
-- query is written once for the folded rows and for rows given.

create function outcome_sums_of(added outcome_folded_scores[], removed outcome_folded_scores[],
  by_key boolean default true)
  returns setof outcome_sums language sql stable as $$
  select row(x.site_id, case when by_key then x.joint end, case when by_key then x.kl_grade end,
         case when by_key then x.sex end, case when by_key then x.treatments end, x.instrument_id, x.scale, x.pattern,
         sum(x.w),
         array[coalesce(sum(x.w * x.v1), 0), coalesce(sum(x.w * x.v2), 0), coalesce(sum(x.w * x.v3), 0), coalesce(sum(x.w * x.v4), 0), coalesce(sum(x.w * x.v5), 0), coalesce(sum(x.w * x.v6), 0), coalesce(sum(x.w * x.v7), 0), coalesce(sum(x.w * x.v8), 0), coalesce(sum(x.w * x.v9), 0)],
         array[coalesce(sum(x.w * x.v1 * x.v1), 0), coalesce(sum(x.w * x.v2 * x.v2), 0), coalesce(sum(x.w * x.v3 * x.v3), 0), coalesce(sum(x.w * x.v4 * x.v4), 0), coalesce(sum(x.w * x.v5 * x.v5), 0), coalesce(sum(x.w * x.v6 * x.v6), 0), coalesce(sum(x.w * x.v7 * x.v7), 0), coalesce(sum(x.w * x.v8 * x.v8), 0), coalesce(sum(x.w * x.v9 * x.v9), 0)],
         array[coalesce(sum(x.w * x.v1 * x.v1), 0), coalesce(sum(x.w * x.v2 * x.v1), 0), coalesce(sum(x.w * x.v3 * x.v1), 0), coalesce(sum(x.w * x.v4 * x.v1), 0), coalesce(sum(x.w * x.v5 * x.v1), 0), coalesce(sum(x.w * x.v6 * x.v1), 0), coalesce(sum(x.w * x.v7 * x.v1), 0), coalesce(sum(x.w * x.v8 * x.v1), 0), coalesce(sum(x.w * x.v9 * x.v1), 0)],
         coalesce(sum(x.w * x.joint_sum * x.joint_sum), 0),
         array[0, coalesce(sum(x.w) filter (where (x.s2 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s3 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s4 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s5 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s6 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s7 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s8 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s9 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int],
         array[0, coalesce(sum(x.w) filter (where (x.s2 - x.s1) * th.sign > th.tolerance and (x.s2 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s3 - x.s1) * th.sign > th.tolerance and (x.s3 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s4 - x.s1) * th.sign > th.tolerance and (x.s4 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s5 - x.s1) * th.sign > th.tolerance and (x.s5 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s6 - x.s1) * th.sign > th.tolerance and (x.s6 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s7 - x.s1) * th.sign > th.tolerance and (x.s7 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s8 - x.s1) * th.sign > th.tolerance and (x.s8 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s9 - x.s1) * th.sign > th.tolerance and (x.s9 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int],
         array[coalesce(sum(x.w) filter (where x.s1 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s2 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s3 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s4 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s5 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s6 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s7 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s8 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s9 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int])::outcome_sums
  from (
    select o.episode_id, o.instrument_id, o.scale, o.scores,
           o.site_id, o.joint, o.kl_grade, o.sex, o.treatments,
           o.scores[1] as s1, o.scores[2] as s2, o.scores[3] as s3, o.scores[4] as s4, o.scores[5] as s5, o.scores[6] as s6, o.scores[7] as s7, o.scores[8] as s8, o.scores[9] as s9,
           o.scores[1]::numeric as v1, o.scores[2]::numeric as v2, o.scores[3]::numeric as v3, o.scores[4]::numeric as v4, o.scores[5]::numeric as v5, o.scores[6]::numeric as v6, o.scores[7]::numeric as v7, o.scores[8]::numeric as v8, o.scores[9]::numeric as v9,
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
    -- A fence: without it the planner inlines the slots into each of their ~40 uses, converting
    -- every score to numeric again each time (0090 measured 3 s instead of 0.1 s, 1,000 joints).
    offset 0
  ) x0
  cross join lateral (select x0.*, coalesce(x0.v1, 0) + coalesce(x0.v2, 0) + coalesce(x0.v3, 0) + coalesce(x0.v4, 0) + coalesce(x0.v5, 0) + coalesce(x0.v6, 0) + coalesce(x0.v7, 0) + coalesce(x0.v8, 0) + coalesce(x0.v9, 0) as joint_sum) x
  left join (select t.*, coalesce((r.spec->>'tolerance')::float8, 0) as tolerance
             from outcome_rules r
             cross join jsonb_to_recordset(coalesce(r.spec->'thresholds', '[]'))
               as t(instrument_id text, scale text, sign int, mcid float8, pass float8, rel float8, best float8)) th
    on th.instrument_id = x.instrument_id and th.scale = x.scale
  where x.pattern > 0
  -- Without `by_key`, per site only, the cohort key left null: what a whole-site view adds up.
  group by x.site_id, case when by_key then x.joint end, case when by_key then x.kl_grade end,
    case when by_key then x.sex end, case when by_key then x.treatments end,
    x.instrument_id, x.scale, x.pattern $$;

create function outcome_counts_of(added outcome_joint_marks[], removed outcome_joint_marks[])
  returns setof outcome_cohort_counts language sql stable as $$
  select row(x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id,
         sum(x.w),
         array[coalesce(sum(x.w) filter (where x.classes[1] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] % 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] % 4 > 0), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] % 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] % 4 = 2), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] % 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] % 4 = 3), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] >= 4), 0)::int])::outcome_cohort_counts
  from (select 1 as w, a.* from unnest(added) a union all select -1, r.* from unnest(removed) r) x
  where x.instrument_id not like 'item:%'
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id $$;

create function outcome_answers_of(added outcome_joint_marks[], removed outcome_joint_marks[])
  returns setof outcome_answer_counts language sql stable as $$
    select row(x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, substr(x.instrument_id, 6),
               u.slot::smallint, u.answer, sum(x.w))::outcome_answer_counts
    from (select 1 as w, a.* from unnest(added) a union all select -1, r.* from unnest(removed) r) x
    cross join lateral unnest(x.classes) with ordinality as u(answer, slot)
    where x.instrument_id like 'item:%' and u.answer is not null
    group by x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id, u.slot, u.answer $$;

create or replace function outcome_sums_fold(added outcome_folded_scores[], removed outcome_folded_scores[])
  returns void language plpgsql as $$
declare
  fine outcome_sums[];
begin
  fine := array(select outcome_sums_of(added, removed));
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

create or replace function outcome_counts_fold(added outcome_joint_marks[], removed outcome_joint_marks[])
  returns void language plpgsql as $$
declare
  fine outcome_cohort_counts[];
begin
  fine := array(select outcome_counts_of(added, removed));
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

create or replace function outcome_answers_fold(added outcome_joint_marks[], removed outcome_joint_marks[])
  returns void language plpgsql as $$
declare
  fine outcome_answer_counts[];
begin
  fine := array(select outcome_answers_of(added, removed));
  insert into outcome_answer_counts as c select * from unnest(fine)
  on conflict (site_id, joint, kl_grade, sex, treatments, item, slot, answer) do update set
    joints = c.joints + excluded.joints;
  insert into outcome_site_answer_counts as c
  select x.site_id, x.item, x.slot, x.answer, sum(x.joints) from unnest(fine) x
  group by x.site_id, x.item, x.slot, x.answer
  on conflict (site_id, item, slot, answer) do update set joints = c.joints + excluded.joints;
end $$;

-- 0090's marks of joints, from the rows of %1$s and the keys of %2$s (tables, or arrays unnested).
create function outcome_marks_query(scores text, keys text) returns text language sql immutable as $q$
  select format($m$
  select o.episode_id, '', '{}'::smallint[], o.site_id, o.joint, o.kl_grade, o.sex, o.treatments
  from unnest($1) as u(episode_id)
  join %1$s o on o.episode_id = u.episode_id
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
        from unnest($1) as u(episode_id)
        join %1$s o on o.episode_id = u.episode_id
        join jsonb_to_recordset(coalesce((select spec->'domains' from outcome_rules), '[]'))
          as d(instrument_id text, pain text, function text)
          on d.instrument_id = o.instrument_id and o.scale in (d.pain, d.function)
        group by o.episode_id, o.instrument_id, o.site_id, o.joint, o.kl_grade, o.sex, o.treatments) pf
  cross join outcome_rules r
  left join %1$s gs
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
        from unnest($1) as u(episode_id)
        join responses r on r.episode_id = u.episode_id
        join jsonb_to_recordset(coalesce((select spec->'items' from outcome_rules), '[]'))
          as it(instrument_id text, item text) on it.instrument_id = r.instrument_id
        where jsonb_typeof(r.answers -> it.item) = 'number'
        order by r.episode_id, r.timepoint, it.instrument_id, it.item, r.submitted_at, r.id) a
  join %2$s k on k.episode_id = a.episode_id
  where a.slot is not null
  group by a.episode_id, a.item, k.site_id, k.joint, k.kl_grade, k.sex, k.treatments $m$, scores, keys) $q$;

create or replace function outcome_marks_of(episodes uuid[]) returns setof outcome_joint_marks
  language plpgsql stable as $$
begin
  return query execute outcome_marks_query('outcome_folded_scores', 'episode_cohorts') using episodes;
end $$;

-- The marks the joints `episodes` would have with the rows `scores` and the keys `keys`.
create function outcome_marks_from(episodes uuid[], scores outcome_folded_scores[], keys episode_cohorts[])
  returns setof outcome_joint_marks language plpgsql stable as $$
begin
  return query execute outcome_marks_query('unnest($2)', 'unnest($3)') using episodes, scores, keys;
end $$;

-- The notes since the last fold of the joints at `site` (every site when null), or last folded
-- there: a joint moved between sites changes both. A read counts them (with a limit) and takes
-- their joints.
create function outcome_notes_at(site uuid) returns setof outcome_sums_pending
  language sql stable as $$
  select p.* from outcome_sums_pending p
  where site is null or p.site_id = site
     or exists (select 1 from episode_cohorts c where c.episode_id = p.episode_id and c.site_id = site) $$;

-- The joints noted at `site` (outcome_notes_at), their rows and marks as they are now under their
-- keys now (`rows_now`, `marks_now`, as outcome_sums_refold writes them) and as last folded
-- (`rows_were`, `marks_were`). The generated columns are left null on both sides, as in 0105, so
-- equal rows pair. With `with_rows` false, no rows as last folded.
create function outcome_noted_rows(site uuid, with_rows boolean,
  out episodes uuid[], out rows_now outcome_folded_scores[], out rows_were outcome_folded_scores[],
  out marks_now outcome_joint_marks[], out marks_were outcome_joint_marks[])
  language plpgsql stable set jit = off as $$
declare
  keys_now episode_cohorts[];
begin
  episodes := array(select distinct n.episode_id from outcome_notes_at(site) n);
  keys_now := array(select row(k.*)::episode_cohorts from episode_cohort_keys(episodes) k);
  rows_now := array(
    select row(o.episode_id, o.instrument_id, o.scale, o.scores,
               k.site_id, k.joint, k.kl_grade, k.sex, k.treatments,
               null, null, null, null, null, null, null, null, null, null)::outcome_folded_scores
    from unnest(keys_now) k join outcome_joint_scores o on o.episode_id = k.episode_id);
  if with_rows then
    rows_were := array(
      select row(f.episode_id, f.instrument_id, f.scale, f.scores,
                 f.site_id, f.joint, f.kl_grade, f.sex, f.treatments,
                 null, null, null, null, null, null, null, null, null, null)::outcome_folded_scores
      from unnest(episodes) as u(id) join outcome_folded_scores f on f.episode_id = u.id);
  end if;
  marks_now := array(select m from outcome_marks_from(episodes, rows_now, keys_now) m);
  marks_were := array(select m from unnest(episodes) as u(id)
                      join outcome_joint_marks m on m.episode_id = u.id);
end $$;

-- What folding the joints noted now would add to the sums and counts (`rows_in`, `marks_in`) and
-- take from them (`rows_out`, `marks_out`), as outcome_sums_refold computes it, written nowhere.
-- With `site`, the joints outcome_notes_at gives; with `with_rows` false, the marks only.
-- Stable: it reads in its caller's snapshot, where the kept sums and the notes agree (a fold
-- takes its notes and moves the sums in one transaction).
create function outcome_pending_changes(site uuid, with_rows boolean,
  out rows_in outcome_folded_scores[], out rows_out outcome_folded_scores[],
  out marks_in outcome_joint_marks[], out marks_out outcome_joint_marks[])
  language plpgsql stable set jit = off as $$
declare
  noted record;
begin
  select * into noted from outcome_noted_rows(site, with_rows);
  if with_rows then
    select * into rows_in, rows_out from fold_changes(noted.rows_now, noted.rows_were);
  end if;
  select * into marks_in, marks_out from fold_changes(noted.marks_now, noted.marks_were);
end $$;
