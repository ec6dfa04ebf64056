-- A fold of 1,000 joints took 250 ms at 100,000 joints (issue 17), most of it rewriting rows
-- that had not changed, and `= any(list)` made the planner scan whole tables to find the
-- joints. The joints are now joined as a list, and only the rows that changed are written.

-- 0090's keys, with the list joined (the joints and their patients by index).
create or replace function episode_cohort_keys(episodes uuid[])
  returns table (episode_id uuid, site_id uuid, joint text, kl_grade smallint, sex text, treatments text[])
  language sql stable as $$
  select e.id, e.site_id, e.joint, e.kl_grade, p.sex,
         coalesce((select array_agg(k order by k) from (
                     select distinct t.product_class || '|' || cohort_dose_band(t.cell_dose_millions)
                            || '|' || cohort_bmi_class(t.bmi) as k
                     from treatments t where t.episode_id = e.id) ks), '{}')
  from (select distinct u.id from unnest(episodes) as u(id)) u
  join joint_episodes e on e.id = u.id
  join patients p on p.id = e.patient_id $$;

-- 0105's refold. The rows before and after are compared as before; now only the difference is
-- deleted and inserted (the key of each table is in its rows), so unchanged rows stay as they are.
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
  -- Each row is once at most on each side (its table's key is in it): +1 in, −1 out.
  select coalesce(array_agg(d.f) filter (where d.side > 0), '{}'),
         coalesce(array_agg(d.f) filter (where d.side < 0), '{}')
    into folded_in, folded_out
  from (select x.f, sum(x.side) as side
        from (select n as f, 1 as side from unnest(folded_after) n
              union all select w, -1 from unnest(folded_before) w) x
        group by x.f) d;
  perform outcome_sums_fold(folded_in, folded_out);
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
  select coalesce(array_agg(d.m) filter (where d.side > 0), '{}'),
         coalesce(array_agg(d.m) filter (where d.side < 0), '{}')
    into marks_in, marks_out
  from (select x.m, sum(x.side) as side
        from (select n as m, 1 as side from unnest(marks_now) n
              union all select w, -1 from unnest(marks_were) w) x
        group by x.m) d;
  perform outcome_counts_fold(marks_in, marks_out);
  perform outcome_answers_fold(marks_in, marks_out);
  delete from outcome_joint_marks m using unnest(marks_out) w
  where m.episode_id = w.episode_id and m.instrument_id = w.instrument_id;
  insert into outcome_joint_marks select * from unnest(marks_in);
end $$;
