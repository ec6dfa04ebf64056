import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface QueryOptions {
  /**
   * Keep the statement prepared on each PostgreSQL connection under this name, and run it with
   * its generic plan, so a hot statement is sent and planned once per connection rather than on
   * every call. One name, one SQL text. PGlite ignores it.
   */
  prepared?: string;
}

/** What repositories need from a database: parameterised queries and transactions. */
export interface Queryable {
  query<Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]>;
  /** Runs SQL text that may hold several statements and no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Runs `work` in a transaction whose statements give up waiting for a lock after `ms` (SQLSTATE
 * 55P03), for background work that must not wait forever on a lock held elsewhere; work that is
 * merely long is not cut short. PGlite accepts the setting (with one connection, nothing else
 * holds its locks).
 */
export function withLockTimeout<T>(
  db: Db,
  ms: number,
  work: (q: Queryable) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`set local lock_timeout = ${Math.max(1, Math.round(ms))}`);
    return work(tx);
  });
}

// Calendar dates stay 'YYYY-MM-DD' strings: a Date object would shift with the server's zone.
const DATE_OID = 1082;
const keepText = (value: string) => value;

/**
 * Drivers attach the query and its parameters to an error (PGlite: `query`, `params`;
 * PostgreSQL: `detail` echoes the conflicting value). Those are patient data and must not
 * travel into logs with the error; its code and message stay for the caller.
 */
function withoutValues(error: unknown): unknown {
  if (error && typeof error === 'object') {
    for (const key of ['params', 'query', 'queryOptions', 'detail', 'where', 'internalQuery'])
      if (key in error) {
        try {
          delete (error as Record<string, unknown>)[key];
        } catch {
          // a read-only property: nothing to strip
        }
      }
  }
  return error;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one PostgreSQL backend inside this process: a second process opening the same
 * folder would corrupt it. A pid file refuses that; one left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = join(dataDir, 'stemtrack.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
        throw new Error(
          `The database folder ${dataDir} is in use by another StemTrack process (pid ${holder}). Stop it first, or use a PostgreSQL server (DATABASE_URL) to run several processes.`,
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock the database folder ${dataDir}`);
}

export async function openPglite(dataDir?: string): Promise<Db> {
  let unlock = () => {};
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  let lite: PGlite;
  try {
    lite = await PGlite.create(dataDir, { parsers: { [DATE_OID]: keepText } });
  } catch (error) {
    unlock();
    throw error;
  }
  const asQueryable = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      try {
        const result = await q.query<Row>(sql, [...params]);
        return result.rows;
      } catch (error) {
        throw withoutValues(error);
      }
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...asQueryable(lite),
    transaction: (work) => lite.transaction((tx) => work(asQueryable(tx))),
    async close() {
      try {
        await lite.close();
      } finally {
        unlock();
      }
    },
  };
}

// PostgreSQL plans a prepared statement with its values for the first five calls, then keeps a
// generic plan only if it looks no dearer than those; otherwise it plans every call afresh. The
// submission statement went either way with the statistics of the moment, and a call planned
// afresh took about twice as long (issue 17; README, Measured).
const GENERIC_PLAN = "plan_cache_mode = 'force_generic_plan'";

/** Connections kept for prepared statements: the submission batcher's statements at once. */
export const PREPARED_STATEMENT_CONNECTIONS = 8;

export async function openPostgres(connectionString: string): Promise<Db> {
  const newPool = (size: { min?: number; max: number }, settings: string[]) => {
    const pool = new pg.Pool({
      connectionString,
      ...size,
      // The pool awaits these before handing a new connection out, and fails if refused.
      onConnect: async (client) => {
        await client.query(settings.join('; '));
      },
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === DATE_OID
            ? keepText
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection the server drops (a restart, pg_terminate_backend) must not take the
    // whole process down: log it; the pool opens a new connection for the next query.
    pool.on('error', (error) => {
      console.error(`PostgreSQL closed an idle connection: ${error.message}`);
    });
    return pool;
  };
  // No JIT: compiling a cold dashboard statement at 1,000,000 joints took 0.1–0.25 s (once
  // 1.7 s, on a 60 ms outcomes query), more than it saved, and no statement of ours runs long
  // enough to gain (issue 17; README, Measured).
  const pool = newPool({ max: 10 }, ['set jit = off']);
  // Prepared statements run on connections of their own that always take the generic plan, so
  // the setting costs no round trip and touches no other statement (the dashboards' range
  // queries are planned with their values). Opened at the first such statement; as many as the
  // submission batcher may have at the database at once, one of them kept open while idle, so a
  // lone patient's answers find a connection with its plans made.
  let preparedPool: pg.Pool | undefined;
  // Fail now, with the server's message, rather than at the first request.
  const probe = await pool.connect();
  probe.release();
  const rowsOf = async <Row>(
    client: pg.PoolClient | pg.Pool,
    sql: string,
    params: readonly unknown[],
    name: string | undefined,
  ): Promise<Row[]> =>
    (
      await client.query(
        name ? { name, text: sql, values: [...params] } : { text: sql, values: [...params] },
      )
    ).rows as Row[];
  const onClient = (client: pg.PoolClient | pg.Pool, inTransaction: boolean): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) {
      try {
        const name = options?.prepared;
        if (!name) return await rowsOf<Row>(client, sql, params, undefined);
        if (!inTransaction) {
          preparedPool ??= newPool({ min: 1, max: PREPARED_STATEMENT_CONNECTIONS }, [
            'set jit = off',
            `set ${GENERIC_PLAN}`,
          ]);
          return await rowsOf<Row>(preparedPool, sql, params, name);
        }
        // Inside a transaction, for this statement alone.
        await client.query(`set local ${GENERIC_PLAN}`);
        const rows = await rowsOf<Row>(client, sql, params, name);
        await client.query('set local plan_cache_mode to default');
        return rows;
      } catch (error) {
        throw withoutValues(error);
      }
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  });
  return {
    kind: 'postgres',
    ...onClient(pool, false),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(onClient(client, true));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await Promise.all([pool.end(), preparedPool?.end()]);
    },
  };
}

/** PGlite in `dataDir` (or in memory) unless a PostgreSQL URL is given. */
export function openDatabase(options: { databaseUrl?: string; dataDir?: string }): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}
