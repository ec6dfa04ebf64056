-- A read right after changes (issue 17) looks up the noted joints' rows, scores now and as last
-- folded and marks as last folded, by their joint. With a view's 64 MB of work_mem, hashing a
-- whole table looked cheaper than a thousand index probes: at 100,000 joints the report after
-- 1,000 changed joints read all 225,100 marks into a hash join (110-140 ms, against 5 ms by
-- key). Each lookup is now a lateral subquery fenced by `offset 0`, which PostgreSQL can only
-- run once per joint. Sequential scans are priced out (they still run where nothing else can),
-- so each such run goes by the joint's key even in a plan cached while the table was nearly
-- empty: a draft of this migration without it scanned the table once per joint (its test found
-- that). What this function calls reads its other tables by key too, but for the notes (read
-- whole, as before) and the rules' one row; a read added to it later meets the same setting.
-- The rest is 0121's function.
create or replace function outcome_noted_rows(site uuid, with_rows boolean,
  out episodes uuid[], out rows_now outcome_folded_scores[], out rows_were outcome_folded_scores[],
  out marks_now outcome_joint_marks[], out marks_were outcome_joint_marks[])
  language plpgsql stable set jit = off set enable_seqscan = off as $$
declare
  keys_now episode_cohorts[];
begin
  episodes := array(select distinct n.episode_id from outcome_notes_at(site) n);
  keys_now := array(select row(k.*)::episode_cohorts from episode_cohort_keys(episodes) k);
  if with_rows then
    rows_now := array(
      select row(k.episode_id, o.instrument_id, o.scale, o.scores,
                 k.site_id, k.joint, k.kl_grade, k.sex, k.treatments,
                 null, null, null, null, null, null, null, null, null, null)::outcome_folded_scores
      from unnest(keys_now) k
      cross join lateral (select o.instrument_id, o.scale, o.scores from outcome_joint_scores o
                          where o.episode_id = k.episode_id offset 0) o);
    rows_were := array(
      select row(f.episode_id, f.instrument_id, f.scale, f.scores,
                 f.site_id, f.joint, f.kl_grade, f.sex, f.treatments,
                 null, null, null, null, null, null, null, null, null, null)::outcome_folded_scores
      from unnest(episodes) as u(id)
      cross join lateral (select f.* from outcome_folded_scores f
                          where f.episode_id = u.id offset 0) f);
  else
    rows_now := '{}';
  end if;
  marks_now := array(select m from outcome_marks_from(episodes, rows_now, keys_now) m);
  -- The items' condition stays outside the fence, so it cannot turn the probes into a scan.
  marks_were := array(select x.m from unnest(episodes) as u(id)
                      cross join lateral (select m from outcome_joint_marks m
                                          where m.episode_id = u.id offset 0) x
                      where with_rows or (x.m).instrument_id like 'item:%');
end $$;

-- The noted joints' changes for kept sets are aggregated in these functions from arrays held in
-- memory, a few thousand rows. With such arrays as parameters PostgreSQL still planned some of
-- them parallel: a range's read after 1,000 changed joints at 100,000 started two workers and
-- copied the arrays to them, 60 ms for 1 ms of aggregation. Their other statements read by key,
-- but for the noted joints' sets as last folded (`= any`), whose plans read no table whole in
-- the runs measured. (A site's or cohort key's changes are added up in the view's own statement,
-- which this leaves alone.)
alter function outcome_pending_changes(uuid, boolean) set max_parallel_workers_per_gather = 0;
alter function outcome_pending_set_changes(text, uuid, boolean, text[])
  set max_parallel_workers_per_gather = 0;
alter function outcome_noted_sets(text, uuid) set max_parallel_workers_per_gather = 0;
