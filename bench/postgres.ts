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
