-- The outcome sums and outreach counts kept per set of each joint's treatments' (product, dose
-- band, BMI class, age) and (product, dose band, BMI class, half-month), replacing 0112's
-- (product, age) and (product, half-month) pairs (issue 17). A range of ages or dates with a
-- dose band or BMI class read its joints' rows: knee, pre-obese, 18 and over took 6.4 s at
-- 1,000,000 joints. A treatment's element is its cohort key as 0090 writes it with the age or
-- half-month ('BMAC|10to50|obese|61', 'PRP|||2024031'), so one treatment matches all of a
-- cohort's filters, and a cohort with a product alone matches the first part. The keys grow
-- with the dose bands and BMI classes a site treats, not with its joints: at the benchmark's
-- 1,000,000 joints 10,819 sets against 3,125 pairs. Derived: backups leave these out.
create table outcome_folded_cohort_ages (
  episode_id uuid primary key,
  site_id uuid not null,
  cohort_ages text[] not null
);
-- Columns in the order of 0106's: the additions insert by position.
create table outcome_cohort_age_sums (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  cohort_ages text[] not null,
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
  primary key (site_id, joint, kl_grade, sex, cohort_ages, instrument_id, scale, pattern)
);
create table outcome_cohort_age_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  cohort_ages text[] not null,
  instrument_id text not null,
  joints bigint not null,
  paired int[] not null,
  responders int[] not null,
  undetermined int[] not null,
  with_global int[] not null,
  primary key (site_id, joint, kl_grade, sex, cohort_ages, instrument_id)
);
create table outcome_cohort_age_answer_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  cohort_ages text[] not null,
  item text not null,
  slot smallint not null,
  answer smallint not null,
  joints bigint not null,
  primary key (site_id, joint, kl_grade, sex, cohort_ages, item, slot, answer)
);
create table outcome_folded_cohort_half_months (
  episode_id uuid primary key,
  site_id uuid not null,
  cohort_half_months text[] not null
);
-- Columns in the order of 0106's: the additions insert by position.
create table outcome_cohort_half_month_sums (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  cohort_half_months text[] not null,
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
  primary key (site_id, joint, kl_grade, sex, cohort_half_months, instrument_id, scale, pattern)
);
create table outcome_cohort_half_month_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  cohort_half_months text[] not null,
  instrument_id text not null,
  joints bigint not null,
  paired int[] not null,
  responders int[] not null,
  undetermined int[] not null,
  with_global int[] not null,
  primary key (site_id, joint, kl_grade, sex, cohort_half_months, instrument_id)
);
create table outcome_cohort_half_month_answer_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  cohort_half_months text[] not null,
  item text not null,
  slot smallint not null,
  answer smallint not null,
  joints bigint not null,
  primary key (site_id, joint, kl_grade, sex, cohort_half_months, item, slot, answer)
);


-- A treatment's element: its cohort key (0090) and `value`, its age or half-month.
create function treatment_cohort_element(t treatments, value int) returns text
  language sql immutable as $$
  select t.product_class || '|' || cohort_dose_band(t.cell_dose_millions) || '|'
         || cohort_bmi_class(t.bmi) || '|' || value $$;

-- Each joint's distinct elements with the age, of its treatments with a known age.
create function episode_treatment_cohort_ages(episodes uuid[]) returns setof outcome_folded_cohort_ages
  language sql stable as $$
  select e.id, e.site_id,
         coalesce((select array_agg(distinct treatment_cohort_element(t, t.age_at_treatment)
                                    order by treatment_cohort_element(t, t.age_at_treatment))
                   from treatments t
                   where t.episode_id = e.id and t.age_at_treatment is not null), '{}')
  from (select distinct u.id from unnest(episodes) as u(id)) u
  join joint_episodes e on e.id = u.id $$;

-- The same for every joint at once, set-based for the rebuilds.
create function every_joint_treatment_cohort_ages() returns setof outcome_folded_cohort_ages
  language sql stable as $$
  select e.id, e.site_id, coalesce(t.cohort_ages, '{}')
  from joint_episodes e
  left join (select t.episode_id,
                    array_agg(distinct treatment_cohort_element(t, t.age_at_treatment)
                              order by treatment_cohort_element(t, t.age_at_treatment)) as cohort_ages
             from treatments t where t.age_at_treatment is not null group by t.episode_id) t
    on t.episode_id = e.id $$;

-- Each joint's distinct elements with the treatment half-month.
create function episode_treatment_cohort_half_months(episodes uuid[]) returns setof outcome_folded_cohort_half_months
  language sql stable as $$
  select e.id, e.site_id,
         coalesce((select array_agg(distinct treatment_cohort_element(t, treatment_half_month(t.treatment_date))
                                    order by treatment_cohort_element(t, treatment_half_month(t.treatment_date)))
                   from treatments t
                   where t.episode_id = e.id), '{}')
  from (select distinct u.id from unnest(episodes) as u(id)) u
  join joint_episodes e on e.id = u.id $$;

-- The same for every joint at once, set-based for the rebuilds.
create function every_joint_treatment_cohort_half_months() returns setof outcome_folded_cohort_half_months
  language sql stable as $$
  select e.id, e.site_id, coalesce(t.cohort_half_months, '{}')
  from joint_episodes e
  left join (select t.episode_id,
                    array_agg(distinct treatment_cohort_element(t, treatment_half_month(t.treatment_date))
                              order by treatment_cohort_element(t, treatment_half_month(t.treatment_date)))
                      as cohort_half_months
             from treatments t group by t.episode_id) t
    on t.episode_id = e.id $$;

-- 0112's refold, the rows moved between the sets of elements instead of pairs.
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
  cohort_ages_before outcome_folded_cohort_ages[];
  cohort_ages_now outcome_folded_cohort_ages[];
  moved_cohort_ages uuid[];
  cohort_half_months_before outcome_folded_cohort_half_months[];
  cohort_half_months_now outcome_folded_cohort_half_months[];
  moved_cohort_half_months uuid[];
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
  cohort_ages_before := array(select a from unnest(episodes) as u(id)
                      join outcome_folded_cohort_ages a on a.episode_id = u.id);
  cohort_ages_now := array(select a from episode_treatment_cohort_ages(episodes) a);
  moved_cohort_ages := array(select coalesce(n.episode_id, b.episode_id)
                     from unnest(cohort_ages_now) n full join unnest(cohort_ages_before) b on b.episode_id = n.episode_id
                     where (n.site_id, n.cohort_ages) is distinct from (b.site_id, b.cohort_ages));
  cohort_half_months_before := array(select a from unnest(episodes) as u(id)
                      join outcome_folded_cohort_half_months a on a.episode_id = u.id);
  cohort_half_months_now := array(select a from episode_treatment_cohort_half_months(episodes) a);
  moved_cohort_half_months := array(select coalesce(n.episode_id, b.episode_id)
                     from unnest(cohort_half_months_now) n full join unnest(cohort_half_months_before) b on b.episode_id = n.episode_id
                     where (n.site_id, n.cohort_half_months) is distinct from (b.site_id, b.cohort_half_months));
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
  perform outcome_set_rows_move('cohort_age', moved_cohort_ages, cohort_ages_now, cohort_ages_before,
    folded_in, folded_out, folded_after, folded_before);
  perform outcome_set_rows_move('cohort_half_month', moved_cohort_half_months, cohort_half_months_now, cohort_half_months_before,
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
  perform outcome_set_marks_move('cohort_age', moved_cohort_ages, cohort_ages_now, cohort_ages_before,
    marks_in, marks_out, marks_now, marks_were);
  perform outcome_set_marks_move('cohort_half_month', moved_cohort_half_months, cohort_half_months_now, cohort_half_months_before,
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
  delete from outcome_folded_cohort_ages a where a.episode_id = any(moved_cohort_ages);
  insert into outcome_folded_cohort_ages
  select n.* from unnest(cohort_ages_now) n where n.episode_id = any(moved_cohort_ages);
  delete from outcome_folded_cohort_half_months a where a.episode_id = any(moved_cohort_half_months);
  insert into outcome_folded_cohort_half_months
  select n.* from unnest(cohort_half_months_now) n where n.episode_id = any(moved_cohort_half_months);
end $$;


create or replace function outcome_sums_rebuild() returns void language plpgsql as $$
begin
  perform outcome_sums_rebuild_by_key();
  perform outcome_set_sums_rebuild('age');
  perform outcome_set_sums_rebuild('half_month');
  perform outcome_set_sums_rebuild('cohort_age');
  perform outcome_set_sums_rebuild('cohort_half_month');
end $$;

select outcome_set_sums_rebuild('cohort_age');
select outcome_set_sums_rebuild('cohort_half_month');

-- The outreach counts kept the same two ways.
create table outreach_cohort_age_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  cohort_ages text[] not null,
  section text not null,
  timepoint text not null,
  label text not null,
  step int not null,
  links bigint not null,
  completed bigint not null,
  primary key (site_id, joint, kl_grade, sex, cohort_ages, section, timepoint, label, step)
);
create table outreach_folded_cohort_ages (
  episode_id uuid primary key,
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  cohort_ages text[] not null
);
create table outreach_cohort_half_month_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  cohort_half_months text[] not null,
  section text not null,
  timepoint text not null,
  label text not null,
  step int not null,
  links bigint not null,
  completed bigint not null,
  primary key (site_id, joint, kl_grade, sex, cohort_half_months, section, timepoint, label, step)
);
create table outreach_folded_cohort_half_months (
  episode_id uuid primary key,
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  cohort_half_months text[] not null
);

-- 0112's refold, the shares moved between the sets of elements instead of pairs.
create or replace function outreach_counts_refold(episodes uuid[]) returns void language plpgsql as $$
declare
  touched uuid[];
  before outreach_folded[];
  after outreach_folded[];
  keys_now episode_cohorts[];
  ages_now outreach_folded_ages[];
  half_months_now outreach_folded_half_months[];
  cohort_ages_now outreach_folded_cohort_ages[];
  cohort_half_months_now outreach_folded_cohort_half_months[];
begin
  perform outreach_counts_lock();
  touched := array(select distinct u.id from unnest(episodes) as u(id));
  before := array(select f from unnest(touched) as u(id) join outreach_folded f on f.episode_id = u.id);
  -- The key read once for every kind of set, as in 0109.
  keys_now := array(select row(k.*)::episode_cohorts from episode_cohort_keys(touched) k);
  ages_now := array(
    select row(k.episode_id, k.site_id, k.joint, k.kl_grade, k.sex, a.ages)::outreach_folded_ages
    from unnest(keys_now) k join episode_treatment_ages(touched) a on a.episode_id = k.episode_id);
  half_months_now := array(
    select row(k.episode_id, k.site_id, k.joint, k.kl_grade, k.sex, m.half_months)::outreach_folded_half_months
    from unnest(keys_now) k join episode_treatment_half_months(touched) m on m.episode_id = k.episode_id);
  cohort_ages_now := array(
    select row(k.episode_id, k.site_id, k.joint, k.kl_grade, k.sex, a.cohort_ages)::outreach_folded_cohort_ages
    from unnest(keys_now) k join episode_treatment_cohort_ages(touched) a on a.episode_id = k.episode_id);
  cohort_half_months_now := array(
    select row(k.episode_id, k.site_id, k.joint, k.kl_grade, k.sex, m.cohort_half_months)::outreach_folded_cohort_half_months
    from unnest(keys_now) k join episode_treatment_cohort_half_months(touched) m on m.episode_id = k.episode_id);
  perform outreach_counts_refold_by_key(touched);
  after := array(select f from unnest(touched) as u(id) join outreach_folded f on f.episode_id = u.id);
  perform outreach_set_counts_move('age', touched, before, after, ages_now);
  perform outreach_set_counts_move('half_month', touched, before, after, half_months_now);
  perform outreach_set_counts_move('cohort_age', touched, before, after, cohort_ages_now);
  perform outreach_set_counts_move('cohort_half_month', touched, before, after, cohort_half_months_now);
end $$;

create or replace function outreach_counts_rebuild() returns void language plpgsql as $$
begin
  perform outreach_counts_site_rebuild();
  perform outreach_cohort_counts_fill();
  perform outreach_set_counts_fill('age');
  perform outreach_set_counts_fill('half_month');
  perform outreach_set_counts_fill('cohort_age');
  perform outreach_set_counts_fill('cohort_half_month');
end $$;

select outreach_counts_catch_up();
select outreach_set_counts_fill('cohort_age');
select outreach_set_counts_fill('cohort_half_month');

-- 0112's pairs, which the elements replace.
drop function episode_treatment_product_ages(uuid[]), every_joint_treatment_product_ages(),
  episode_treatment_product_half_months(uuid[]), every_joint_treatment_product_half_months();
drop table outcome_folded_product_ages, outcome_product_age_sums, outcome_product_age_counts,
  outcome_product_age_answer_counts, outcome_folded_product_half_months,
  outcome_product_half_month_sums, outcome_product_half_month_counts,
  outcome_product_half_month_answer_counts, outreach_product_age_counts,
  outreach_folded_product_ages, outreach_product_half_month_counts,
  outreach_folded_product_half_months;
