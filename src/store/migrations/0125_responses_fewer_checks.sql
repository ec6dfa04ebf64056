-- Two things every answer paid for nothing (issue 17's ingest profile):
-- * its check that its site exists, which locked the site's row for key share: the answer's
--   (patient, site) key must already name a patient of that site, and a patient's site must
--   exist (patients_site_id_fkey), so the site check could never fail. Its lock was the one
--   row every concurrent submission at a site shared (PostgreSQL then records the lockers in a
--   multixact);
-- * 0094's index of responses by link, whose lookups the unique (link, questionnaire) index
--   already serves by its first column.
alter table responses drop constraint responses_site_id_fkey;
drop index responses_assignment_idx;
