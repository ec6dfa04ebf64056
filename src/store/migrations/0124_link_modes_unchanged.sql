-- Both ways a survey is stored (`submitByTokenDigests`, `recordSubmission`) set their link's
-- answer modes in the statement that inserts its responses, so 0094's update after it found
-- nothing to change, yet cost 0.55 ms a statement of 8 submissions (`npm run bench:triggers`)
-- and fired the links' update triggers again. It now looks first, and updates only when a
-- link's modes miss a new response's: 0.045 ms (issue 17's ingest profile).
create or replace function survey_link_modes_added() returns trigger language plpgsql as $$
begin
  if not exists (select from new_rows n join survey_assignments a on a.id = n.assignment_id
                 where not a.answered_modes @> array[n.mode]) then
    return null;
  end if;
  update survey_assignments a
  set answered_modes = array(select distinct m from unnest(a.answered_modes || n.modes) m order by m)
  from (select assignment_id, array_agg(distinct mode) as modes from new_rows
        where assignment_id is not null group by assignment_id) n
  where a.id = n.assignment_id and not a.answered_modes @> n.modes;
  return null;
end $$;
