import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

export interface Job {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  dedupeKey: string | null;
  runAt: Date;
  status: 'pending' | 'running' | 'done' | 'dead';
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  siteId: string | null;
}

const COLUMNS = `id::int as id, kind, payload, dedupe_key as "dedupeKey", run_at as "runAt", status, attempts,
  max_attempts as "maxAttempts", last_error as "lastError", site_id as "siteId"`;

/** Adds a job; with a dedupe key already used, does nothing and returns null. */
export async function enqueueJob(
  q: Queryable,
  job: {
    kind: string;
    payload: Record<string, unknown>;
    runAt: Date;
    dedupeKey?: string;
    maxAttempts?: number;
    siteId?: string;
  },
): Promise<number | null> {
  const rows = await q.query<{ id: number }>(
    `insert into jobs (kind, payload, run_at, dedupe_key, max_attempts, site_id)
     values ($1, $2::jsonb, $3, $4, $5, $6)
     on conflict (dedupe_key) do nothing
     returning id::int as id`,
    [
      job.kind,
      JSON.stringify(job.payload),
      job.runAt,
      job.dedupeKey ?? null,
      job.maxAttempts ?? 8,
      job.siteId ?? null,
    ],
  );
  return rows[0]?.id ?? null;
}

/**
 * Claims the next due job for `worker` until `leaseUntil`: a pending job whose time has come,
 * or a running one whose lease ran out (its worker died). Skips rows another worker holds.
 */
export async function claimNextJob(
  q: Queryable,
  worker: string,
  now: Date,
  leaseUntil: Date,
): Promise<Job | null> {
  const rows = await q.query<Job>(
    `update jobs set status = 'running', locked_by = $1, locked_until = $3, attempts = attempts + 1
     where id = (
       select id from jobs
       where (status = 'pending' and run_at <= $2) or (status = 'running' and locked_until < $2)
       order by run_at, id
       limit 1
       for update skip locked)
     returning ${COLUMNS}`,
    [worker, now, leaseUntil],
  );
  return rows[0] ?? null;
}

/**
 * Keeps a running job ours for longer, while its worker is still at it; false when the lease
 * was lost (another worker took the job over after it ran out).
 */
export async function extendJobLease(
  q: Queryable,
  id: number,
  worker: string,
  leaseUntil: Date,
): Promise<boolean> {
  const rows = await q.query(
    `update jobs set locked_until = $3 where id = $1 and locked_by = $2 and status = 'running'
     returning id`,
    [id, worker, leaseUntil],
  );
  return rows.length === 1;
}

export async function completeJob(
  q: Queryable,
  id: number,
  worker: string,
  now: Date,
): Promise<boolean> {
  const rows = await q.query(
    `update jobs set status = 'done', finished_at = $3, locked_by = null, locked_until = null, last_error = null
     where id = $1 and locked_by = $2 and status = 'running' returning id`,
    [id, worker, now],
  );
  return rows.length === 1;
}

/** Puts a claimed job back to run at `runAt`, giving back the attempt its claim counted. */
export async function deferJob(
  q: Queryable,
  id: number,
  worker: string,
  runAt: Date,
): Promise<boolean> {
  const rows = await q.query(
    `update jobs set status = 'pending', run_at = $3, attempts = greatest(attempts - 1, 0),
       locked_by = null, locked_until = null
     where id = $1 and locked_by = $2 and status = 'running' returning id`,
    [id, worker, runAt],
  );
  return rows.length === 1;
}

/** Records a failure: retried at `retryAt`, or dead once its attempts are used up. */
export async function failJob(
  q: Queryable,
  id: number,
  worker: string,
  error: string,
  retryAt: Date,
  now: Date,
): Promise<'retry' | 'dead' | 'lost'> {
  const rows = await q.query<{ status: 'pending' | 'dead' }>(
    `update jobs set
       status = case when attempts >= max_attempts then 'dead' else 'pending' end,
       run_at = case when attempts >= max_attempts then run_at else $4 end,
       finished_at = case when attempts >= max_attempts then $5::timestamptz else null end,
       last_error = $3, locked_by = null, locked_until = null
     where id = $1 and locked_by = $2 and status = 'running'
     returning status`,
    [id, worker, error.slice(0, 2000), retryAt, now],
  );
  const status = rows[0]?.status;
  return status === 'pending' ? 'retry' : status === 'dead' ? 'dead' : 'lost';
}

/** The dead-letter list a clinic sees: jobs that failed every attempt, for its site. */
export function listDeadJobs(q: Queryable, scope: SiteScope): Promise<Job[]> {
  return q.query<Job>(
    `select ${COLUMNS} from jobs where site_id = $1 and status = 'dead' order by finished_at desc`,
    [scope.siteId],
  );
}

export function getJob(q: Queryable, id: number): Promise<Job | undefined> {
  return q.query<Job>(`select ${COLUMNS} from jobs where id = $1`, [id]).then((r) => r[0]);
}
