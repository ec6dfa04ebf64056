import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoRegistry } from '../app/demo.ts';
import { outcomeCriteria } from '../core/analytics/responders.ts';
import { allInstruments } from '../core/instruments/library.ts';
import { backends } from '../testing/databases.ts';
import { syncOutcomeRules } from './analytics.repo.ts';
import { replicateRegistry } from './bench-seed.repo.ts';
import type { Db } from './db.ts';

describe.each(backends())('the benchmark registry grown by copies, on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await syncOutcomeRules(db, outcomeCriteria(allInstruments()));
    await seedDemoRegistry(db, { seed: 5, patients: 24, now: new Date('2026-11-25T10:00:00Z') });
  });
  afterAll(async () => {
    await db?.close();
  });

  const indexes = async () =>
    (
      await db.query<{ definition: string }>(
        `select indexdef as definition from pg_indexes where schemaname = current_schema()
         order by indexname`,
      )
    ).map((r) => r.definition);
  const counts = async () =>
    (
      await db.query<Record<string, number>>(
        `select (select count(*) from patients)::int as patients,
                (select count(*) from responses)::int as responses,
                (select count(*) from response_scores)::int as scores,
                (select count(*) from outcome_joint_scores)::int as "jointScores"`,
      )
    )[0];
  /** The kept sums as text, in one order. */
  const keptSums = async () =>
    (await db.query<{ row: string }>('select s::text as row from outcome_sums s order by 1')).map(
      (r) => r.row,
    );

  it('copies every record, keeps every index as it was, and rebuilds sums a recount agrees with', async () => {
    const before = await counts();
    const definitions = await indexes();
    const { triggersOff, rebuilds } = await replicateRegistry(db, 2);
    const after = await counts();
    for (const [name, n] of Object.entries(before ?? {})) expect(after?.[name]).toBe(3 * n);
    // Indexes backing no constraint were dropped for the copy and built again after it.
    expect(await indexes()).toEqual(definitions);
    if (triggersOff) {
      expect(rebuilds.map((r) => r.rebuild)).toEqual([
        'outcome_sums_rebuild',
        'episode_follow_up_rebuild',
        'outreach_counts_rebuild',
      ]);
      const rebuilt = await keptSums();
      expect(rebuilt.length).toBeGreaterThan(0);
      await db.query('select outcome_sums_rebuild()');
      expect(await keptSums()).toEqual(rebuilt);
    }
  });
});
