-- Every key between two registry tables carries `site_id` (issue 17, the road to sharding by
-- site). Before, a treatment named its joint by id alone, so nothing in the database stopped a
-- treatment, an answer or an event of one site from naming another site's joint or patient: the
-- store always writes the parent's site, but a site's dashboards and erasures trust that it did.
-- A key on (id, site_id) checks that the copies agree. It is also the only shape of key Citus
-- allows between colocated tables sharded on site_id (docs/ARCHITECTURE.md). Each key keeps
-- its name and what a delete does to the rows under it. Keys to `users` stay on id: staff stay
-- on the coordinator.
do $$
declare
  key record;
  mismatched bigint;
begin
  for key in
    select * from (values
      ('treatments', 'episode_id', 'joint_episodes', 'id'),
      ('treatments', 'patient_id', 'patients', 'id'),
      ('joint_episodes', 'patient_id', 'patients', 'id'),
      ('patient_identities', 'patient_id', 'patients', 'id'),
      ('survey_assignments', 'patient_id', 'patients', 'id'),
      ('survey_assignments', 'episode_id', 'joint_episodes', 'id'),
      ('responses', 'patient_id', 'patients', 'id'),
      ('responses', 'episode_id', 'joint_episodes', 'id'),
      ('responses', 'assignment_id', 'survey_assignments', 'id'),
      ('adverse_events', 'patient_id', 'patients', 'id'),
      ('adverse_events', 'episode_id', 'joint_episodes', 'id'),
      ('adverse_events', 'treatment_id', 'treatments', 'id'),
      ('data_quality_reviews', 'patient_id', 'patients', 'id'),
      ('data_quality_reviews', 'treatment_id', 'treatments', 'id'),
      ('patient_events', 'patient_id', 'patients', 'id'),
      ('patient_events', 'episode_id', 'joint_episodes', 'id'),
      ('patient_events', 'assignment_id', 'survey_assignments', 'id'),
      ('follow_up_contacts', 'patient_id', 'patients', 'id'),
      ('follow_up_contacts', 'assignment_id', 'survey_assignments', 'id'),
      ('episode_follow_up', 'episode_id', 'joint_episodes', 'id'),
      ('outcome_joint_scores', 'episode_id', 'joint_episodes', 'id'),
      ('paper_forms', 'assignment_id', 'survey_assignments', 'id'),
      ('paper_entries', 'assignment_id', 'paper_forms', 'assignment_id'),
      ('staff_survey_links', 'assignment_id', 'survey_assignments', 'id'),
      ('audit_personal_values', 'audit_id', 'audit_log', 'id')
    ) as k (child, child_column, parent, parent_column)
  loop
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

alter table treatments
  drop constraint treatments_episode_id_fkey,
  add constraint treatments_episode_id_fkey foreign key (episode_id, site_id)
    references joint_episodes (id, site_id) on delete cascade,
  drop constraint treatments_patient_id_fkey,
  add constraint treatments_patient_id_fkey foreign key (patient_id, site_id)
    references patients (id, site_id) on delete cascade;

alter table joint_episodes
  drop constraint joint_episodes_patient_id_fkey,
  add constraint joint_episodes_patient_id_fkey foreign key (patient_id, site_id)
    references patients (id, site_id) on delete cascade;

alter table patient_identities
  drop constraint patient_identities_patient_id_fkey,
  add constraint patient_identities_patient_id_fkey foreign key (patient_id, site_id)
    references patients (id, site_id) on delete cascade;

alter table survey_assignments
  drop constraint survey_assignments_patient_id_fkey,
  add constraint survey_assignments_patient_id_fkey foreign key (patient_id, site_id)
    references patients (id, site_id) on delete cascade,
  drop constraint survey_assignments_episode_id_fkey,
  add constraint survey_assignments_episode_id_fkey foreign key (episode_id, site_id)
    references joint_episodes (id, site_id) on delete cascade;

alter table responses
  drop constraint responses_patient_id_fkey,
  add constraint responses_patient_id_fkey foreign key (patient_id, site_id)
    references patients (id, site_id) on delete cascade,
  drop constraint responses_episode_id_fkey,
  add constraint responses_episode_id_fkey foreign key (episode_id, site_id)
    references joint_episodes (id, site_id) on delete cascade,
  drop constraint responses_assignment_id_fkey,
  add constraint responses_assignment_id_fkey foreign key (assignment_id, site_id)
    references survey_assignments (id, site_id) on delete cascade;

alter table adverse_events
  drop constraint adverse_events_patient_id_fkey,
  add constraint adverse_events_patient_id_fkey foreign key (patient_id, site_id)
    references patients (id, site_id) on delete cascade,
  drop constraint adverse_events_episode_id_fkey,
  add constraint adverse_events_episode_id_fkey foreign key (episode_id, site_id)
    references joint_episodes (id, site_id) on delete cascade,
  drop constraint adverse_events_treatment_id_fkey,
  add constraint adverse_events_treatment_id_fkey foreign key (treatment_id, site_id)
    references treatments (id, site_id) on delete cascade;

alter table data_quality_reviews
  drop constraint data_quality_reviews_patient_id_fkey,
  add constraint data_quality_reviews_patient_id_fkey foreign key (patient_id, site_id)
    references patients (id, site_id) on delete cascade,
  drop constraint data_quality_reviews_treatment_id_fkey,
  add constraint data_quality_reviews_treatment_id_fkey foreign key (treatment_id, site_id)
    references treatments (id, site_id) on delete cascade;

-- An event outlives its survey link: deleting the link empties the event's link, not its site.
alter table patient_events
  drop constraint patient_events_patient_id_fkey,
  add constraint patient_events_patient_id_fkey foreign key (patient_id, site_id)
    references patients (id, site_id) on delete cascade,
  drop constraint patient_events_episode_id_fkey,
  add constraint patient_events_episode_id_fkey foreign key (episode_id, site_id)
    references joint_episodes (id, site_id) on delete cascade,
  drop constraint patient_events_assignment_id_fkey,
  add constraint patient_events_assignment_id_fkey foreign key (assignment_id, site_id)
    references survey_assignments (id, site_id) on delete set null (assignment_id);

alter table follow_up_contacts
  drop constraint follow_up_contacts_patient_id_fkey,
  add constraint follow_up_contacts_patient_id_fkey foreign key (patient_id, site_id)
    references patients (id, site_id) on delete cascade,
  drop constraint follow_up_contacts_assignment_id_fkey,
  add constraint follow_up_contacts_assignment_id_fkey foreign key (assignment_id, site_id)
    references survey_assignments (id, site_id) on delete cascade;

alter table episode_follow_up
  drop constraint episode_follow_up_episode_id_fkey,
  add constraint episode_follow_up_episode_id_fkey foreign key (episode_id, site_id)
    references joint_episodes (id, site_id) on delete cascade;

alter table outcome_joint_scores
  drop constraint outcome_joint_scores_episode_id_fkey,
  add constraint outcome_joint_scores_episode_id_fkey foreign key (episode_id, site_id)
    references joint_episodes (id, site_id) on delete cascade;

alter table paper_forms
  drop constraint paper_forms_assignment_id_fkey,
  add constraint paper_forms_assignment_id_fkey foreign key (assignment_id, site_id)
    references survey_assignments (id, site_id) on delete cascade;

alter table paper_entries
  drop constraint paper_entries_assignment_id_fkey,
  add constraint paper_entries_assignment_id_fkey foreign key (assignment_id, site_id)
    references paper_forms (assignment_id, site_id) on delete cascade;

alter table staff_survey_links
  drop constraint staff_survey_links_assignment_id_fkey,
  add constraint staff_survey_links_assignment_id_fkey foreign key (assignment_id, site_id)
    references survey_assignments (id, site_id) on delete cascade;

alter table audit_personal_values
  drop constraint audit_personal_values_audit_id_fkey,
  add constraint audit_personal_values_audit_id_fkey foreign key (audit_id, site_id)
    references audit_log (id, site_id);

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
