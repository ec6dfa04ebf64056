-- Indexes the dashboards and the follow-up worklist need at registry scale (100,000
-- patients): per-joint lookups of surveys and answers, and the site's joints.
create index survey_assignments_episode_idx on survey_assignments (episode_id, timepoint);
create index responses_episode_idx on responses (episode_id, submitted_at);
create index joint_episodes_site_idx on joint_episodes (site_id);
-- The first answer of each joint, instrument and time point, in the order analytics reads it,
-- without touching the wide answer rows (an index-only scan once the table is vacuumed).
create index responses_visit_idx
  on responses (site_id, episode_id, instrument_id, timepoint, submitted_at, id);
