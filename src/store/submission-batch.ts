import { type Db, PREPARED_STATEMENT_CONNECTIONS } from './db.ts';
import {
  submitByTokenDigest,
  submitByTokenDigests,
  type TokenSubmission,
  type TokenSubmissionOutcome,
} from './surveys.repo.ts';

/**
 * Group commit for patients' submissions: one arriving while an earlier statement is at the
 * database waits for it, and those that gathered meanwhile go together in one statement, so
 * at a burst they share its round trip, triggers and commit (issue 17's ingest profile), while
 * a lone submission goes at once. Once enough have gathered, they go beside the statement in
 * flight, so the database works on a second core meanwhile. A reply still waits for its own
 * commit: nothing is acknowledged before it is stored. The queue holds only requests in
 * progress, so processes and servers behind a load balancer each keep their own.
 */
export interface SubmissionBatcher {
  submit(item: TokenSubmission): Promise<TokenSubmissionOutcome>;
}

interface Waiting {
  item: TokenSubmission;
  resolve: (outcome: TokenSubmissionOutcome) => void;
  reject: (error: unknown) => void;
}

export function submissionBatcher(
  db: Db,
  options: {
    /** Most submissions in one statement. */
    maxBatch?: number;
    /** Statements at the database at once while they run at their usual pace. */
    maxInFlight?: number;
    /**
     * A statement starts beside one at its usual pace only once this many submissions wait;
     * fewer wait for it and go together, since a statement's fixed cost is most of a small one's.
     */
    gatherBeside?: number;
    /**
     * A statement still at the database after this long is waiting on something (a lock a
     * staff member's long transaction holds): the next batch goes beside it instead of behind.
     */
    stalledAfterMs?: number;
    /**
     * Statements at the database at once, stalled ones included (the connections `db.ts` keeps
     * for prepared statements).
     */
    maxConnections?: number;
  } = {},
): SubmissionBatcher {
  const maxBatch = options.maxBatch ?? 32;
  // Two statements, the second only for 4 or more waiting, against one at a time (bench:load,
  // 1 process, 6 alternating pairs): higher in each, 1,088-1,424/s against 811-1,271/s (issue 17).
  // PGlite runs one statement at a time in this process's thread: a second would only wait.
  const maxInFlight = options.maxInFlight ?? (db.kind === 'pglite' ? 1 : 2);
  const gatherBeside = options.gatherBeside ?? 4;
  const stalledAfterMs = options.stalledAfterMs ?? 50;
  const maxConnections = options.maxConnections ?? PREPARED_STATEMENT_CONNECTIONS;
  let queue: Waiting[] = [];
  let running = 0;
  let stalled = 0;

  /** Links in a statement at the database: a second answer to one waits until it is done. */
  const linksInFlight = new Set<string>();

  /**
   * The next batch, not yet taken: the oldest waiting, each link once and none in flight (a
   * second answer to a link waits, and then finds it answered).
   */
  function nextBatch(): { batch: Waiting[]; rest: Waiting[] } {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    const tokens = new Set<string>();
    for (const w of queue) {
      const token = w.item.tokenDigest;
      if (batch.length < maxBatch && !tokens.has(token) && !linksInFlight.has(token)) {
        tokens.add(token);
        batch.push(w);
      } else rest.push(w);
    }
    return { batch, rest };
  }

  async function storeAlone(w: Waiting): Promise<void> {
    try {
      w.resolve(await submitByTokenDigest(db, w.item));
    } catch (error) {
      w.reject(error);
    }
  }

  async function store(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) return storeAlone(batch[0] as Waiting);
    let outcomes: TokenSubmissionOutcome[];
    try {
      outcomes = await submitByTokenDigests(
        db,
        batch.map((w) => w.item),
      );
    } catch {
      // One bad submission (or a deadlock) fails its whole statement, which wrote nothing: each
      // goes again alone, so only a bad one sees the error.
      await Promise.all(batch.map(storeAlone));
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i];
      if (outcome) w.resolve(outcome);
      else w.reject(new Error('A submission statement returned no outcome'));
    });
  }

  function pump(): void {
    for (;;) {
      const atPace = running - stalled;
      // The counters first: a submission arriving while no statement may start reads no queue.
      if (running >= maxConnections || (atPace > 0 && atPace >= maxInFlight)) return;
      const { batch, rest } = nextBatch();
      if (batch.length === 0 || (atPace > 0 && batch.length < gatherBeside)) return;
      queue = rest;
      const tokens = batch.map((w) => w.item.tokenDigest);
      for (const token of tokens) linksInFlight.add(token);
      running++;
      let isStalled = false;
      const timer = setTimeout(() => {
        isStalled = true;
        stalled++;
        pump();
      }, stalledAfterMs);
      void store(batch).finally(() => {
        clearTimeout(timer);
        for (const token of tokens) linksInFlight.delete(token);
        running--;
        if (isStalled) stalled--;
        pump();
      });
    }
  }

  return {
    submit(item) {
      return new Promise((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
  };
}
