-- A view of an item's answers read right after changes (issue 17) took every noted joint's rows
-- and all its marks, responder classes included, though it adds up only the kept items' marks
-- ('item:…'): about 40 % of its pending changes' time at 1,000 changed joints. With `with_rows`
-- false (what such a view asks for, and nothing else does), 0118's outcome_noted_rows now gives
-- the joints' item marks only, now and as last folded, and no rows: the marks' query finds no
-- scores to class and reads the items from the answers, as before.
create or replace function outcome_noted_rows(site uuid, with_rows boolean,
  out episodes uuid[], out rows_now outcome_folded_scores[], out rows_were outcome_folded_scores[],
  out marks_now outcome_joint_marks[], out marks_were outcome_joint_marks[])
  language plpgsql stable set jit = off as $$
declare
  keys_now episode_cohorts[];
begin
  episodes := array(select distinct n.episode_id from outcome_notes_at(site) n);
  keys_now := array(select row(k.*)::episode_cohorts from episode_cohort_keys(episodes) k);
  if with_rows then
    rows_now := array(
      select row(o.episode_id, o.instrument_id, o.scale, o.scores,
                 k.site_id, k.joint, k.kl_grade, k.sex, k.treatments,
                 null, null, null, null, null, null, null, null, null, null)::outcome_folded_scores
      from unnest(keys_now) k join outcome_joint_scores o on o.episode_id = k.episode_id);
    rows_were := array(
      select row(f.episode_id, f.instrument_id, f.scale, f.scores,
                 f.site_id, f.joint, f.kl_grade, f.sex, f.treatments,
                 null, null, null, null, null, null, null, null, null, null)::outcome_folded_scores
      from unnest(episodes) as u(id) join outcome_folded_scores f on f.episode_id = u.id);
  else
    rows_now := '{}';
  end if;
  marks_now := array(select m from outcome_marks_from(episodes, rows_now, keys_now) m);
  -- Fenced: the items' condition inside the join made the planner scan every joint's marks.
  marks_were := array(select x.m from (select m from unnest(episodes) as u(id)
                                       join outcome_joint_marks m on m.episode_id = u.id
                                       offset 0) x
                      where with_rows or (x.m).instrument_id like 'item:%');
end $$;
