import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../store/db.ts';
import { claimNextJob, completeJob, enqueueJob, getJob, listDeadJobs } from '../store/jobs.repo.ts';
import { backends } from '../testing/databases.ts';
import { seedTwoSites, testClock } from '../testing/http.ts';
import { JobRunner } from './runner.ts';

describe.each(backends())('durable job runner on $name', (backend) => {
  let db: Db;
  let siteId: string;
  let otherSiteId: string;
  let clock: ReturnType<typeof testClock>;

  beforeAll(async () => {
    db = await backend.open();
    const users = await seedTwoSites(db);
    siteId = users.harbourClinician.siteId;
    otherSiteId = users.northClinician.siteId;
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await db.query('delete from jobs');
    clock = testClock('2026-03-02T09:00:00Z');
  });

  it('runs due jobs once, leaves future ones, and ignores a repeated dedupe key', async () => {
    const seen: unknown[] = [];
    const runner = new JobRunner({
      db,
      now: clock.now,
      handlers: { note: async (j) => void seen.push(j.payload) },
    });
    expect(
      await enqueueJob(db, { kind: 'note', payload: { n: 1 }, runAt: clock.now(), dedupeKey: 'a' }),
    ).not.toBeNull();
    expect(
      await enqueueJob(db, { kind: 'note', payload: { n: 1 }, runAt: clock.now(), dedupeKey: 'a' }),
    ).toBeNull();
    await enqueueJob(db, {
      kind: 'note',
      payload: { n: 2 },
      runAt: new Date('2026-03-03T09:00:00Z'),
    });
    expect(await runner.runDue()).toBe(1);
    expect(await runner.runDue()).toBe(0);
    clock.advanceDays(1);
    expect(await runner.runDue()).toBe(1);
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('retries a failing job with backoff, then lists it as dead for its site only', async () => {
    let calls = 0;
    const runner = new JobRunner({
      db,
      now: clock.now,
      handlers: {
        mail: async () => {
          calls++;
          throw new Error('SMTP 421 service not available');
        },
      },
    });
    const id = (await enqueueJob(db, {
      kind: 'mail',
      payload: {},
      runAt: clock.now(),
      maxAttempts: 3,
      siteId,
    })) as number;
    await runner.runDue();
    const afterFirst = await getJob(db, id);
    expect(afterFirst).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'SMTP 421 service not available',
    });
    expect(afterFirst?.runAt.getTime()).toBe(clock.now().getTime() + 60_000);
    expect(await runner.runDue()).toBe(0); // not yet due
    for (let i = 0; i < 5; i++) {
      clock.advanceDays(1);
      await runner.runDue();
    }
    expect(calls).toBe(3);
    expect(await listDeadJobs(db, { siteId })).toEqual([
      expect.objectContaining({ id, status: 'dead', attempts: 3 }),
    ]);
    expect(await listDeadJobs(db, { siteId: otherSiteId })).toEqual([]);
  });

  it('hands a job whose worker died to another worker once the lease runs out', async () => {
    const id = (await enqueueJob(db, { kind: 'note', payload: {}, runAt: clock.now() })) as number;
    const lease = new Date(clock.now().getTime() + 5 * 60_000);
    expect((await claimNextJob(db, 'dead-worker', clock.now(), lease))?.id).toBe(id);
    const ran: number[] = [];
    const survivor = new JobRunner({
      db,
      now: clock.now,
      handlers: { note: async (j) => void ran.push(j.id) },
    });
    expect(await survivor.runDue()).toBe(0); // still leased
    clock.advanceDays(1);
    expect(await survivor.runDue()).toBe(1);
    expect(ran).toEqual([id]);
    expect(await completeJob(db, id, 'dead-worker', clock.now())).toBe(false); // too late to count
    expect(await getJob(db, id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('never runs a job twice when two workers poll at once', async () => {
    for (let i = 0; i < 40; i++)
      await enqueueJob(db, { kind: 'note', payload: { i }, runAt: clock.now() });
    const ran: number[] = [];
    const handler = async (j: { id: number }) => {
      ran.push(j.id);
      await new Promise((r) => setTimeout(r, 1));
    };
    const a = new JobRunner({ db, now: clock.now, handlers: { note: handler }, worker: 'a' });
    const b = new JobRunner({ db, now: clock.now, handlers: { note: handler }, worker: 'b' });
    const [na, nb] = await Promise.all([a.runDue(), b.runDue()]);
    expect(na + nb).toBe(40);
    expect(new Set(ran).size).toBe(40);
    expect(ran).toHaveLength(40);
  });

  it('keeps a long job (the daily round) its own: another process polling past the first lease does not run it again', async () => {
    // Real time here: the lease is renewed by a timer while the job runs.
    const leaseMs = 600;
    const id = (await enqueueJob(db, {
      kind: 'round',
      payload: {},
      runAt: new Date(Date.now() - 1000),
    })) as number;
    const started: string[] = [];
    let otherPolls = 0;
    const other = new JobRunner({
      db,
      now: () => new Date(),
      leaseMs,
      worker: 'other',
      handlers: { round: async () => void started.push('other') },
    });
    const long = new JobRunner({
      db,
      now: () => new Date(),
      leaseMs,
      worker: 'long',
      handlers: {
        // Runs until the other process has polled for more than two of its leases' lengths.
        round: async () => {
          started.push('long');
          const from = Date.now();
          while (Date.now() - from < leaseMs * 2.5 || otherPolls < 3) {
            otherPolls++;
            expect(await other.runDue()).toBe(0);
            await new Promise((r) => setImmediate(r));
          }
        },
      },
    });
    expect(await long.runDue()).toBe(1);
    expect(started).toEqual(['long']);
    expect(await getJob(db, id)).toMatchObject({ status: 'done', attempts: 1 });
  });
});
