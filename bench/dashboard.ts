/**
 * Dashboard numbers for the demo registry scaled up, on PGlite and on PostgreSQL.
 * Prints the data size and the time of each view; asserts nothing about time.
 *
 *   npm run bench:dashboard -- [--patients 100000] [--runs 3] [--only pglite|postgres]
 *
 * PostgreSQL: BENCH_DATABASE_URL if set (a database it may fill), otherwise a throwaway
 * cluster started from the Debian binaries, as the integration tests do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { siteSafety } from '../src/app/adverse-events.ts';
import type { AppContext, UserActor } from '../src/app/context.ts';
import { seedDemoRegistry } from '../src/app/demo.ts';
import { followUpOverview } from '../src/app/followup.ts';
import { siteBenchmark, siteDurability, siteOutcomeReport } from '../src/app/report.ts';
import { type Db, openPglite, openPostgres } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { findUserById } from '../src/store/users.repo.ts';
import { withBenchPostgres } from './postgres.ts';

const { values } = parseArgs({
  options: {
    patients: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});
const patients = Number(values.patients);
const runs = Number(values.runs);
const NOW = new Date('2026-11-25T10:00:00Z');

async function bench(name: string, db: Db): Promise<void> {
  await migrate(db);
  let started = performance.now();
  const seeded = await seedDemoRegistry(db, { seed: 1, patients, now: NOW });
  const seedSeconds = (performance.now() - started) / 1000;
  const [size] = await db.query<{ responses: number; scores: number; events: number }>(
    `select (select count(*) from responses)::int as responses,
            (select count(*) from response_scores)::int as scores,
            (select count(*) from patient_events)::int + (select count(*) from adverse_events)::int as events`,
  );
  const [login] = await db.query<{ id: string }>(
    `select id from users where email = 'researcher@harbour.example'`,
  );
  const user = login ? await findUserById(db, login.id) : undefined;
  if (!user) throw new Error('demo researcher missing');
  const actor: UserActor = { kind: 'user', user };
  const ctx: AppContext = { db, now: () => NOW, publicUrl: 'http://bench' };
  const [site] = await db.query<{ n: number }>(
    'select count(*)::int as n from patients where site_id = $1',
    [user.siteId],
  );
  console.log(
    `\n${name}: ${patients} patients (${site?.n} at the benchmarked site), ${size?.responses} responses, ${size?.scores} scores, ${size?.events} events; seeded in ${seedSeconds.toFixed(1)} s (${seeded.patients} patients)`,
  );
  const views: [string, () => Promise<unknown>][] = [
    ['outcomes report (all scales, mixed models)', () => siteOutcomeReport(ctx, actor, {})],
    [
      'outcomes report, knee + BMAC',
      () => siteOutcomeReport(ctx, actor, { joint: 'knee', product: 'BMAC' }),
    ],
    ['site vs network', () => siteBenchmark(ctx, actor, {})],
    ['durability (4 Kaplan–Meier curves)', () => siteDurability(ctx, actor)],
    ['adverse events per product', () => siteSafety(ctx, actor)],
    ['follow-up worklist and flow', () => followUpOverview(ctx, actor, {})],
  ];
  for (const [view, run] of views) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(
      `  ${view.padEnd(44)} median ${(times[Math.floor(times.length / 2)] ?? 0).toFixed(0).padStart(6)} ms  (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`,
    );
  }
}

if (values.only !== 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'stemtrack-bench-'));
  const db = await openPglite(join(dir, 'data'));
  try {
    await bench('PGlite', db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (values.only !== 'pglite') {
  await withBenchPostgres(async (url) => {
    const db = await openPostgres(url);
    try {
      await bench('PostgreSQL', db);
    } finally {
      await db.close();
    }
  });
}
