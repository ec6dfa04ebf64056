-- An update of responses that moves no answer (the mode of administration, a review flag)
-- rebuilds nothing: the rebuild is called only for joints whose answers moved.
create or replace function outcome_joint_scores_responses_moved() returns trigger language plpgsql as $$
declare
  episodes uuid[] := array(
    select o.episode_id from removed o join moved n on n.id = o.id
      where (o.episode_id, o.timepoint, o.submitted_at) is distinct from (n.episode_id, n.timepoint, n.submitted_at)
    union
    select n.episode_id from removed o join moved n on n.id = o.id
      where (o.episode_id, o.timepoint, o.submitted_at) is distinct from (n.episode_id, n.timepoint, n.submitted_at));
begin
  if cardinality(episodes) > 0 then
    perform outcome_joint_scores_rebuild(episodes);
  end if;
  return null;
end $$;
