import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentById } from '../core/instruments/library.ts';
import { scoreResponse } from '../core/instruments/scoring.ts';
import type { Db } from '../store/db.ts';
import { backends } from '../testing/databases.ts';
import {
  Client,
  ENROL_BODY,
  enrolTreatedPatient,
  PASSWORD,
  seedTwoSites,
  testApp,
  testClock,
  tokenOf,
} from '../testing/http.ts';

const KOOS_ITEMS = instrumentById('koos').sections.flatMap((s) => s.items.map((i) => i.code));
const koosAnswers = (value: number) => Object.fromEntries(KOOS_ITEMS.map((c) => [c, value]));

async function count(db: Db, table: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return row?.n ?? 0;
}

describe.each(backends())('HTTP API on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;
  let clinician: Client;

  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
    harness = testApp(db, testClock());
    clinician = new Client(harness.app);
    expect((await clinician.signIn('clin@harbour.test')).status).toBe(200);
  });
  afterAll(async () => {
    await db.close();
  });

  it('runs the whole story: enrol, joint, injection, survey link, answers with autosave, scores', async () => {
    const { patientId, episodeId, treatment } = await enrolTreatedPatient(clinician);
    expect(treatment.status).toBe(201);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    expect(issued.status).toBe(201);
    expect(issued.body.instruments).toEqual(['nrs-pain', 'koos']);
    expect(issued.body.url).toMatch(/^http:\/\/stemtrack\.test\/s\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(issued.body.url);

    const patient = new Client(harness.app); // no cookie: the link is the only credential
    const opened = await patient.call('GET', `/api/survey/${token}`);
    expect(opened.status).toBe(200);
    expect(opened.body.instruments.map((i: { id: string }) => i.id)).toEqual(['nrs-pain', 'koos']);
    expect(opened.body.draft).toEqual({});
    expect(opened.body.joint).toEqual({ joint: 'knee', side: 'right' });

    const partial = { 'nrs-pain': { NRS: 6 }, koos: { P1: 3, P2: 2 } };
    expect(
      (await patient.call('PUT', `/api/survey/${token}/draft`, { answers: partial })).status,
    ).toBe(200);
    const reopened = await patient.call('GET', `/api/survey/${token}`);
    expect(reopened.body.draft).toEqual(partial);

    const answers = { 'nrs-pain': { NRS: 6 }, koos: { ...koosAnswers(2), P1: 3, Q4: null } };
    const submitted = await patient.call('POST', `/api/survey/${token}/submit`, { answers });
    expect(submitted.status).toBe(201);
    expect(submitted.body.inWindow).toBe(true);

    const record = await clinician.call('GET', `/api/patients/${patientId}`);
    expect(record.status).toBe(200);
    expect(record.body.patient.givenName).toBe(ENROL_BODY.givenName);
    const koos = record.body.responses.find(
      (r: { instrumentId: string }) => r.instrumentId === 'koos',
    );
    expect(koos.scores).toEqual(scoreResponse(instrumentById('koos'), answers.koos));
    // Pain: P1 = 3 and eight items of 2 → mean 19/9 → 100 − 19/9 × 25.
    expect(koos.scores.pain).toBeCloseTo(100 - (19 / 9) * 25, 12);
    expect(koos.scores.qol).toBe(50);
    const nrs = record.body.responses.find(
      (r: { instrumentId: string }) => r.instrumentId === 'nrs-pain',
    );
    expect(nrs.scores).toEqual({ pain: 6 });
    expect(record.body.surveys[0].status).toBe('completed');
  });

  /** Sends the answers through the patient's link; returns the stored response of one instrument. */
  async function submitAndRead(
    surveyUrl: string,
    patientId: string,
    answers: Record<string, Record<string, number | null>>,
    instrumentId: string,
  ) {
    const submitted = await new Client(harness.app).call(
      'POST',
      `/api/survey/${tokenOf(surveyUrl)}/submit`,
      { answers },
    );
    expect(submitted.status).toBe(201);
    const record = await clinician.call('GET', `/api/patients/${patientId}`);
    return record.body.responses.find(
      (r: { instrumentId: string }) => r.instrumentId === instrumentId,
    );
  }

  it('adds an opt-in PROMIS-10 to the joint’s defaults and stores its T-scores', async () => {
    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
      alsoAsk: ['promis-global-10'],
    });
    expect(issued.status).toBe(201);
    expect(issued.body.instruments).toEqual(['nrs-pain', 'koos', 'promis-global-10']);
    const promis = {
      Global01: 3,
      Global02: 3,
      Global03: 3,
      Global04: 4,
      Global05: 3,
      Global09r: 3,
      Global06: 4,
      Global10r: 2,
      Global08r: 4,
      Global07r: 5,
    };
    const answers = { 'nrs-pain': { NRS: 5 }, koos: koosAnswers(1), 'promis-global-10': promis };
    const scored = await submitAndRead(issued.body.url, patientId, answers, 'promis-global-10');
    // Physical 3 + 4 + pain 5→3 + 4 = 14 → 44.9; mental 3 + 4 + 3 + 2 = 12 → 43.5.
    expect(scored.scores).toEqual({ physical: 44.9, mental: 43.5 });
    const bad = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
      alsoAsk: ['sf-36'],
    });
    expect(bad.status).toBe(400);
  });

  it('asks KOOS JR’s items once when KOOS is asked too, and scores KOOS JR from those answers', async () => {
    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
      alsoAsk: ['koos-jr'],
    });
    expect(issued.body.instruments).toEqual(['nrs-pain', 'koos', 'koos-jr']);
    // The patient's page asks only KOOS and NRS; nothing is sent for KOOS JR.
    const answers = { 'nrs-pain': { NRS: 4 }, koos: { ...koosAnswers(2), P2: 4, A5: null } };
    const koosJr = await submitAndRead(issued.body.url, patientId, answers, 'koos-jr');
    // A5 was skipped in KOOS, so KOOS JR (every item needed) has no score, but keeps the answers.
    expect(koosJr.scores).toEqual({ kneeHealth: null });
    expect(koosJr.answers).toMatchObject({ S6: 2, P2: 4, P3: 2, A5: null });
  });

  it('gives another site’s clinician 404 for this patient on every route', async () => {
    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    const other = new Client(harness.app);
    await other.signIn('clin@north.test');
    const before = await count(db, 'joint_episodes');
    expect((await other.call('GET', `/api/patients/${patientId}`)).status).toBe(404);
    expect(
      (
        await other.call('POST', `/api/patients/${patientId}/episodes`, {
          joint: 'knee',
          side: 'left',
          klGrade: 2,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await other.call('POST', `/api/episodes/${episodeId}/treatments`, {
          treatmentDate: '2026-03-02',
          productClass: 'PRP',
          volumeMl: 4,
          imageGuidance: 'none',
        })
      ).status,
    ).toBe(404);
    expect(
      (await other.call('POST', `/api/episodes/${episodeId}/surveys`, { timepoint: 'baseline' }))
        .status,
    ).toBe(404);
    const list = await other.call('GET', '/api/patients?limit=200');
    expect(list.body.patients.map((p: { id: string }) => p.id)).not.toContain(patientId);
    expect(await count(db, 'joint_episodes')).toBe(before);
  });

  it('refuses a reused link, an expired link and a made-up link', async () => {
    const { episodeId } = await enrolTreatedPatient(clinician);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    const token = tokenOf(issued.body.url);
    const patient = new Client(harness.app);
    const answers = { 'nrs-pain': { NRS: 4 } };
    expect((await patient.call('POST', `/api/survey/${token}/submit`, { answers })).status).toBe(
      201,
    );
    const responsesAfterFirst = await count(db, 'responses');
    expect((await patient.call('POST', `/api/survey/${token}/submit`, { answers })).status).toBe(
      410,
    );
    expect((await patient.call('GET', `/api/survey/${token}`)).status).toBe(410);
    expect((await patient.call('PUT', `/api/survey/${token}/draft`, { answers })).status).toBe(410);
    expect(await count(db, 'responses')).toBe(responsesAfterFirst);

    const fresh = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'w6',
      confirmOutsideWindow: true,
    });
    const expiresAt = new Date(fresh.body.expiresAt);
    const freshToken = tokenOf(fresh.body.url);
    expect((await patient.call('GET', `/api/survey/${freshToken}`)).status).toBe(200);
    const local = testApp(db, testClock(new Date(expiresAt.getTime() + 1000).toISOString()));
    const late = new Client(local.app);
    expect((await late.call('GET', `/api/survey/${freshToken}`)).status).toBe(410);
    expect((await late.call('POST', `/api/survey/${freshToken}/submit`, { answers })).status).toBe(
      410,
    );

    expect((await patient.call('GET', `/api/survey/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await patient.call('GET', '/api/survey/not-a-token')).status).toBe(404);
  });

  it('keeps a late answer and flags it out of window', async () => {
    const { episodeId } = await enrolTreatedPatient(clinician);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    // Baseline window closes on the treatment day (2026-03-02); answer 10 days later.
    const later = testApp(db, testClock('2026-03-12T10:00:00Z'));
    const reply = await new Client(later.app).call(
      'POST',
      `/api/survey/${tokenOf(issued.body.url)}/submit`,
      {
        answers: { 'nrs-pain': { NRS: 5 } },
      },
    );
    expect(reply.status).toBe(201);
    expect(reply.body.inWindow).toBe(false);
  });

  it('rejects malformed submissions, naming each bad field, and changes nothing', async () => {
    const { episodeId } = await enrolTreatedPatient(clinician);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    const token = tokenOf(issued.body.url);
    const patient = new Client(harness.app);
    await patient.call('PUT', `/api/survey/${token}/draft`, { answers: { koos: { P1: 1 } } });
    const responses = await count(db, 'responses');
    const audit = await count(db, 'audit_log');

    const bad = await patient.call('POST', `/api/survey/${token}/submit`, {
      answers: { koos: { ...koosAnswers(1), P3: 7, ZZ9: 1 }, 'nrs-pain': { NRS: 11 } },
    });
    expect(bad.status).toBe(400);
    const fields = bad.body.error.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['answers.koos.P3', 'answers.koos.ZZ9', 'answers.nrs-pain.NRS']);
    for (const body of [
      { answers: { womac: { A: 1 } } },
      { answers: { koos: { P1: 'two' } } },
      { answers: [] },
      {},
    ]) {
      expect((await patient.call('POST', `/api/survey/${token}/submit`, body)).status).toBe(400);
      expect((await patient.call('PUT', `/api/survey/${token}/draft`, body)).status).toBe(400);
    }
    const nothingAnswered = await patient.call('POST', `/api/survey/${token}/submit`, {
      answers: { koos: {} },
    });
    expect(nothingAnswered.status).toBe(400);
    expect((await patient.call('POST', `/api/survey/${token}/submit`, '{"answers": ')).status).toBe(
      400,
    );
    expect(
      (await patient.call('PUT', `/api/survey/${token}/draft`, { answers: { koos: { P1: 9 } } }))
        .status,
    ).toBe(400);

    expect(await count(db, 'responses')).toBe(responses);
    const still = await patient.call('GET', `/api/survey/${token}`);
    expect(still.status).toBe(200); // not completed
    expect(still.body.draft).toEqual({ koos: { P1: 1 } });
    // Refused requests leave no trace but the one read just made.
    expect(await count(db, 'audit_log')).toBe(audit + 1);
  });

  it('rejects bad enrolment and joint input with each field named, writing nothing', async () => {
    const before = await count(db, 'patients');
    const bad = await clinician.call('POST', '/api/patients', {
      ...ENROL_BODY,
      givenName: '',
      dateOfBirth: '1961-02-30',
      sex: 'x',
      consentGiven: false,
      email: 'not-an-email',
    });
    expect(bad.status).toBe(400);
    const fields = bad.body.error.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['consentGiven', 'dateOfBirth', 'email', 'givenName', 'sex']);
    const future = await clinician.call('POST', '/api/patients', {
      ...ENROL_BODY,
      dateOfBirth: '2030-01-01',
      consentDate: '2030-01-02',
    });
    expect(future.status).toBe(400);
    expect(
      (await clinician.call('POST', '/api/patients', { ...ENROL_BODY, extra: 1 })).status,
    ).toBe(400);
    expect(
      (await clinician.call('POST', '/api/patients', 'not json', { 'content-type': 'text/plain' }))
        .status,
    ).toBe(400);
    expect(await count(db, 'patients')).toBe(before);

    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    const episodes = await count(db, 'joint_episodes');
    const badJoint = await clinician.call('POST', `/api/patients/${patientId}/episodes`, {
      joint: 'elbowz',
      side: 'up',
      klGrade: 5,
    });
    expect(badJoint.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'joint',
      'klGrade',
      'side',
    ]);
    expect(await count(db, 'joint_episodes')).toBe(episodes);
    const treatments = await count(db, 'treatments');
    const badTreatment = await clinician.call('POST', `/api/episodes/${episodeId}/treatments`, {
      treatmentDate: 'yesterday',
      productClass: 'MAGIC',
      volumeMl: -1,
      imageGuidance: 'none',
      cellDoseMillions: 'lots',
      bmi: 'heavy',
    });
    expect(badTreatment.status).toBe(400);
    expect(badTreatment.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'bmi',
      'cellDoseMillions',
      'productClass',
      'treatmentDate',
      'volumeMl',
    ]);
    // A BMI just past the plausible bounds is refused; one at a bound is kept.
    const treatment = {
      treatmentDate: '2026-03-02',
      productClass: 'BMAC',
      volumeMl: 8,
      imageGuidance: 'ultrasound',
    };
    for (const bmi of [9.9, 80.1]) {
      const refused = await clinician.call('POST', `/api/episodes/${episodeId}/treatments`, {
        ...treatment,
        bmi,
      });
      expect(refused.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['bmi']);
    }
    expect(await count(db, 'treatments')).toBe(treatments);
    const kept = await clinician.call('POST', `/api/episodes/${episodeId}/treatments`, {
      ...treatment,
      bmi: 80,
    });
    expect(kept.status).toBe(201);
    expect(kept.body.bmi).toBe(80);
  });

  it('demands the CSRF token for every change made with a session cookie', async () => {
    const before = await count(db, 'patients');
    const reply = await clinician.call('POST', '/api/patients', ENROL_BODY, {
      'x-csrf-token': 'wrong',
    });
    expect(reply.status).toBe(403);
    const missing = await clinician.call('POST', '/api/patients', ENROL_BODY, {
      'x-csrf-token': '',
    });
    expect(missing.status).toBe(403);
    expect(await count(db, 'patients')).toBe(before);
  });

  it('shows researchers the record without identifiers and lets them change nothing', async () => {
    const { patientId } = await enrolTreatedPatient(clinician);
    const researcher = new Client(harness.app);
    await researcher.signIn('research@harbour.test');
    const record = await researcher.call('GET', `/api/patients/${patientId}`);
    expect(record.status).toBe(200);
    expect(record.body.patient).not.toHaveProperty('givenName');
    expect(record.body.patient).not.toHaveProperty('dateOfBirth');
    expect(record.body.patient).not.toHaveProperty('email');
    // A name search is refused with a reason (issue 13), never silently ignored.
    const search = await researcher.call('GET', '/api/patients?search=Testperson');
    expect(search.status).toBe(403);
    const list = await researcher.call('GET', '/api/patients');
    expect(list.body.patients[0]).not.toHaveProperty('familyName');
    expect(list.body.patients[0]).not.toHaveProperty('registryId');
    expect((await researcher.call('POST', '/api/patients', ENROL_BODY)).status).toBe(403);
  });

  it('needs a session for clinic routes, and ends it on sign-out', async () => {
    const anon = new Client(harness.app);
    expect((await anon.call('GET', '/api/patients')).status).toBe(401);
    const c = new Client(harness.app);
    expect((await c.signIn('clin@harbour.test', 'wrong password')).status).toBe(401);
    await c.signIn('clin@harbour.test');
    expect((await c.call('GET', '/api/auth/me')).body.user.email).toBe('clin@harbour.test');
    const stolenCookie = c.cookie;
    expect((await c.call('POST', '/api/auth/logout')).status).toBe(200);
    const replay = new Client(harness.app);
    replay.cookie = stolenCookie;
    expect((await replay.call('GET', '/api/patients')).status).toBe(401);
  });

  it('slows password guessing after a few failures, even for the right password', async () => {
    const guesser = new Client(harness.app);
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await guesser.call('POST', '/api/auth/login', {
            email: 'clin@north.test',
            password: `guess-${i}`,
          })
        ).status,
      ).toBe(401);
    }
    const refused = await guesser.call('POST', '/api/auth/login', {
      email: 'clin@north.test',
      password: `guess-3`,
    });
    expect(refused.status).toBe(401);
    const slowed = await guesser.call('POST', '/api/auth/login', {
      email: 'clin@north.test',
      password: PASSWORD,
    });
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('writes an audit row for every read and write of patient data, and never lets one change', async () => {
    const { patientId } = await enrolTreatedPatient(clinician);
    await clinician.call('GET', `/api/patients/${patientId}`);
    const rows = await db.query<{ action: string; entity: string }>(
      'select action, entity from audit_log where patient_id = $1 order by id',
      [patientId],
    );
    expect(rows).toEqual([
      { action: 'create', entity: 'patient' },
      { action: 'create', entity: 'joint_episode' },
      { action: 'create', entity: 'treatment' },
      { action: 'read', entity: 'patient' },
    ]);
    await expect(db.query('update audit_log set action = $1', ['tampered'])).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('delete from audit_log')).rejects.toThrow(/append-only/);
  });

  it('serves an OpenAPI description and security headers', async () => {
    const reply = await new Client(harness.app).call('GET', '/api/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toBe('3.1.0');
    expect(Object.keys(reply.body.paths)).toContain('/api/survey/{token}/submit');
    expect(
      reply.body.paths['/api/patients'].post.requestBody.content['application/json'].schema
        .required,
    ).toContain('consentGiven');
    const csp = reply.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
