-- A cohort's outreach counts kept per cohort key (issue 17), as the outcome sums are (0090):
-- at a million joints, counting a cohort's links (knee + BMAC: 172,600 joints, 916,800 links)
-- took 2.5 s. Each joint's shares (0102's outreach_folded) are added up under its cohort key
-- too; the key they went in under is kept, so a fold takes them out under that key and puts
-- them back under the current one. A change of key (a treatment's product, dose or BMI, the
-- joint or its KL grade, the patient's sex) notes the joint. Derived: backups leave these out.

create table outreach_cohort_counts (
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  treatments text[] not null,
  section text not null,
  timepoint text not null,
  label text not null,
  step int not null,
  links bigint not null,
  completed bigint not null,
  primary key (site_id, joint, kl_grade, sex, treatments, section, timepoint, label, step)
);

-- The cohort key each joint's shares were last added up under.
create table outreach_folded_keys (
  episode_id uuid primary key,
  site_id uuid not null,
  joint text not null,
  kl_grade smallint not null,
  sex text not null,
  treatments text[] not null
);

-- 0102's refold, which now also moves each joint's shares between cohort keys.
create or replace function outreach_counts_refold(episodes uuid[]) returns void language plpgsql as $$
declare
  before outreach_folded[];
  after outreach_folded[];
  touched uuid[];
  keys outreach_folded_keys[];
  moved outreach_cohort_counts[];
begin
  perform outreach_counts_lock();
  touched := array(select distinct u.episode_id from unnest(episodes) as u(episode_id));
  before := array(select f from unnest(touched) as u(episode_id)
                  join outreach_folded f on f.episode_id = u.episode_id);
  after := array(select f from outreach_of(touched) f);
  -- Read once: the key the shares go in under is the key kept for them, whatever commits
  -- between this function's statements (a change of key notes the joint for the next fold).
  keys := array(select row(k.*)::outreach_folded_keys from episode_cohort_keys(touched) k);
  perform outreach_counts_fold(
    array(select a from unnest(after) a except all select b from unnest(before) b),
    array(select b from unnest(before) b except all select a from unnest(after) a));
  -- Out under the key they went in with, in under the joint's key now (none for a joint gone).
  moved := array(
    select row(x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.section, x.timepoint,
               x.label, x.step, sum(x.links), sum(x.completed))::outreach_cohort_counts
    from (select k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, a.section, a.timepoint,
                 a.label, a.step, a.links, a.completed
          from unnest(after) a join unnest(keys) k on k.episode_id = a.episode_id
          union all
          select k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, b.section, b.timepoint,
                 b.label, b.step, -b.links, -b.completed
          from unnest(before) b join outreach_folded_keys k on k.episode_id = b.episode_id) x
    group by x.site_id, x.joint, x.kl_grade, x.sex, x.treatments, x.section, x.timepoint, x.label, x.step
    having sum(x.links) <> 0 or sum(x.completed) <> 0);
  insert into outreach_cohort_counts as c
  select * from unnest(moved) m order by 1, 2, 3, 4, 5, 6, 7, 8, 9
  on conflict (site_id, joint, kl_grade, sex, treatments, section, timepoint, label, step) do update
    set links = c.links + excluded.links, completed = c.completed + excluded.completed;
  delete from outreach_cohort_counts c using unnest(moved) m
  where c.links = 0 and c.completed = 0
    and (c.site_id, c.joint, c.kl_grade, c.sex, c.treatments, c.section, c.timepoint, c.label, c.step)
      = (m.site_id, m.joint, m.kl_grade, m.sex, m.treatments, m.section, m.timepoint, m.label, m.step);
  delete from outreach_folded_keys k using unnest(touched) as u(episode_id)
  where k.episode_id = u.episode_id;
  insert into outreach_folded_keys
  select k.* from unnest(keys) k where k.episode_id in (select a.episode_id from unnest(after) a);
  delete from outreach_folded f using unnest(touched) as u(episode_id)
  where f.episode_id = u.episode_id;
  insert into outreach_folded select * from unnest(after);
  delete from outreach_counts where links = 0 and completed = 0;
end $$;

-- A change of cohort key notes the joint (every one: a joint's first fold may be running, its
-- key not yet kept; a noted joint without links folds to nothing).
create function outreach_treatments_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform outreach_counts_note(array(select episode_id from new_rows));
  elsif tg_op = 'DELETE' then
    perform outreach_counts_note(array(select episode_id from old_rows));
  else
    perform outreach_counts_note(array(
      select n.episode_id from new_rows n join old_rows o on o.id = n.id
      where (n.episode_id, n.product_class, n.cell_dose_millions, n.bmi)
            is distinct from (o.episode_id, o.product_class, o.cell_dose_millions, o.bmi)
      union all
      select o.episode_id from new_rows n join old_rows o on o.id = n.id
      where n.episode_id is distinct from o.episode_id));
  end if;
  return null;
end $$;
create trigger treatments_outreach_insert after insert on treatments
  referencing new table as new_rows for each statement execute function outreach_treatments_changed();
create trigger treatments_outreach_update after update on treatments
  referencing old table as old_rows new table as new_rows
  for each statement execute function outreach_treatments_changed();
create trigger treatments_outreach_delete after delete on treatments
  referencing old table as old_rows for each statement execute function outreach_treatments_changed();

create function outreach_joint_key_changed() returns trigger language plpgsql as $$
begin
  perform outreach_counts_note(array[new.id]);
  return null;
end $$;
create trigger joint_episodes_outreach_key_update after update on joint_episodes
  for each row when ((old.joint, old.kl_grade) is distinct from (new.joint, new.kl_grade))
  execute function outreach_joint_key_changed();

create function outreach_sex_changed() returns trigger language plpgsql as $$
begin
  perform outreach_counts_note(array(select e.id from joint_episodes e where e.patient_id = new.id));
  return null;
end $$;
create trigger patients_outreach_key_update after update on patients
  for each row when (old.sex is distinct from new.sex)
  execute function outreach_sex_changed();

-- Adds every joint's folded shares up under its cohort key, afresh.
create function outreach_cohort_counts_fill() returns void language plpgsql as $$
begin
  perform outreach_counts_lock();
  delete from outreach_cohort_counts;
  delete from outreach_folded_keys;
  -- Every key at once, set-based as 0090's rebuild computes them (a lookup per joint: 95 s at
  -- a million joints).
  insert into outreach_folded_keys
  select e.id, e.site_id, e.joint, e.kl_grade, p.sex, coalesce(t.treatments, '{}')
  from (select distinct episode_id from outreach_folded) f
  join joint_episodes e on e.id = f.episode_id
  join patients p on p.id = e.patient_id
  left join (select episode_id, array_agg(k order by k) as treatments
             from (select distinct episode_id, product_class || '|' || cohort_dose_band(cell_dose_millions)
                          || '|' || cohort_bmi_class(bmi) as k from treatments) d
             group by episode_id) t on t.episode_id = e.id;
  insert into outreach_cohort_counts
  select k.site_id, k.joint, k.kl_grade, k.sex, k.treatments, f.section, f.timepoint, f.label,
         f.step, sum(f.links), sum(f.completed)
  from outreach_folded f join outreach_folded_keys k on k.episode_id = f.episode_id
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9;
end $$;

-- 0102's rebuild, kept under another name, and then every joint's shares under its key.
alter function outreach_counts_rebuild() rename to outreach_counts_site_rebuild;
create function outreach_counts_rebuild() returns void language plpgsql as $$
begin
  perform outreach_counts_site_rebuild();
  perform outreach_cohort_counts_fill();
end $$;

-- The shares 0102 folded are current once the joints noted are folded: only the keys are new.
select outreach_counts_catch_up();
select outreach_cohort_counts_fill();
