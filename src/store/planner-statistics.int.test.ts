import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../testing/databases.ts';
import type { Db } from './db.ts';
import { renewPlannerStatistics, tablesDueForAnalyze } from './planner-statistics.repo.ts';

describe.each(backends())('planner statistics renewed as autovacuum would, on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  const analyzedRows = async (table: string) => {
    const [row] = await db.query<{ rows: number }>(
      'select reltuples::float8 as rows from pg_class where oid = $1::regclass',
      [table],
    );
    return row?.rows;
  };

  it('analyzes a table never analyzed, then again only once it has grown by a tenth', async () => {
    // Autovacuum off for this table, so that on PostgreSQL only this test analyzes it.
    await db.exec(
      `create table clinic_visits (id int primary key, kind text not null)
         with (autovacuum_enabled = false);
       insert into clinic_visits select g, 'visit ' || g from generate_series(1, 4000) g;`,
    );
    expect(await analyzedRows('clinic_visits')).toBe(-1);
    expect(await tablesDueForAnalyze(db)).toContain('clinic_visits');
    // An index built on it, as a migration's would be: on PostgreSQL that counts the table's
    // rows (so it looks analyzed) but gathers no statistics. Still due.
    await db.exec('create index clinic_visits_kind_idx on clinic_visits (kind)');
    expect([-1, 4000]).toContain(await analyzedRows('clinic_visits'));
    expect(await tablesDueForAnalyze(db)).toContain('clinic_visits');
    let pauses = 0;
    const renewed = await renewPlannerStatistics(db, async () => {
      pauses++;
    });
    expect(renewed).toContain('clinic_visits');
    // One table a statement, with a pause between (for PGlite's requests).
    expect(pauses).toBe(renewed.length - 1);
    const [spread] = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_stats where tablename = 'clinic_visits'`,
    );
    expect(spread?.n).toBe(2);
    expect(await tablesDueForAnalyze(db)).toEqual([]);
    // A few rows more: not yet (autovacuum waits for 50 rows and a tenth of the table).
    await db.exec(`insert into clinic_visits select g, 'visit' from generate_series(4001, 4010) g`);
    expect(await tablesDueForAnalyze(db)).toEqual([]);
    // Half as many again: due, and analyzed.
    await db.exec(
      `insert into clinic_visits select g, 'visit ' || g from generate_series(4011, 6000) g`,
    );
    expect(await tablesDueForAnalyze(db)).toEqual(['clinic_visits']);
    expect(await renewPlannerStatistics(db)).toEqual(['clinic_visits']);
    expect(await analyzedRows('clinic_visits')).toBe(6000);
    expect(await renewPlannerStatistics(db)).toEqual([]);
  });
});

describe.each(backends())('the kept sums and counts analyzed on $name', (backend) => {
  it('gather statistics on their keys only, which the reads and folds look up by', async () => {
    const db = await backend.open();
    try {
      await db.exec(
        `insert into outreach_counts (site_id, section, timepoint, label, step, links, completed)
         values (gen_random_uuid(), 'channel', 'm3', 'email', 1, 4, 3)`,
      );
      expect(await renewPlannerStatistics(db)).toContain('outreach_counts');
      const analyzed = await db.query<{ name: string }>(
        `select attname as name from pg_stats where tablename = 'outreach_counts' order by attname`,
      );
      expect(analyzed.map((c) => c.name)).toEqual([
        'label',
        'section',
        'site_id',
        'step',
        'timepoint',
      ]);
      // Every kept table's values, and none of its keys, go without statistics (0128).
      const [kept] = await db.query<{ values: number; keys: number }>(
        `select count(*) filter (where a.attstattarget = 0 and not k.key)::int as values,
                count(*) filter (where a.attstattarget = 0 and k.key)::int as keys
         from pg_class c
         join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         cross join lateral (select exists (select 1 from pg_index i where i.indrelid = c.oid
                               and i.indisprimary and a.attnum = any(i.indkey)) as key) k
         where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
           and c.relname in ('outcome_sums', 'outcome_cohort_counts', 'outreach_counts')`,
      );
      expect(kept).toEqual({ values: 8 + 5 + 2, keys: 0 });
    } finally {
      await db.close();
    }
  });
});
