import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../jobs/runner.ts';
import { twilioProvider, twilioSignature } from '../../jobs/twilio.ts';
import type { Db } from '../../store/db.ts';
import { backends } from '../../testing/databases.ts';
import { startFakeTwilio, TWILIO_SID, TWILIO_TOKEN } from '../../testing/fake-twilio.ts';
import {
  Client,
  ENROL_BODY,
  enrolTreatedPatient,
  seedTwoSites,
  testApp,
  testClock,
} from '../../testing/http.ts';
import { type SmsSettings, SURVEY_SMS_JOB, surveyTextHandler } from './sms.ts';

const MOBILE = '+447400123456';

describe.each(backends())('survey texts over Twilio on $name', (backend) => {
  let db: Db;
  let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
  const servers: { close(): void }[] = [];
  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
    twilio = await startFakeTwilio();
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await twilio.close();
    await db.close();
  });

  /** StemTrack listening on 127.0.0.1 (Twilio's callbacks need a URL), texts on, a fake clock. */
  async function smsHarness(start: string) {
    const clock = testClock(start);
    const harness = testApp(db, clock);
    const sms: SmsSettings = {
      provider: twilioProvider({
        accountSid: TWILIO_SID,
        authToken: TWILIO_TOKEN,
        from: '+15005550006',
        baseUrl: twilio.baseUrl,
      }),
      key: randomBytes(32),
      reminders: 2,
      reminderEveryDays: 7,
      defaultTimeZone: 'UTC',
    };
    harness.ctx.sms = sms;
    const server = serve({ fetch: harness.app.fetch, port: 0, hostname: '127.0.0.1' });
    servers.push(server);
    await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
    harness.ctx.publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const runner = new JobRunner({
      db,
      now: clock.now,
      handlers: { [SURVEY_SMS_JOB]: surveyTextHandler(harness.ctx, sms) },
    });
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    return { clock, harness, runner, clinician, base: harness.ctx.publicUrl };
  }

  const consentOf = async (patientId: string) =>
    (
      await db.query<{ consent: string; source: string | null }>(
        'select sms_consent as consent, sms_consent_source as source from patient_identities where patient_id = $1',
        [patientId],
      )
    )[0];

  it('refuses a number that is not a mobile and an unknown zone, naming the field, and changes nothing', async () => {
    const { clinician } = await smsHarness('2026-08-20T09:00:00Z');
    const { patientId } = await enrolTreatedPatient(clinician);
    const contact = {
      mobile: '+44 20 7946 0000',
      smsConsent: 'opted-in',
      timeZone: 'Europe/London',
      language: 'en',
      preferredCallTime: '',
    };
    const landline = await clinician.call('PUT', `/api/patients/${patientId}/contact`, contact);
    expect(landline.status).toBe(400);
    expect(landline.body.error.fields).toEqual([
      {
        field: 'mobile',
        message: 'This is not a mobile number, so it cannot receive text messages',
      },
    ]);
    const zone = await clinician.call('PUT', `/api/patients/${patientId}/contact`, {
      ...contact,
      mobile: MOBILE,
      timeZone: 'Mars/Olympus_Mons',
    });
    expect(zone.status).toBe(400);
    expect(zone.body.error.fields[0].field).toBe('timeZone');
    const language = await clinician.call('PUT', `/api/patients/${patientId}/contact`, {
      ...contact,
      mobile: MOBILE,
      language: 'not a tag',
    });
    expect(language.body.error.fields[0].field).toBe('language');
    const noNumber = await clinician.call('PUT', `/api/patients/${patientId}/contact`, {
      ...contact,
      mobile: '',
    });
    expect(noNumber.body.error.fields[0]).toEqual({
      field: 'mobile',
      message: 'A mobile number is needed for text messages',
    });
    const after = await clinician.call('GET', `/api/patients/${patientId}/contact`);
    expect(after.body).toMatchObject({ mobile: null, smsConsent: 'none', timeZone: null });

    // A national number is read in the country given, and stored as E.164.
    const ok = await clinician.call('PUT', `/api/patients/${patientId}/contact`, {
      ...contact,
      mobile: '07400 123456',
      country: 'GB',
      language: 'pt-br',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      mobile: MOBILE,
      smsConsent: 'opted-in',
      language: 'pt-BR',
      timeZone: 'Europe/London',
    });
    // Another site's clinician cannot see or change the record.
    const other = new Client((await smsHarness('2026-08-20T09:00:00Z')).harness.app);
    await other.signIn('clin@north.test');
    const valid = { ...contact, mobile: MOBILE };
    expect((await other.call('PUT', `/api/patients/${patientId}/contact`, valid)).status).toBe(404);
    expect((await other.call('GET', `/api/patients/${patientId}/contact`)).status).toBe(404);
  });

  it('texts only the clinic and the link, in daytime, records delivery, and STOP and START change consent at once', async () => {
    await db.query("update jobs set status = 'done' where status <> 'done'");
    // 21:30 UTC is 22:30 in London in August: quiet hours, the invitation waits until 08:00.
    const { clock, runner, clinician, base } = await smsHarness('2026-08-20T21:30:00Z');
    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    await clinician.call('PUT', `/api/patients/${patientId}/contact`, {
      mobile: MOBILE,
      smsConsent: 'opted-in',
      timeZone: 'Europe/London',
      language: 'en',
      preferredCallTime: 'Weekday mornings',
    });
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'm6',
    });
    expect(issued.status).toBe(201);
    const before = twilio.sent.length;
    // The invitation was queued for 08:00 London time (07:00 UTC) the next morning.
    const [job] = await db.query<{ runAt: Date }>(
      `select run_at as "runAt" from jobs where kind = 'survey-sms' and payload->>'assignmentId' = $1
       order by run_at limit 1`,
      [issued.body.id],
    );
    expect(job?.runAt.toISOString()).toBe('2026-08-21T07:00:00.000Z');
    await runner.runDue();
    expect(twilio.sent.length).toBe(before);
    // Still quiet at 22:30: the job waits without using one of its attempts.
    const [waiting] = await db.query<{ status: string; attempts: number }>(
      `select status, attempts from jobs where kind = 'survey-sms' and payload->>'assignmentId' = $1
       order by run_at limit 1`,
      [issued.body.id],
    );
    expect(waiting).toEqual({ status: 'pending', attempts: 0 });
    clock.advanceDays(0.4); // 07:06 UTC
    await runner.runDue();
    expect(twilio.sent.length).toBe(before + 1);
    const text = twilio.sent.at(-1);
    if (!text) throw new Error('no text');
    expect(text.to).toBe(MOBILE);
    expect(text.from).toBe('+15005550006');
    expect(text.body).toContain('Harbour');
    expect(text.body).toMatch(new RegExp(`${base}/s/[A-Za-z0-9_-]+\\?via=sms`));
    // No health information: no time point, joint or treatment.
    expect(text.body).not.toMatch(/6 months|knee|BMAC|stem|injection/i);
    expect(text.statusCallback).toBe(`${base}/api/sms/status`);

    // A forged callback (wrong key) is refused and changes nothing; Twilio's own is recorded.
    expect((await twilio.status(text, 'undelivered', '30003', 'wrong-token')).status).toBe(403);
    expect((await twilio.status(text, 'delivered')).status).toBe(200);
    const [contact] = await db.query<{ delivery: string; step: number }>(
      'select delivery, step from follow_up_contacts where provider_id = $1',
      [text.sid],
    );
    expect(contact).toEqual({ delivery: 'delivered', step: 0 });

    // STOP (any case, spaces around it) opts out at once; the next reminder is not sent.
    const inbound = `${base}/api/sms/inbound`;
    expect((await twilio.reply(inbound, MOBILE, ' stop ', 'forged')).status).toBe(403);
    expect((await consentOf(patientId))?.consent).toBe('opted-in');
    const stop = await twilio.reply(inbound, MOBILE, ' stop ');
    expect(stop.status).toBe(200);
    expect(stop.headers.get('content-type')).toContain('text/xml');
    expect(await consentOf(patientId)).toEqual({ consent: 'opted-out', source: 'patient-reply' });
    clock.advanceDays(7.2);
    await runner.runDue();
    expect(twilio.sent.length).toBe(before + 1);
    // "Stop texting me" is not a keyword; START brings texts back.
    await twilio.reply(inbound, MOBILE, 'Stop texting me');
    expect((await consentOf(patientId))?.consent).toBe('opted-out');
    await twilio.reply(inbound, MOBILE, 'START');
    expect((await consentOf(patientId))?.consent).toBe('opted-in');
    clock.advanceDays(7);
    await runner.runDue();
    expect(twilio.sent.length).toBe(before + 2);
    expect(twilio.sent.at(-1)?.body).toContain('A reminder from Harbour');

    // Answers from the text's link are recorded as web-by-SMS.
    const link = /\/s\/([A-Za-z0-9_-]+)\?via=sms/.exec(text.body)?.[1];
    const answered = await new Client((await smsHarness('2026-09-05T09:00:00Z')).harness.app).call(
      'POST',
      `/api/survey/${link}/submit`,
      {
        answers: { 'nrs-pain': { NRS: 4 } },
        via: 'sms',
      },
    );
    expect(answered.status).toBe(201);
    const modes = await db.query<{ mode: string; enteredBy: string | null }>(
      'select distinct mode, entered_by as "enteredBy" from responses where assignment_id = $1',
      [issued.body.id],
    );
    expect(modes).toEqual([{ mode: 'web-sms', enteredBy: null }]);
  });

  it('refuses any callback without a valid signature, whatever its form, and changes nothing', async () => {
    const { base } = await smsHarness('2026-08-20T09:00:00Z');
    const snapshot = () =>
      db.query(
        `select (select count(*)::int from follow_up_contacts) as contacts,
                (select string_agg(sms_consent, ',' order by patient_id) from patient_identities) as consents`,
      );
    const before = await snapshot();
    const form = fc.dictionary(
      fc.constantFrom('From', 'Body', 'MessageSid', 'MessageStatus', 'ErrorCode', 'To', 'x'),
      fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('STOP', MOBILE, 'delivered', '21610')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/sms/status', '/api/sms/inbound'),
        form,
        fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 })),
        async (path, params, signature) => {
          const reply = await fetch(`${base}${path}`, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/x-www-form-urlencoded',
              ...(signature === undefined ? {} : { 'X-Twilio-Signature': signature }),
            },
            body: new URLSearchParams(params),
          });
          expect(reply.status).toBe(403);
        },
      ),
      { numRuns: 40, seed: 15 },
    );
    // JSON is signed through its hash in the URL: unsigned, tampered or hashless, it is refused.
    const json = await fetch(`${base}/api/sms/status`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(403);
    const stop = JSON.stringify({ From: MOBILE, Body: 'STOP' });
    const tampered = await twilio.postJson(
      `${base}/api/sms/inbound`,
      JSON.stringify({ From: MOBILE, Body: 'hello' }),
      stop,
    );
    expect(tampered.status).toBe(403);
    const hashless = await fetch(`${base}/api/sms/inbound`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Twilio-Signature': twilioSignature(TWILIO_TOKEN, `${base}/api/sms/inbound`, {}),
      },
      body: stop,
    });
    expect(hashless.status).toBe(403);
    // Any other body is refused before anything is read.
    const plain = await fetch(`${base}/api/sms/status`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'MessageStatus=delivered',
    });
    expect(plain.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('reads a callback Twilio sends as JSON, signed through the bodySHA256 of its URL', async () => {
    await db.query("update jobs set status = 'done' where status <> 'done'");
    const { clinician, base } = await smsHarness('2026-08-20T09:00:00Z');
    const { patientId } = await enrolTreatedPatient(clinician);
    const mobile = '+447400123999';
    await clinician.call('PUT', `/api/patients/${patientId}/contact`, {
      mobile,
      smsConsent: 'opted-in',
      timeZone: 'Europe/London',
      language: 'en',
      preferredCallTime: '',
    });
    const reply = await twilio.postJson(
      `${base}/api/sms/inbound`,
      JSON.stringify({ AccountSid: TWILIO_SID, From: mobile, Body: 'STOP' }),
    );
    expect(reply.status).toBe(200);
    expect(await consentOf(patientId)).toEqual({ consent: 'opted-out', source: 'patient-reply' });
  });

  it('treats a refusal as final: an unsubscribed number is opted out, a server error is retried', async () => {
    await db.query("update jobs set status = 'done' where status <> 'done'");
    const { clock, runner, clinician } = await smsHarness('2026-08-20T09:00:00Z');
    const patient = await clinician.call('POST', '/api/patients', {
      ...ENROL_BODY,
      givenName: 'Bea',
    });
    const episode = await clinician.call('POST', `/api/patients/${patient.body.id}/episodes`, {
      joint: 'hip',
      side: 'left',
      klGrade: 2,
    });
    await clinician.call('POST', `/api/episodes/${episode.body.id}/treatments`, {
      treatmentDate: '2026-03-02',
      productClass: 'PRP',
      cellDoseMillions: null,
      volumeMl: 5,
      imageGuidance: 'none',
    });
    const other = '+447911123456';
    await clinician.call('PUT', `/api/patients/${patient.body.id}/contact`, {
      mobile: other,
      smsConsent: 'opted-in',
      timeZone: '',
      language: 'en',
      preferredCallTime: '',
    });
    twilio.failNextMessages(1);
    twilio.unsubscribed.add(other);
    await clinician.call('POST', `/api/episodes/${episode.body.id}/surveys`, { timepoint: 'm6' });
    await runner.runDue();
    const [retried] = await db.query<{ status: string; attempts: number; lastError: string }>(
      `select status, attempts, last_error as "lastError" from jobs
       where kind = 'survey-sms' and status <> 'done' order by run_at limit 1`,
    );
    expect(retried).toMatchObject({ status: 'pending', attempts: 1 });
    expect(retried?.lastError).toContain('503');
    clock.advanceDays(0.01);
    await runner.runDue();
    expect((await consentOf(patient.body.id))?.consent).toBe('opted-out');
    const [failed] = await db.query<{ delivery: string; errorCode: string }>(
      `select delivery, error_code as "errorCode" from follow_up_contacts c
       join survey_assignments a on a.id = c.assignment_id where a.patient_id = $1`,
      [patient.body.id],
    );
    expect(failed).toEqual({ delivery: 'failed', errorCode: '21610' });
    const dead = await db.query(
      "select 1 from jobs where kind = 'survey-sms' and status in ('dead', 'running')",
    );
    expect(dead).toHaveLength(0);
  });
});
