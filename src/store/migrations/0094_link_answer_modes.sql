-- Each survey link's modes of answer (web by e-mail or text link, phone, paper, tablet), kept on
-- the link (issue 17): the Follow-up page counts answers by mode from the links it already reads
-- instead of joining every answer of the site (870,000 at 100,000 joints: 1.5 s). Kept by the
-- triggers below in the writing transaction; outreach.int.test.ts compares the counts with a
-- join over every answer.
alter table survey_assignments add column answered_modes text[] not null default '{}';
create index responses_assignment_idx on responses (assignment_id) where assignment_id is not null;

create function survey_link_modes_recount(links uuid[]) returns void language plpgsql as $$
begin
  update survey_assignments a
  set answered_modes = coalesce((select array_agg(distinct r.mode order by r.mode) from responses r
                                 where r.assignment_id = a.id), '{}')
  from unnest(links) as u(id)
  where a.id = u.id;
end $$;

-- An answer adds its mode once: the later answers of the same visit change nothing. A patient's
-- own submission sets it with the link's answered time (surveys.repo.ts), so its answers find
-- it there and do not update the link a second time.
create function survey_link_modes_added() returns trigger language plpgsql as $$
begin
  update survey_assignments a
  set answered_modes = array(select distinct m from unnest(a.answered_modes || n.modes) m order by m)
  from (select assignment_id, array_agg(distinct mode) as modes from new_rows
        where assignment_id is not null group by assignment_id) n
  where a.id = n.assignment_id and not a.answered_modes @> n.modes;
  return null;
end $$;
create trigger responses_link_modes_insert after insert on responses
  referencing new table as new_rows for each statement execute function survey_link_modes_added();

create function survey_link_modes_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    perform survey_link_modes_recount(array(select distinct assignment_id from old_rows
                                            where assignment_id is not null));
  else
    perform survey_link_modes_recount(array(
      select assignment_id from old_rows where assignment_id is not null
      union select assignment_id from new_rows where assignment_id is not null));
  end if;
  return null;
end $$;
create trigger responses_link_modes_update after update on responses
  referencing old table as old_rows new table as new_rows
  for each statement execute function survey_link_modes_changed();
create trigger responses_link_modes_delete after delete on responses
  referencing old table as old_rows for each statement execute function survey_link_modes_changed();

update survey_assignments a set answered_modes = m.modes
from (select assignment_id, array_agg(distinct mode order by mode) as modes from responses
      where assignment_id is not null group by assignment_id) m
where a.id = m.assignment_id;

-- Made after the fill above, which would otherwise update it row by row.
-- The last link per joint and time point, with what the counts need, in the order they are
-- picked in: the site's links come from the index alone, without a sort.
create index survey_assignments_latest_idx on survey_assignments
  (site_id, episode_id, timepoint, created_at desc) include (id, completed_at, answered_modes);
