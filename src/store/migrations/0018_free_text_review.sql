-- Free text (a diagnosis, treatment notes, an adverse-event description) may identify a
-- person ("Jane Doe (MRN 12345)"). It reaches researchers only once a clinician has read it
-- and marked it free of identifying details; a correction of the text clears the mark.
alter table joint_episodes add column diagnosis_reviewed boolean not null default false;
alter table treatments add column notes_reviewed boolean not null default false;
alter table adverse_events add column description_reviewed boolean not null default false;
