import pg from 'pg';
import startThrowawayPostgres from '../src/testing/postgres-setup.ts';

/**
 * A PostgreSQL server for a benchmark: BENCH_DATABASE_URL if set (a database it may fill),
 * otherwise the integration tests' throwaway cluster. Runs `work` with its URL, or says why
 * PostgreSQL is skipped.
 */
export async function withBenchPostgres(work: (url: string) => Promise<void>): Promise<void> {
  let url = process.env.BENCH_DATABASE_URL ?? '';
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    // The cluster hands its URL over through Vitest's `provide`; here we catch it directly.
    const teardown = await startThrowawayPostgres({
      provide: (_key: string, value: string) => {
        url = value;
      },
    } as unknown as Parameters<typeof startThrowawayPostgres>[0]);
    stop = teardown ?? undefined;
  }
  if (!url) {
    console.log('\nPostgreSQL: skipped (no server binaries and no BENCH_DATABASE_URL)');
    return;
  }
  try {
    await work(url);
  } finally {
    await stop?.();
  }
}

/** Runs `work` on a connection of its own to the database at `url`, closed after it. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * What `read` returns from PostgreSQL's cumulative statistics once every other session of the
 * client's database has ended and two reads 50 ms apart agree: a backend reports its statistics
 * when it exits, so the figures hold still from then on.
 */
export async function settledStatistics<T>(
  client: pg.Client,
  read: () => Promise<T[]>,
): Promise<T[]> {
  for (let tries = 0; tries < 600; tries++) {
    const { rows } = await client.query<{ others: string }>(
      `select count(*) as others from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid()`,
    );
    await client.query('select pg_stat_clear_snapshot()');
    const first = await read();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.query('select pg_stat_clear_snapshot()');
    const second = await read();
    if (Number(rows[0]?.others) === 0 && JSON.stringify(first) === JSON.stringify(second))
      return second;
  }
  throw new Error('The database sessions did not end within 30 s');
}

/** Runs `statements` one after the other on the server's admin database. */
function onAdminDatabase(adminUrl: string, statements: string[]): Promise<void> {
  return withClient(adminUrl, async (admin) => {
    for (const statement of statements) await admin.query(statement);
  });
}

export function dropDatabase(adminUrl: string, name: string): Promise<void> {
  return onAdminDatabase(adminUrl, [`drop database if exists ${name} with (force)`]);
}

/** A fresh, empty database on the server for one run; returns its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  await onAdminDatabase(adminUrl, [
    `drop database if exists ${name} with (force)`,
    `create database ${name}`,
  ]);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
