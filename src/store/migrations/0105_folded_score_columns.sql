-- A range of ages or treatment dates aggregates its joints' folded rows (issue 17). Taken from
-- the float8[] each time, a score is found again in its array at every use (9 slots, ~60
-- aggregates: 1.47 s at 100,000 joints), and fencing the subscripts off kept the plan on one
-- core (0.60 s). Kept as columns, with the visit pattern, the same rows aggregate in parallel
-- (0.33 s). Generated, so they always say what `scores` says.
alter table outcome_folded_scores
  add column v1 double precision generated always as (scores[1]) stored,
  add column v2 double precision generated always as (scores[2]) stored,
  add column v3 double precision generated always as (scores[3]) stored,
  add column v4 double precision generated always as (scores[4]) stored,
  add column v5 double precision generated always as (scores[5]) stored,
  add column v6 double precision generated always as (scores[6]) stored,
  add column v7 double precision generated always as (scores[7]) stored,
  add column v8 double precision generated always as (scores[8]) stored,
  add column v9 double precision generated always as (scores[9]) stored,
  -- Bit i−1 set = a score at slot i, as outcome_sums.pattern.
  add column pattern int generated always as (
    (case when scores[1] is not null then 1 else 0 end)
    + (case when scores[2] is not null then 2 else 0 end)
    + (case when scores[3] is not null then 4 else 0 end)
    + (case when scores[4] is not null then 8 else 0 end)
    + (case when scores[5] is not null then 16 else 0 end)
    + (case when scores[6] is not null then 32 else 0 end)
    + (case when scores[7] is not null then 64 else 0 end)
    + (case when scores[8] is not null then 128 else 0 end)
    + (case when scores[9] is not null then 256 else 0 end)) stored;

-- A site has a few hundred (scale, pattern) groups; without this the planner guesses one per
-- few rows and will not split the aggregation between processes.
create statistics outcome_folded_scores_groups (ndistinct)
  on site_id, instrument_id, scale, pattern from outcome_folded_scores;
analyze outcome_folded_scores;

-- 0090's refold, but for the two statements that built and wrote rows of this table from its
-- nine stored columns. The generated ones are left null in the arrays compared here (EXCEPT
-- ALL takes nulls as equal), and filled in by the table on insert.
create or replace function outcome_sums_refold(episodes uuid[]) returns void language plpgsql as $$
declare
  folded_before outcome_folded_scores[];
  folded_after outcome_folded_scores[];
  marks_were outcome_joint_marks[];
  marks_now outcome_joint_marks[];
begin
  perform outcome_sums_lock();
  delete from episode_cohorts where episode_id = any(episodes);
  insert into episode_cohorts select * from episode_cohort_keys(episodes);
  folded_before := array(
    select row(f.episode_id, f.instrument_id, f.scale, f.scores,
               f.site_id, f.joint, f.kl_grade, f.sex, f.treatments,
               null, null, null, null, null, null, null, null, null, null)::outcome_folded_scores
    from outcome_folded_scores f where f.episode_id = any(episodes));
  folded_after := array(
    select row(o.episode_id, o.instrument_id, o.scale, o.scores,
               k.site_id, k.joint, k.kl_grade, k.sex, k.treatments,
               null, null, null, null, null, null, null, null, null, null)::outcome_folded_scores
    from outcome_joint_scores o join episode_cohorts k on k.episode_id = o.episode_id
    where o.episode_id = any(episodes) and k.episode_id = any(episodes));
  perform outcome_sums_fold(
    array(select n from unnest(folded_after) n except all select w from unnest(folded_before) w),
    array(select w from unnest(folded_before) w except all select n from unnest(folded_after) n));
  delete from outcome_folded_scores where episode_id = any(episodes);
  insert into outcome_folded_scores
    (episode_id, instrument_id, scale, scores, site_id, joint, kl_grade, sex, treatments)
  select episode_id, instrument_id, scale, scores, site_id, joint, kl_grade, sex, treatments
  from unnest(folded_after);
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
