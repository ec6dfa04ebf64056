-- The fold in steps, for the server to run in the background soon after changes (issue 17).
-- A read folds whatever is noted before it reads, so a read right after many changes waited
-- for all of them (1,000 changed joints: about 4 s at 100,000 joints); and a registry nobody
-- looked at overnight kept the whole night's changes for its first reader. Each step takes the
-- `most` oldest notes (by the log's key, so a step costs the same however long the log) and
-- folds their joints, in its caller's transaction, so the server between steps is free for
-- requests (PGlite has one connection) and no step holds the fold's lock for long. A later note
-- of the same joint stays and folds it again, finding nothing to move. Says how many notes it
-- took; fewer than `most` means none was left.
create function outcome_sums_catch_up(most int) returns int language plpgsql
  set jit = off as $$
declare
  episodes uuid[];
  taken int;
begin
  if not exists (select 1 from outcome_sums_pending) then return 0; end if;
  perform outcome_sums_lock();
  -- Taken before the fold reads, as outcome_sums_catch_up() does: a change committed after
  -- this statement notes its joint again and stays for the next step.
  with notes as (
    delete from outcome_sums_pending p
    where p.id in (select o.id from outcome_sums_pending o order by o.id limit most)
    returning p.episode_id)
  select array_agg(distinct n.episode_id), count(*) into episodes, taken from notes n;
  if taken = 0 then return 0; end if;
  perform outcome_sums_refold(episodes);
  return taken;
end $$;
