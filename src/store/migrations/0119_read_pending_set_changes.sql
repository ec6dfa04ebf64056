-- Reads of ranges of ages or treatment dates right after a burst of changes, without waiting for
-- the fold (issue 17), as 0118 did for whole sites and cohort keys: such a view adds to the kept
-- sets of ages, half-months or treatment keys with either (0106, 0108, 0113) what folding the
-- noted joints would change there, in its own snapshot. The additions' aggregates become texts the
-- fold's upserts and the view's sums both run, and the sets a joint is in are compared as text.

-- 0115's aggregate of rows into the sums of a kind of set, over the relation %1$s (w, site_id, joint, kl_grade, sex, key_set, …).
create function outcome_set_sums_select(source text) returns text language sql immutable as $q$
  select format($s$
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
        from %1$s o
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
  $s$, source) $q$;

-- 0108's count of marks into the counts of a kind of set, over the relation %1$s (w, site_id, joint, kl_grade, sex, key_set, …).
create function outcome_set_counts_select(source text) returns text language sql immutable as $q$
  select format($s$
  select x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id, sum(x.w),
         array[coalesce(sum(x.w) filter (where x.classes[1] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] %% 4 > 0), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] %% 4 > 0), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] %% 4 = 2), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] %% 4 = 2), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] %% 4 = 3), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] %% 4 = 3), 0)::int],
         array[coalesce(sum(x.w) filter (where x.classes[1] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[2] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[3] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[4] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[5] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[6] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[7] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[8] >= 4), 0)::int, coalesce(sum(x.w) filter (where x.classes[9] >= 4), 0)::int]
  from %1$s x
  where x.instrument_id not like 'item:%%'
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id
  $s$, source) $q$;

-- 0108's count of kept answers into the answer counts of a kind of set, over the relation %1$s (w, site_id, joint, kl_grade, sex, key_set, …).
create function outcome_set_answers_select(source text) returns text language sql immutable as $q$
  select format($s$
  select x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, substr(x.instrument_id, 6), u.slot::smallint, u.answer, sum(x.w)
  from %1$s x
  cross join lateral unnest(x.classes) with ordinality as u(answer, slot)
  where x.instrument_id like 'item:%%' and u.answer is not null
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.instrument_id, u.slot, u.answer
  $s$, source) $q$;

create or replace function outcome_set_sums_add(kind text, source text, rows_in outcome_folded_scores[],
  rows_out outcome_folded_scores[], sets_in anyarray, sets_out anyarray)
  returns void language plpgsql as $f$
begin
  execute format($q$
  insert into %1$I as s
  %3$s
  on conflict (site_id, joint, kl_grade, sex, %2$I, instrument_id, scale, pattern) do update set
    joints = s.joints + excluded.joints,
    sums = array[s.sums[1] + excluded.sums[1], s.sums[2] + excluded.sums[2], s.sums[3] + excluded.sums[3], s.sums[4] + excluded.sums[4], s.sums[5] + excluded.sums[5], s.sums[6] + excluded.sums[6], s.sums[7] + excluded.sums[7], s.sums[8] + excluded.sums[8], s.sums[9] + excluded.sums[9]],
    squares = array[s.squares[1] + excluded.squares[1], s.squares[2] + excluded.squares[2], s.squares[3] + excluded.squares[3], s.squares[4] + excluded.squares[4], s.squares[5] + excluded.squares[5], s.squares[6] + excluded.squares[6], s.squares[7] + excluded.squares[7], s.squares[8] + excluded.squares[8], s.squares[9] + excluded.squares[9]],
    products = array[s.products[1] + excluded.products[1], s.products[2] + excluded.products[2], s.products[3] + excluded.products[3], s.products[4] + excluded.products[4], s.products[5] + excluded.products[5], s.products[6] + excluded.products[6], s.products[7] + excluded.products[7], s.products[8] + excluded.products[8], s.products[9] + excluded.products[9]],
    squared_joint_sums = s.squared_joint_sums + excluded.squared_joint_sums,
    past_mcid = array[s.past_mcid[1] + excluded.past_mcid[1], s.past_mcid[2] + excluded.past_mcid[2], s.past_mcid[3] + excluded.past_mcid[3], s.past_mcid[4] + excluded.past_mcid[4], s.past_mcid[5] + excluded.past_mcid[5], s.past_mcid[6] + excluded.past_mcid[6], s.past_mcid[7] + excluded.past_mcid[7], s.past_mcid[8] + excluded.past_mcid[8], s.past_mcid[9] + excluded.past_mcid[9]],
    past_relative = array[s.past_relative[1] + excluded.past_relative[1], s.past_relative[2] + excluded.past_relative[2], s.past_relative[3] + excluded.past_relative[3], s.past_relative[4] + excluded.past_relative[4], s.past_relative[5] + excluded.past_relative[5], s.past_relative[6] + excluded.past_relative[6], s.past_relative[7] + excluded.past_relative[7], s.past_relative[8] + excluded.past_relative[8], s.past_relative[9] + excluded.past_relative[9]],
    in_pass = array[s.in_pass[1] + excluded.in_pass[1], s.in_pass[2] + excluded.in_pass[2], s.in_pass[3] + excluded.in_pass[3], s.in_pass[4] + excluded.in_pass[4], s.in_pass[5] + excluded.in_pass[5], s.in_pass[6] + excluded.in_pass[6], s.in_pass[7] + excluded.in_pass[7], s.in_pass[8] + excluded.in_pass[8], s.in_pass[9] + excluded.in_pass[9]]
  $q$, 'outcome_' || kind || '_sums', kind || 's', outcome_set_sums_select(source)) using rows_in, rows_out, sets_in, sets_out;
end $f$;

create or replace function outcome_set_marks_add(kind text, source text, marks_in outcome_joint_marks[],
  marks_out outcome_joint_marks[], sets_in anyarray, sets_out anyarray)
  returns void language plpgsql as $f$
begin
  execute format($q$
  insert into %1$I as c
  %3$s
  on conflict (site_id, joint, kl_grade, sex, %2$I, instrument_id) do update set
    joints = c.joints + excluded.joints,
    paired = array[c.paired[1] + excluded.paired[1], c.paired[2] + excluded.paired[2], c.paired[3] + excluded.paired[3], c.paired[4] + excluded.paired[4], c.paired[5] + excluded.paired[5], c.paired[6] + excluded.paired[6], c.paired[7] + excluded.paired[7], c.paired[8] + excluded.paired[8], c.paired[9] + excluded.paired[9]],
    responders = array[c.responders[1] + excluded.responders[1], c.responders[2] + excluded.responders[2], c.responders[3] + excluded.responders[3], c.responders[4] + excluded.responders[4], c.responders[5] + excluded.responders[5], c.responders[6] + excluded.responders[6], c.responders[7] + excluded.responders[7], c.responders[8] + excluded.responders[8], c.responders[9] + excluded.responders[9]],
    undetermined = array[c.undetermined[1] + excluded.undetermined[1], c.undetermined[2] + excluded.undetermined[2], c.undetermined[3] + excluded.undetermined[3], c.undetermined[4] + excluded.undetermined[4], c.undetermined[5] + excluded.undetermined[5], c.undetermined[6] + excluded.undetermined[6], c.undetermined[7] + excluded.undetermined[7], c.undetermined[8] + excluded.undetermined[8], c.undetermined[9] + excluded.undetermined[9]],
    with_global = array[c.with_global[1] + excluded.with_global[1], c.with_global[2] + excluded.with_global[2], c.with_global[3] + excluded.with_global[3], c.with_global[4] + excluded.with_global[4], c.with_global[5] + excluded.with_global[5], c.with_global[6] + excluded.with_global[6], c.with_global[7] + excluded.with_global[7], c.with_global[8] + excluded.with_global[8], c.with_global[9] + excluded.with_global[9]]
  $q$, 'outcome_' || kind || '_counts', kind || 's', outcome_set_counts_select(source)) using marks_in, marks_out, sets_in, sets_out;
  execute format($q$
  insert into %1$I as c
  %3$s
  on conflict (site_id, joint, kl_grade, sex, %2$I, item, slot, answer) do update set joints = c.joints + excluded.joints
  $q$, 'outcome_' || kind || '_answer_counts', kind || 's', outcome_set_answers_select(source)) using marks_in, marks_out, sets_in, sets_out;
end $f$;

-- A joint's set of one kind, as text: ages and half-months are numbers, treatment keys text.
create type outcome_joint_key_set as (episode_id uuid, key_set text[]);
-- Rows of the changes a view adds to a kind of set's sums, counts and answer counts.
create type outcome_set_sums_change as (site_id uuid, joint text, kl_grade smallint, sex text,
  key_set text[], instrument_id text, scale text, pattern int, joints bigint, sums numeric[],
  squares numeric[], products numeric[], squared_joint_sums numeric, past_mcid int[],
  past_relative int[], in_pass int[]);
create type outcome_set_counts_change as (site_id uuid, joint text, kl_grade smallint, sex text,
  key_set text[], instrument_id text, joints bigint, paired int[], responders int[],
  undetermined int[], with_global int[]);
create type outcome_set_answers_change as (site_id uuid, joint text, kl_grade smallint, sex text,
  key_set text[], item text, slot smallint, answer smallint, joints bigint);

-- What folding the joints noted now would change in the kept sets of `kind` ('age',
-- 'half_month', 'cohort_age', 'cohort_half_month'), as 0118's outcome_pending_changes does for
-- the sums by cohort key: each joint's rows and marks now under its sets now, less as last folded
-- under its sets as last folded (unchanged rows cancel out). With `with_rows` false, only the
-- answer counts (what a view of a kept item reads).
create function outcome_pending_set_changes(kind text, site uuid, with_rows boolean,
  out sums outcome_set_sums_change[], out counts outcome_set_counts_change[],
  out answers outcome_set_answers_change[])
  language plpgsql stable set jit = off as $f$
declare
  noted record;
  sets_now outcome_joint_key_set[];
  sets_were outcome_joint_key_set[];
  rows_source constant text := '(select 1 as w, r.site_id, r.joint, r.kl_grade, r.sex, a.key_set, r.instrument_id, r.scale, r.scores
      from unnest($1) r join unnest($3) a on a.episode_id = r.episode_id
    union all select -1, r.site_id, r.joint, r.kl_grade, r.sex, a.key_set, r.instrument_id, r.scale, r.scores
      from unnest($2) r join unnest($4) a on a.episode_id = r.episode_id)';
  marks_source constant text := '(select 1 as w, m.site_id, m.joint, m.kl_grade, m.sex, a.key_set, m.instrument_id, m.classes
      from unnest($1) m join unnest($3) a on a.episode_id = m.episode_id
    union all select -1, m.site_id, m.joint, m.kl_grade, m.sex, a.key_set, m.instrument_id, m.classes
      from unnest($2) m join unnest($4) a on a.episode_id = m.episode_id)';
begin
  if kind not in ('age', 'half_month', 'cohort_age', 'cohort_half_month') then
    raise exception 'no kept sets of kind %', kind;
  end if;
  select * into noted from outcome_noted_rows(site, with_rows);
  execute format('select array(select row(a.episode_id, a.%1$I::text[])::outcome_joint_key_set
                               from episode_treatment_%1$s($1) a)', kind || 's')
    into sets_now using noted.episodes;
  execute format('select array(select row(a.episode_id, a.%1$I::text[])::outcome_joint_key_set
                               from outcome_folded_%1$s a where a.episode_id = any($1))', kind || 's')
    into sets_were using noted.episodes;
  if with_rows then
    execute format('select array(select row(q.*)::outcome_set_sums_change from (%s) q)',
                   outcome_set_sums_select(rows_source))
      into sums using noted.rows_now, noted.rows_were, sets_now, sets_were;
    execute format('select array(select row(q.*)::outcome_set_counts_change from (%s) q)',
                   outcome_set_counts_select(marks_source))
      into counts using noted.marks_now, noted.marks_were, sets_now, sets_were;
  end if;
  execute format('select array(select row(q.*)::outcome_set_answers_change from (%s) q)',
                 outcome_set_answers_select(marks_source))
    into answers using noted.marks_now, noted.marks_were, sets_now, sets_were;
end $f$;
