-- The fold's sums with each slot taken out of its array once (issue 17). Folding 1,000 changed
-- joints (14,260 rows out and in, at 100,000 joints) took 4.4 s: about 1.6 s in these two
-- functions' aggregates, whose ~60 terms each found a score again in the row's arrays (a
-- numeric[] is walked element by element at each subscript), and 1.8 s in their upserts. The
-- fence now yields each slot as a column, float8 for the thresholds and numeric for the sums;
-- the values converted and added are the same. With the JIT off below: 4.4 → 3.9 s.

create or replace function outcome_sums_fold(added outcome_folded_scores[], removed outcome_folded_scores[])
  returns void language plpgsql as $$
declare
  fine outcome_sums[];
begin
  fine := array(
  select row(x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.instrument_id, x.scale, x.pattern,
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

-- 0108's additions to the sums of a kind of set, their slots taken apart the same way.
create or replace function outcome_set_sums_add(kind text, source text, rows_in outcome_folded_scores[],
  rows_out outcome_folded_scores[], sets_in anyarray, sets_out anyarray)
  returns void language plpgsql as $f$
begin
  execute format($q$
  insert into %1$I as s
  select x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id, x.scale, x.pattern, sum(x.w),
         array[coalesce(sum(x.w * x.v1), 0), coalesce(sum(x.w * x.v2), 0), coalesce(sum(x.w * x.v3), 0), coalesce(sum(x.w * x.v4), 0), coalesce(sum(x.w * x.v5), 0), coalesce(sum(x.w * x.v6), 0), coalesce(sum(x.w * x.v7), 0), coalesce(sum(x.w * x.v8), 0), coalesce(sum(x.w * x.v9), 0)],
         array[coalesce(sum(x.w * x.v1 * x.v1), 0), coalesce(sum(x.w * x.v2 * x.v2), 0), coalesce(sum(x.w * x.v3 * x.v3), 0), coalesce(sum(x.w * x.v4 * x.v4), 0), coalesce(sum(x.w * x.v5 * x.v5), 0), coalesce(sum(x.w * x.v6 * x.v6), 0), coalesce(sum(x.w * x.v7 * x.v7), 0), coalesce(sum(x.w * x.v8 * x.v8), 0), coalesce(sum(x.w * x.v9 * x.v9), 0)],
         array[coalesce(sum(x.w * x.v1 * x.v1), 0), coalesce(sum(x.w * x.v2 * x.v1), 0), coalesce(sum(x.w * x.v3 * x.v1), 0), coalesce(sum(x.w * x.v4 * x.v1), 0), coalesce(sum(x.w * x.v5 * x.v1), 0), coalesce(sum(x.w * x.v6 * x.v1), 0), coalesce(sum(x.w * x.v7 * x.v1), 0), coalesce(sum(x.w * x.v8 * x.v1), 0), coalesce(sum(x.w * x.v9 * x.v1), 0)],
         coalesce(sum(x.w * x.joint_sum * x.joint_sum), 0),
         array[0, coalesce(sum(x.w) filter (where (x.s2 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s3 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s4 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s5 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s6 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s7 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s8 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s9 - x.s1) * th.sign >= th.mcid - th.tolerance), 0)::int],
         array[0, coalesce(sum(x.w) filter (where (x.s2 - x.s1) * th.sign > th.tolerance and (x.s2 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s3 - x.s1) * th.sign > th.tolerance and (x.s3 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s4 - x.s1) * th.sign > th.tolerance and (x.s4 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s5 - x.s1) * th.sign > th.tolerance and (x.s5 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s6 - x.s1) * th.sign > th.tolerance and (x.s6 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s7 - x.s1) * th.sign > th.tolerance and (x.s7 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s8 - x.s1) * th.sign > th.tolerance and (x.s8 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where (x.s9 - x.s1) * th.sign > th.tolerance and (x.s9 - x.s1) * th.sign >= th.rel * abs(th.best - x.s1) - th.tolerance), 0)::int],
         array[coalesce(sum(x.w) filter (where x.s1 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s2 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s3 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s4 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s5 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s6 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s7 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s8 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int, coalesce(sum(x.w) filter (where x.s9 * th.sign >= th.pass * th.sign - th.tolerance), 0)::int]
  from (select o.w, o.site_id, o.joint, o.kl_grade, o.sex, o.key_set, o.instrument_id, o.scale, o.scores,
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
                      + (case when o.scores[9] is not null then 256 else 0 end) as pattern
        from %3$s o
        -- A fence, as in 0090: each slot is taken out and converted once, not at each of its uses.
        offset 0) x0
  cross join lateral (select x0.*, coalesce(x0.v1, 0) + coalesce(x0.v2, 0) + coalesce(x0.v3, 0) + coalesce(x0.v4, 0) + coalesce(x0.v5, 0) + coalesce(x0.v6, 0) + coalesce(x0.v7, 0) + coalesce(x0.v8, 0) + coalesce(x0.v9, 0) as joint_sum) x
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

-- A fold's statements are planned for arrays of unknown length, so their estimates pass the
-- JIT threshold: compiling them cost 60–70 ms of a 1,000-joint fold (outcome_marks_of alone)
-- and saved nothing. Off for the whole fold, which the functions it calls inherit.
alter function outcome_sums_catch_up() set jit = off;
