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

/** Runs `statements` one after the other on the server's admin database. */
async function onAdminDatabase(adminUrl: string, statements: string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const statement of statements) await admin.query(statement);
  } finally {
    await admin.end();
  }
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
