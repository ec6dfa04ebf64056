-- No planner statistics on the kept sums' and counts' values (issue 17). Reads and folds look
-- these tables up by their keys; the only statements that filter on a value delete emptied rows
-- (`joints = 0`, `links = 0 and completed = 0`) by a scan or by key anyway. Yet analyzing their
-- numeric arrays was most of an analyze's work: outcome_sums at 100,000 joints took 567 ms on
-- PostgreSQL (autovacuum repeats it as folds change the table), 108-115 ms without them; on
-- PGlite, where StemTrack analyzes, every table of a registry of 20,000 patients never analyzed
-- took 8.3 s, 5.0 s without them (bench:dashboard --statistics renewed). Each table's key columns
-- keep their statistics. A kept table added later gets the same in its own migration.
do $$
declare
  col record;
begin
  for col in
    select c.oid::regclass as kept, a.attname as name
    from pg_class c
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
      and (c.relname ~ '^(outcome|outreach|follow_up)_.*(sums|counts)$' or c.relname = 'time_to_event_counts')
      and not exists (select 1 from pg_index i
                      where i.indrelid = c.oid and i.indisprimary and a.attnum = any(i.indkey))
  loop
    execute format('alter table %s alter column %I set statistics 0', col.kept, col.name);
  end loop;
end $$;
