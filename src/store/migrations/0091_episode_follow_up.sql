-- Each joint's first treatment date and last answer date, kept in the writing transaction
-- (issue 17), so the Kaplan–Meier curves read one narrow row per joint instead of grouping
-- every treatment and answer of the site. An answer moves one row on; a removal, a correction or
-- a changed treatment recomputes the joints concerned. Derived: backups leave it out.
create table episode_follow_up (
  episode_id uuid primary key references joint_episodes (id) on delete cascade,
  site_id uuid not null,
  first_treated date,
  last_answered date
);
create index episode_follow_up_site_idx on episode_follow_up (site_id);

create function episode_follow_up_recompute(episodes uuid[]) returns void language plpgsql as $$
begin
  insert into episode_follow_up as f (episode_id, site_id, first_treated, last_answered)
  select e.id, e.site_id,
         (select min(t.treatment_date) from treatments t where t.episode_id = e.id),
         (select max(r.submitted_at)::date from responses r where r.episode_id = e.id)
  from joint_episodes e where e.id = any(episodes)
  order by e.id
  on conflict (episode_id) do update
    set first_treated = excluded.first_treated, last_answered = excluded.last_answered;
end $$;

-- A submission: the joint's last answer moves on (one row update per statement and joint).
create function episode_follow_up_answered() returns trigger language plpgsql as $$
begin
  insert into episode_follow_up as f (episode_id, site_id, last_answered)
  select n.episode_id, n.site_id, max(n.submitted_at)::date from new_rows n
  group by n.episode_id, n.site_id order by n.episode_id
  on conflict (episode_id) do update
    set last_answered = greatest(f.last_answered, excluded.last_answered);
  return null;
end $$;
create trigger responses_follow_up_insert after insert on responses
  referencing new table as new_rows for each statement execute function episode_follow_up_answered();

create function episode_follow_up_answers_changed() returns trigger language plpgsql as $$
begin
  perform episode_follow_up_recompute(array(select episode_id from old_rows
    union select episode_id from new_rows));
  return null;
end $$;
create function episode_follow_up_answers_removed() returns trigger language plpgsql as $$
begin
  perform episode_follow_up_recompute(array(select distinct episode_id from old_rows));
  return null;
end $$;
create trigger responses_follow_up_update after update on responses
  referencing old table as old_rows new table as new_rows
  for each statement execute function episode_follow_up_answers_changed();
create trigger responses_follow_up_delete after delete on responses
  referencing old table as old_rows for each statement execute function episode_follow_up_answers_removed();

create function episode_follow_up_treatments_added() returns trigger language plpgsql as $$
begin
  perform episode_follow_up_recompute(array(select distinct episode_id from new_rows));
  return null;
end $$;
create trigger treatments_follow_up_insert after insert on treatments
  referencing new table as new_rows for each statement execute function episode_follow_up_treatments_added();
create trigger treatments_follow_up_update after update on treatments
  referencing old table as old_rows new table as new_rows
  for each statement execute function episode_follow_up_answers_changed();
create trigger treatments_follow_up_delete after delete on treatments
  referencing old table as old_rows for each statement execute function episode_follow_up_answers_removed();

-- Every joint at once, set-based: the first fill, and after a bulk load without triggers.
create function episode_follow_up_rebuild() returns void language plpgsql as $$
begin
  truncate episode_follow_up;
  insert into episode_follow_up (episode_id, site_id, first_treated, last_answered)
  select e.id, e.site_id, t.first_treated, r.last_answered
  from joint_episodes e
  left join (select episode_id, min(treatment_date) as first_treated from treatments
             group by episode_id) t on t.episode_id = e.id
  left join (select episode_id, max(submitted_at)::date as last_answered from responses
             group by episode_id) r on r.episode_id = e.id;
end $$;
select episode_follow_up_rebuild();
