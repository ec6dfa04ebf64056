import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ViewCache } from '../app/analytics/view-cache.ts';
import type { AppContext } from '../app/context.ts';
import type { Db } from '../store/db.ts';
import { backends, twoSiteDatabase } from '../testing/databases.ts';
import {
  Client,
  ENROL_BODY,
  enrolTreatedPatient,
  seedTwoSites,
  testApp,
  testClock,
} from '../testing/http.ts';
import { createHttpApp } from './app.ts';

/** Bad input stops at the edge with a 400 naming the field, and never reaches a log. */
describe.each(backends())('bad input at the edge on $name', (backend) => {
  let db: Db;
  let clinician: Client;
  let harness: ReturnType<typeof testApp>;
  const web = mkdtempSync(join(tmpdir(), 'stemtrack-web-'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>StemTrack</title>');

  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
    harness = testApp(db, testClock('2026-03-02T10:00:00Z'));
    clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
  });
  afterAll(async () => {
    await db.close();
    rmSync(web, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('refuses a NUL byte in a text field, a search and the login e-mail with a 400 naming it', async () => {
    const enrol = await clinician.call('POST', '/api/patients', {
      ...ENROL_BODY,
      familyName: 'Test\u0000person',
    });
    expect(enrol.status).toBe(400);
    expect(enrol.body.error.fields).toEqual([
      expect.objectContaining({ field: 'familyName', message: expect.stringMatching(/control/) }),
    ]);
    const search = await clinician.call('GET', '/api/patients?search=Ada%00');
    expect(search.status).toBe(400);
    expect(search.body.error.fields[0].field).toBe('search');
    const del = await clinician.call('GET', '/api/patients?search=A%7Fda');
    expect(del.status).toBe(400);
    const login = await new Client(harness.app).call('POST', '/api/auth/login', {
      email: 'clin@harbour.test\u0000',
      password: 'x',
    });
    expect(login.status).toBe(400);
    expect(login.body.error.fields[0].field).toBe('email');
  });

  it('lets tab and newlines through in multi-line text', async () => {
    const { episodeId, treatment } = await enrolTreatedPatient(clinician);
    const reply = await clinician.call('POST', `/api/episodes/${episodeId}/adverse-events`, {
      treatmentId: treatment.body.id,
      onsetDate: '2026-03-02',
      description: 'Flare\n\tswelling for two days',
      grade: 1,
      serious: false,
      relatedness: 'possible',
    });
    expect(reply.status).toBe(201);
  });

  it('answers fractional, huge and negative paging with a 400 naming the parameter', async () => {
    for (const q of ['offset=0.5', 'offset=1e20', 'offset=-1', 'offset=NaN', 'limit=0.5']) {
      const reply = await clinician.call('GET', `/api/patients?${q}`);
      expect(reply.status, q).toBe(400);
      expect(reply.body.error.fields[0].field).toBe(q.split('=')[0]);
    }
    expect((await clinician.call('GET', '/api/patients?offset=0&limit=10')).status).toBe(200);
  });

  it('refuses a login e-mail nested 10,000 arrays deep with a 400', async () => {
    const deep = `${'['.repeat(10_000)}"a"${']'.repeat(10_000)}`;
    const reply = await new Client(harness.app).call(
      'POST',
      '/api/auth/login',
      `{"email":${deep},"password":"x"}`,
    );
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toMatch(/email/);
  });

  it('answers badly percent-encoded addresses with a 400, in the API and for the web app', async () => {
    const app = createHttpApp(harness.ctx, { tls: false, webRoot: web });
    const page = await app.request('/%E0%A4%A');
    expect(page.status).toBe(400);
    expect((await app.request('/patients')).status).toBe(200);
    const api = await clinician.call('GET', '/api/patients?search=%E0%A4%A');
    expect(api.status).toBe(400);
    expect(api.body.error.fields[0].field).toBe('search');
  });

  it('logs an error id and no values when something unexpected fails, and returns the id', async () => {
    const failing: Db = {
      ...db,
      kind: db.kind,
      query: async (sql, params) => {
        if (/insert into patients/i.test(sql)) {
          throw Object.assign(new Error('invalid input syntax for type date: "Ada Testperson"'), {
            params: ['Ada', 'Testperson', '1961-05-20', 'ada@example.org'],
            code: '22007',
          });
        }
        return db.query(sql, params);
      },
      exec: (sql) => db.exec(sql),
      transaction: (work) =>
        db.transaction((tx) =>
          work({
            exec: (sql) => tx.exec(sql),
            query: async (sql, params) => {
              if (/insert into patients/i.test(sql))
                throw Object.assign(new Error('value "Ada Testperson" is bad'), {
                  params: ['Ada', 'Testperson', '1961-05-20', 'ada@example.org'],
                });
              return tx.query(sql, params);
            },
          }),
        ),
      close: () => db.close(),
    };
    const ctx: AppContext = {
      db: failing,
      now: () => new Date('2026-03-02T10:00:00Z'),
      publicUrl: 'http://t',
      views: new ViewCache(),
    };
    const client = new Client(createHttpApp(ctx, { tls: false }));
    await client.signIn('clin@harbour.test');
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(
        args
          .map((a) => (a instanceof Error ? `${a.stack} ${JSON.stringify(a)}` : String(a)))
          .join(' '),
      );
    });
    const reply = await client.call('POST', '/api/patients', ENROL_BODY);
    expect(reply.status).toBe(500);
    const id = reply.body.error.errorId;
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(reply.body.error.message).toContain(id);
    const log = logged.join('\n');
    expect(log).toContain(id);
    for (const value of ['Ada', 'Testperson', '1961-05-20', 'ada@example.org'])
      expect(log).not.toContain(value);
  });

  it('keeps query parameters off database errors', async () => {
    const error = await db.query('select $1::date as d', ['Ada Testperson']).then(
      () => undefined,
      (e: unknown) => e as Record<string, unknown>,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.params).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain('Ada Testperson');
  });
});

/** Body sizes over a real socket, where the Node adapter, not a test's Request, reads the body. */
describe('request bodies over the wire', () => {
  const clinic = twoSiteDatabase(backends()[0] as ReturnType<typeof backends>[number]);
  let server: ServerType;
  let port = 0;

  beforeAll(async () => {
    server = serve({ fetch: testApp(clinic.db).app.fetch, port: 0, hostname: '127.0.0.1' });
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** A login attempt whose body goes in `chunks`, with a declared length or chunked. */
  function postLogin(chunks: string[], declared: boolean): Promise<number> {
    const length = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
    return new Promise((resolve, reject) => {
      let status = 0;
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/auth/login',
          headers: {
            'content-type': 'application/json',
            ...(declared ? { 'content-length': String(length) } : {}),
          },
        },
        (response) => {
          status = response.statusCode ?? 0;
          response.resume();
          response.on('end', () => resolve(status));
        },
      );
      // A refused body may be cut off while it is still being sent; the reply still counts.
      request.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
      );
      request.on('close', () =>
        status ? resolve(status) : reject(new Error('the connection closed before a reply')),
      );
      for (const chunk of chunks) request.write(chunk);
      request.end();
    });
  }

  const tooBig = JSON.stringify({ email: 'x@y.test', password: 'p'.repeat(300 * 1024) });
  const login = JSON.stringify({ email: 'nobody@harbour.test', password: 'wrong password' });

  it('refuses a body over 256 kB with a 413 whether its length is declared or chunked', async () => {
    expect(await postLogin([tooBig], true)).toBe(413);
    const pieces = tooBig.match(/[\s\S]{1,16384}/g) ?? [];
    expect(await postLogin(pieces, false)).toBe(413);
  });

  it('reads a body under the limit, declared or chunked', async () => {
    expect(await postLogin([login], true)).toBe(401);
    expect(await postLogin([login.slice(0, 10), login.slice(10)], false)).toBe(401);
  });
});
