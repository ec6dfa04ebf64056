import { describe, expect, it } from 'vitest';
import { verifyAuditChains } from '../app/access/audit.ts';
import { createUser } from '../app/access/auth.ts';
import { ViewCache } from '../app/analytics/view-cache.ts';
import type { AppContext } from '../app/context.ts';
import { submitSurvey } from '../app/follow-up/surveys.ts';
import { digestToken } from '../app/follow-up/tokens.ts';
import { backends } from '../testing/databases.ts';
import { Client, enrolTreatedPatient, PASSWORD, testApp, tokenOf } from '../testing/http.ts';
import { KNEE_BASELINE_ANSWERS, prepareSurveyLinks } from '../testing/survey-links.ts';
import type { Db, QueryOptions } from './db.ts';
import { submitByTokenDigest } from './surveys.repo.ts';

/**
 * The database as the batcher sees it, with the links of each submission statement recorded;
 * `spoil` may make a statement's input fail in the database (a real SQL error).
 */
function watched(db: Db, spoil?: { digest: string }) {
  const statements: string[][] = [];
  const wrapped: Db = Object.assign(Object.create(db) as Db, {
    query<Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) {
      if (options?.prepared === 'submit-by-tokens' && params) {
        statements.push([...(params[1] as string[])]);
        if (spoil) {
          const input = JSON.parse(params[0] as string) as { token_digest: string }[];
          const bad = input.map((i) =>
            i.token_digest === spoil.digest ? { ...i, today: 'not a date' } : i,
          );
          return db.query<Row>(sql, [JSON.stringify(bad), params[1]], options);
        }
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

/** Answers whose pain NRS is `pain`, so each submission's can be told apart. */
const answersWithPain = (pain: number) => ({ ...KNEE_BASELINE_ANSWERS, 'nrs-pain': { NRS: pain } });

describe.each(backends())('submissions gathered into one statement on $name', (backend) => {
  async function clinic(links: number, spoil?: { digest: string }) {
    const db = await backend.open();
    const tokens = await prepareSurveyLinks(db, links);
    const seen = watched(db, spoil);
    // testApp gathers submissions, as the server does, over the watched database.
    const { app } = testApp(seen.db);
    const submit = (token: string, pain = 6) =>
      new Client(app).call('POST', `/api/survey/${token}/submit`, {
        answers: answersWithPain(pain),
      });
    return { db, app, tokens, statements: seen.statements, submit };
  }

  /** The pain NRS stored for the link with `token`. */
  async function storedPain(db: Db, token: string): Promise<number | undefined> {
    const [row] = await db.query<{ pain: number }>(
      `select (r.answers->>'NRS')::int as pain from responses r
       join survey_assignments a on a.site_id = r.site_id and a.id = r.assignment_id
       where a.token_digest = $1 and r.instrument_id = 'nrs-pain'`,
      [digestToken(token)],
    );
    return row?.pain;
  }

  it('stores a burst of two sites once each, in fewer statements, each answer under its own link', async () => {
    const { db, app, tokens, statements, submit } = await clinic(12);
    try {
      // A second site with its own links, and three Harbour joints answered once already,
      // now asked again at six weeks: their replies must carry that earlier answer.
      await createUser(db, 'Cove', {
        email: 'clin@cove.test',
        name: 'Cove clinician',
        role: 'clinician',
        password: PASSWORD,
      });
      const cove = new Client(app);
      await cove.signIn('clin@cove.test');
      const coveTokens: string[] = [];
      for (let i = 0; i < 8; i++) {
        const { episodeId } = await enrolTreatedPatient(cove);
        const issued = await cove.call('POST', `/api/episodes/${episodeId}/surveys`, {
          timepoint: 'baseline',
          confirmOutsideWindow: true,
        });
        coveTokens.push(tokenOf(issued.body.url));
      }
      const harbour = new Client(app);
      await harbour.signIn('clin@harbour.test');
      const again = tokens.slice(0, 3);
      const sixWeeks: string[] = [];
      for (const [i, token] of again.entries()) {
        expect((await submit(token, i + 1)).status).toBe(201);
        const [link] = await db.query<{ episodeId: string }>(
          'select episode_id as "episodeId" from survey_assignments where token_digest = $1',
          [digestToken(token)],
        );
        const issued = await harbour.call('POST', `/api/episodes/${link?.episodeId}/surveys`, {
          timepoint: 'w6',
          confirmOutsideWindow: true,
        });
        expect(issued.status, JSON.stringify(issued.body)).toBe(201);
        sixWeeks.push(tokenOf(issued.body.url));
      }
      statements.length = 0;

      // Sites interleaved, each submission with its own pain score.
      const burst = [...tokens.slice(3), ...sixWeeks, ...coveTokens]
        .map((token, i) => ({ token, pain: i % 11, order: (i * 7) % 20 }))
        .sort((a, b) => a.order - b.order);
      const replies = await Promise.all(burst.map((b) => submit(b.token, b.pain)));
      expect(replies.map((r) => r.status)).toEqual(burst.map(() => 201));
      expect(statements.flat().sort()).toEqual(burst.map((b) => digestToken(b.token)).sort());
      expect(Math.max(...statements.map((s) => s.length))).toBeGreaterThan(1);

      for (const [i, b] of burst.entries()) {
        expect(await storedPain(db, b.token), `link ${i}`).toBe(b.pain);
        const pain = replies[i]?.body.trajectory.find(
          (t: { instrumentId: string }) => t.instrumentId === 'nrs-pain',
        );
        const earlier = sixWeeks.indexOf(b.token);
        if (earlier >= 0) {
          // The earlier baseline came from the database (history), the new point from the reply.
          expect(pain.baseline, `link ${i}`).toBe(earlier + 1);
          expect(pain.points.map((p: { timepoint: string }) => p.timepoint)).toEqual([
            'baseline',
            'w6',
          ]);
          expect(pain.points[1].value).toBe(b.pain);
        } else expect(pain.baseline, `link ${i}`).toBe(b.pain);
      }

      // Each statement's audit rows take their sites' chain heads in site order.
      for (const digests of statements.filter((s) => s.length > 1)) {
        const rows = await db.query<{ siteId: string }>(
          `select l.site_id as "siteId" from audit_log l
           join survey_assignments a on a.site_id = l.site_id and a.id::text = l.entity_id
           where l.action = 'submit' and a.token_digest = any($1::text[]) order by l.id`,
          [digests],
        );
        const sites = rows.map((r) => r.siteId);
        expect(sites).toEqual([...sites].sort());
      }
      const total = 12 + 3 + 8;
      expect(
        await count(
          db,
          'select count(*) as n from survey_assignments where completed_at is not null',
        ),
      ).toBe(total);
      expect(await count(db, 'select count(*) as n from responses')).toBe(total * 2);
      expect(await count(db, 'select count(*) as n from response_scores')).toBe(total * 6);
      expect(await count(db, "select count(*) as n from audit_log where action = 'submit'")).toBe(
        total,
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
      await Promise.all(tokens.map((t) => submit(t)));
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

  it("takes a joint's kept score rows with its patient, by the answers' triggers alone (migration 0126)", async () => {
    const { db, tokens, submit } = await clinic(2);
    try {
      await Promise.all(tokens.map((t) => submit(t)));
      const joints = await db.query<{ siteId: string; patientId: string; episodeId: string }>(
        `select distinct site_id as "siteId", patient_id as "patientId", episode_id as "episodeId"
         from responses order by episode_id`,
      );
      const [erased, kept] = joints;
      if (!erased || !kept || joints.length !== 2) throw new Error('two joints answered');
      const keptRows = (episodeId: string) =>
        count(db, 'select count(*) as n from outcome_joint_scores where episode_id = $1', [
          episodeId,
        ]);
      expect(await keptRows(erased.episodeId)).toBeGreaterThan(0);
      const before = await keptRows(kept.episodeId);
      // As an erasure deletes a patient (corrections.repo.ts).
      await db.query('delete from patients where site_id = $1 and id = $2', [
        erased.siteId,
        erased.patientId,
      ]);
      expect(await keptRows(erased.episodeId)).toBe(0);
      expect(await keptRows(kept.episodeId)).toBe(before);
    } finally {
      await db.close();
    }
  });

  it("completes a link with a heap-only update, no new entry in the links' indexes (migration 0131)", async () => {
    const db = await backend.open();
    try {
      const [token] = await prepareSurveyLinks(db, 1);
      if (!token) throw new Error('a link was issued');
      const counted = await db.transaction(async (q) => {
        // The app's own path, stored in this transaction so its statistics can be read in it.
        const ctx: AppContext = {
          db,
          now: () => new Date(),
          publicUrl: 'http://test',
          views: new ViewCache(),
          submissions: { submit: (item) => submitByTokenDigest(q, item) },
        };
        await submitSurvey(ctx, token, { answers: KNEE_BASELINE_ANSWERS });
        const [row] = await q.query<{ updated: number; hot: number }>(
          `select pg_stat_get_xact_tuples_updated('survey_assignments'::regclass)::int as updated,
                  pg_stat_get_xact_tuples_hot_updated('survey_assignments'::regclass)::int as hot`,
        );
        return row;
      });
      expect(counted).toEqual({ updated: 1, hot: 1 });
      expect(
        await count(
          db,
          'select count(*) as n from survey_assignments where completed_at is not null',
        ),
      ).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('stores a link answered twice in one burst once, and says the second answer came too late (410)', async () => {
    const { db, tokens, submit } = await clinic(6);
    try {
      // The first goes alone; the two answers to `twice` then arrive together.
      const [first, twice, ...rest] = tokens as [string, string, ...string[]];
      const replies = await Promise.all([first, twice, twice, ...rest].map((t) => submit(t)));
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

  it('stores the others when the database refuses one submission of a statement, and fails only that one', async () => {
    const spoil = { digest: '' };
    const { db, tokens, statements, submit } = await clinic(8, spoil);
    try {
      spoil.digest = digestToken(tokens[5] as string);
      const replies = await Promise.all(tokens.map((t) => submit(t)));
      expect(replies.map((r) => r.status)).toEqual(tokens.map((_, i) => (i === 5 ? 500 : 201)));
      // The refused statement of several went again one by one.
      expect(statements.some((s) => s.length > 1 && s.includes(spoil.digest))).toBe(true);
      expect(await count(db, 'select count(*) as n from responses')).toBe(14);
      expect(
        await count(
          db,
          'select count(*) as n from survey_assignments where token_digest = $1 and completed_at is null',
          [spoil.digest],
        ),
      ).toBe(1);
    } finally {
      await db.close();
    }
  });
});

/** Only PostgreSQL has a second connection to hold a lock while the server goes on. */
describe.each(backends().filter((b) => b.name === 'postgres'))(
  'a submission waiting on a lock on $name',
  (backend) => {
    it('does not hold up the submissions that arrive behind it', async () => {
      const db = await backend.open();
      try {
        const tokens = await prepareSurveyLinks(db, 4);
        const [held, ...others] = tokens as [string, ...string[]];
        const { app } = testApp(db);
        const submit = (token: string) =>
          new Client(app).call('POST', `/api/survey/${token}/submit`, {
            answers: KNEE_BASELINE_ANSWERS,
          });
        // A staff member's long transaction holds the first link's row.
        let release = () => {};
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        let locked = () => {};
        const isLocked = new Promise<void>((resolve) => {
          locked = resolve;
        });
        const holder = db.transaction(async (tx) => {
          await tx.query('select 1 from survey_assignments where token_digest = $1 for update', [
            digestToken(held),
          ]);
          locked();
          await released;
        });
        await isLocked;
        const waiting = submit(held);
        // The others arrive once the first is waiting on the lock.
        for (;;) {
          const [row] = await db.query<{ n: number }>(
            "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
          );
          if ((row?.n ?? 0) > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        let heldDone = false;
        void waiting.then(() => {
          heldDone = true;
        });
        // A deadline only to fail clearly (before, they waited until the lock went).
        const replies = await Promise.race([
          Promise.all(others.map(submit)),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('the others waited behind the held link')), 60_000),
          ),
        ]);
        expect(replies.map((r) => r.status)).toEqual(others.map(() => 201));
        expect(heldDone).toBe(false);
        release();
        await holder;
        expect((await waiting).status).toBe(201);
      } finally {
        await db.close();
      }
    });
  },
);
