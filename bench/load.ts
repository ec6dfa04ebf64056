/**
 * Survey submissions over HTTP on loopback against `stemtrack start` (PGlite and PostgreSQL):
 * throughput and p50/p99 latency with autocannon, beside PostgreSQL's raw single-row insert
 * rate on the same machine (pgbench), and their ratio; for each, the CPU per submission (or
 * insert) of every party, the load generator's included, and how many cores were busy. Prints
 * numbers; asserts nothing.
 *
 * On PostgreSQL it runs with one process and with `--workers N` (default: the cores), each
 * `--runs` times, with pgbench right after each run (the machine's speed drifts between minutes,
 * so a ratio compares neighbours), and prints each run's ratio and their median.
 * The server's background fold is off during a run; the fold of the run's joints into the
 * dashboard sums is timed after it, and the rate of writing and folding one after the other.
 *
 * On PostgreSQL it also counts what a submission writes, table by table (rows, heap-only updates,
 * index entries) and the write-ahead log per submission: unlike the rate, the counts are the same
 * from run to run, so a change to the writing path shows in them.
 *
 * Each run first sends `--warmup` submissions to links of their own, untimed, so the figures are
 * those of a server that has been answering for a while (V8 has compiled its hot code, every
 * process has its connections), not of its first second.
 *
 *   npm run bench:load -- [--submissions 2000] [--warmup 1000] [--connections 10] [--runs 1]
 *                         [--only pglite|postgres] [--workers N] [--cpu-prof DIR]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { foldNotedChanges, keepDashboardSumsCurrent } from '../src/app/analytics/report.ts';
import { median } from '../src/core/stats/meta.ts';
import { type Db, openPglite, openPostgres } from '../src/store/db.ts';
import { spawnStemTrack, stopStemTrack } from '../src/testing/server-process.ts';
import { KNEE_BASELINE_ANSWERS, prepareSurveyLinks } from '../src/testing/survey-links.ts';
import { coresBusy, machineCpuMs, procStat, treeCpuMs } from './cpu.ts';
import {
  dropDatabase,
  freshDatabase,
  settledStatistics,
  withBenchPostgres,
  withClient,
} from './postgres.ts';

const { values } = parseArgs({
  options: {
    submissions: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '10' },
    only: { type: 'string' },
    workers: { type: 'string', default: String(availableParallelism()) },
    runs: { type: 'string', default: '1' },
    /** Folder for the server's V8 CPU profile (node --cpu-prof), written when it stops. */
    'cpu-prof': { type: 'string' },
  },
});
const submissions = Number(values.submissions);
const warmup = Number(values.warmup);
const workers = Number(values.workers);
const connections = Number(values.connections);
const runs = Number(values.runs);
const body = JSON.stringify({ answers: KNEE_BASELINE_ANSWERS });

/** Rows a table has had inserted, updated and updated heap-only, and how many indexes it has. */
type TableWrites = { inserted: number; updated: number; heapOnly: number; indexes: number };

/**
 * Every table's write counts in the database at `url`, once its other sessions have ended (a
 * backend publishes its counts as it exits): read before the server starts and after it stops.
 */
async function tableWrites(url: string): Promise<Map<string, TableWrites>> {
  return withClient(url, async (client) => {
    const rows = await settledStatistics(
      client,
      async () =>
        (
          await client.query<{ table: string } & Record<keyof TableWrites, string>>(
            `select relname as table, n_tup_ins as inserted, n_tup_upd as updated,
                    n_tup_hot_upd as "heapOnly",
                    (select count(*) from pg_index where indrelid = relid) as indexes
               from pg_stat_user_tables order by relname`,
          )
        ).rows,
    );
    return new Map(
      rows.map((row) => [
        row.table,
        {
          inserted: Number(row.inserted),
          updated: Number(row.updated),
          heapOnly: Number(row.heapOnly),
          indexes: Number(row.indexes),
        },
      ]),
    );
  });
}

/**
 * What each submission wrote, table by table, from the counts before and after: rows, and index
 * entries (an insert or an update that is not heap-only writes one in every index). Unlike the
 * rate, these do not move with the machine's speed, so a change to the writing path shows here.
 */
function printWritesPerSubmission(
  before: Map<string, TableWrites>,
  after: Map<string, TableWrites>,
  count: number,
): void {
  const per = (n: number) => n / count;
  const lines: [number, string][] = [];
  let rows = 0;
  let entries = 0;
  for (const [table, now] of after) {
    const was = before.get(table) ?? { inserted: 0, updated: 0, heapOnly: 0, indexes: 0 };
    const inserted = now.inserted - was.inserted;
    const updated = now.updated - was.updated;
    const heapOnly = now.heapOnly - was.heapOnly;
    if (inserted + updated === 0) continue;
    const tableEntries = (inserted + updated - heapOnly) * now.indexes;
    rows += inserted + updated;
    entries += tableEntries;
    lines.push([
      tableEntries,
      `    ${table}: ${per(inserted).toFixed(2)} inserted, ${per(updated).toFixed(2)} updated (${updated > 0 ? ((100 * heapOnly) / updated).toFixed(0) : '-'} % heap-only), ${now.indexes} index${now.indexes === 1 ? '' : 'es'}: ${per(tableEntries).toFixed(2)} index entries`,
    ]);
  }
  console.log(
    `  written per submission (warm-up and runs, ${count} submissions, from pg_stat_user_tables): ${per(rows).toFixed(2)} rows, ${per(entries).toFixed(2)} index entries`,
  );
  for (const [, line] of lines.sort((a, b) => b[0] - a[0])) console.log(line);
}

/** PostgreSQL's write-ahead log position, to measure the log a run writes. */
function walPosition(url: string): Promise<bigint> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ lsn: string }>(
      `select (pg_current_wal_insert_lsn() - '0/0')::text as lsn`,
    );
    return BigInt((rows[0]?.lsn ?? '0').split('.')[0] ?? '0');
  });
}

/** PostgreSQL's postmaster, found through a backend of ours (its parent). */
function postmasterOf(url: string): Promise<number | undefined> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const backend = rows[0]?.pid;
    return backend ? procStat(backend)?.ppid : undefined;
  });
}

/**
 * Runs the server `runs` times over fresh links; after each run, pgbench on `pgbenchUrl` (the
 * same server) when given. Returns each run's ratio to pgbench.
 */
async function load(
  name: string,
  open: () => Promise<Db>,
  env: Record<string, string>,
  processes = 1,
  pgbenchUrl?: string,
): Promise<number[]> {
  const prepared = await open();
  const links = await prepareSurveyLinks(prepared, warmup + runs * submissions);
  // The links' new joints are folded now, or the server's start would fold them during the run.
  await keepDashboardSumsCurrent(prepared);
  await prepared.close(); // the server process opens the database itself
  // PGlite's runs pass an empty URL.
  const databaseUrl = env.DATABASE_URL || undefined;
  const writesBefore = databaseUrl ? await tableWrites(databaseUrl) : undefined;
  const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  // No background fold during the run: the rate is the writing path's, and the fold that keeps
  // the dashboard sums current is timed on its own afterwards.
  const server = await spawnStemTrack(
    { ...env, FOLD_SECONDS: '3600' },
    ['--no-demo', '--workers', String(processes)],
    profile,
  );
  const postmaster = databaseUrl ? await postmasterOf(databaseUrl) : undefined;
  const cpu = () => ({
    server: treeCpuMs(server.child.pid ?? 0),
    database: postmaster ? treeCpuMs(postmaster) : 0,
  });
  /** Sends one submission to each of `tokens`, `connections` at a time; times to the last reply. */
  async function submitAll(
    tokens: string[],
  ): Promise<{ result: autocannon.Result; seconds: number }> {
    let next = 0;
    const started = performance.now();
    let lastResponse = started;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: server.url,
          connections,
          amount: tokens.length,
          requests: [
            {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
              setupRequest: (request) => ({
                ...request,
                path: `/api/survey/${tokens[next++ % tokens.length]}/submit`,
              }),
            },
          ],
        },
        (error, done) => (error ? reject(error) : resolve(done)),
      );
      // autocannon settles on its next one-second sampling tick after the last reply, so
      // the run is timed from the start to the last reply instead.
      instance.on('response', () => {
        lastResponse = performance.now();
      });
    });
    return { result, seconds: (lastResponse - started) / 1000 };
  }
  try {
    if (warmup > 0) {
      const { result } = await submitAll(links.slice(0, warmup));
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`The warm-up failed: non-2xx ${result.non2xx}, errors ${result.errors}`);
    }
    const ratios: number[] = [];
    let written = 0;
    let writtenSeconds = 0;
    for (let run = 0; run < runs; run++) {
      // Read outside the CPU window, so its connections count in no one's CPU per submission.
      const walBefore = databaseUrl ? await walPosition(databaseUrl) : undefined;
      const cpuBefore = cpu();
      const machineBefore = machineCpuMs();
      const clientBefore = process.cpuUsage();
      const start = warmup + run * submissions;
      const { result, seconds } = await submitAll(links.slice(start, start + submissions));
      const perSecond = result.requests.total / seconds;
      written += result.requests.total;
      writtenSeconds += seconds;
      const client = process.cpuUsage(clientBefore);
      const machine = coresBusy(machineBefore, machineCpuMs(), availableParallelism());
      const cpuAfter = cpu();
      const walBytes =
        databaseUrl && walBefore !== undefined
          ? Number((await walPosition(databaseUrl)) - walBefore)
          : undefined;
      const per = (ms: number) => (ms / Math.max(1, result.requests.total)).toFixed(2);
      console.log(
        `${name}, ${processes} process${processes === 1 ? '' : 'es'}${runs > 1 ? `, run ${run + 1} of ${runs}` : ''}: ${result.requests.total} submissions (NRS + KOOS, ${connections} connections, after ${warmup} untimed) in ${seconds.toFixed(2)} s: ${perSecond.toFixed(0)}/s; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; non-2xx ${result.non2xx}, errors ${result.errors}`,
      );
      // CPU per submission does not depend on what else the machine runs, unlike the rate. The
      // load generator shares the cores, so its own CPU and the machine's busy cores are shown.
      console.log(
        `  CPU per submission: StemTrack ${per(cpuAfter.server - cpuBefore.server)} ms${postmaster ? `, PostgreSQL ${per(cpuAfter.database - cpuBefore.database)} ms` : ''}, the load generator (autocannon, this process) ${per((client.user + client.system) / 1000)} ms; cores busy during the run: ${machine.toFixed(2)} of ${availableParallelism()}${walBytes === undefined ? '' : `; write-ahead log ${(walBytes / Math.max(1, result.requests.total) / 1024).toFixed(2)} KiB per submission (the whole server's, autovacuum and checkpoints' full pages included)`}`,
      );
      const inserts = pgbenchUrl ? rawInsertRate(pgbenchUrl) : undefined;
      if (inserts) {
        ratios.push(perSecond / inserts);
        console.log(
          `  pgbench on the same server right after: ${inserts.toFixed(0)} single-row inserts/s (${connections} connections); submissions/s ÷ raw inserts/s = ${(perSecond / inserts).toFixed(3)} (each submission writes 2 responses, 6 scores, the link and 1 audit row, in one statement shared with those arriving at once)`,
        );
      }
    }
    await stopStemTrack(server);
    if (writesBefore && databaseUrl)
      printWritesPerSubmission(
        writesBefore,
        await tableWrites(databaseUrl),
        warmup + runs * submissions,
      );
    const folding = await open();
    try {
      const databaseBefore = postmaster ? treeCpuMs(postmaster) : 0;
      const foldStarted = performance.now();
      // The server's steps (about 0.1 s each), without its pauses for requests.
      const folded = await foldNotedChanges(folding, { first: 20, targetMs: 100 });
      const foldSeconds = (performance.now() - foldStarted) / 1000;
      const foldedPerSecond = folded / foldSeconds;
      const both = 1 / (1 / (written / writtenSeconds) + 1 / foldedPerSecond);
      console.log(
        `  then folding the ${folded} noted joints of the run${runs > 1 ? 's' : ''} and ${runs > 1 ? 'their' : 'its'} warm-up into the dashboard sums, as the server does in the background (steps of about 0.1 s): ${foldSeconds.toFixed(2)} s, ${foldedPerSecond.toFixed(0)} joints/s${postmaster ? `, PostgreSQL ${((treeCpuMs(postmaster) - databaseBefore) / Math.max(1, folded)).toFixed(2)} ms per joint` : ''}; written and folded one after the other: ${both.toFixed(0)} submissions/s`,
      );
      return ratios;
    } finally {
      await folding.close();
    }
  } finally {
    // Stopped above unless the run failed; stopping twice is harmless.
    await stopStemTrack(server);
  }
}

function pgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return version ? join(root, version, 'bin') : undefined;
}

/** pgbench: single-row inserts (one transaction each) on the same server and connections. */
function rawInsertRate(url: string): number | undefined {
  const bin = pgBin();
  if (!bin) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'stemtrack-pgbench-'));
  const script = join(dir, 'insert.sql');
  writeFileSync(script, 'insert into bench_inserts (value) values (random());\n');
  execFileSync(join(bin, 'psql'), [
    url,
    '-qc',
    // Emptied each time, so every run's pgbench inserts into the same small table.
    'create table if not exists bench_inserts (id bigint generated always as identity primary key, value float8); truncate bench_inserts',
  ]);
  const machineBefore = machineCpuMs();
  const clientBefore = procStat(process.pid)?.reaped ?? 0;
  const out = execFileSync(
    join(bin, 'pgbench'),
    ['-n', '-c', String(connections), '-j', '2', '-T', '10', '-f', script, url],
    { encoding: 'utf8' },
  );
  const client = (procStat(process.pid)?.reaped ?? 0) - clientBefore;
  const machine = coresBusy(machineBefore, machineCpuMs(), availableParallelism());
  rmSync(dir, { recursive: true, force: true });
  const tps = /tps = ([0-9.]+)/.exec(out)?.[1];
  const transactions = /number of transactions actually processed: (\d+)/.exec(out)?.[1];
  if (transactions)
    console.log(
      `pgbench: cores busy ${machine.toFixed(2)} of ${availableParallelism()}; its own CPU ${(client / Number(transactions)).toFixed(3)} ms per insert`,
    );
  return tps ? Number(tps) : undefined;
}

if (values.only !== 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'stemtrack-load-'));
  const dataDir = join(dir, 'data');
  try {
    await load('PGlite', () => openPglite(dataDir), { DATA_DIR: dataDir, DATABASE_URL: '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (values.only !== 'pglite') {
  await withBenchPostgres(async (adminUrl) => {
    const medians: [number, number][] = [];
    for (const processes of [...new Set([1, workers])]) {
      const url = await freshDatabase(adminUrl, `stemtrack_load_${processes}`);
      const ratios = await load(
        'PostgreSQL',
        () => openPostgres(url),
        { DATABASE_URL: url },
        processes,
        adminUrl,
      );
      // No ratio without pgbench.
      if (ratios.length > 0) medians.push([processes, median(ratios)]);
      // Its dead rows would otherwise be vacuumed during the next run, on that run's CPU.
      await dropDatabase(adminUrl, `stemtrack_load_${processes}`);
    }
    for (const [processes, ratio] of medians)
      console.log(
        `StemTrack with ${processes} process${processes === 1 ? '' : 'es'}: submissions/s ÷ pgbench's raw inserts/s = ${ratio.toFixed(3)}${runs > 1 ? ` (median of ${runs} runs)` : ''}`,
      );
  });
}
