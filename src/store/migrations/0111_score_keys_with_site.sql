-- Fewer key checks per stored score (issue 17's ingest profile: a survey's six scores cost
-- 39 foreign-key lookups, a sixth of the database's work per submission).
--
-- A score's site and patient are copies of its response's. One composite key to the response
-- checks all three at once, and checks more than before: that the copies agree. It carries
-- `site_id`, as a key between tables sharded by site must (docs/ARCHITECTURE.md). Deleting a
-- response, or its patient through the response, still deletes its scores.
do $$
declare
  mismatched bigint;
begin
  select count(*) into mismatched
  from response_scores s join responses r on r.id = s.response_id
  where r.site_id <> s.site_id or r.patient_id <> s.patient_id;
  if mismatched > 0 then
    raise exception '% stored scores name another site or patient than their answers do; no StemTrack statement writes such a score, so ask for support before upgrading (migration 0111)', mismatched;
  end if;
end $$;

alter table responses add constraint responses_id_site_patient_key unique (id, site_id, patient_id);
alter table response_scores
  drop constraint response_scores_response_id_fkey,
  drop constraint response_scores_site_id_fkey,
  drop constraint response_scores_patient_id_fkey,
  add constraint response_scores_response_fkey foreign key (response_id, site_id, patient_id)
    references responses (id, site_id, patient_id) on delete cascade;

-- The per-joint score rows are derived (rebuilt from the scores) and their site is their
-- joint's: no key to the sites. Their joint's key stays, so erasing the joint deletes them.
alter table outcome_joint_scores drop constraint outcome_joint_scores_site_id_fkey;
