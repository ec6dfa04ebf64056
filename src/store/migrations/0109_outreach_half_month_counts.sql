-- A cohort's outreach counts kept per site, joint, KL grade, sex and set of treatment
-- half-months (issue 17), as 0107 keeps them per set of ages and 0108 the outcome sums per set
-- of half-months:
-- a range of treatment dates added up its joints' shares (0102's outreach_folded), about nine
-- per joint. Derived: backups leave these out.

create table outreach_half_month_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  half_months int[] not null,
  section text not null,
  timepoint text not null,
  label text not null,
  step int not null,
  links bigint not null,
  completed bigint not null,
  primary key (site_id, joint, kl_grade, sex, half_months, section, timepoint, label, step)
);

-- The key each joint's shares were last added up under here.
create table outreach_folded_half_months (
  episode_id uuid primary key,
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  half_months int[] not null
);

-- 0107's move of the shares, for either kind of set (`kind` 'age' or 'half_month' names the tables
-- and the key column): out from the key each joint's shares were kept under, in under
-- `keys_now`.
create function outreach_set_counts_move(kind text, touched uuid[], before outreach_folded[],
  after outreach_folded[], keys_now anyarray) returns void language plpgsql as $f$
begin
  execute format($q$
  insert into %1$I as c
  select x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.section, x.timepoint, x.label,
         x.step, sum(x.links), sum(x.completed)
  from (select a.site_id, a.joint, a.kl_grade, a.sex, a.%2$I as key_set, s.section, s.timepoint,
               s.label, s.step, s.links, s.completed
        from unnest($2) s join unnest($3) a on a.episode_id = s.episode_id
        union all
        select a.site_id, a.joint, a.kl_grade, a.sex, a.%2$I, s.section, s.timepoint, s.label,
               s.step, -s.links, -s.completed
        from unnest($1) s join %3$I a on a.episode_id = s.episode_id) x
  group by x.site_id, x.joint, x.kl_grade, x.sex, x.key_set, x.section, x.timepoint, x.label, x.step
  having sum(x.links) <> 0 or sum(x.completed) <> 0
  order by 1, 2, 3, 4, 5, 6, 7, 8, 9
  on conflict (site_id, joint, kl_grade, sex, %2$I, section, timepoint, label, step) do update
    set links = c.links + excluded.links, completed = c.completed + excluded.completed
  $q$, 'outreach_' || kind || '_counts', kind || 's', 'outreach_folded_' || kind || 's')
  using before, after, keys_now;
  -- Counts that fell to zero under the keys these joints left or joined.
  execute format($q$
  delete from %1$I c
  using (select a.site_id, a.joint, a.kl_grade, a.sex, a.%2$I as key_set from unnest($2) a
         union select a.site_id, a.joint, a.kl_grade, a.sex, a.%2$I
         from unnest($1) as u(id) join %3$I a on a.episode_id = u.id) k
  where c.links = 0 and c.completed = 0
    and (c.site_id, c.joint, c.kl_grade, c.sex, c.%2$I) = (k.site_id, k.joint, k.kl_grade, k.sex, k.key_set)
  $q$, 'outreach_' || kind || '_counts', kind || 's', 'outreach_folded_' || kind || 's')
  using touched, keys_now;
  execute format($q$
  delete from %1$I a using unnest($1) as u(id) where a.episode_id = u.id;
  $q$, 'outreach_folded_' || kind || 's') using touched;
  execute format($q$
  insert into %1$I
  select n.* from unnest($2) n where n.episode_id in (select s.episode_id from unnest($1) s)
  $q$, 'outreach_folded_' || kind || 's') using after, keys_now;
end $f$;

-- 0107's refold, moving the shares between sets of treatment half-months as between sets of
-- ages.
create or replace function outreach_counts_refold(episodes uuid[]) returns void language plpgsql as $$
declare
  touched uuid[];
  before outreach_folded[];
  after outreach_folded[];
  keys_now episode_cohorts[];
  ages_now outreach_folded_ages[];
  half_months_now outreach_folded_half_months[];
begin
  perform outreach_counts_lock();
  touched := array(select distinct u.id from unnest(episodes) as u(id));
  before := array(select f from unnest(touched) as u(id) join outreach_folded f on f.episode_id = u.id);
  -- Read once: the sets the shares go in under are the sets kept for them (a change of age or
  -- treatment date notes the joint for the next fold).
  -- 0090's cohort key without the treatments, with 0106's ages and 0108's half-months (0107's
  -- outreach_age_keys, the key read once for both).
  keys_now := array(select row(k.*)::episode_cohorts from episode_cohort_keys(touched) k);
  ages_now := array(
    select row(k.episode_id, k.site_id, k.joint, k.kl_grade, k.sex, a.ages)::outreach_folded_ages
    from unnest(keys_now) k join episode_treatment_ages(touched) a on a.episode_id = k.episode_id);
  half_months_now := array(
    select row(k.episode_id, k.site_id, k.joint, k.kl_grade, k.sex, m.half_months)::outreach_folded_half_months
    from unnest(keys_now) k join episode_treatment_half_months(touched) m on m.episode_id = k.episode_id);
  perform outreach_counts_refold_by_key(touched);
  after := array(select f from unnest(touched) as u(id) join outreach_folded f on f.episode_id = u.id);
  perform outreach_set_counts_move('age', touched, before, after, ages_now);
  perform outreach_set_counts_move('half_month', touched, before, after, half_months_now);
end $$;

-- 0107's note on a treatment's change, now also when its date moves within the same age.
create or replace function outreach_treatments_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform outreach_counts_note(array(select episode_id from new_rows));
  elsif tg_op = 'DELETE' then
    perform outreach_counts_note(array(select episode_id from old_rows));
  else
    perform outreach_counts_note(array(
      select n.episode_id from new_rows n join old_rows o on o.id = n.id
      where (n.episode_id, n.product_class, n.cell_dose_millions, n.bmi, n.age_at_treatment, n.treatment_date)
            is distinct from (o.episode_id, o.product_class, o.cell_dose_millions, o.bmi, o.age_at_treatment, o.treatment_date)
      union all
      select o.episode_id from new_rows n join old_rows o on o.id = n.id
      where n.episode_id is distinct from o.episode_id));
  end if;
  return null;
end $$;

-- Every joint's shares added up under its set of one kind, afresh (0107's fill, for either).
create function outreach_set_counts_fill(kind text) returns void language plpgsql as $f$
begin
  perform outreach_counts_lock();
  execute format($q$
  delete from %1$I;
  delete from %2$I;
  insert into %2$I
  select e.id, e.site_id, e.joint, e.kl_grade, p.sex, a.%3$I
  from (select distinct episode_id from outreach_folded) f
  join joint_episodes e on e.id = f.episode_id
  join patients p on p.id = e.patient_id
  join %4$I() a on a.episode_id = e.id;
  insert into %1$I
  select a.site_id, a.joint, a.kl_grade, a.sex, a.%3$I, f.section, f.timepoint, f.label, f.step,
         sum(f.links), sum(f.completed)
  from outreach_folded f join %2$I a on a.episode_id = f.episode_id
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9
  having sum(f.links) <> 0 or sum(f.completed) <> 0
  $q$, 'outreach_' || kind || '_counts', 'outreach_folded_' || kind || 's', kind || 's',
     'every_joint_treatment_' || kind || 's');
end $f$;

drop function outreach_age_counts_fill();
create or replace function outreach_counts_rebuild() returns void language plpgsql as $$
begin
  perform outreach_counts_site_rebuild();
  perform outreach_cohort_counts_fill();
  perform outreach_set_counts_fill('age');
  perform outreach_set_counts_fill('half_month');
end $$;

select outreach_counts_catch_up();
select outreach_set_counts_fill('half_month');
