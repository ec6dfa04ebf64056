import { describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { submissionBatcher } from './submission-batch.ts';
import type { TokenSubmission } from './surveys.repo.ts';

/**
 * A database whose submission statements stay open until the test finishes them: records the
 * links of each statement, and answers each submission as stored.
 */
function heldDatabase(kind: Db['kind'] = 'postgres') {
  const statements: { digests: string[]; finish: () => void }[] = [];
  const db: Db = {
    kind,
    async query<Row>(_sql: string, params?: readonly unknown[]): Promise<Row[]> {
      const input = JSON.parse(String(params?.[0])) as { n: number; token_digest: string }[];
      await new Promise<void>((finish) => {
        statements.push({ digests: input.map((i) => i.token_digest), finish });
      });
      return input.map(
        (i) => ({ n: i.n, token_digest: i.token_digest, stored: true, inWindow: true }) as Row,
      );
    },
    exec: async () => {},
    transaction: () => Promise.reject(new Error('no transactions here')),
    close: async () => {},
  };
  return { db, statements };
}

const submission = (tokenDigest: string): TokenSubmission => ({
  tokenDigest,
  submittedAt: new Date('2026-12-07T12:00:00Z'),
  today: '2026-12-07',
  instruments: ['nrs-pain'],
  responses: [],
  mode: 'web-email',
});

/** Lets the batcher's promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the submission batcher', () => {
  // Statements never count as stalled here, however slow the machine running the test.
  const patient = { stalledAfterMs: 3_600_000 };

  it('sends a lone submission at once, and gathers the next ones while it is at the database', async () => {
    const { db, statements } = heldDatabase();
    const batcher = submissionBatcher(db, patient);
    const first = batcher.submit(submission('a'));
    await settle();
    expect(statements.map((s) => s.digests)).toEqual([['a']]);

    const waiting = ['b', 'c', 'd'].map((t) => batcher.submit(submission(t)));
    await settle();
    // Three are too few to be worth a statement beside the first: they wait for it.
    expect(statements).toHaveLength(1);
    statements[0]?.finish();
    expect((await first).stored).toBe(true);
    await settle();
    expect(statements.map((s) => s.digests)).toEqual([['a'], ['b', 'c', 'd']]);
    statements[1]?.finish();
    expect((await Promise.all(waiting)).map((o) => o.stored)).toEqual([true, true, true]);
  });

  it('starts a statement beside the one in flight once four wait, and no third', async () => {
    const { db, statements } = heldDatabase();
    const batcher = submissionBatcher(db, patient);
    const all = [batcher.submit(submission('a'))];
    await settle();
    for (const t of ['b', 'c', 'd', 'e']) all.push(batcher.submit(submission(t)));
    await settle();
    expect(statements.map((s) => s.digests)).toEqual([['a'], ['b', 'c', 'd', 'e']]);

    // Two at the database: more wait, however many gather, until one finishes.
    for (const t of ['f', 'g', 'h', 'i', 'j']) all.push(batcher.submit(submission(t)));
    await settle();
    expect(statements).toHaveLength(2);
    statements[0]?.finish();
    await settle();
    expect(statements[2]?.digests).toEqual(['f', 'g', 'h', 'i', 'j']);
    statements[1]?.finish();
    statements[2]?.finish();
    expect((await Promise.all(all)).every((o) => o.stored)).toBe(true);
  });

  it('lets fewer than four wait for the statement still in flight when another finishes', async () => {
    const { db, statements } = heldDatabase();
    const batcher = submissionBatcher(db, patient);
    const all = ['a', 'b', 'c', 'd', 'e'].map((t) => batcher.submit(submission(t)));
    await settle();
    expect(statements.map((s) => s.digests)).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    all.push(...['f', 'g'].map((t) => batcher.submit(submission(t))));
    statements[0]?.finish();
    await settle();
    expect(statements).toHaveLength(2);
    statements[1]?.finish();
    await settle();
    expect(statements[2]?.digests).toEqual(['f', 'g']);
    statements[2]?.finish();
    expect((await Promise.all(all)).every((o) => o.stored)).toBe(true);
  });

  it('holds a second answer to a link until the statement with the first is done', async () => {
    const { db, statements } = heldDatabase();
    const batcher = submissionBatcher(db, patient);
    const all = [batcher.submit(submission('a'))];
    await settle();
    // Four wait, but one is the link at the database: the three others are too few to go beside.
    all.push(...['a', 'b', 'c', 'd'].map((t) => batcher.submit(submission(t))));
    await settle();
    expect(statements).toHaveLength(1);
    all.push(batcher.submit(submission('e')));
    await settle();
    expect(statements.map((s) => s.digests)).toEqual([['a'], ['b', 'c', 'd', 'e']]);
    statements[1]?.finish();
    await settle();
    expect(statements).toHaveLength(2);
    statements[0]?.finish();
    await settle();
    expect(statements[2]?.digests).toEqual(['a']);
    statements[2]?.finish();
    expect(await Promise.all(all)).toHaveLength(6);
  });

  it.each([
    ['when asked to', 'postgres', { maxInFlight: 1 }],
    ['on PGlite, which runs one at a time anyway', 'pglite', {}],
  ] as const)('keeps one statement at a time %s', async (_, kind, options) => {
    const { db, statements } = heldDatabase(kind);
    const batcher = submissionBatcher(db, { ...patient, ...options });
    const all = ['a', 'b', 'c', 'd', 'e', 'f'].map((t) => batcher.submit(submission(t)));
    await settle();
    expect(statements.map((s) => s.digests)).toEqual([['a']]);
    statements[0]?.finish();
    await settle();
    expect(statements[1]?.digests).toEqual(['b', 'c', 'd', 'e', 'f']);
    statements[1]?.finish();
    expect(await Promise.all(all)).toHaveLength(6);
  });
});
