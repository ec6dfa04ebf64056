-- A submission writes about six kept per-joint score rows, and each wrote an entry in two
-- indexes. 0012's index by site, instrument and scale served the analytics that read a site's
-- rows; since 0090 the views read the kept sums, and the joints' rows are read by joint (the
-- key: the fold, the marks, ages with dates, the dose-response plot, a cascade from a joint).
-- Only the reference aggregation over every row (`outcomeSummariesFromRows`, used while the
-- outcome rules are being synced and by the tests) filtered by site, and it reads a whole site.
-- Issue 17's ingest: one index entry per kept score row instead of two.
drop index outcome_joint_scores_site_idx;
