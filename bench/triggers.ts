/**
 * What the database's PL/pgSQL functions (the kept sums' triggers and what they call) cost a
 * survey submission statement (`submitByTokenDigests`): each function's calls and milliseconds
 * per statement, by itself and with what it calls, from PostgreSQL's function statistics
 * (`track_functions = 'pl'`, set for the benchmark's own database only). Shows which trigger to
 * look at first; `npm run bench:batch` gives the statement's whole time. Prints numbers; asserts
 * nothing.
 *
 *   npm run bench:triggers -- [--size 1] [--statements 400]   (submissions a statement)
 */
import { parseArgs } from 'node:util';
import { keepDashboardSumsCurrent } from '../src/app/analytics/report.ts';
import { openPostgres } from '../src/store/db.ts';
import { prepareSurveyLinks } from '../src/testing/survey-links.ts';
import { freshDatabase, settledStatistics, withBenchPostgres, withClient } from './postgres.ts';
import { submissionsTo, submitStatements } from './submissions.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1' },
    statements: { type: 'string', default: '400' },
  },
});
const size = Number(values.size);
const statements = Number(values.statements);
const warmUp = 50;

interface FunctionTime {
  calls: number;
  totalMs: number;
  selfMs: number;
}

await withBenchPostgres(async (adminUrl) => {
  const url = await freshDatabase(adminUrl, 'stemtrack_triggers');
  await withClient(url, async (observer) => {
    // Needs a superuser, as BENCH_DATABASE_URL's benchmarks do; new sessions take it.
    await observer.query("alter database stemtrack_triggers set track_functions = 'pl'");
    /** The functions' times once every other session of the database has ended. */
    const settledTimes = async (): Promise<Map<string, FunctionTime>> => {
      const rows = await settledStatistics(
        observer,
        async () =>
          (
            await observer.query<{ name: string; calls: string; total: number; self: number }>(
              `select funcname as name, calls, total_time as total, self_time as self
               from pg_stat_user_functions`,
            )
          ).rows,
      );
      return new Map(
        rows.map((r) => [r.name, { calls: Number(r.calls), totalMs: r.total, selfMs: r.self }]),
      );
    };

    let db = await openPostgres(url);
    const tokens = await prepareSurveyLinks(db, (warmUp + statements) * size);
    await keepDashboardSumsCurrent(db);
    const item = submissionsTo(tokens);
    // Untimed, so the connections that are timed find the tables' pages in memory.
    await submitStatements(db, item, size, warmUp);
    await db.close();
    const before = await settledTimes();
    db = await openPostgres(url);
    const started = performance.now();
    await submitStatements(db, item, size, statements);
    const wallMs = (performance.now() - started) / statements;
    await db.close();
    const after = await settledTimes();

    const rows = [...after].flatMap(([name, t]) => {
      const b = before.get(name) ?? { calls: 0, totalMs: 0, selfMs: 0 };
      const calls = t.calls - b.calls;
      return calls > 0
        ? [
            {
              name,
              calls: calls / statements,
              totalMs: (t.totalMs - b.totalMs) / statements,
              selfMs: (t.selfMs - b.selfMs) / statements,
            },
          ]
        : [];
    });
    rows.sort((a, b) => b.selfMs - a.selfMs);
    console.log(
      `PostgreSQL, ${size} submission${size === 1 ? '' : 's'} a statement, ${statements} statements one at a time (on fresh connections, after ${warmUp} untimed): ${wallMs.toFixed(2)} ms per statement; the PL/pgSQL functions by themselves ${rows.reduce((ms, r) => ms + r.selfMs, 0).toFixed(3)} ms of it`,
    );
    console.log('  function: calls, ms by itself, ms with what it calls (per statement)');
    for (const r of rows)
      console.log(
        `  ${r.name}: ${r.calls.toFixed(2)}, ${r.selfMs.toFixed(3)}, ${r.totalMs.toFixed(3)}`,
      );
  });
});
