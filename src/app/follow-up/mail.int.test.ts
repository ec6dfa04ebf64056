import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../jobs/runner.ts';
import { smtpSender } from '../../jobs/smtp.ts';
import type { Db } from '../../store/db.ts';
import { backends } from '../../testing/databases.ts';
import {
  Client,
  ENROL_BODY,
  enrolTreatedPatient,
  PASSWORD,
  seedTwoSites,
  testApp,
  testClock,
  tokenOf,
} from '../../testing/http.ts';
import { createUser } from '../access/auth.ts';
import { AUTO_INVITE_JOB, autoInviteHandler, queueAutoInvite } from './invitations.ts';
import { type MailSettings, surveyEmailHandler } from './mail.ts';

interface Received {
  to: string;
  subject: string;
  text: string;
}

/** A real SMTP server on loopback that keeps what it receives. */
async function startSmtp() {
  const inbox: Received[] = [];
  let failNext = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      if (failNext > 0) {
        failNext--;
        stream.resume();
        stream.on('end', () =>
          callback(Object.assign(new Error('Service not available'), { responseCode: 421 })),
        );
        return;
      }
      simpleParser(stream)
        .then((m) => {
          const to = Array.isArray(m.to) ? m.to[0]?.text : m.to?.text;
          inbox.push({ to: to ?? '', subject: m.subject ?? '', text: m.text ?? '' });
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
    failNextMessages(n: number) {
      failNext = n;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(backends())('survey e-mails over SMTP on $name', (backend) => {
  let db: Db;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
    smtp = await startSmtp();
  });
  /** An app with e-mail on, sending to the test SMTP server, and a job runner on a fake clock. */
  function mailHarness(start: string, reminders: number) {
    const clock = testClock(start);
    const mail: MailSettings = {
      key: randomBytes(32),
      from: 'StemTrack <noreply@clinic.example>',
      send: smtpSender(smtp.url),
      reminders,
      reminderEveryDays: 7,
    };
    const harness = testApp(db, clock);
    harness.ctx.mail = mail;
    const runner = new JobRunner({
      db,
      now: clock.now,
      handlers: {
        'survey-email': surveyEmailHandler(harness.ctx, mail),
        [AUTO_INVITE_JOB]: autoInviteHandler(harness.ctx),
      },
    });
    return { clock, harness, runner };
  }

  afterAll(async () => {
    await smtp.close();
    await db.close();
  });

  it('invites, reminds until the survey is done, retries a refused send, and honours opt-out', async () => {
    const { clock, harness, runner } = mailHarness('2026-08-20T08:00:00Z', 2);
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const { episodeId } = await enrolTreatedPatient(clinician); // treated 2026-03-02: 6-month window to 2026-10-01

    const six = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'm6',
    });
    expect(six.status).toBe(201);
    expect(await runner.runDue()).toBe(1);
    expect(smtp.inbox).toHaveLength(1);
    const invitation = smtp.inbox[0] as Received;
    expect(invitation.to).toBe(ENROL_BODY.email);
    expect(invitation.subject).toBe('Harbour: your 6 months questionnaire');
    expect(invitation.text).toContain(six.body.url);
    expect(invitation.text).toContain('due on 2 Sep 2026');

    // First reminder a week later; the mail server refuses once, the job retries a minute on.
    clock.advanceDays(7);
    clock.advanceDays(0.1);
    smtp.failNextMessages(1);
    await runner.runDue();
    expect(smtp.inbox).toHaveLength(1);
    clock.advanceDays(0.01);
    await runner.runDue();
    expect(smtp.inbox).toHaveLength(2);
    expect(smtp.inbox[1]?.subject).toBe('Reminder from Harbour: 6 months questionnaire');

    // The patient answers; the second reminder is never sent.
    const answered = await new Client(harness.app).call(
      'POST',
      `/api/survey/${tokenOf(six.body.url)}/submit`,
      {
        answers: { 'nrs-pain': { NRS: 3 } },
      },
    );
    expect(answered.status).toBe(201);
    clock.advanceDays(8);
    await runner.runDue();
    expect(smtp.inbox).toHaveLength(2);

    // Opting out through the link in the e-mail stops the next survey's e-mails.
    const link = /\/unsubscribe\/(\S+)/.exec(invitation.text)?.[1];
    expect(link).toBeDefined();
    expect((await new Client(harness.app).call('POST', `/api/unsubscribe/${link}`)).status).toBe(
      200,
    );
    expect((await new Client(harness.app).call('POST', `/api/unsubscribe/${link}x`)).status).toBe(
      404,
    );
    await clinician.signIn('clin@harbour.test');
    const twelve = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'm12',
      confirmOutsideWindow: true,
    });
    expect(twelve.status).toBe(201);
    await runner.runDue();
    expect(smtp.inbox).toHaveLength(2);
    const [{ n }] = (await db.query<{ n: number }>(
      "select count(*)::int as n from audit_log where action in ('email-invitation', 'email-reminder', 'email-opt-out')",
    )) as [{ n: number }];
    expect(n).toBe(3);
  });

  it("lists an e-mail the server refused every time on the clinic's dead-letter list", async () => {
    const { clock, harness, runner } = mailHarness('2026-08-20T08:00:00Z', 0);
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    await db.query("update jobs set status = 'done' where status <> 'done'");
    const { episodeId } = await enrolTreatedPatient(clinician);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'm6',
    });
    smtp.failNextMessages(100);
    for (let i = 0; i < 12; i++) {
      await runner.runDue();
      clock.advanceDays(0.5);
    }
    smtp.failNextMessages(0);
    await clinician.signIn('clin@harbour.test');
    const list = await clinician.call('GET', '/api/follow-up/undelivered');
    expect(list.status).toBe(200);
    expect(list.body.undelivered).toEqual([
      expect.objectContaining({ assignmentId: issued.body.id, message: 'invitation', attempts: 8 }),
    ]);
    expect(list.body.undelivered[0].lastError).toContain('421');
    const researcher = new Client(harness.app);
    await researcher.signIn('research@harbour.test');
    expect((await researcher.call('GET', '/api/follow-up/undelivered')).status).toBe(403);
  });

  it("writes in the patient's language with the registry's own template", async () => {
    await createUser(db, 'Harbour', {
      email: 'admin@harbour.test',
      name: 'Admin',
      role: 'admin',
      password: PASSWORD,
    });
    const { harness, runner } = mailHarness('2026-08-20T08:00:00Z', 0);
    await db.query("update jobs set status = 'done' where status <> 'done'");
    const admin = new Client(harness.app);
    await admin.signIn('admin@harbour.test');
    const refused = await admin.call('PUT', '/api/message-templates', {
      language: 'fr',
      kind: 'invitation',
      subject: 'x',
      body: 'no link',
    });
    expect(refused.status).toBe(400);
    // The registry's wording (French in practice; a marker here).
    const saved = await admin.call('PUT', '/api/message-templates', {
      language: 'fr',
      kind: 'invitation',
      subject: '[fr] {{clinicName}}',
      body: '[fr] {{link}} — {{unsubscribeLink}}',
    });
    expect(saved.status).toBe(200);
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const patient = await clinician.call('POST', '/api/patients', {
      ...ENROL_BODY,
      email: 'marie@example.org',
      language: 'fr',
    });
    expect(patient.status).toBe(201);
    const episode = await clinician.call('POST', `/api/patients/${patient.body.id}/episodes`, {
      joint: 'knee',
      side: 'left',
      klGrade: 2,
    });
    await clinician.call('POST', `/api/episodes/${episode.body.id}/treatments`, {
      treatmentDate: '2026-03-02',
      productClass: 'AD-MSC',
      cellDoseMillions: 10,
      volumeMl: 5,
      imageGuidance: 'ultrasound',
    });
    const before = smtp.inbox.length;
    await clinician.call('POST', `/api/episodes/${episode.body.id}/surveys`, { timepoint: 'm6' });
    await runner.runDue();
    expect(smtp.inbox.slice(before)).toEqual([
      expect.objectContaining({ to: 'marie@example.org', subject: '[fr] Harbour' }),
    ]);
  });

  it('keeps wording per BCP 47 tag: pt-BR for a Brazilian patient, pt for a Portuguese one', async () => {
    await createUser(db, 'Harbour', {
      email: 'admin-tags@harbour.test',
      name: 'Admin',
      role: 'admin',
      password: PASSWORD,
    });
    const { harness, runner } = mailHarness('2026-08-20T08:00:00Z', 0);
    await db.query("update jobs set status = 'done' where status <> 'done'");
    const admin = new Client(harness.app);
    await admin.signIn('admin-tags@harbour.test');
    const wording = (marker: string) => ({
      kind: 'invitation',
      subject: `[${marker}] {{clinicName}}`,
      body: `[${marker}] {{link}} — {{unsubscribeLink}}`,
    });
    const notATag = await admin.call('PUT', '/api/message-templates', {
      ...wording('x'),
      language: 'portuguese',
    });
    expect(notATag.status).toBe(400);
    expect(notATag.body.error.fields).toEqual([
      { field: 'language', message: 'A language tag such as en, fr or pt-BR' },
    ]);
    // Typed in lower case, kept in the canonical form the patient's tag has.
    const br = await admin.call('PUT', '/api/message-templates', {
      ...wording('pt-BR'),
      language: 'pt-br',
    });
    expect(br.status).toBe(200);
    expect(br.body.own).toContainEqual(expect.objectContaining({ language: 'pt-BR' }));
    await admin.call('PUT', '/api/message-templates', { ...wording('pt'), language: 'pt' });

    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const received: Record<string, string | undefined> = {};
    for (const language of ['pt-BR', 'pt-PT']) {
      const email = `${language.toLowerCase()}@example.org`;
      const patient = await clinician.call('POST', '/api/patients', {
        ...ENROL_BODY,
        email,
        language,
      });
      const episode = await clinician.call('POST', `/api/patients/${patient.body.id}/episodes`, {
        joint: 'knee',
        side: 'left',
        klGrade: 2,
      });
      await clinician.call('POST', `/api/episodes/${episode.body.id}/treatments`, {
        treatmentDate: '2026-03-02',
        productClass: 'AD-MSC',
        cellDoseMillions: 10,
        volumeMl: 5,
        imageGuidance: 'ultrasound',
      });
      const before = smtp.inbox.length;
      await clinician.call('POST', `/api/episodes/${episode.body.id}/surveys`, {
        timepoint: 'm6',
      });
      await runner.runDue();
      received[language] = smtp.inbox.slice(before).find((m) => m.to === email)?.subject;
    }
    expect(received).toEqual({ 'pt-BR': '[pt-BR] Harbour', 'pt-PT': '[pt] Harbour' });
  });

  it("writes StemTrack's own wording in the patient's recorded language, and the unsubscribe page reads it", async () => {
    const { harness, runner } = mailHarness('2026-08-20T08:00:00Z', 0);
    await db.query("update jobs set status = 'done' where status <> 'done'");
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    await db.query('update patient_identities set email = $2 where patient_id = $1', [
      patientId,
      'pseudo@example.org',
    ]);
    const contact = await clinician.call('PUT', `/api/patients/${patientId}/contact`, {
      mobile: '',
      smsConsent: 'none',
      timeZone: 'Europe/London',
      language: 'en-XA',
      preferredCallTime: '',
    });
    expect(contact.status).toBe(200);
    const before = smtp.inbox.length;
    await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, { timepoint: 'm6' });
    await runner.runDue();
    const [mail] = smtp.inbox.slice(before).filter((m) => m.to === 'pseudo@example.org');
    // Every line with words is the pseudo-locale's (bracketed), the time point's name too.
    expect(mail?.subject).toMatch(/^\[Harbour: .*\[6 ɱóñţĥš~~\].*\]$/);
    expect(mail?.text.trim()).toMatch(/^\[Ĥéļļó,[\s\S]*\]$/);
    expect(mail?.text).not.toMatch(/questionnaire|Hello/);
    // The pseudo-locale's closing bracket follows the link: the token is what the link's characters allow.
    const link = /\/unsubscribe\/([A-Za-z0-9_.-]+)/.exec(mail?.text ?? '')?.[1];
    const page = await new Client(harness.app).call('GET', `/api/unsubscribe/${link}`);
    expect(page.status).toBe(200);
    expect(page.body.language).toMatchObject({ locale: 'en-XA', dir: 'ltr' });
    expect(page.body.language.messages['unsubscribe.title']).toMatch(/^\[.*\]$/);
    // Reading the page's language opts nobody out.
    const [row] = await db.query<{ out: Date | null }>(
      'select email_opt_out_at as out from patient_identities where patient_id = $1',
      [patientId],
    );
    expect(row?.out).toBeNull();
    expect((await new Client(harness.app).call('GET', `/api/unsubscribe/${link}x`)).status).toBe(
      404,
    );
  });

  it('runs a year of follow-up on its own: each time point invited once, reminders stop when answered', async () => {
    const { clock, harness, runner } = mailHarness('2026-03-02T07:00:00Z', 2);
    await db.query("update jobs set status = 'done' where status <> 'done'");
    // Only this test's patient may receive e-mail.
    await db.query(
      'update patient_identities set email_opt_out_at = now() where email_opt_out_at is null',
    );
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const patient = await clinician.call('POST', '/api/patients', {
      ...ENROL_BODY,
      email: 'year@example.org',
    });
    const episode = await clinician.call('POST', `/api/patients/${patient.body.id}/episodes`, {
      joint: 'knee',
      side: 'right',
      klGrade: 3,
    });
    await clinician.call('POST', `/api/episodes/${episode.body.id}/treatments`, {
      treatmentDate: '2026-03-02',
      productClass: 'BM-MSC',
      cellDoseMillions: 40,
      volumeMl: 4,
      imageGuidance: 'ultrasound',
    });
    await queueAutoInvite(harness.ctx);
    const mine = () => smtp.inbox.filter((m) => m.to === 'year@example.org');
    for (let day = 0; day < 400; day++) {
      await runner.runDue();
      // The patient answers the 6-month questionnaire the day it arrives, and no other.
      const sixMonths = mine().find((m) => m.subject.endsWith('your 6 months questionnaire'));
      const link = sixMonths && /\/s\/([A-Za-z0-9_-]{43})/.exec(sixMonths.text)?.[1];
      if (link)
        await new Client(harness.app).call('POST', `/api/survey/${link}/submit`, {
          answers: { 'nrs-pain': { NRS: 2 } },
        });
      clock.advanceDays(1);
    }
    const subjects = mine().map((m) => m.subject);
    const invitations = subjects.filter((s) => s.startsWith('Harbour: your'));
    expect(invitations).toEqual([
      'Harbour: your Baseline questionnaire',
      'Harbour: your 6 weeks questionnaire',
      'Harbour: your 3 months questionnaire',
      'Harbour: your 6 months questionnaire',
      'Harbour: your 12 months questionnaire',
    ]);
    const reminders = (label: string) =>
      subjects.filter((s) => s === `Reminder from Harbour: ${label} questionnaire`).length;
    expect(reminders('6 weeks')).toBe(2);
    expect(reminders('6 months')).toBe(0);
    const [{ n }] = (await db.query<{ n: number }>(
      "select count(*)::int as n from jobs where status in ('pending', 'running') and kind = 'survey-email'",
    )) as [{ n: number }];
    expect(n).toBe(0);
  });
});
