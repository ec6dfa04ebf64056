-- The fold in steps, for the server to run in the background soon after changes (issue 17).
-- A read folds whatever is noted before it reads, so a read right after many changes waited
-- for all of them (1,000 changed joints: about 4 s at 100,000 joints); and a registry nobody
-- looked at overnight kept the whole night's changes for its first reader. Each step folds the
-- joints noted longest ago, at most `most` of them, in its caller's transaction, so the server
-- between steps is free for requests (PGlite has one connection) and no step holds the fold's
-- lock for long. Says how many joints it folded; fewer than `most` means none is left.
create function outcome_sums_catch_up(most int) returns int language plpgsql
  set jit = off as $$
declare
  episodes uuid[];
begin
  if not exists (select 1 from outcome_sums_pending) then return 0; end if;
  perform outcome_sums_lock();
  episodes := array(select p.episode_id from outcome_sums_pending p
                    group by p.episode_id order by min(p.id) limit most);
  if cardinality(episodes) = 0 then return 0; end if;
  -- Taken before the fold reads, as outcome_sums_catch_up() does: a change committed after
  -- this statement notes its joint again and stays for the next step.
  delete from outcome_sums_pending p where p.episode_id = any(episodes);
  perform outcome_sums_refold(episodes);
  return cardinality(episodes);
end $$;
