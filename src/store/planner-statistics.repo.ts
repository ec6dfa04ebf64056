import type { Queryable } from './db.ts';
import { quoteIdent } from './roles.ts';

/**
 * The registry's tables whose planner statistics are missing or stale: never analyzed though
 * they hold pages (a `create index` counts a table's rows but gathers no statistics), or grown
 * by more than a tenth (and a page) since their last analyze.
 * PostgreSQL's autovacuum analyzes a table after 50 changed rows plus a tenth of its rows
 * (`autovacuum_analyze_threshold`, `autovacuum_analyze_scale_factor`; PostgreSQL 15 manual,
 * 25.1.6 "The Autovacuum Daemon"); the embedded PGlite has no autovacuum and does not count
 * changed rows (`pg_stat_user_tables` stays at zero), so growth in pages stands in for them.
 */
export async function tablesDueForAnalyze(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ name: string }>(
    `select c.relname as name
     from pg_class c
     cross join lateral (select pg_relation_size(c.oid) / current_setting('block_size')::int as pages) s
     where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r' and s.pages > 0
       and (c.reltuples < 0 or s.pages > c.relpages + 1 + c.relpages / 10
            or (c.reltuples > 0 and not exists (select 1 from pg_stats t
                                                where t.schemaname = current_schema()
                                                  and t.tablename = c.relname)))
     order by c.relname`,
  );
  return rows.map((r) => r.name);
}

/**
 * Analyzes the tables `tablesDueForAnalyze` names, as autovacuum would, one statement each with
 * `between` awaited between them (PGlite's one connection serves requests meanwhile); returns
 * their names. Each analyze reads a sample of at most 30,000 rows of a table (300 rows per unit
 * of the statistics target, 100 by default: `std_typanalyze` in PostgreSQL's analyze.c), so it
 * stays short however large the registry.
 */
export async function renewPlannerStatistics(
  q: Queryable,
  between: () => Promise<void> = async () => {},
): Promise<string[]> {
  const due = await tablesDueForAnalyze(q);
  for (const [i, table] of due.entries()) {
    if (i > 0) await between();
    await q.exec(`analyze ${quoteIdent(table)}`);
  }
  return due;
}
