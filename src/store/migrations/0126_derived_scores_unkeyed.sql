-- Fewer key checks per stored survey (issue 17's ingest profile: `perf` on the database while
-- it stored statements of five surveys found foreign-key checks a seventh of its CPU).
--
-- A joint's kept score rows (0012) checked their joint's key: six checks per survey. Every row
-- is derived from the joint's answers, whose own keys are checked, and 0020's triggers rebuild
-- a joint's rows whenever its answers go or move, so erasing a patient, a joint or an answer
-- already removes them (tested in submission-batch.int.test.ts, and the erasure test of
-- corrections.int.test.ts finds no joint id left in any table). The key's cascade did that
-- work a second time.
alter table outcome_joint_scores drop constraint outcome_joint_scores_episode_id_fkey;
