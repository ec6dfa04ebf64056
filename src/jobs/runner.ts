import { randomBytes } from 'node:crypto';
import { retryDelayMs } from '../core/jobs/retry.ts';
import type { Db } from '../store/db.ts';
import {
  claimNextJob,
  completeJob,
  deferJob,
  extendJobLease,
  failJob,
  type Job,
} from '../store/jobs.repo.ts';

/**
 * A handler finishes, throws to be retried, or resolves with `{ deferUntil }` to run later
 * (quiet hours) without using an attempt; anything else it resolves with means done.
 */
export type JobHandler = (job: Job) => Promise<unknown>;

function deferral(outcome: unknown): Date | undefined {
  if (typeof outcome !== 'object' || outcome === null || !('deferUntil' in outcome))
    return undefined;
  return outcome.deferUntil instanceof Date ? outcome.deferUntil : undefined;
}

export interface JobRunnerOptions {
  db: Db;
  handlers: Record<string, JobHandler>;
  now: () => Date;
  /** How long a claimed job is ours; after that another worker may take it over. */
  leaseMs?: number;
  worker?: string;
}

/**
 * Runs due jobs from the `jobs` table. Delivery is at least once: a worker that dies after
 * sending but before recording it lets the lease run out, and the job runs again.
 */
export class JobRunner {
  readonly worker: string;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: JobRunnerOptions) {
    this.worker = options.worker ?? `worker-${randomBytes(4).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
  }

  /** Runs every job due now, one at a time; returns how many ran (done, retried or dead). */
  async runDue(limit = 1000): Promise<number> {
    let ran = 0;
    while (ran < limit) {
      const now = this.options.now();
      const job = await claimNextJob(
        this.options.db,
        this.worker,
        now,
        new Date(now.getTime() + this.leaseMs),
      );
      if (!job) break;
      ran++;
      const handler = this.options.handlers[job.kind];
      // A long job (the daily round over a large registry) renews its lease while it runs, so
      // no other process takes it over while this one is alive: one runner per job.
      const renew = setInterval(() => {
        const until = new Date(this.options.now().getTime() + this.leaseMs);
        extendJobLease(this.options.db, job.id, this.worker, until).catch(() => undefined);
      }, this.leaseMs / 3);
      renew.unref();
      try {
        if (!handler) throw new Error(`No handler for job kind '${job.kind}'`);
        const later = deferral(await handler(job));
        clearInterval(renew);
        if (later) await deferJob(this.options.db, job.id, this.worker, later);
        else await completeJob(this.options.db, job.id, this.worker, this.options.now());
      } catch (error) {
        clearInterval(renew);
        const at = this.options.now();
        await failJob(
          this.options.db,
          job.id,
          this.worker,
          error instanceof Error ? error.message : String(error),
          new Date(at.getTime() + retryDelayMs(job.attempts)),
          at,
        );
      }
    }
    return ran;
  }

  /** Polls every `intervalMs` until stopped; a poll never overlaps the previous one. */
  start(intervalMs = 30_000): void {
    const tick = () => {
      this.running ??= this.runDue()
        .catch((error) => {
          console.error(`job runner: ${error instanceof Error ? error.message : String(error)}`);
          return 0;
        })
        .finally(() => {
          this.running = undefined;
        });
    };
    this.timer = setInterval(tick, intervalMs);
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
