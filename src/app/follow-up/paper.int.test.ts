import { writeFile } from 'node:fs/promises';
import { PDFDocument, PDFName } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.ts';
import { backends } from '../../testing/databases.ts';
import {
  Client,
  enrolTreatedPatient,
  PASSWORD,
  seedTwoSites,
  testApp,
  testClock,
  tokenOf,
} from '../../testing/http.ts';
import { pdfPageTexts } from '../../testing/pdf.ts';
import { createUser } from '../access/auth.ts';

describe.each(backends())('paper forms and the clinic tablet on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
    await createUser(db, 'Harbour', {
      email: 'nurse@harbour.test',
      name: 'Nurse Second',
      role: 'clinician',
      password: PASSWORD,
    });
  });
  afterAll(async () => {
    await db.close();
  });

  async function issued(clinician: Client, instruments = ['nrs-pain', 'koos-jr']) {
    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    const reply = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'm6',
      instruments,
    });
    expect(reply.status).toBe(201);
    const [patient] = await db.query<{ registryId: string }>(
      'select registry_id as "registryId" from patients where id = $1',
      [patientId],
    );
    return {
      patientId,
      assignmentId: reply.body.id as string,
      url: reply.body.url as string,
      registryId: patient?.registryId as string,
    };
  }

  async function printed(app: ReturnType<typeof testApp>['app'], client: Client, id: string) {
    const res = await app.request(`/api/surveys/${id}/paper-form`, {
      method: 'POST',
      headers: { cookie: client.cookie, 'x-csrf-token': client.csrf },
    });
    return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
  }

  it('prints a PDF with its title, language, subject, the items and the form code', async () => {
    const { app } = testApp(db, testClock('2026-08-20T09:00:00Z'));
    const clinician = new Client(app);
    await clinician.signIn('clin@harbour.test');
    const survey = await issued(clinician);
    const { res, bytes } = await printed(app, clinician, survey.assignmentId);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const code = res.headers.get('x-form-code') as string;
    expect(code).toMatch(/^[0-9A-Z]{8}$/);
    if (backend.name === 'pglite') await writeFile('/tmp/stemtrack-paper-form.pdf', bytes);

    const doc = await PDFDocument.load(bytes);
    expect(doc.getTitle()).toBe('Questionnaire about your right knee: 6 months');
    expect(doc.getSubject()).toContain('NRS pain');
    expect(String(doc.catalog.get(PDFName.of('Lang')))).toContain('en');
    const text = (await pdfPageTexts(bytes)).join('\n');
    expect(text).toContain(`Patient number ${survey.registryId}`);
    expect(text).toContain(`Form code: ${code.slice(0, 4)}-${code.slice(4)}`);
    for (const item of [
      '[NRS]',
      '[S6]',
      '[P2]',
      '[A5]',
      'No pain',
      'Worst pain imaginable',
      'Extreme',
    ])
      expect(text).toContain(item);

    // Printing again keeps the code; another site and a researcher get nothing.
    expect(
      (await printed(app, clinician, survey.assignmentId)).res.headers.get('x-form-code'),
    ).toBe(code);
    const north = new Client(app);
    await north.signIn('clin@north.test');
    expect((await printed(app, north, survey.assignmentId)).res.status).toBe(404);
    expect((await north.call('GET', `/api/paper-forms/${code}`)).status).toBe(404);
    const researcher = new Client(app);
    await researcher.signIn('research@harbour.test');
    expect((await printed(app, researcher, survey.assignmentId)).res.status).toBe(403);
  });

  it('double entry: a second person, mismatches item by item, settled, then scored as paper', async () => {
    const { app } = testApp(db, testClock('2026-08-20T09:00:00Z'));
    const first = new Client(app);
    await first.signIn('clin@harbour.test');
    const second = new Client(app);
    await second.signIn('nurse@harbour.test');
    const survey = await issued(first);
    const code = (await printed(app, first, survey.assignmentId)).res.headers.get(
      'x-form-code',
    ) as string;
    const answers = {
      'nrs-pain': { NRS: 4 },
      'koos-jr': { S6: 1, P2: 2, P3: 1, P6: 2, P9: 1, A3: 1, A5: 0 },
    };
    const typed = code.toLowerCase().replace(/^(.{4})/, '$1 ');

    // A form for another patient is refused and records nothing.
    const wrong = await first.call('POST', `/api/paper-forms/${typed}/entries`, {
      registryId: 'P-9999',
      answers,
      recordNow: false,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields[0].field).toBe('registryId');
    const typo = await first.call(
      'GET',
      `/api/paper-forms/${code.slice(0, 7)}${code[7] === 'A' ? 'B' : 'A'}`,
    );
    expect(typo.status).toBe(400);
    expect(typo.body.error.fields[0].field).toBe('code');

    const one = await first.call('POST', `/api/paper-forms/${typed}/entries`, {
      registryId: survey.registryId,
      answers,
      recordNow: false,
    });
    expect(one.status).toBe(201);
    expect(one.body.status).toBe('awaiting-second-entry');
    const again = await first.call('POST', `/api/paper-forms/${code}/entries`, {
      registryId: survey.registryId,
      answers,
      recordNow: true,
    });
    expect(again.status).toBe(409);

    // The second person's view shows no values of the first entry.
    const view = await second.call('GET', `/api/paper-forms/${code}`);
    expect(view.body.entries).toEqual([
      expect.objectContaining({ enteredByName: 'clin', mine: false }),
    ]);
    expect(JSON.stringify(view.body)).not.toContain('"P2":2');

    const two = await second.call('POST', `/api/paper-forms/${code}/entries`, {
      registryId: survey.registryId.toLowerCase(),
      answers: { ...answers, 'koos-jr': { ...answers['koos-jr'], P2: 3 } },
      recordNow: false,
    });
    expect(two.status).toBe(201);
    expect(two.body.status).toBe('mismatches');
    expect(two.body.mismatches).toEqual([
      expect.objectContaining({ instrumentId: 'koos-jr', code: 'P2', first: 2, second: 3 }),
    ]);
    const none = await db.query('select 1 from responses where assignment_id = $1', [
      survey.assignmentId,
    ]);
    expect(none).toHaveLength(0);

    const unsettled = await second.call('POST', `/api/paper-forms/${code}/settle`, { answers: {} });
    expect(unsettled.status).toBe(400);
    expect(unsettled.body.error.fields[0].field).toBe('answers.koos-jr.P2');
    const settled = await second.call('POST', `/api/paper-forms/${code}/settle`, {
      answers: { 'koos-jr': { P2: 2 } },
    });
    expect(settled.status).toBe(200);
    expect(settled.body.status).toBe('recorded');

    const rows = await db.query<{
      instrumentId: string;
      mode: string;
      enteredBy: string;
      answers: Record<string, number>;
    }>(
      `select r.instrument_id as "instrumentId", r.mode, u.email as "enteredBy", r.answers
       from responses r join users u on u.id = r.entered_by where r.assignment_id = $1 order by 1`,
      [survey.assignmentId],
    );
    expect(rows.map((r) => [r.instrumentId, r.mode, r.enteredBy])).toEqual([
      ['koos-jr', 'paper', 'nurse@harbour.test'],
      ['nrs-pain', 'paper', 'nurse@harbour.test'],
    ]);
    expect(rows[0]?.answers.P2).toBe(2);
    const scores = await db.query<{ value: number }>(
      `select s.value from response_scores s join responses r on r.id = s.response_id
       where r.assignment_id = $1 and r.instrument_id = 'nrs-pain'`,
      [survey.assignmentId],
    );
    expect(scores.map((s) => s.value)).toEqual([4]);
    const closed = await first.call('POST', `/api/paper-forms/${code}/entries`, {
      registryId: survey.registryId,
      answers,
      recordNow: true,
    });
    expect(closed.status).toBe(409);
  });

  it('records a single entry at once when asked', async () => {
    const { app } = testApp(db, testClock('2026-08-20T09:00:00Z'));
    const clinician = new Client(app);
    await clinician.signIn('clin@harbour.test');
    const survey = await issued(clinician, ['nrs-pain']);
    const code = (await printed(app, clinician, survey.assignmentId)).res.headers.get(
      'x-form-code',
    ) as string;
    const bad = await clinician.call('POST', `/api/paper-forms/${code}/entries`, {
      registryId: survey.registryId,
      answers: { 'nrs-pain': { NRS: 11 } },
      recordNow: true,
    });
    expect(bad.status).toBe(400);
    const entered = await clinician.call('POST', `/api/paper-forms/${code}/entries`, {
      registryId: survey.registryId,
      answers: { 'nrs-pain': { NRS: 7 } },
      recordNow: true,
    });
    expect(entered.body.status).toBe('recorded');
    const [row] = await db.query<{ mode: string }>(
      'select mode from responses where assignment_id = $1',
      [survey.assignmentId],
    );
    expect(row?.mode).toBe('paper');
    // Printing, reading and entering the form are the clinician's, on the survey, in the log.
    const audit = await db.query<{ action: string; entity: string; user: string | null }>(
      `select a.action, a.entity, u.email as user from audit_log a
       left join users u on u.id = a.actor_user_id
       where a.entity_id = $1 and a.action like '%paper-form' order by a.id`,
      [survey.assignmentId],
    );
    expect(audit.map((a) => [a.action, a.entity, a.user])).toEqual([
      ['print-paper-form', 'survey_assignment', 'clin@harbour.test'],
      ['enter-paper-form', 'survey_assignment', 'clin@harbour.test'],
    ]);
  });

  it('hands a survey over on a tablet: the clinician is signed out, the tablet sees one survey and locks', async () => {
    const { app } = testApp(db, testClock('2026-08-20T09:00:00Z'));
    const clinician = new Client(app);
    await clinician.signIn('clin@harbour.test');
    const survey = await issued(clinician, ['nrs-pain']);
    const other = await issued(clinician, ['nrs-pain']);
    const handed = await clinician.call('POST', `/api/surveys/${survey.assignmentId}/tablet`);
    expect(handed.status).toBe(201);
    expect(handed.body.url).toMatch(/^\/s\//);
    // The device's clinic session ended with the hand-over.
    expect((await clinician.call('GET', '/api/patients')).status).toBe(401);
    expect((await clinician.call('GET', `/api/patients/${other.patientId}`)).status).toBe(401);

    const tablet = new Client(app);
    const token = tokenOf(handed.body.url);
    const opened = await tablet.call('GET', `/api/survey/${token}`);
    expect(opened.status).toBe(200);
    expect(opened.body.tablet).toEqual({ idleSeconds: 180 });
    expect(JSON.stringify(opened.body)).not.toContain(other.registryId);

    // Left idle: the link stops at once; the tablet shows its locked screen.
    expect(
      (await tablet.call('POST', `/api/survey/${token}/lock`, { reason: 'idle' })).status,
    ).toBe(200);
    const locked = await tablet.call('GET', `/api/survey/${token}`);
    expect(locked.status).toBe(410);
    expect(locked.body.error.message).toBe(
      'This tablet is locked. Please hand it back to the clinic staff.',
    );

    // Handed over again and answered: recorded as "clinic tablet", entered by the patient.
    await clinician.signIn('clin@harbour.test');
    const again = await clinician.call('POST', `/api/surveys/${survey.assignmentId}/tablet`);
    const token2 = tokenOf(again.body.url);
    const sent = await tablet.call('POST', `/api/survey/${token2}/submit`, {
      answers: { 'nrs-pain': { NRS: 3 } },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.trajectory).toEqual([]);
    const [row] = await db.query<{ mode: string; enteredBy: string | null }>(
      'select mode, entered_by as "enteredBy" from responses where assignment_id = $1',
      [survey.assignmentId],
    );
    expect(row).toEqual({ mode: 'tablet', enteredBy: null });
    // A lock with a token that is no tablet's changes nothing and says the same.
    const lockOther = await tablet.call('POST', `/api/survey/${tokenOf(other.url)}/lock`, {
      reason: 'idle',
    });
    expect(lockOther.body).toEqual({ locked: true });
    expect((await tablet.call('GET', `/api/survey/${tokenOf(other.url)}`)).status).toBe(200);
  });
});
