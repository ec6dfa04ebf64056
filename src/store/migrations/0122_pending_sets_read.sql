-- A range read right after changes (issue 17) aggregated every noted joint's rows and marks
-- under all its sets, though the view then keeps only the sets in its range: at 1,000 changed
-- joints the sets' numeric sums were 40 % of the read. Now the view first takes the sets the noted
-- joints are in, now or as last folded (outcome_noted_sets), keeps those its range reads, and
-- passes them (as text) to outcome_pending_set_changes, which aggregates only the joints' rows
-- under those sets. A set outside them is one the view does not read, so nothing it reads changes.

create function outcome_noted_sets(kind text, site uuid) returns setof text[]
  language plpgsql stable set jit = off as $f$
declare
  episodes uuid[];
begin
  if kind not in ('age', 'half_month', 'cohort_age', 'cohort_half_month') then
    raise exception 'no kept sets of kind %', kind;
  end if;
  episodes := array(select distinct n.episode_id from outcome_notes_at(site) n);
  return query execute format('select a.%1$I::text[] from episode_treatment_%1$s($1) a
                               union select a.%1$I::text[] from outcome_folded_%1$s a
                               where a.episode_id = any($1)', kind || 's')
    using episodes;
end $f$;

drop function outcome_pending_set_changes(text, uuid, boolean);

-- 0119's outcome_pending_set_changes, with the sets to keep (`keep`, each set as text; null, as
-- a process not yet restarted after this migration calls it: all).
create function outcome_pending_set_changes(kind text, site uuid, with_rows boolean,
  keep text[] default null,
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
  if keep is not null then
    sets_now := array(select a from unnest(sets_now) a where a.key_set::text = any(keep));
    sets_were := array(select a from unnest(sets_were) a where a.key_set::text = any(keep));
  end if;
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
