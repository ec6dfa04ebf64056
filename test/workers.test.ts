import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser } from '../src/app/access/auth.ts';
import { openPglite, openPostgres } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { tablesDueForAnalyze } from '../src/store/planner-statistics.repo.ts';
import { ENROL_BODY, PASSWORD } from '../src/testing/http.ts';
import {
  type ServerProcess,
  spawnStemTrack,
  stopStemTrack,
} from '../src/testing/server-process.ts';
import { KNEE_BASELINE_ANSWERS } from '../src/testing/survey-links.ts';

/**
 * Three StemTrack processes on one PostgreSQL, as behind a load balancer: a clinic's whole
 * journey and a burst of submissions spread across them. Nothing acknowledged is lost, no
 * survey is stored or e-mailed twice, the daily round runs once, and a change made through
 * one process shows in a dashboard read through another right after.
 */

const BURST_LINKS = 45;
const postgresUrl = inject('postgresUrl');

/** A test SMTP server keeping every message it receives. */
async function smtpCatcher() {
  const inbox: { to: string; text: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => {
          const to = Array.isArray(m.to) ? m.to[0]?.text : m.to?.text;
          inbox.push({ to: to ?? '', text: m.text ?? '' });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return {
    inbox,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A signed-in clinician whose one session works through any of the processes. */
class Clinician {
  cookie = '';
  csrf = '';

  async signIn(server: ServerProcess) {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'clin@harbour.test', password: PASSWORD }),
    });
    const body = (await res.json()) as { csrfToken: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    this.csrf = body.csrfToken;
  }

  // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field
  async call(server: ServerProcess, method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await res.json();
    expect(res.status, `${method} ${path}: ${JSON.stringify(json)}`).toBeLessThan(300);
    return json;
  }
}

function tokenIn(text: string): string {
  return /\/s\/([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
}

async function submit(server: ServerProcess, token: string): Promise<number> {
  const res = await fetch(`${server.url}/api/survey/${token}/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers: KNEE_BASELINE_ANSWERS }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Joints at the site with a baseline pain score, as the outcome dashboard counts them. */
function baselineJoints(report: {
  outcomes: { instrumentId: string; timepoint: string; level: { n: number } }[];
}): number {
  return report.outcomes
    .filter((o) => o.instrumentId === 'nrs-pain' && o.timepoint === 'baseline')
    .reduce((n, o) => n + o.level.n, 0);
}

describe.skipIf(!postgresUrl)('three StemTrack processes on one PostgreSQL', () => {
  const name = `stemtrack_workers_${randomBytes(5).toString('hex')}`;
  const url = new URL(postgresUrl || 'postgres://localhost/none');
  url.pathname = `/${name}`;
  const servers: ServerProcess[] = [];
  let smtp: Awaited<ReturnType<typeof smtpCatcher>>;
  let check: pg.Client;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const db = await openPostgres(url.toString());
    await migrate(db);
    await createUser(db, 'Harbour', {
      email: 'clin@harbour.test',
      name: 'clin',
      role: 'clinician',
      password: PASSWORD,
    });
    await db.close();
    smtp = await smtpCatcher();
    const env = {
      DATABASE_URL: url.toString(),
      SMTP_URL: smtp.url,
      MAIL_FROM: 'registry@harbour.test',
      MAIL_KEY: randomBytes(32).toString('hex'),
      MAIL_REMINDERS: '0',
      JOB_POLL_SECONDS: '1',
      FOLD_SECONDS: '1',
      // No renewal of opened views: only the background fold may fold the burst below.
      VIEW_REFRESH_SECONDS: '3600',
    };
    // Three separate servers, each with its own port: the test is their load balancer.
    for (let i = 0; i < 3; i++)
      servers.push(await spawnStemTrack(env, ['--no-demo', '--workers', '1']));
    check = new pg.Client({ connectionString: url.toString() });
    await check.connect();
  });

  afterAll(async () => {
    await check?.end();
    for (const s of servers) await stopStemTrack(s);
    await smtp?.close();
    const dropper = new pg.Client({ connectionString: postgresUrl });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`);
    await dropper.end();
  });

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await check.query<{ n: string }>(sql, params)).rows[0]?.n);

  it('spreads a journey and a burst across them: nothing lost, sent twice or stale', async () => {
    const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
    // Each process queued today's daily round for 06:00 UTC (one job: they share its key).
    // Due now, so the test holds at any hour: it failed between midnight and 06:00 UTC.
    const today = new Date().toISOString().slice(0, 10);
    const round = `kind = 'auto-invite' and payload->>'day' = $1`;
    expect(await count(`select count(*) as n from jobs where ${round}`, [today])).toBe(1);
    await check.query(`update jobs set run_at = now() where ${round} and attempts = 0`, [today]);
    // It runs on the empty registry before the journey, or it would invite this test's patient.
    await expect
      .poll(() =>
        count(`select count(*) as n from jobs where ${round} and status = 'done'`, [today]),
      )
      .toBe(1);
    const clinician = new Clinician();
    // Signed in through A; the session and its CSRF token hold on B and C (kept in the database).
    await clinician.signIn(a);
    const patient = await clinician.call(b, 'POST', '/api/patients', ENROL_BODY);
    const episode = await clinician.call(c, 'POST', `/api/patients/${patient.id}/episodes`, {
      joint: 'knee',
      side: 'right',
      klGrade: 3,
    });
    await clinician.call(a, 'POST', `/api/episodes/${episode.id}/treatments`, {
      treatmentDate: new Date().toISOString().slice(0, 10),
      productClass: 'BMAC',
      cellDoseMillions: null,
      volumeMl: 8,
      imageGuidance: 'ultrasound',
    });
    // Every process computes and keeps the dashboard before the survey is answered.
    for (const s of servers)
      expect(baselineJoints(await clinician.call(s, 'GET', '/api/report'))).toBe(0);
    const issued = await clinician.call(b, 'POST', `/api/episodes/${episode.id}/surveys`, {
      timepoint: 'baseline',
      confirmOutsideWindow: true,
    });
    expect(issued.emailed).toBe(true);
    // The patient answers from the invitation, which some process sent (the link sealed by B).
    await expect.poll(() => smtp.inbox.length).toBe(1);
    const token = tokenIn(smtp.inbox[0]?.text ?? '');
    expect(token).toBe(String(issued.url).split('/s/')[1]);
    expect(await submit(c, token)).toBe(201);
    // Right after, through the other two: no process serves its kept, older view.
    expect(baselineJoints(await clinician.call(a, 'GET', '/api/report'))).toBe(1);
    expect(baselineJoints(await clinician.call(b, 'GET', '/api/report'))).toBe(1);
    expect(await submit(a, token)).toBe(410);

    // A burst: links issued through all three, each answered twice at once through two
    // different processes; exactly one answer per link is stored.
    const tokens: string[] = [];
    for (let i = 0; i < BURST_LINKS; i++) {
      const through = servers[i % 3] as ServerProcess;
      const p = await clinician.call(through, 'POST', '/api/patients', ENROL_BODY);
      const e = await clinician.call(through, 'POST', `/api/patients/${p.id}/episodes`, {
        joint: 'knee',
        side: 'left',
        klGrade: 2,
      });
      await clinician.call(through, 'POST', `/api/episodes/${e.id}/treatments`, {
        treatmentDate: new Date().toISOString().slice(0, 10),
        productClass: 'PRP',
        cellDoseMillions: null,
        volumeMl: 5,
        imageGuidance: 'ultrasound',
      });
      const link = await clinician.call(through, 'POST', `/api/episodes/${e.id}/surveys`, {
        timepoint: 'baseline',
        confirmOutsideWindow: true,
      });
      tokens.push(String(link.url).split('/s/')[1] ?? '');
    }
    const links = tokens.length + 1;
    // Every invitation is sent once, by whichever process claimed its job.
    await expect
      .poll(() =>
        count(`select count(*) as n from jobs where kind = 'survey-email' and status = 'done'`),
      )
      .toBe(links);
    expect(smtp.inbox).toHaveLength(links);
    expect(new Set(smtp.inbox.map((m) => tokenIn(m.text)))).toEqual(new Set([token, ...tokens]));

    const outcomes = await Promise.all(
      tokens.flatMap((t, i) => [
        submit(servers[i % 3] as ServerProcess, t),
        submit(servers[(i + 1) % 3] as ServerProcess, t),
      ]),
    );
    for (let i = 0; i < tokens.length; i++) {
      const pair = [outcomes[2 * i], outcomes[2 * i + 1]].sort();
      // One stored; the other is told the survey was already submitted (409 or 410).
      expect(pair[0]).toBe(201);
      expect([409, 410]).toContain(pair[1]);
    }
    expect(
      await count('select count(*) as n from survey_assignments where completed_at is not null'),
    ).toBe(links);
    expect(await count('select count(*) as n from responses')).toBe(2 * links);
    expect(await count('select count(distinct assignment_id) as n from responses')).toBe(links);
    // Every link's answers carry the same scores (NRS and KOOS's five scales), none twice.
    const perLink = await check.query<{ n: string }>(
      `select count(*) as n from response_scores s join responses r on r.id = s.response_id
       group by r.assignment_id`,
    );
    expect(perLink.rows).toHaveLength(links);
    expect(new Set(perLink.rows.map((r) => r.n))).toEqual(new Set(['6']));
    expect(
      await count(
        `select count(*) as n from audit_log where action = 'submit' and entity = 'survey_assignment'`,
      ),
    ).toBe(links);
    // Nobody has opened a dashboard since the burst: the processes fold it in the background.
    await expect.poll(() => count('select count(*) as n from outcome_sums_pending')).toBe(0);
    expect(
      await count(
        `select sum(joints) as n from outcome_site_sums
         where instrument_id = 'nrs-pain' and scale = 'pain' and pattern & 1 = 1`,
      ),
    ).toBe(links);
    for (const s of servers)
      expect(baselineJoints(await clinician.call(s, 'GET', '/api/report'))).toBe(links);

    // Still one e-mail per link: none was sent again meanwhile.
    expect(smtp.inbox).toHaveLength(links);
    // The daily round ran once today, across the three processes.
    expect(
      await count(`select count(*) as n from jobs where kind = 'auto-invite' and attempts > 0`),
    ).toBe(1);
  });
});

describe('stemtrack start --workers', () => {
  it.skipIf(!postgresUrl)(
    'runs N processes on one port over PostgreSQL, and stops them all',
    async () => {
      const name = `stemtrack_cluster_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(postgresUrl);
      url.pathname = `/${name}`;
      const server = await spawnStemTrack({ DATABASE_URL: url.toString() }, [
        '--no-demo',
        '--workers',
        '2',
      ]);
      try {
        expect(server.output()).toContain('2 processes');
        const pid = server.child.pid ?? 0;
        // ps exits with 1 when no process has that parent.
        const workers = () => {
          try {
            return execFileSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' })
              .split('\n')
              .filter((l) => l.trim() !== '');
          } catch {
            return [];
          }
        };
        const pids = workers().map(Number);
        expect(pids).toHaveLength(2);
        for (let i = 0; i < 4; i++) {
          const res = await fetch(`${server.url}/api/health`);
          expect(await res.json()).toEqual({ ok: true, database: 'postgres' });
        }
        await stopStemTrack(server);
        // No worker outlives the primary (an orphan would have a new parent, so ask by pid).
        const alive = (p: number) => {
          try {
            process.kill(p, 0);
            return true;
          } catch {
            return false;
          }
        };
        await expect.poll(() => pids.filter(alive)).toEqual([]);
      } finally {
        await stopStemTrack(server);
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    },
  );

  it('keeps the embedded PGlite to one process, and says so; analyzes its tables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemtrack-workers-'));
    const server = await spawnStemTrack({ DATA_DIR: join(dir, 'data'), DATABASE_URL: '' }, [
      '--no-demo',
      '--workers',
      '3',
    ]);
    try {
      expect(server.output()).toMatch(/one process: the embedded PGlite database/);
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
      await stopStemTrack(server);
      // PGlite has no autovacuum: the tables the migrations wrote were analyzed before serving.
      const db = await openPglite(join(dir, 'data'));
      try {
        expect(await tablesDueForAnalyze(db)).toEqual([]);
        const [rules] = await db.query<{ rows: number }>(
          `select reltuples::float8 as rows from pg_class where relname = 'outcome_rules'`,
        );
        expect(rules?.rows).toBe(1);
        const [gathered] = await db.query<{ n: number }>(
          `select count(*)::int as n from pg_stats where tablename = 'outcome_rules'`,
        );
        expect(gathered?.n).toBeGreaterThan(0);
      } finally {
        await db.close();
      }
    } finally {
      await stopStemTrack(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
