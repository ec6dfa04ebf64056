-- The aggregates that add rows of scores into kept sums (0118's outcome_sums_of, for a site or
-- cohort key; 0119's outcome_set_sums_select, for a kind of set) with fewer numeric operations
-- per row (issue 17). A view right after 1,000 changed joints aggregates about 14,000 rows (each
-- joint's rows now and as last folded), and the fold runs the same aggregates.
-- - A removed row's scores are negated once (`a1`…), where each of 27 sums multiplied by its
--   weight: sums add `a`, squares add `a · v` and products `a · v1` (one product each, not two),
--   and squares[1] is products[1].
-- - The thresholds' cuts (MCID − tolerance, PASS · sign − tolerance, the relative cut) and each
--   slot's change from baseline times the sign are computed once per row, not in each filter.
-- The same values in the same order of operations on each term, so the sums are equal, numeric
-- for numeric, to 0118's and 0119's (checked on 100,000 joints: no row differs, per site and per
-- cohort key), and the tests' recounts and per-joint comparisons stand. A site's changes of 1,000
-- joints aggregated in 115 ms against 155-165 ms; per cohort key 350 ms against 420 ms.
-- Fences (`offset 0`) keep each slot converted to numeric once, as in 0090.
create or replace function outcome_sums_of(added outcome_folded_scores[], removed outcome_folded_scores[],
  by_key boolean default true)
  returns setof outcome_sums language sql stable as $$
  select row(x.site_id, case when by_key then x.joint end, case when by_key then x.kl_grade end,
         case when by_key then x.sex end, case when by_key then x.treatments end, x.instrument_id, x.scale, x.pattern,
         sum(x.w),
         array[coalesce(sum(x.a1), 0), coalesce(sum(x.a2), 0), coalesce(sum(x.a3), 0), coalesce(sum(x.a4), 0), coalesce(sum(x.a5), 0), coalesce(sum(x.a6), 0), coalesce(sum(x.a7), 0), coalesce(sum(x.a8), 0), coalesce(sum(x.a9), 0)],
         array[coalesce(sum(x.q1), 0), coalesce(sum(x.q2), 0), coalesce(sum(x.q3), 0), coalesce(sum(x.q4), 0), coalesce(sum(x.q5), 0), coalesce(sum(x.q6), 0), coalesce(sum(x.q7), 0), coalesce(sum(x.q8), 0), coalesce(sum(x.q9), 0)],
         array[coalesce(sum(x.q1), 0), coalesce(sum(x.p2), 0), coalesce(sum(x.p3), 0), coalesce(sum(x.p4), 0), coalesce(sum(x.p5), 0), coalesce(sum(x.p6), 0), coalesce(sum(x.p7), 0), coalesce(sum(x.p8), 0), coalesce(sum(x.p9), 0)],
         coalesce(sum(x.jq), 0),
         array[0, coalesce(sum(x.w) filter (where x.d2 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d3 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d4 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d5 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d6 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d7 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d8 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d9 >= x.mcid_cut), 0)::int],
         array[0, coalesce(sum(x.w) filter (where x.d2 > x.tolerance and x.d2 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d3 > x.tolerance and x.d3 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d4 > x.tolerance and x.d4 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d5 > x.tolerance and x.d5 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d6 > x.tolerance and x.d6 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d7 > x.tolerance and x.d7 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d8 > x.tolerance and x.d8 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d9 > x.tolerance and x.d9 >= x.relative_cut), 0)::int],
         array[coalesce(sum(x.w) filter (where x.s1 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s2 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s3 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s4 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s5 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s6 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s7 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s8 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s9 * x.sign >= x.pass_cut), 0)::int])::outcome_sums
  from (
    select y.w, y.site_id, y.joint, y.kl_grade, y.sex, y.treatments, y.instrument_id, y.scale, y.pattern,
           y.a1, y.a2, y.a3, y.a4, y.a5, y.a6, y.a7, y.a8, y.a9,
           y.a1 * y.v1 as q1, y.a2 * y.v2 as q2, y.a3 * y.v3 as q3, y.a4 * y.v4 as q4, y.a5 * y.v5 as q5, y.a6 * y.v6 as q6, y.a7 * y.v7 as q7, y.a8 * y.v8 as q8, y.a9 * y.v9 as q9,
           y.a2 * y.v1 as p2, y.a3 * y.v1 as p3, y.a4 * y.v1 as p4, y.a5 * y.v1 as p5, y.a6 * y.v1 as p6, y.a7 * y.v1 as p7, y.a8 * y.v1 as p8, y.a9 * y.v1 as p9,
           (coalesce(y.a1, 0) + coalesce(y.a2, 0) + coalesce(y.a3, 0) + coalesce(y.a4, 0) + coalesce(y.a5, 0) + coalesce(y.a6, 0) + coalesce(y.a7, 0) + coalesce(y.a8, 0) + coalesce(y.a9, 0))
             * (coalesce(y.v1, 0) + coalesce(y.v2, 0) + coalesce(y.v3, 0) + coalesce(y.v4, 0) + coalesce(y.v5, 0) + coalesce(y.v6, 0) + coalesce(y.v7, 0) + coalesce(y.v8, 0) + coalesce(y.v9, 0)) as jq,
           y.s1, y.s2, y.s3, y.s4, y.s5, y.s6, y.s7, y.s8, y.s9,
           (y.s2 - y.s1) * th.sign as d2, (y.s3 - y.s1) * th.sign as d3, (y.s4 - y.s1) * th.sign as d4, (y.s5 - y.s1) * th.sign as d5, (y.s6 - y.s1) * th.sign as d6, (y.s7 - y.s1) * th.sign as d7, (y.s8 - y.s1) * th.sign as d8, (y.s9 - y.s1) * th.sign as d9,
           th.sign, th.mcid - th.tolerance as mcid_cut, th.rel * abs(th.best - y.s1) - th.tolerance as relative_cut,
           th.pass * th.sign - th.tolerance as pass_cut, th.tolerance
    from (
      select z.*, case when z.w > 0 then z.v1 else -z.v1 end as a1, case when z.w > 0 then z.v2 else -z.v2 end as a2, case when z.w > 0 then z.v3 else -z.v3 end as a3, case when z.w > 0 then z.v4 else -z.v4 end as a4, case when z.w > 0 then z.v5 else -z.v5 end as a5, case when z.w > 0 then z.v6 else -z.v6 end as a6, case when z.w > 0 then z.v7 else -z.v7 end as a7, case when z.w > 0 then z.v8 else -z.v8 end as a8, case when z.w > 0 then z.v9 else -z.v9 end as a9
      from (
        select o.w, o.site_id, o.joint, o.kl_grade, o.sex, o.treatments, o.instrument_id, o.scale,
               o.scores[1] as s1, o.scores[2] as s2, o.scores[3] as s3, o.scores[4] as s4, o.scores[5] as s5, o.scores[6] as s6, o.scores[7] as s7, o.scores[8] as s8, o.scores[9] as s9,
               o.scores[1]::numeric as v1, o.scores[2]::numeric as v2, o.scores[3]::numeric as v3, o.scores[4]::numeric as v4, o.scores[5]::numeric as v5, o.scores[6]::numeric as v6, o.scores[7]::numeric as v7, o.scores[8]::numeric as v8, o.scores[9]::numeric as v9,
               (case when o.scores[1] is not null then 1 else 0 end) + (case when o.scores[2] is not null then 2 else 0 end) + (case when o.scores[3] is not null then 4 else 0 end) + (case when o.scores[4] is not null then 8 else 0 end) + (case when o.scores[5] is not null then 16 else 0 end) + (case when o.scores[6] is not null then 32 else 0 end) + (case when o.scores[7] is not null then 64 else 0 end) + (case when o.scores[8] is not null then 128 else 0 end) + (case when o.scores[9] is not null then 256 else 0 end) as pattern
        from (select 1 as w, a.* from unnest(added) a union all select -1, r.* from unnest(removed) r) o
        offset 0) z
      where z.pattern > 0
      offset 0) y
    left join (select t.instrument_id, t.scale, t.sign::float8 as sign, t.mcid, t.pass, t.rel, t.best,
                      coalesce((r.spec->>'tolerance')::float8, 0) as tolerance
               from outcome_rules r
               cross join jsonb_to_recordset(coalesce(r.spec->'thresholds', '[]'))
                 as t(instrument_id text, scale text, sign int, mcid float8, pass float8, rel float8, best float8)) th
      on th.instrument_id = y.instrument_id and th.scale = y.scale
    offset 0) x
  -- Without `by_key`, per site only, the cohort key left null: what a whole-site view adds up.
  group by x.site_id, case when by_key then x.joint end, case when by_key then x.kl_grade end,
    case when by_key then x.sex end, case when by_key then x.treatments end,
    x.instrument_id, x.scale, x.pattern $$;

create or replace function outcome_set_sums_select(source text) returns text language sql immutable as $q$
  select format($s$
  select x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id, x.scale, x.pattern,
         sum(x.w),
         array[coalesce(sum(x.a1), 0), coalesce(sum(x.a2), 0), coalesce(sum(x.a3), 0), coalesce(sum(x.a4), 0), coalesce(sum(x.a5), 0), coalesce(sum(x.a6), 0), coalesce(sum(x.a7), 0), coalesce(sum(x.a8), 0), coalesce(sum(x.a9), 0)],
         array[coalesce(sum(x.q1), 0), coalesce(sum(x.q2), 0), coalesce(sum(x.q3), 0), coalesce(sum(x.q4), 0), coalesce(sum(x.q5), 0), coalesce(sum(x.q6), 0), coalesce(sum(x.q7), 0), coalesce(sum(x.q8), 0), coalesce(sum(x.q9), 0)],
         array[coalesce(sum(x.q1), 0), coalesce(sum(x.p2), 0), coalesce(sum(x.p3), 0), coalesce(sum(x.p4), 0), coalesce(sum(x.p5), 0), coalesce(sum(x.p6), 0), coalesce(sum(x.p7), 0), coalesce(sum(x.p8), 0), coalesce(sum(x.p9), 0)],
         coalesce(sum(x.jq), 0),
         array[0, coalesce(sum(x.w) filter (where x.d2 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d3 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d4 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d5 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d6 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d7 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d8 >= x.mcid_cut), 0)::int, coalesce(sum(x.w) filter (where x.d9 >= x.mcid_cut), 0)::int],
         array[0, coalesce(sum(x.w) filter (where x.d2 > x.tolerance and x.d2 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d3 > x.tolerance and x.d3 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d4 > x.tolerance and x.d4 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d5 > x.tolerance and x.d5 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d6 > x.tolerance and x.d6 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d7 > x.tolerance and x.d7 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d8 > x.tolerance and x.d8 >= x.relative_cut), 0)::int, coalesce(sum(x.w) filter (where x.d9 > x.tolerance and x.d9 >= x.relative_cut), 0)::int],
         array[coalesce(sum(x.w) filter (where x.s1 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s2 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s3 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s4 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s5 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s6 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s7 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s8 * x.sign >= x.pass_cut), 0)::int, coalesce(sum(x.w) filter (where x.s9 * x.sign >= x.pass_cut), 0)::int]
  from (
    select y.w, y.site_id, y.joint, y.kl_grade, y.sex, y.key_set, y.instrument_id, y.scale, y.pattern,
           y.a1, y.a2, y.a3, y.a4, y.a5, y.a6, y.a7, y.a8, y.a9,
           y.a1 * y.v1 as q1, y.a2 * y.v2 as q2, y.a3 * y.v3 as q3, y.a4 * y.v4 as q4, y.a5 * y.v5 as q5, y.a6 * y.v6 as q6, y.a7 * y.v7 as q7, y.a8 * y.v8 as q8, y.a9 * y.v9 as q9,
           y.a2 * y.v1 as p2, y.a3 * y.v1 as p3, y.a4 * y.v1 as p4, y.a5 * y.v1 as p5, y.a6 * y.v1 as p6, y.a7 * y.v1 as p7, y.a8 * y.v1 as p8, y.a9 * y.v1 as p9,
           (coalesce(y.a1, 0) + coalesce(y.a2, 0) + coalesce(y.a3, 0) + coalesce(y.a4, 0) + coalesce(y.a5, 0) + coalesce(y.a6, 0) + coalesce(y.a7, 0) + coalesce(y.a8, 0) + coalesce(y.a9, 0))
             * (coalesce(y.v1, 0) + coalesce(y.v2, 0) + coalesce(y.v3, 0) + coalesce(y.v4, 0) + coalesce(y.v5, 0) + coalesce(y.v6, 0) + coalesce(y.v7, 0) + coalesce(y.v8, 0) + coalesce(y.v9, 0)) as jq,
           y.s1, y.s2, y.s3, y.s4, y.s5, y.s6, y.s7, y.s8, y.s9,
           (y.s2 - y.s1) * th.sign as d2, (y.s3 - y.s1) * th.sign as d3, (y.s4 - y.s1) * th.sign as d4, (y.s5 - y.s1) * th.sign as d5, (y.s6 - y.s1) * th.sign as d6, (y.s7 - y.s1) * th.sign as d7, (y.s8 - y.s1) * th.sign as d8, (y.s9 - y.s1) * th.sign as d9,
           th.sign, th.mcid - th.tolerance as mcid_cut, th.rel * abs(th.best - y.s1) - th.tolerance as relative_cut,
           th.pass * th.sign - th.tolerance as pass_cut, th.tolerance
    from (
      select z.*, case when z.w > 0 then z.v1 else -z.v1 end as a1, case when z.w > 0 then z.v2 else -z.v2 end as a2, case when z.w > 0 then z.v3 else -z.v3 end as a3, case when z.w > 0 then z.v4 else -z.v4 end as a4, case when z.w > 0 then z.v5 else -z.v5 end as a5, case when z.w > 0 then z.v6 else -z.v6 end as a6, case when z.w > 0 then z.v7 else -z.v7 end as a7, case when z.w > 0 then z.v8 else -z.v8 end as a8, case when z.w > 0 then z.v9 else -z.v9 end as a9
      from (
        select o.w, o.site_id, o.joint, o.kl_grade, o.sex, o.key_set, o.instrument_id, o.scale,
               o.scores[1] as s1, o.scores[2] as s2, o.scores[3] as s3, o.scores[4] as s4, o.scores[5] as s5, o.scores[6] as s6, o.scores[7] as s7, o.scores[8] as s8, o.scores[9] as s9,
               o.scores[1]::numeric as v1, o.scores[2]::numeric as v2, o.scores[3]::numeric as v3, o.scores[4]::numeric as v4, o.scores[5]::numeric as v5, o.scores[6]::numeric as v6, o.scores[7]::numeric as v7, o.scores[8]::numeric as v8, o.scores[9]::numeric as v9,
               (case when o.scores[1] is not null then 1 else 0 end) + (case when o.scores[2] is not null then 2 else 0 end) + (case when o.scores[3] is not null then 4 else 0 end) + (case when o.scores[4] is not null then 8 else 0 end) + (case when o.scores[5] is not null then 16 else 0 end) + (case when o.scores[6] is not null then 32 else 0 end) + (case when o.scores[7] is not null then 64 else 0 end) + (case when o.scores[8] is not null then 128 else 0 end) + (case when o.scores[9] is not null then 256 else 0 end) as pattern
        from %1$s o
        offset 0) z
      where z.pattern > 0
      offset 0) y
    left join (select t.instrument_id, t.scale, t.sign::float8 as sign, t.mcid, t.pass, t.rel, t.best,
                      coalesce((r.spec->>'tolerance')::float8, 0) as tolerance
               from outcome_rules r
               cross join jsonb_to_recordset(coalesce(r.spec->'thresholds', '[]'))
                 as t(instrument_id text, scale text, sign int, mcid float8, pass float8, rel float8, best float8)) th
      on th.instrument_id = y.instrument_id and th.scale = y.scale
    offset 0) x
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id, x.scale, x.pattern
  $s$, source) $q$;

