-- A cohort's outreach counts kept per site, joint, KL grade, sex and set of ages at treatment
-- (issue 17), as 0106 keeps the outcome sums: a range of ages added up its joints' shares
-- (0102's outreach_folded), about nine per joint: 2.0 s at 1,000,000 joints. Each joint's
-- shares are added up under that key too, and the key they went in under is kept, so a fold
-- takes them out under it and puts them back under the current one. Derived: backups leave
-- these out.

create table outreach_age_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  ages smallint[] not null,
  section text not null,
  timepoint text not null,
  label text not null,
  step int not null,
  links bigint not null,
  completed bigint not null,
  primary key (site_id, joint, kl_grade, sex, ages, section, timepoint, label, step)
);

-- The key each joint's shares were last added up under here.
create table outreach_folded_ages (
  episode_id uuid primary key,
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  ages smallint[] not null
);

-- These joints' keys now: 0090's cohort key without the treatments, and 0106's ages.
create function outreach_age_keys(episodes uuid[]) returns setof outreach_folded_ages
  language sql stable as $$
  select k.episode_id, k.site_id, k.joint, k.kl_grade, k.sex, a.ages
  from episode_cohort_keys(episodes) k
  join episode_treatment_ages(episodes) a on a.episode_id = k.episode_id $$;

-- 0104's refold, kept under another name; this one also moves the shares between sets of ages.
alter function outreach_counts_refold(uuid[]) rename to outreach_counts_refold_by_key;
create function outreach_counts_refold(episodes uuid[]) returns void language plpgsql as $$
declare
  touched uuid[];
  before outreach_folded[];
  after outreach_folded[];
  ages_now outreach_folded_ages[];
  moved outreach_age_counts[];
begin
  perform outreach_counts_lock();
  touched := array(select distinct u.id from unnest(episodes) as u(id));
  before := array(select f from unnest(touched) as u(id) join outreach_folded f on f.episode_id = u.id);
  -- Read once: the set the shares go in under is the set kept for them (a change of age notes
  -- the joint for the next fold).
  ages_now := array(select a from outreach_age_keys(touched) a);
  perform outreach_counts_refold_by_key(touched);
  after := array(select f from unnest(touched) as u(id) join outreach_folded f on f.episode_id = u.id);
  moved := array(
    select row(x.site_id, x.joint, x.kl_grade, x.sex, x.ages, x.section, x.timepoint, x.label,
               x.step, sum(x.links), sum(x.completed))::outreach_age_counts
    from (select a.site_id, a.joint, a.kl_grade, a.sex, a.ages, s.section, s.timepoint, s.label,
                 s.step, s.links, s.completed
          from unnest(after) s join unnest(ages_now) a on a.episode_id = s.episode_id
          union all
          select a.site_id, a.joint, a.kl_grade, a.sex, a.ages, s.section, s.timepoint, s.label,
                 s.step, -s.links, -s.completed
          from unnest(before) s join outreach_folded_ages a on a.episode_id = s.episode_id) x
    group by x.site_id, x.joint, x.kl_grade, x.sex, x.ages, x.section, x.timepoint, x.label, x.step
    having sum(x.links) <> 0 or sum(x.completed) <> 0);
  insert into outreach_age_counts as c
  select * from unnest(moved) m order by 1, 2, 3, 4, 5, 6, 7, 8, 9
  on conflict (site_id, joint, kl_grade, sex, ages, section, timepoint, label, step) do update
    set links = c.links + excluded.links, completed = c.completed + excluded.completed;
  delete from outreach_age_counts c using unnest(moved) m
  where c.links = 0 and c.completed = 0
    and (c.site_id, c.joint, c.kl_grade, c.sex, c.ages, c.section, c.timepoint, c.label, c.step)
      = (m.site_id, m.joint, m.kl_grade, m.sex, m.ages, m.section, m.timepoint, m.label, m.step);
  delete from outreach_folded_ages a using unnest(touched) as u(id) where a.episode_id = u.id;
  insert into outreach_folded_ages
  select n.* from unnest(ages_now) n where n.episode_id in (select s.episode_id from unnest(after) s);
end $$;

-- 0104's note on a treatment's change, now also when its age at treatment moves (a corrected
-- treatment date or birth date).
create or replace function outreach_treatments_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform outreach_counts_note(array(select episode_id from new_rows));
  elsif tg_op = 'DELETE' then
    perform outreach_counts_note(array(select episode_id from old_rows));
  else
    perform outreach_counts_note(array(
      select n.episode_id from new_rows n join old_rows o on o.id = n.id
      where (n.episode_id, n.product_class, n.cell_dose_millions, n.bmi, n.age_at_treatment)
            is distinct from (o.episode_id, o.product_class, o.cell_dose_millions, o.bmi, o.age_at_treatment)
      union all
      select o.episode_id from new_rows n join old_rows o on o.id = n.id
      where n.episode_id is distinct from o.episode_id));
  end if;
  return null;
end $$;

-- Every joint's shares added up under its ages, afresh.
create function outreach_age_counts_fill() returns void language plpgsql as $$
begin
  perform outreach_counts_lock();
  delete from outreach_age_counts;
  delete from outreach_folded_ages;
  insert into outreach_folded_ages
  select e.id, e.site_id, e.joint, e.kl_grade, p.sex, a.ages
  from (select distinct episode_id from outreach_folded) f
  join joint_episodes e on e.id = f.episode_id
  join patients p on p.id = e.patient_id
  join every_joint_treatment_ages() a on a.episode_id = e.id;
  insert into outreach_age_counts
  select a.site_id, a.joint, a.kl_grade, a.sex, a.ages, f.section, f.timepoint, f.label, f.step,
         sum(f.links), sum(f.completed)
  from outreach_folded f join outreach_folded_ages a on a.episode_id = f.episode_id
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9
  having sum(f.links) <> 0 or sum(f.completed) <> 0;
end $$;

create or replace function outreach_counts_rebuild() returns void language plpgsql as $$
begin
  perform outreach_counts_site_rebuild();
  perform outreach_cohort_counts_fill();
  perform outreach_age_counts_fill();
end $$;

select outreach_counts_catch_up();
select outreach_age_counts_fill();
