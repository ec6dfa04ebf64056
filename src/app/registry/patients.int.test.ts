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
});
