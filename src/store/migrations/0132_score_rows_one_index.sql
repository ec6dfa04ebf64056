-- A survey's submission writes about six score rows, and each wrote an entry in two indexes.
-- 0001's index of every score by site, instrument and scale served the analytics that read
-- every score of a site; since 0012 they read the kept per-joint rows (`outcome_joint_scores`),
-- and every statement on `response_scores` finds its rows by answer (`response_id`, the key).
-- Issue 17's ingest: one index entry per score row instead of two.
drop index response_scores_site_idx;
