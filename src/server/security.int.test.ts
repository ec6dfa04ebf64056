import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../app/access/auth.ts';
import type { Db } from '../store/db.ts';
import { backends } from '../testing/databases.ts';
import {
  Client,
  enrolTreatedPatient,
  PASSWORD,
  seedTwoSites,
  testApp,
  testClock,
  tokenOf,
} from '../testing/http.ts';
import { createHttpApp, SESSION_COOKIE } from './app.ts';
import { openApiDocument } from './openapi.ts';

/**
 * Attacks a clinic's data should survive: another site's users guessing ids (IDOR), roles
 * reaching past themselves, session fixation, SQL in filters, and headers on every reply.
 */
describe.each(backends())('security on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;
  let harbour: Client;
  let north: Client;
  let researcher: Client;
  let paperCode: string;
  let ids: {
    patientId: string;
    episodeId: string;
    treatmentId: string;
    token: string;
    assignmentId: string;
  };

  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db, { admin: true });
    harness = testApp(db, testClock('2026-03-02T10:00:00Z'));
    harbour = new Client(harness.app);
    await harbour.signIn('clin@harbour.test');
    north = new Client(harness.app);
    await north.signIn('clin@north.test');
    researcher = new Client(harness.app);
    await researcher.signIn('research@harbour.test');
    const enrolled = await enrolTreatedPatient(harbour);
    const survey = await harbour.call('POST', `/api/episodes/${enrolled.episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    ids = {
      patientId: enrolled.patientId,
      episodeId: enrolled.episodeId,
      treatmentId: enrolled.treatment.body.id,
      token: tokenOf(survey.body.url),
      assignmentId: survey.body.id,
    };
    const printed = await harness.app.request(`/api/surveys/${ids.assignmentId}/paper-form`, {
      method: 'POST',
      headers: { cookie: harbour.cookie, 'x-csrf-token': harbour.csrf },
    });
    paperCode = printed.headers.get('x-form-code') ?? '';
    expect(paperCode).toMatch(/^[0-9A-Z]{8}$/);
    await harbour.call('POST', `/api/episodes/${ids.episodeId}/adverse-events`, {
      treatmentId: ids.treatmentId,
      onsetDate: '2026-03-02',
      description: 'Harbour-only flare',
      grade: 1,
      serious: true,
      relatedness: 'possible',
    });
  });
  afterAll(async () => {
    await db.close();
  });

  it('gives another site 404 on every route that names a patient or joint, and leaks nothing', async () => {
    // Valid bodies, so the only reason left to refuse is that the record is not theirs.
    const validBody: Record<string, unknown> = {
      episodes: { joint: 'knee', side: 'left', klGrade: 2 },
      treatments: {
        treatmentDate: '2026-03-02',
        productClass: 'PRP',
        volumeMl: 4,
        imageGuidance: 'none',
      },
      surveys: { timepoint: 'w6' },
      role: { role: 'admin' },
      'adverse-events': {
        treatmentId: ids.treatmentId,
        onsetDate: '2026-03-02',
        description: 'x',
        grade: 1,
        serious: false,
        relatedness: 'unlikely',
      },
      // PATCH /api/{patients,episodes,treatments,…}/{id}: a correction with its reason.
      '{id}': { reason: 'Typing error' },
      'entered-in-error': { reason: 'Wrong patient' },
      events: { kind: 'death', date: '2026-03-02' },
      status: { status: 'lost-to-follow-up', reason: 'No answer to calls' },
      withdraw: { data: 'keep', reason: 'Patient asked' },
      contact: {
        mobile: '+447400123456',
        smsConsent: 'none',
        timeZone: '',
        language: 'en',
        preferredCallTime: '',
      },
      attempts: { outcome: 'voicemail' },
    };
    const document = openApiDocument() as { paths: Record<string, object> };
    const withIds = Object.entries(document.paths).filter(([path]) => /\{id\}/.test(path));
    expect(withIds.length).toBeGreaterThanOrEqual(5);
    for (const [template, operations] of withIds) {
      for (const method of Object.keys(operations)) {
        const id = template.startsWith('/api/patients')
          ? ids.patientId
          : template.startsWith('/api/call-list') || template.startsWith('/api/surveys')
            ? ids.assignmentId
            : ids.episodeId;
        const path = template.replace('{id}', id);
        const body = method === 'get' ? undefined : validBody[template.split('/').at(-1) ?? ''];
        const reply = await north.call(method.toUpperCase(), path, body);
        expect([403, 404], `${method} ${path}`).toContain(reply.status);
        expect(JSON.stringify(reply.body)).not.toContain('Testperson');
      }
    }
    // A Harbour paper form's code finds nothing at the other site.
    for (const [method, path, body] of [
      ['GET', `/api/paper-forms/${paperCode}`, undefined],
      [
        'POST',
        `/api/paper-forms/${paperCode}/entries`,
        { registryId: 'x', answers: {}, recordNow: true },
      ],
      ['POST', `/api/paper-forms/${paperCode}/settle`, { answers: {} }],
    ] as const)
      expect((await north.call(method, path, body)).status, path).toBe(404);
    // Site-wide views at the other site hold none of Harbour's rows.
    for (const path of [
      '/api/patients',
      '/api/follow-up?status=upcoming',
      '/api/report',
      '/api/report/durability',
      '/api/report/safety',
      '/api/report/dose-response',
      '/api/report/benchmark',
      '/api/report/outreach',
      '/api/call-list',
      '/api/export/scores.csv',
      '/api/export/bundle.json',
      '/api/data-quality',
    ]) {
      const reply = await north.call('GET', path);
      expect(reply.status, path).toBe(200);
      const text = JSON.stringify(reply.body);
      for (const secret of [ids.patientId, ids.episodeId, 'Testperson', 'Harbour-only flare'])
        expect(text, `${path} leaks ${secret}`).not.toContain(secret);
    }
  });

  it('keeps each role to its own actions', async () => {
    const writes: [string, string, unknown][] = [
      ['POST', '/api/patients', {}],
      ['POST', `/api/patients/${ids.patientId}/episodes`, {}],
      ['POST', `/api/episodes/${ids.episodeId}/treatments`, {}],
      ['POST', `/api/episodes/${ids.episodeId}/surveys`, {}],
      ['POST', `/api/episodes/${ids.episodeId}/adverse-events`, {}],
      ['PUT', '/api/schedule', {}],
      ['PUT', '/api/message-templates', {}],
      // Corrections, events, status and consent are for clinicians and admins only.
      ['PATCH', `/api/patients/${ids.patientId}`, { familyName: 'X', reason: 'r' }],
      ['PATCH', `/api/episodes/${ids.episodeId}`, { klGrade: 1, reason: 'r' }],
      ['PATCH', `/api/treatments/${ids.treatmentId}`, { volumeMl: 5, reason: 'r' }],
      ['POST', `/api/treatments/${ids.treatmentId}/entered-in-error`, { reason: 'r' }],
      ['POST', `/api/patients/${ids.patientId}/events`, { kind: 'death', date: '2026-03-02' }],
      [
        'POST',
        `/api/patients/${ids.patientId}/status`,
        { status: 'lost-to-follow-up', reason: 'r' },
      ],
      ['POST', `/api/patients/${ids.patientId}/withdraw`, { data: 'keep', reason: 'r' }],
      // Contact details, calls and phone interviews are for clinicians and admins only.
      ['PUT', `/api/patients/${ids.patientId}/contact`, {}],
      ['POST', `/api/call-list/${ids.assignmentId}/attempts`, { outcome: 'reached' }],
      ['POST', `/api/call-list/${ids.assignmentId}/interview`, {}],
      // Data-quality queries name patients' records: clinicians and admins only.
      ['GET', '/api/data-quality', undefined],
      [
        'POST',
        '/api/data-quality/reviews',
        {
          treatmentId: ids.treatmentId,
          rule: 'missing-characterisation',
          field: 'characterisation.origin',
        },
      ],
      // Paper forms and the clinic tablet too.
      ['POST', `/api/surveys/${ids.assignmentId}/paper-form`, {}],
      ['POST', `/api/surveys/${ids.assignmentId}/tablet`, {}],
      ['POST', `/api/paper-forms/${paperCode}/entries`, {}],
      ['POST', `/api/paper-forms/${paperCode}/settle`, {}],
    ];
    for (const [method, path, body] of writes)
      expect((await researcher.call(method, path, body)).status, `${method} ${path}`).toBe(403);
    // Phone numbers and the call list identify patients: not for researchers.
    for (const path of [
      '/api/call-list',
      `/api/patients/${ids.patientId}/contact`,
      `/api/paper-forms/${paperCode}`,
    ])
      expect((await researcher.call('GET', path)).status, path).toBe(403);
    // Admin-only for a clinician.
    expect((await harbour.call('PUT', '/api/schedule', { timepoints: [] })).status).toBe(403);
    expect((await harbour.call('GET', '/api/export/scores.csv?identified=true')).status).toBe(403);
    expect(
      (await researcher.call('GET', `/api/patients/${ids.patientId}`)).body.patient.familyName,
    ).toBeUndefined();
    // Every role manages its own two-factor sign-in (here: none set up, so nothing to change).
    for (const who of [researcher, harbour]) {
      for (const [path, body] of [
        ['/api/auth/two-factor/disable', { currentPassword: PASSWORD, code: '123456' }],
        ['/api/auth/two-factor/recovery-codes', { code: '123456' }],
      ] as const)
        expect((await who.call('POST', path, body)).status, path).toBe(409);
    }
  });

  it('starts a new session at sign-in, whatever cookie the browser brought (no fixation)', async () => {
    const planted = `${SESSION_COOKIE}=attacker-chosen-value`;
    const victim = new Client(harness.app);
    victim.cookie = planted;
    expect((await victim.call('GET', '/api/auth/me')).status).toBe(401);
    await victim.signIn('clin@harbour.test');
    expect(victim.cookie).not.toBe(planted);
    const attacker = new Client(harness.app);
    attacker.cookie = planted;
    expect((await attacker.call('GET', '/api/auth/me')).status).toBe(401);
    // A session ends at sign-out: the old cookie opens nothing afterwards.
    const stolen = victim.cookie;
    await victim.call('POST', '/api/auth/logout', {});
    const replay = new Client(harness.app);
    replay.cookie = stolen;
    expect((await replay.call('GET', `/api/patients/${ids.patientId}`)).status).toBe(401);
  });

  it("keeps each site's users to its own admins, and user management to admins", async () => {
    await createUser(db, 'Northside', {
      email: 'admin@north.test',
      name: 'North Admin',
      role: 'admin',
      password: PASSWORD,
    });
    const northAdmin = new Client(harness.app);
    await northAdmin.signIn('admin@north.test');
    const harbourAdmin = new Client(harness.app);
    await harbourAdmin.signIn('admin@harbour.test');
    const harbourUsers = (await harbourAdmin.call('GET', '/api/users')).body.users as {
      id: string;
      email: string;
    }[];
    const target = harbourUsers.find((u) => u.email === 'research@harbour.test');
    if (!target) throw new Error('no researcher');
    const listed = await northAdmin.call('GET', '/api/users');
    expect(JSON.stringify(listed.body)).not.toContain('harbour.test');
    for (const [method, path, body] of [
      ['PUT', `/api/users/${target.id}/role`, { role: 'admin' }],
      ['POST', `/api/users/${target.id}/deactivate`, {}],
      ['POST', `/api/users/${target.id}/sign-in-link`, {}],
    ] as const) {
      expect((await northAdmin.call(method, path, body)).status, `${method} ${path}`).toBe(404);
      for (const who of [harbour, researcher])
        expect((await who.call(method, path, body)).status, `${method} ${path}`).toBe(403);
    }
    for (const who of [harbour, researcher]) {
      expect((await who.call('GET', '/api/users')).status).toBe(403);
      expect((await who.call('GET', '/api/access-settings')).status).toBe(403);
      expect(
        (
          await who.call('POST', '/api/users/invitations', {
            email: 'x@y.test',
            name: 'X',
            role: 'admin',
          })
        ).status,
      ).toBe(403);
    }
    const after = (await harbourAdmin.call('GET', '/api/users')).body.users as typeof harbourUsers;
    expect(after).toEqual(harbourUsers);
  });

  it('refuses every change by a signed-in user without the CSRF token', async () => {
    const document = openApiDocument() as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    let checked = 0;
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (method === 'get' || operation.security) continue; // reads, and routes open to all
        const path = template.replace('{id}', ids.episodeId);
        const reply = await harbour.call(method.toUpperCase(), path, {}, { 'x-csrf-token': '' });
        expect(reply.status, `${method} ${path}`).toBe(403);
        expect(reply.body.error.message).toMatch(/CSRF/);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('treats SQL in filters and search as data', async () => {
    const before = await db.query<{ n: number }>('select count(*)::int as n from patients');
    for (const injection of ["knee' or '1'='1", "'; drop table patients; --", '1 or 1=1']) {
      const q = encodeURIComponent(injection);
      expect((await harbour.call('GET', `/api/report?joint=${q}`)).status).toBe(400);
      expect((await harbour.call('GET', `/api/report/benchmark?kl=${q}`)).status).toBe(400);
      expect((await harbour.call('GET', `/api/follow-up?status=${q}`)).status).toBe(400);
      const search = await harbour.call('GET', `/api/patients?search=${q}`);
      expect(search.status).toBe(200);
      expect(search.body.patients).toEqual([]);
    }
    expect(await db.query('select count(*)::int as n from patients')).toEqual(before);
  });

  it('does not open a survey for a guessed or altered token', async () => {
    const patient = new Client(harness.app);
    expect((await patient.call('GET', `/api/survey/${ids.token}`)).status).toBe(200);
    const altered = `${ids.token.slice(0, -1)}${ids.token.endsWith('A') ? 'B' : 'A'}`;
    for (const guess of [altered, 'A'.repeat(43), '../../etc/passwd', "' or 1=1 --"])
      expect([400, 404]).toContain(
        (await patient.call('GET', `/api/survey/${encodeURIComponent(guess)}`)).status,
      );
  });

  it('sends security headers on every reply, and HSTS only behind TLS', async () => {
    for (const path of ['/api/health', '/api/evidence', `/api/survey/${ids.token}`, '/']) {
      const reply = await new Client(harness.app).call('GET', path);
      const csp = reply.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('x-frame-options')).toBe('DENY');
      expect(reply.headers.get('strict-transport-security')).toBeNull();
    }
    const behindTls = createHttpApp(harness.ctx, { tls: true });
    const reply = await behindTls.request('/api/health');
    expect(reply.headers.get('strict-transport-security')).toContain('max-age=');
    const login = await behindTls.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'clin@harbour.test', password: PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=(Strict|Lax)/i);
  });
});
