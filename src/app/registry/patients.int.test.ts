import { describe, expect, it } from 'vitest';
import { backends, twoSiteDatabase } from '../../testing/databases.ts';
import { Client, ENROL_BODY, testApp, testClock } from '../../testing/http.ts';

describe.each(backends())('enrolling a patient on $name', (backend) => {
  const clinic = twoSiteDatabase(backend);

  it('says what to correct in words, not field codes, as a CLI or API user reads it', async () => {
    const harness = testApp(clinic.db, testClock('2026-09-01T10:00:00Z'));
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const reply = await clinician.call('POST', '/api/patients', {
      ...ENROL_BODY,
      dateOfBirth: '2026-12-01',
      consentDate: '2027-01-01',
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toBe(
      'Please correct: Date of birth is in the future; Consent date is in the future',
    );
    expect(reply.body.error.fields.map((f: { field: string }) => f.field)).toEqual([
      'dateOfBirth',
      'consentDate',
    ]);
  });

  it('records a mobile as E.164, consent to texts, time zone and language at enrolment', async () => {
    const harness = testApp(clinic.db, testClock('2026-09-01T10:00:00Z'));
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const enrolled = await clinician.call('POST', '/api/patients', {
      ...ENROL_BODY,
      mobile: '07400 123456',
      mobileCountry: 'gb',
      smsConsent: 'opted-in',
      timeZone: 'Europe/London',
      language: 'pt-br',
    });
    expect(enrolled.status).toBe(201);
    const contact = await clinician.call('GET', `/api/patients/${enrolled.body.id}/contact`);
    expect(contact.body).toMatchObject({
      mobile: '+447400123456',
      smsConsent: 'opted-in',
      smsConsentSource: 'clinic',
      timeZone: 'Europe/London',
      language: 'pt-BR',
    });
    expect(new Date(contact.body.smsConsentAt).toISOString()).toBe('2026-09-01T10:00:00.000Z');
    // The log records the consent given at enrolment, not the number.
    const [created] = await clinic.db.query<{ detail: Record<string, unknown> | null }>(
      `select detail from audit_log where action = 'create' and entity = 'patient' and entity_id = $1`,
      [enrolled.body.id],
    );
    expect(created?.detail).toEqual({ smsConsent: 'opted-in' });

    // Without them: no mobile, consent not asked, the registry's zone, English.
    const plain = await clinician.call('POST', '/api/patients', ENROL_BODY);
    const none = await clinician.call('GET', `/api/patients/${plain.body.id}/contact`);
    expect(none.body).toMatchObject({
      mobile: null,
      smsConsent: 'none',
      smsConsentAt: null,
      timeZone: null,
      language: 'en',
    });
  });

  it('refuses a landline, consent to texts without a mobile and an unknown zone, enrolling nobody', async () => {
    const harness = testApp(clinic.db, testClock('2026-09-01T10:00:00Z'));
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const before = (await clinician.call('GET', '/api/patients')).body.total;
    const landline = await clinician.call('POST', '/api/patients', {
      ...ENROL_BODY,
      mobile: '+44 20 7946 0000',
      timeZone: 'Mars/Olympus',
    });
    expect(landline.status).toBe(400);
    expect(landline.body.error.fields).toEqual([
      {
        field: 'mobile',
        message: 'This is not a mobile number, so it cannot receive text messages',
      },
      {
        field: 'timeZone',
        message: "Unknown time zone 'Mars/Olympus'; use a name such as Europe/London",
      },
    ]);
    const noMobile = await clinician.call('POST', '/api/patients', {
      ...ENROL_BODY,
      smsConsent: 'opted-in',
    });
    expect(noMobile.status).toBe(400);
    expect(noMobile.body.error.fields).toEqual([
      { field: 'mobile', message: 'A mobile number is needed for text messages' },
    ]);
    expect((await clinician.call('GET', '/api/patients')).body.total).toBe(before);
  });
});
