/**
 * Dashboard numbers for the demo registry scaled up, on PGlite and on PostgreSQL.
 * Prints the data size and the time of each view; asserts nothing about time.
 *
 *   npm run bench:dashboard -- [--patients 100000] [--runs 3] [--only pglite|postgres]
 *
 * With BENCH_DATABASE_URL naming a database an earlier run seeded with the same number of
 * patients, the seeding is skipped, so views can be timed again after a change.
 *
 * PostgreSQL: BENCH_DATABASE_URL if set (a database it may fill), otherwise a throwaway
 * cluster started from the Debian binaries, as the integration tests do.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { siteBenchmark, siteDurability, siteOutcomeReport } from '../src/app/analytics/report.ts';
import { ViewCache } from '../src/app/analytics/view-cache.ts';
import type { AppContext, UserActor } from '../src/app/context.ts';
import { seedDemoRegistry } from '../src/app/demo.ts';
import { followUpOverview } from '../src/app/follow-up/followup.ts';
import { siteSafety } from '../src/app/registry/adverse-events.ts';
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
  // A BENCH_DATABASE_URL database seeded by an earlier run is used as it is.
  const [existing] = await db.query<{ n: number }>('select count(*)::int as n from patients');
  const reused = existing?.n === patients;
  if (!reused && (existing?.n ?? 0) > 0)
    throw new Error(
      `the database holds ${existing?.n} patients, not ${patients}: use an empty one`,
    );
  if (!reused) await seedDemoRegistry(db, { seed: 1, patients, now: NOW });
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
  // Each view is timed cold (a new cache: as after any change to the registry) and warm.
  const ctxWith = (views: ViewCache): AppContext => ({
    db,
    now: () => NOW,
    publicUrl: 'http://bench',
    views,
  });
  const [site] = await db.query<{ n: number }>(
    'select count(*)::int as n from patients where site_id = $1',
    [user.siteId],
  );
  console.log(
    `\n${name}: ${patients} patients (${site?.n} at the benchmarked site), ${size?.responses} responses, ${size?.scores} scores, ${size?.events} events; ${reused ? 'seeded by an earlier run' : `seeded in ${seedSeconds.toFixed(1)} s`}`,
  );
  const views: [string, (ctx: AppContext) => Promise<unknown>][] = [
    ['outcomes report (all scales, mixed models)', (ctx) => siteOutcomeReport(ctx, actor, {})],
    [
      'outcomes report, knee + BMAC',
      (ctx) => siteOutcomeReport(ctx, actor, { joint: 'knee', product: 'BMAC' }),
    ],
    ['site vs network', (ctx) => siteBenchmark(ctx, actor, {})],
    ['durability (4 Kaplan–Meier curves)', (ctx) => siteDurability(ctx, actor)],
    ['adverse events per product', (ctx) => siteSafety(ctx, actor)],
    ['follow-up worklist and flow', (ctx) => followUpOverview(ctx, actor, {})],
  ];
  const timed = async (run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const median = (times[Math.floor(times.length / 2)] ?? 0).toFixed(0).padStart(6);
    return `${median} ms (${times.map((t) => t.toFixed(0)).join(', ')})`;
  };
  for (const [view, run] of views) {
    const cold = await timed(() => run(ctxWith(new ViewCache())));
    const warmCtx = ctxWith(new ViewCache());
    await run(warmCtx);
    const warm = await timed(() => run(warmCtx));
    console.log(`  ${view.padEnd(44)} cold median ${cold}   warm median ${warm}`);
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
