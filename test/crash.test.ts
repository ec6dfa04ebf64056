import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Db, openPglite, openPostgres } from '../src/store/db.ts';
import { spawnStemTrack, stopStemTrack } from '../src/testing/server-process.ts';
import { KNEE_BASELINE_ANSWERS, prepareSurveyLinks } from '../src/testing/survey-links.ts';

/**
 * kill -9 while survey submissions stream in: after a restart, every submission the server
 * acknowledged (201) must be there and complete, on PGlite and on PostgreSQL; and no
 * submission may be there in part.
 */

const LINKS = 240;
const IN_FLIGHT = 8;
const KILL_AFTER_ACKS = 80;

interface Target {
  name: string;
  env: Record<string, string>;
  open: () => Promise<Db>;
  cleanup: () => Promise<void>;
}

function pgliteTarget(): Target {
  const dir = mkdtempSync(join(tmpdir(), 'stemtrack-crash-'));
  const dataDir = join(dir, 'data');
  return {
    name: 'pglite',
    env: { DATA_DIR: dataDir, DATABASE_URL: '' },
    open: () => openPglite(dataDir),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresTarget(adminUrl: string): Promise<Target> {
  const name = `stemtrack_crash_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name: 'postgres',
    env: { DATABASE_URL: url.toString() },
    open: () => openPostgres(url.toString()),
    cleanup: async () => {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

async function prepare(target: Target): Promise<string[]> {
  const db = await target.open();
  try {
    return await prepareSurveyLinks(db, LINKS);
  } finally {
    await db.close();
  }
}

const ANSWERS = KNEE_BASELINE_ANSWERS;

const targets: (() => Promise<Target>)[] = [async () => pgliteTarget()];
const postgresUrl = inject('postgresUrl');
if (postgresUrl) targets.push(() => postgresTarget(postgresUrl));

describe('kill -9 during a stream of survey submissions', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  for (const makeTarget of targets) {
    it(`loses no acknowledged submission (${makeTarget === targets[0] ? 'pglite' : 'postgres'})`, async () => {
      const target = await makeTarget();
      cleanups.push(target.cleanup);
      const tokens = await prepare(target);
      const server = await spawnStemTrack(target.env);
      const { url, child } = server;
      const acknowledged: string[] = [];
      let next = 0;
      let killed = false;
      const worker = async () => {
        while (!killed && next < tokens.length) {
          const token = tokens[next++] as string;
          try {
            const res = await fetch(`${url}/api/survey/${token}/submit`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ answers: ANSWERS }),
            });
            if (res.status === 201) acknowledged.push(token);
            else expect(res.status, await res.text()).toBe(201);
            if (acknowledged.length >= KILL_AFTER_ACKS && !killed) {
              killed = true;
              child.kill('SIGKILL');
            }
          } catch {
            // the server died under this request: its fate is unknown, and that is allowed
          }
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      await new Promise((r) =>
        child.exitCode !== null || child.signalCode ? r(null) : child.once('exit', r),
      );
      expect(child.signalCode).toBe('SIGKILL');
      expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

      // Restart as an operator would, then look at every link.
      await stopStemTrack(await spawnStemTrack(target.env));
      const db = await target.open();
      try {
        const rows = await db.query<{
          completed: boolean;
          responses: number;
          scores: number;
          token: string;
        }>(
          `select a.completed_at is not null as completed,
                  (select count(*)::int from responses r where r.assignment_id = a.id) as responses,
                  (select count(*)::int from response_scores s join responses r on r.id = s.response_id
                    where r.assignment_id = a.id) as scores,
                  a.token_digest as token
           from survey_assignments a`,
        );
        const { digestToken } = await import('../src/app/follow-up/tokens.ts');
        const byDigest = new Map(rows.map((r) => [r.token, r]));
        for (const token of acknowledged) {
          const row = byDigest.get(digestToken(token));
          // NRS (1 scale) + KOOS (5 subscales): 2 responses and 6 scores.
          expect(row, token).toMatchObject({ completed: true, responses: 2, scores: 6 });
        }
        // Nothing in part: a link has all of its answers or none.
        for (const row of rows)
          expect([row.completed, row.responses, row.scores]).toEqual(
            row.completed ? [true, 2, 6] : [false, 0, 0],
          );
        console.log(
          `${target.name}: ${acknowledged.length} acknowledged before kill -9, ${rows.filter((r) => r.completed).length} stored complete after restart`,
        );
      } finally {
        await db.close();
      }
    });
  }
});
