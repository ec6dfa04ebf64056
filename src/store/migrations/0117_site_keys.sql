-- Every key between two registry tables carries `site_id` (issue 17, the road to sharding by
-- site). Before, a treatment named its joint by id alone, so nothing in the database stopped a
-- treatment, an answer or an event of one site from naming another site's joint or patient: the
-- store always writes the parent's site, but a site's dashboards and erasures trust that it did.
-- A key on (id, site_id) checks that the copies agree. It is also the only shape of key Citus
-- allows between colocated tables sharded on site_id (docs/ARCHITECTURE.md). Keys to `users`
-- stay on id: staff stay on the coordinator.
create temporary table site_keys (child text, child_column text, parent text, parent_column text,
                                   on_delete text);
insert into site_keys values
  ('treatments', 'episode_id', 'joint_episodes', 'id', 'cascade'),
  ('treatments', 'patient_id', 'patients', 'id', 'cascade'),
  ('joint_episodes', 'patient_id', 'patients', 'id', 'cascade'),
  ('patient_identities', 'patient_id', 'patients', 'id', 'cascade'),
  ('survey_assignments', 'patient_id', 'patients', 'id', 'cascade'),
  ('survey_assignments', 'episode_id', 'joint_episodes', 'id', 'cascade'),
  ('responses', 'patient_id', 'patients', 'id', 'cascade'),
  ('responses', 'episode_id', 'joint_episodes', 'id', 'cascade'),
  ('responses', 'assignment_id', 'survey_assignments', 'id', 'cascade'),
  ('adverse_events', 'patient_id', 'patients', 'id', 'cascade'),
  ('adverse_events', 'episode_id', 'joint_episodes', 'id', 'cascade'),
  ('adverse_events', 'treatment_id', 'treatments', 'id', 'cascade'),
  ('data_quality_reviews', 'patient_id', 'patients', 'id', 'cascade'),
  ('data_quality_reviews', 'treatment_id', 'treatments', 'id', 'cascade'),
  ('patient_events', 'patient_id', 'patients', 'id', 'cascade'),
  ('patient_events', 'episode_id', 'joint_episodes', 'id', 'cascade'),
  -- An event outlives its survey link: deleting the link empties the event's link, not its site.
  ('patient_events', 'assignment_id', 'survey_assignments', 'id', 'set null (assignment_id)'),
  ('follow_up_contacts', 'patient_id', 'patients', 'id', 'cascade'),
  ('follow_up_contacts', 'assignment_id', 'survey_assignments', 'id', 'cascade'),
  ('episode_follow_up', 'episode_id', 'joint_episodes', 'id', 'cascade'),
  ('outcome_joint_scores', 'episode_id', 'joint_episodes', 'id', 'cascade'),
  ('paper_forms', 'assignment_id', 'survey_assignments', 'id', 'cascade'),
  ('paper_entries', 'assignment_id', 'paper_forms', 'assignment_id', 'cascade'),
  ('staff_survey_links', 'assignment_id', 'survey_assignments', 'id', 'cascade'),
  -- The audit row stays when its personal values are erased, never the other way round.
  ('audit_personal_values', 'audit_id', 'audit_log', 'id', 'no action');

do $$
declare
  key record;
  mismatched bigint;
begin
  -- `on delete set null (column)` below, which keeps an event's site when its link goes, came in 15.
  if current_setting('server_version_num')::int < 150000 then
    raise exception 'StemTrack needs PostgreSQL 15 or later; this server is %', version();
  end if;
  for key in select * from site_keys loop
    execute format(
      'select count(*) from %I c join %I p on p.%I = c.%I where p.site_id is distinct from c.site_id',
      key.child, key.parent, key.parent_column, key.child_column)
      into mismatched;
    if mismatched > 0 then
      raise exception '% rows of % name a row of % at another site; no StemTrack statement writes such a row, so ask for support before upgrading (migration 0117)',
        mismatched, key.child, key.parent;
    end if;
  end loop;
end $$;

alter table patients add constraint patients_id_site_key unique (id, site_id);
alter table joint_episodes add constraint joint_episodes_id_site_key unique (id, site_id);
alter table treatments add constraint treatments_id_site_key unique (id, site_id);
alter table survey_assignments add constraint survey_assignments_id_site_key unique (id, site_id);
alter table paper_forms add constraint paper_forms_assignment_site_key unique (assignment_id, site_id);
alter table audit_log add constraint audit_log_id_site_key unique (id, site_id);

-- Each key keeps its name (PostgreSQL's: child, column, "fkey") and what a delete does.
do $$
declare
  key record;
begin
  for key in select * from site_keys loop
    execute format(
      'alter table %1$I drop constraint %2$I, add constraint %2$I foreign key (%3$I, site_id) references %4$I (%5$I, site_id) on delete %6$s',
      key.child, key.child || '_' || key.child_column || '_fkey', key.child_column,
      key.parent, key.parent_column, key.on_delete);
  end loop;
end $$;

drop table site_keys;

-- A cascade deletes the rows under a row in the order its keys were made. With the keys above
-- made anew, erasing a patient whose open links were just cancelled (same transaction) deleted
-- the joint, then its links, whose trigger updated the joint's follow-up row before the cascade
-- reached it: a row written in this transaction is checked against its key even when the key
-- is unchanged, and the joint was gone, so the erasure failed. The update now leaves rows whose
-- joint is gone, for the cascade to delete. Otherwise as in 0091.
create or replace function episode_follow_up_events(episodes uuid[]) returns void language plpgsql as $$
begin
  update episode_follow_up f
  set last_reported = x.last_reported, reinjection_on = x.reinjection_on,
      arthroplasty_on = x.arthroplasty_on, back_to_activities_on = x.back_to_activities_on,
      back_to_work_on = x.back_to_work_on
  from (
    select g.episode_id,
           max(pe.created_at)::date as last_reported,
           min(pe.event_date) filter (where pe.kind = 'reinjection' and pe.event_date >= g.first_treated) as reinjection_on,
           min(pe.event_date) filter (where pe.kind = 'arthroplasty' and pe.event_date >= g.first_treated) as arthroplasty_on,
           min(pe.event_date) filter (where pe.kind = 'returned-to-activities' and pe.event_date >= g.first_treated) as back_to_activities_on,
           min(pe.event_date) filter (where pe.kind = 'returned-to-work' and pe.event_date >= g.first_treated) as back_to_work_on
    from (select distinct u.episode_id from unnest(episodes) as u(episode_id)) u
    join episode_follow_up g on g.episode_id = u.episode_id
    join joint_episodes e on e.id = g.episode_id and e.site_id = g.site_id
    left join patient_events pe on pe.episode_id = g.episode_id
    group by g.episode_id
  ) x
  where f.episode_id = x.episode_id;
end $$;
