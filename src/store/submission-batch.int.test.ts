import { describe, expect, it } from 'vitest';
import { verifyAuditChains } from '../app/access/audit.ts';
import { digestToken } from '../app/follow-up/tokens.ts';
import { backends } from '../testing/databases.ts';
import { Client, testApp } from '../testing/http.ts';
import { KNEE_BASELINE_ANSWERS, prepareSurveyLinks } from '../testing/survey-links.ts';
import type { Db, QueryOptions } from './db.ts';
import { submissionBatcher } from './submission-batch.ts';

/** The submission statements a database was sent: how many links each carried. */
function watched(db: Db, refuse?: (digests: string[]) => boolean) {
  const statements: number[] = [];
  const wrapped: Db = Object.assign(Object.create(db) as Db, {
    query<Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) {
      if (options?.prepared === 'submit-by-tokens') {
        const digests = (params?.[1] ?? []) as string[];
        statements.push(digests.length);
        if (refuse?.(digests)) return Promise.reject(new Error('refused by the test'));
      }
      return db.query<Row>(sql, params, options);
    },
  });
  return { db: wrapped, statements };
}

async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql, params);
  return Number(row?.n);
}

describe.each(backends())('submissions gathered into one statement on $name', (backend) => {
  async function clinic(links: number, refuse?: (digests: string[]) => boolean) {
    const db = await backend.open();
    const tokens = await prepareSurveyLinks(db, links);
    const seen = watched(db, refuse);
    const { app, ctx } = testApp(seen.db);
    ctx.submissions = submissionBatcher(seen.db);
    const submit = (token: string) =>
      new Client(app).call('POST', `/api/survey/${token}/submit`, {
        answers: KNEE_BASELINE_ANSWERS,
      });
    return { db, tokens, statements: seen.statements, submit };
  }

  it('stores a burst once each, in fewer statements, with every derived row and the audit chain', async () => {
    const { db, tokens, statements, submit } = await clinic(24);
    try {
      const replies = await Promise.all(tokens.map(submit));
      expect(replies.map((r) => r.status)).toEqual(tokens.map(() => 201));
      // Each reply is its own: the thank-you page's line holds this joint's scores.
      for (const reply of replies)
        expect(reply.body.trajectory.length, JSON.stringify(reply.body)).toBeGreaterThan(0);
      expect(statements.reduce((a, b) => a + b, 0)).toBe(24);
      expect(Math.max(...statements)).toBeGreaterThan(1);
      expect(statements.length).toBeLessThan(24);
      expect(
        await count(
          db,
          'select count(*) as n from survey_assignments where completed_at is not null',
        ),
      ).toBe(24);
      expect(await count(db, 'select count(*) as n from responses')).toBe(48);
      expect(await count(db, 'select count(*) as n from response_scores')).toBe(24 * 6);
      expect(await count(db, 'select count(*) as n from outcome_joint_scores')).toBe(24 * 6);
      expect(await count(db, "select count(*) as n from audit_log where action = 'submit'")).toBe(
        24,
      );
      const chains = await verifyAuditChains(db);
      expect(chains.problems).toEqual([]);
      expect(chains.ok).toBe(true);
    } finally {
      await db.close();
    }
  });

  it("keeps each score's site and patient those of its response (migration 0111)", async () => {
    const { db, tokens, submit } = await clinic(2);
    try {
      await Promise.all(tokens.map(submit));
      const [a, b] = await db.query<{ id: string; siteId: string; patientId: string }>(
        'select distinct on (patient_id) id, site_id as "siteId", patient_id as "patientId" from responses order by patient_id, id',
      );
      if (!a || !b || a.patientId === b.patientId) throw new Error('two patients answer');
      // A score filed under another patient than its response's is refused.
      await expect(
        db.query(
          `insert into response_scores (response_id, site_id, patient_id, instrument_id, scale, value)
           values ($1, $2, $3, 'nrs-pain', 'test', 1)`,
          [a.id, a.siteId, b.patientId],
        ),
      ).rejects.toMatchObject({ code: '23503' });
      // Deleting a response deletes its scores.
      await db.query('delete from responses where site_id = $1 and id = $2', [a.siteId, a.id]);
      expect(
        await count(
          db,
          'select count(*) as n from response_scores where site_id = $1 and response_id = $2',
          [a.siteId, a.id],
        ),
      ).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('stores a link answered twice in one burst once, and says the second answer came too late (410)', async () => {
    const { db, tokens, submit } = await clinic(6);
    try {
      // The first goes alone; the two answers to `twice` then arrive together.
      const [first, twice, ...rest] = tokens as [string, string, ...string[]];
      const replies = await Promise.all([first, twice, twice, ...rest].map(submit));
      const statuses = replies.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(6);
      expect(statuses.filter((s) => s === 410)).toHaveLength(1);
      expect(
        await count(
          db,
          'select count(*) as n from responses r join survey_assignments a on a.id = r.assignment_id and a.site_id = r.site_id where a.token_digest = $1',
          [digestToken(twice)],
        ),
      ).toBe(2);
    } finally {
      await db.close();
    }
  });

  it('stores the others when one submission of a statement fails, and fails only that one', async () => {
    let bad = '';
    const { db, tokens, statements, submit } = await clinic(8, (digests) => digests.includes(bad));
    try {
      bad = digestToken(tokens[5] as string);
      const replies = await Promise.all(tokens.map(submit));
      expect(replies.map((r) => r.status)).toEqual(tokens.map((_, i) => (i === 5 ? 500 : 201)));
      // The failed statement of several went again one by one.
      expect(statements.some((n) => n > 1)).toBe(true);
      expect(await count(db, 'select count(*) as n from responses')).toBe(14);
      expect(
        await count(
          db,
          'select count(*) as n from survey_assignments where token_digest = $1 and completed_at is null',
          [bad],
        ),
      ).toBe(1);
    } finally {
      await db.close();
    }
  });
});
