-- A survey's completion sets its link's `completed_at` and `answered_modes` (issue 17's ingest).
-- 0094's index of each joint's latest links carried both, so every completion was an update of an
-- indexed column: a new entry in each of the table's six indexes, never a heap-only (HOT) update.
-- The index keeps its keys and the link's id; the counts it served read the few links of the
-- joints they fold (`outreach_of`, by key), which now fetch those two columns from the table. Pages
-- are left 15% free, so a completion (and a saved draft) can stay on its link's page.
drop index survey_assignments_latest_idx;
create index survey_assignments_latest_idx on survey_assignments
  (site_id, episode_id, timepoint, created_at desc) include (id);
alter table survey_assignments set (fillfactor = 85);
