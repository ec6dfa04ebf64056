import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LOGINS, seedDemoRegistry } from '../app/demo.ts';
import { instrumentById } from '../core/instruments/library.ts';
import { scoreResponse } from '../core/instruments/scoring.ts';
import { backends } from '../testing/databases.ts';
import type { Db } from './db.ts';
import { listMigrations, migrate } from './migrate.ts';

describe.each(backends())('store on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db.close();
  });

  it('applies migrations once; a second run applies none', async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: number }>(
      'select version from schema_migrations order by version',
    );
    expect(rows.map((r) => r.version)).toEqual(listMigrations().map((m) => m.version));
    expect(rows.map((r) => r.version)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 30, 50, 65, 75, 80, 81, 85,
      90, 91, 94, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115,
      116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134,
    ]);
  });

  it('returns calendar dates as YYYY-MM-DD text and counts as numbers on both drivers', async () => {
    const [row] = await db.query<{ d: unknown; n: unknown; f: unknown }>(
      "select '2026-01-31'::date as d, count(*)::int as n, 0.1::float8 as f from sites",
    );
    expect(row).toEqual({ d: '2026-01-31', n: 0, f: 0.1 });
  });

  it('keeps working when the server drops its idle connections (PostgreSQL)', async () => {
    if (db.kind !== 'postgres') return; // one embedded connection: nothing to drop
    // Open several pooled connections, leave them idle, and have the server end them.
    await Promise.all(Array.from({ length: 4 }, () => db.query('select pg_sleep(0.05)')));
    const admin = await backend.open();
    try {
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid()`,
        [(await db.query<{ name: string }>('select current_database() as name'))[0]?.name],
      );
    } finally {
      await admin.close();
    }
    await new Promise((r) => setTimeout(r, 100));
    const [row] = await db.query<{ one: number }>('select 1 as one');
    expect(row?.one).toBe(1);
  });

  it('compiles no statement with JIT on any pooled PostgreSQL connection', async () => {
    if (db.kind !== 'postgres') return; // PGlite has no JIT
    // Several connections at once, so the pool opens new ones; and one inside a transaction.
    const settings = await Promise.all(
      Array.from({ length: 4 }, () =>
        db.query<{ jit: string }>("select current_setting('jit') as jit, pg_sleep(0.02)"),
      ),
    );
    const inTransaction = await db.transaction((tx) =>
      tx.query<{ jit: string }>("select current_setting('jit') as jit"),
    );
    expect([...settings.flat(), ...inTransaction].map((r) => r.jit)).toEqual(Array(5).fill('off'));
  });

  it('plans a prepared statement once per connection, and leaves every other statement as it was', async () => {
    if (db.kind !== 'postgres') return; // PGlite ignores `prepared`
    const sql =
      "select current_setting('plan_cache_mode') as mode, current_setting('jit') as jit, $1::int as n";
    const mode = "select current_setting('plan_cache_mode') as mode";
    const onPool = await db.query<{ mode: string; jit: string }>(sql, [1], {
      prepared: 'plan-cache-mode',
    });
    const afterOnPool = await Promise.all(
      Array.from({ length: 3 }, () => db.query<{ mode: string }>(`${mode}, pg_sleep(0.02)`)),
    );
    const inTransaction = await db.transaction(async (tx) => {
      const runs: { mode: string }[] = [];
      // More than the five custom plans PostgreSQL tries before it weighs the generic one.
      for (let n = 0; n < 7; n++)
        runs.push(...(await tx.query<{ mode: string }>(sql, [n], { prepared: 'plan-cache-mode' })));
      const [after] = await tx.query<{ mode: string }>(mode);
      const [plans] = await tx.query<{ generic_plans: string; custom_plans: string }>(
        "select generic_plans, custom_plans from pg_prepared_statements where name = 'plan-cache-mode'",
      );
      return { runs, after, plans };
    });
    expect([...onPool, ...inTransaction.runs].map((r) => r.mode)).toEqual(
      Array(8).fill('force_generic_plan'),
    );
    expect([...afterOnPool.flat(), inTransaction.after].map((r) => r?.mode)).toEqual(
      Array(4).fill('auto'),
    );
    expect(inTransaction.plans).toEqual({ generic_plans: '7', custom_plans: '0' });
    expect(onPool[0]?.jit).toBe('off');
  });

  it('rolls a failed transaction back whole', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("insert into sites (name) values ('Rollback clinic')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query("select 1 from sites where name = 'Rollback clinic'")).toEqual([]);
  });

  it('seeds the demo registry with stored scores equal to the scoring engine’s', async () => {
    const now = new Date('2026-11-01T12:00:00Z');
    const summary = await seedDemoRegistry(db, { seed: 7, patients: 120, now });
    expect(summary.patients).toBe(120);
    const [counts] = await db.query<{
      patients: number;
      users: number;
      responses: number;
      scores: number;
    }>(
      `select (select count(*)::int from patients) as patients, (select count(*)::int from users) as users,
              (select count(*)::int from responses) as responses, (select count(*)::int from response_scores) as scores`,
    );
    expect(counts).toMatchObject({
      patients: 120,
      users: DEMO_LOGINS.length,
      responses: summary.responses,
    });
    const sample = await db.query<{
      instrumentId: string;
      answers: Record<string, number>;
      scores: Record<string, number | null>;
    }>(
      `select r.instrument_id as "instrumentId", r.answers,
              (select jsonb_object_agg(s.scale, s.value) from response_scores s where s.response_id = r.id) as scores
       from responses r order by r.id limit 50`,
    );
    for (const r of sample) {
      expect(r.scores).toEqual(scoreResponse(instrumentById(r.instrumentId), r.answers));
    }
    // No follow-up lies after "now", and every site has patients.
    const [late] = await db.query<{ n: number }>(
      'select count(*)::int as n from responses where submitted_at > $1',
      [now],
    );
    expect(late?.n).toBe(0);
    const perSite = await db.query<{ n: number }>(
      'select count(*)::int as n from patients group by site_id',
    );
    expect(perSite).toHaveLength(2);
  });
});
