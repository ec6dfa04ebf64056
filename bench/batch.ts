/**
 * The survey submission statement alone (`submitByTokenDigests`), without HTTP: milliseconds per
 * statement and per submission for batches of 1 to 16 submissions, on PostgreSQL. What a
 * statement costs whatever its size, against what each submission adds, tells how much the
 * gathering of submissions (`submission-batch.ts`) saves, and what splitting them over more
 * processes or statements in flight costs. Wall time, and the CPU the database's backends used
 * (read from /proc when the server runs on this machine). Prints numbers; asserts nothing.
 *
 *   npm run bench:batch -- [--submissions 400]   (per batch size, after one untimed round)
 */
import { parseArgs } from 'node:util';
import { keepDashboardSumsCurrent } from '../src/app/analytics/report.ts';
import { openPostgres } from '../src/store/db.ts';
import { prepareSurveyLinks } from '../src/testing/survey-links.ts';
import { treeCpuMs } from './cpu.ts';
import { freshDatabase, withBenchPostgres } from './postgres.ts';
import { submissionsTo, submitStatements } from './submissions.ts';

const { values } = parseArgs({ options: { submissions: { type: 'string', default: '400' } } });
const perSize = Number(values.submissions);
const sizes = [1, 2, 4, 8, 16];

await withBenchPostgres(async (adminUrl) => {
  const db = await openPostgres(await freshDatabase(adminUrl, 'stemtrack_batch'));
  try {
    // Each round takes at most a batch more than `perSize` links per size.
    const tokens = await prepareSurveyLinks(db, 2 * sizes.reduce((n, b) => n + perSize + b, 0));
    await keepDashboardSumsCurrent(db);
    const item = submissionsTo(tokens);
    // The first round warms the server's caches and V8 up; the second is printed.
    for (const round of ['warm-up', 'timed']) {
      for (const size of sizes) {
        const statements = Math.ceil(perSize / size);
        // The pool's backends of this database, on this machine: their CPU is the database's.
        const backends = (
          await db.query<{ pid: number }>(
            'select pid from pg_stat_activity where datname = current_database()',
          )
        ).map((r) => r.pid);
        const cpuBefore = backends.reduce((ms, pid) => ms + treeCpuMs(pid), 0);
        const started = performance.now();
        await submitStatements(db, item, size, statements);
        const ms = performance.now() - started;
        const cpu = backends.reduce((sum, pid) => sum + treeCpuMs(pid), 0) - cpuBefore;
        if (round === 'timed')
          console.log(
            `PostgreSQL, ${size} submission${size === 1 ? '' : 's'} a statement: ${(ms / statements).toFixed(2)} ms per statement, ${(ms / (statements * size)).toFixed(2)} ms per submission; the database's CPU ${(cpu / statements).toFixed(2)} ms per statement, ${(cpu / (statements * size)).toFixed(2)} ms per submission (${statements} statements, one at a time)`,
          );
      }
    }
  } finally {
    await db.close();
  }
});
