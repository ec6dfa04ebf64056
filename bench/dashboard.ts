/**
 * Dashboard numbers for the demo registry scaled up, on PGlite and on PostgreSQL.
 * Prints the data size and the time of each view; asserts nothing about time.
 *
 *   npm run bench:dashboard -- [--patients 100000 | --joints 1000000] [--runs 3] [--only pglite|postgres]
 *     [--statistics kept|none|renewed]
 *
 * The demo generator writes one joint per patient, so --joints and --patients are one number.
 * Up to 5,000 patients come from the demo generator; a larger registry copies them in
 * set-based SQL (BMI and cell dose varied per copy; see store/bench-seed.repo.ts). PGlite
 * (one WebAssembly process, its memory capped) is capped at 100,000 joints.
 *
 * --statistics: the seeding analyzes every table (`kept`, the default); `none` then removes the
 * planner statistics, as in an embedded registry that grew without ANALYZE (PGlite has no
 * autovacuum), and analyzes every table after the views are timed, so that a database kept for
 * later runs has statistics again; `renewed` removes them and renews them as the server does on
 * PGlite (`renewPlannerStatistics`).
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
import { siteOutreach } from '../src/app/follow-up/outreach.ts';
import { siteSafety } from '../src/app/registry/adverse-events.ts';
import { outcomeCriteria } from '../src/core/analytics/responders.ts';
import { allInstruments } from '../src/core/instruments/library.ts';
import { catchUpOutcomeSums, syncOutcomeRules } from '../src/store/analytics.repo.ts';
import {
  forgetPlannerStatistics,
  noteJointsForFold,
  replicateRegistry,
  setSixtyMonthScores,
} from '../src/store/bench-seed.repo.ts';
import { type Db, openPglite, openPostgres } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { renewPlannerStatistics } from '../src/store/planner-statistics.repo.ts';
import { findUserById } from '../src/store/users.repo.ts';
import { withBenchPostgres } from './postgres.ts';

const { values } = parseArgs({
  options: {
    patients: { type: 'string' },
    joints: { type: 'string' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    statistics: { type: 'string', default: 'kept' },
  },
});
if (!['kept', 'none', 'renewed'].includes(values.statistics))
  throw new Error(`--statistics is kept, none or renewed, not ${values.statistics}`);
const requested = Number(values.joints ?? values.patients ?? '100000');
/** Patients written by the demo generator; more are copies of these. */
const TEMPLATE = 5_000;
/** What PGlite holds in its memory without failing (one WebAssembly heap). */
const PGLITE_CAP = 100_000;
const runs = Number(values.runs);
const NOW = new Date('2026-11-25T10:00:00Z');

async function bench(name: string, db: Db, patients: number): Promise<void> {
  await migrate(db);
  // The rules the MCID, PASS and responder counts are kept against, before any answer arrives.
  await syncOutcomeRules(db, outcomeCriteria(allInstruments()));
  let started = performance.now();
  // A BENCH_DATABASE_URL database seeded by an earlier run is used as it is.
  const [existing] = await db.query<{ n: number }>('select count(*)::int as n from patients');
  const reused = existing?.n === patients;
  if (!reused && (existing?.n ?? 0) > 0)
    throw new Error(
      `the database holds ${existing?.n} patients, not ${patients}: use an empty one`,
    );
  let copied = '';
  if (!reused) {
    const template = Math.min(patients, TEMPLATE);
    const copies = Math.round(patients / template) - 1;
    await seedDemoRegistry(db, { seed: 1, patients: template, now: NOW });
    if (copies > 0) {
      const generated = (performance.now() - started) / 1000;
      const { triggersOff, copySeconds, rebuilds } = await replicateRegistry(
        db,
        copies,
        (done) => process.stdout.write(`\r${name}: copied ${done} of ${copies}`),
        (rebuild) => process.stdout.write(`\n${name}: ${rebuild}()…`),
      );
      const rebuilt = rebuilds.map((r) => `${r.rebuild}() ${r.seconds.toFixed(0)} s`).join(', ');
      copied = ` (${template} generated in ${generated.toFixed(0)} s, then ${copies} copies in set-based SQL in ${copySeconds.toFixed(0)} s${triggersOff ? `, triggers off, then the sums rebuilt: ${rebuilt}` : ''})`;
    }
  }
  const seedSeconds = (performance.now() - started) / 1000;
  let statistics = '';
  if (values.statistics !== 'kept') {
    await forgetPlannerStatistics(db);
    statistics = '; planner statistics removed';
    if (values.statistics === 'renewed') {
      const renewing = performance.now();
      const tables = await renewPlannerStatistics(db);
      statistics += `, then ${tables.length} tables analyzed as the server does on PGlite in ${((performance.now() - renewing) / 1000).toFixed(1)} s`;
    }
  }
  const [size] = await db.query<{
    patients: number;
    joints: number;
    responses: number;
    scores: number;
    events: number;
    sums: number;
  }>(
    `select (select count(*) from patients)::int as patients,
            (select count(*) from joint_episodes)::int as joints,
            (select count(*) from responses)::int as responses,
            (select count(*) from response_scores)::int as scores,
            (select count(*) from patient_events)::int + (select count(*) from adverse_events)::int as events,
            (select count(*) from outcome_sums)::int + (select count(*) from outcome_cohort_counts)::int as sums`,
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
    `\n${name}: ${size?.patients} patients, ${size?.joints} joints (${site?.n} patients at the benchmarked site), ${size?.responses} responses, ${size?.scores} scores, ${size?.events} events, ${size?.sums} rows of dashboard sums; ${reused ? 'seeded by an earlier run' : `seeded in ${seedSeconds.toFixed(1)} s${copied}`}${statistics}`,
  );
  /** Untimed steps around each run of a view: a change to fold, and taking it back. */
  type Around = { before?: () => Promise<unknown>; after?: () => Promise<unknown> };
  const views: [string, (ctx: AppContext) => Promise<unknown>, Around?][] = [
    ['outcomes report (all scales, mixed models)', (ctx) => siteOutcomeReport(ctx, actor, {})],
    // As after a burst of submissions: each joint's scores move to another visit pattern
    // (untimed), and the timed read adds their changes to the kept sums (migrations 0118, 0119);
    // then they are taken back and folded. The smaller bursts are what a read meets while the
    // background fold keeps pace.
    ...(
      [
        [10, 'the same', {}],
        [100, 'the same', {}],
        [1000, 'the same', {}],
        [1000, 'outcomes report, ages 60–69,', { ageFrom: '60', ageTo: '69' }],
        [
          1000,
          'outcomes report, treated in 2024,',
          { treatedFrom: '2024-01-01', treatedTo: '2024-12-31' },
        ],
      ] as const
    ).map(([changed, view, query]): [string, (ctx: AppContext) => Promise<unknown>, Around] => [
      `${view} after ${changed.toLocaleString('en')} joints changed (their changes added at read)`,
      (ctx) => siteOutcomeReport(ctx, actor, query),
      {
        before: async () => {
          // The demo registry's treatments are under 4 years old: no joint has a 60-month score.
          if ((await setSixtyMonthScores(db, user.siteId, changed, true)) === 0)
            throw new Error('no 60-month score could be given: the joints already have one');
        },
        after: async () => {
          await setSixtyMonthScores(db, user.siteId, changed, false);
          await catchUpOutcomeSums(db);
        },
      },
    ]),
    [
      'the same after 1,000 joints noted, none changed (read with them)',
      (ctx) => siteOutcomeReport(ctx, actor, {}),
      {
        // The changes' fixed share: the joints are compared and nothing moves.
        before: () => noteJointsForFold(db, user.siteId, 1000),
        // Folded after, as the server's background does, so later views find nothing noted.
        after: () => catchUpOutcomeSums(db),
      },
    ],
    [
      'outcomes report, knee + BMAC',
      (ctx) => siteOutcomeReport(ctx, actor, { joint: 'knee', product: 'BMAC' }),
    ],
    [
      'outcomes report, female, KL 3, BMI obese',
      (ctx) => siteOutcomeReport(ctx, actor, { sex: 'female', kl: '3', bmi: 'obese' }),
    ],
    [
      'outcomes report, ages 60–69 (sums kept per set of ages)',
      (ctx) => siteOutcomeReport(ctx, actor, { ageFrom: '60', ageTo: '69' }),
    ],
    [
      'outcomes report, knee, female, ages 60–69 (sums kept per set of ages)',
      (ctx) =>
        siteOutcomeReport(ctx, actor, { joint: 'knee', sex: 'female', ageFrom: '60', ageTo: '69' }),
    ],
    [
      'outcomes report, BMAC, ages 60–69 (sums kept per set of treatment keys and ages)',
      (ctx) => siteOutcomeReport(ctx, actor, { product: 'BMAC', ageFrom: '60', ageTo: '69' }),
    ],
    [
      'outcomes report, treated in 2024 (sums kept per set of half-months)',
      (ctx) =>
        siteOutcomeReport(ctx, actor, { treatedFrom: '2024-01-01', treatedTo: '2024-12-31' }),
    ],
    [
      "outcomes report, treated 15 Mar 2024 – 10 Feb 2025 (whole half-months kept; the ends' rows)",
      (ctx) =>
        siteOutcomeReport(ctx, actor, { treatedFrom: '2024-03-15', treatedTo: '2025-02-10' }),
    ],
    [
      'outcomes report, BMAC, treated in 2024 (sums kept per set of treatment keys and half-months)',
      (ctx) =>
        siteOutcomeReport(ctx, actor, {
          product: 'BMAC',
          treatedFrom: '2024-01-01',
          treatedTo: '2024-12-31',
        }),
    ],
    [
      "outcomes report, BMAC, treated 15 Mar 2024 – 10 Feb 2025 (whole half-months kept; the ends' rows)",
      (ctx) =>
        siteOutcomeReport(ctx, actor, {
          product: 'BMAC',
          treatedFrom: '2024-03-15',
          treatedTo: '2025-02-10',
        }),
    ],
    [
      'outcomes report, BMAC, obese, ages 60–69 (sums kept per set of treatment keys and ages)',
      (ctx) =>
        siteOutcomeReport(ctx, actor, {
          product: 'BMAC',
          bmi: 'obese',
          ageFrom: '60',
          ageTo: '69',
        }),
    ],
    [
      'outcomes report, knee, pre-obese, 18 and over (sums kept per set of treatment keys and ages)',
      (ctx) => siteOutcomeReport(ctx, actor, { joint: 'knee', bmi: 'overweight', ageFrom: '18' }),
    ],
    [
      "outcomes report, BMAC, obese, ages 60–69, treated from 2020 (ages with dates: its joints' folded rows, by key)",
      (ctx) =>
        siteOutcomeReport(ctx, actor, {
          product: 'BMAC',
          bmi: 'obese',
          ageFrom: '60',
          ageTo: '69',
          treatedFrom: '2020-01-01',
        }),
    ],
    ['site vs network', (ctx) => siteBenchmark(ctx, actor, {})],
    [
      'site vs network, knee + BMAC',
      (ctx) => siteBenchmark(ctx, actor, { joint: 'knee', product: 'BMAC' }),
    ],
    ['durability (4 Kaplan–Meier curves)', (ctx) => siteDurability(ctx, actor)],
    [
      'durability, knee + BMAC (the cohort’s follow-up rows)',
      (ctx) => siteDurability(ctx, actor, { joint: 'knee', product: 'BMAC' }),
    ],
    [
      "durability, ages 60–69 (its joints' follow-up rows)",
      (ctx) => siteDurability(ctx, actor, { ageFrom: '60', ageTo: '69' }),
    ],
    ['adverse events per product', (ctx) => siteSafety(ctx, actor)],
    [
      'adverse events, knee + BMAC',
      (ctx) => siteSafety(ctx, actor, { joint: 'knee', product: 'BMAC' }),
    ],
    ['follow-up worklist and flow', (ctx) => followUpOverview(ctx, actor, {})],
    [
      'follow-up worklist, missed at 12 months',
      (ctx) => followUpOverview(ctx, actor, { status: 'missed', timepoint: 'm12' }),
    ],
    [
      'follow-up worklist, completed',
      (ctx) => followUpOverview(ctx, actor, { status: 'completed' }),
    ],
    ['follow-up by channel and mode (outreach)', (ctx) => siteOutreach(ctx, actor, {})],
    [
      'outreach, knee + BMAC (counts kept per cohort key)',
      (ctx) => siteOutreach(ctx, actor, { joint: 'knee', product: 'BMAC' }),
    ],
    [
      'outreach, ages 60–69 (counts kept per set of ages)',
      (ctx) => siteOutreach(ctx, actor, { ageFrom: '60', ageTo: '69' }),
    ],
    [
      'outreach, knee, female, ages 60–69 (counts kept per set of ages)',
      (ctx) =>
        siteOutreach(ctx, actor, { joint: 'knee', sex: 'female', ageFrom: '60', ageTo: '69' }),
    ],
    [
      'outreach, treated in 2024 (counts kept per set of half-months)',
      (ctx) => siteOutreach(ctx, actor, { treatedFrom: '2024-01-01', treatedTo: '2024-12-31' }),
    ],
    [
      "outreach, treated 15 Mar 2024 – 10 Feb 2025 (whole half-months kept; the ends' shares)",
      (ctx) => siteOutreach(ctx, actor, { treatedFrom: '2024-03-15', treatedTo: '2025-02-10' }),
    ],
    [
      'outreach, BMAC, ages 60–69 (counts kept per set of treatment keys and ages)',
      (ctx) => siteOutreach(ctx, actor, { product: 'BMAC', ageFrom: '60', ageTo: '69' }),
    ],
    [
      'outreach, BMAC, treated in 2024 (counts kept per set of treatment keys and half-months)',
      (ctx) =>
        siteOutreach(ctx, actor, {
          product: 'BMAC',
          treatedFrom: '2024-01-01',
          treatedTo: '2024-12-31',
        }),
    ],
    [
      "outreach, BMAC, treated 15 Mar 2024 – 10 Feb 2025 (whole half-months kept; the ends' shares)",
      (ctx) =>
        siteOutreach(ctx, actor, {
          product: 'BMAC',
          treatedFrom: '2024-03-15',
          treatedTo: '2025-02-10',
        }),
    ],
    [
      'outreach, knee, pre-obese, 18 and over (counts kept per set of treatment keys and ages)',
      (ctx) => siteOutreach(ctx, actor, { joint: 'knee', bmi: 'overweight', ageFrom: '18' }),
    ],
    [
      'outreach, BMAC, obese, ages 60–69 (counts kept per set of treatment keys and ages)',
      (ctx) =>
        siteOutreach(ctx, actor, {
          product: 'BMAC',
          bmi: 'obese',
          ageFrom: '60',
          ageTo: '69',
        }),
    ],
    [
      "outreach, BMAC, obese, ages 60–69, treated from 2020 (ages with dates: its joints' kept shares, by key)",
      (ctx) =>
        siteOutreach(ctx, actor, {
          product: 'BMAC',
          bmi: 'obese',
          ageFrom: '60',
          ageTo: '69',
          treatedFrom: '2020-01-01',
        }),
    ],
  ];
  const timed = async (run: () => Promise<unknown>, around: Around = {}) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      await around.before?.();
      try {
        started = performance.now();
        await run();
        times.push(performance.now() - started);
      } finally {
        await around.after?.();
      }
    }
    times.sort((a, b) => a - b);
    const median = (times[Math.floor(times.length / 2)] ?? 0).toFixed(0).padStart(6);
    return `${median} ms (${times.map((t) => t.toFixed(0)).join(', ')})`;
  };
  for (const [view, run, around] of views) {
    const cold = await timed(() => run(ctxWith(new ViewCache())), around);
    const warmCtx = ctxWith(new ViewCache());
    await run(warmCtx);
    // A warm read is served from the cache, so it folds nothing: what is left is folded here.
    const warm = await timed(() => run(warmCtx), around);
    await catchUpOutcomeSums(db);
    console.log(`  ${view.padEnd(50)} cold median ${cold}   warm median ${warm}`);
  }
  // A database kept for later runs (BENCH_DATABASE_URL) is not left without statistics.
  if (values.statistics === 'none') await db.exec('analyze');
}

if (values.only !== 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'stemtrack-bench-'));
  const db = await openPglite(join(dir, 'data'));
  try {
    if (requested > PGLITE_CAP)
      console.log(
        `\nPGlite: capped at ${PGLITE_CAP} joints (asked for ${requested}): one WebAssembly process holds the whole database in its memory`,
      );
    await bench('PGlite', db, Math.min(requested, PGLITE_CAP));
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (values.only !== 'pglite') {
  await withBenchPostgres(async (url) => {
    const db = await openPostgres(url);
    try {
      await bench('PostgreSQL', db, requested);
    } finally {
      await db.close();
    }
  });
}
