import { describe, expect, it } from 'vitest';
import { backends, twoSiteDatabase } from '../testing/databases.ts';
import { Client, ENROL_BODY, testApp, testClock } from '../testing/http.ts';

const PLANTED = 'Jane Doe (MRN 12345), call 555-0199, born 12/03/1958';

/**
 * A researcher sees what a de-identified export holds and no more: study ids, months after
 * treatment, and free text only once a clinician has marked it free of identifying details.
 */
describe.each(backends())('what a researcher sees on $name', (backend) => {
  const clinic = twoSiteDatabase(backend);

  it('never sees registry ids, real dates or unreviewed free text, and is told a name search is refused', async () => {
    const { app } = testApp(clinic.db, testClock('2026-03-20T10:00:00Z'));
    const clinician = new Client(app);
    await clinician.signIn('clin@harbour.test');
    const researcher = new Client(app);
    await researcher.signIn('research@harbour.test');

    const patient = await clinician.call('POST', '/api/patients', ENROL_BODY);
    const patientId = patient.body.id as string;
    const registryId = patient.body.registryId as string;
    const episode = await clinician.call('POST', `/api/patients/${patientId}/episodes`, {
      joint: 'knee',
      side: 'right',
      klGrade: 3,
      diagnosis: `Knee OA; referred by ${PLANTED}`,
    });
    const treatment = await clinician.call('POST', `/api/episodes/${episode.body.id}/treatments`, {
      treatmentDate: '2026-03-02',
      productClass: 'BMAC',
      cellDoseMillions: null,
      volumeMl: 8,
      imageGuidance: 'ultrasound',
      notes: `Consent witnessed by ${PLANTED}`,
    });
    expect(treatment.status, JSON.stringify(treatment.body)).toBe(201);
    const adverse = await clinician.call(
      'POST',
      `/api/episodes/${episode.body.id}/adverse-events`,
      {
        treatmentId: treatment.body.id,
        onsetDate: '2026-03-09',
        description: `Swelling; ${PLANTED}`,
        grade: 3,
        serious: true,
        relatedness: 'possible',
      },
    );
    expect(adverse.status, JSON.stringify(adverse.body)).toBe(201);

    const secrets = [
      'Jane Doe',
      'MRN',
      '555-0199',
      registryId,
      ENROL_BODY.familyName,
      ENROL_BODY.dateOfBirth,
      '2026-03-02',
      '2026-03-09',
    ];
    const seen = async () => {
      const list = await researcher.call('GET', '/api/patients');
      const record = await researcher.call('GET', `/api/patients/${patientId}`);
      const safety = await researcher.call('GET', '/api/report/safety');
      for (const reply of [list, record, safety]) expect(reply.status).toBe(200);
      return { list, record, safety, text: JSON.stringify([list.body, record.body, safety.body]) };
    };
    const before = await seen();
    for (const secret of secrets) expect(before.text, secret).not.toContain(secret);
    expect(before.list.body.patients[0].studyId).toMatch(/^S-[0-9a-f]{12}$/);
    expect(before.record.body.patient.studyId).toBe(before.list.body.patients[0].studyId);
    expect(before.record.body.episodes[0].diagnosisWithheld).toBe(true);
    expect(before.record.body.adverseEvents[0].daysAfterTreatment).toBe(7);
    expect(before.safety.body.serious[0]).toMatchObject({
      daysAfterTreatment: 7,
      description: null,
    });

    // A name search is refused with a reason, not silently ignored.
    const search = await researcher.call('GET', '/api/patients?search=Testperson');
    expect(search.status).toBe(403);
    expect(JSON.stringify(search.body)).toMatch(/cannot search/);

    // A researcher cannot mark text reviewed; a clinician can, and then the text shows.
    const review = (client: Client, kind: string, id: string) =>
      client.call('POST', '/api/free-text-reviews', { kind, id });
    expect((await review(researcher, 'diagnosis', episode.body.id)).status).toBe(403);
    expect(
      (await review(clinician, 'diagnosis', '00000000-0000-4000-8000-000000000000')).status,
    ).toBe(404);
    expect((await review(clinician, 'notes', episode.body.id)).status).toBe(400);
    expect((await review(clinician, 'adverse-event-description', adverse.body.id)).status).toBe(
      200,
    );
    const after = await seen();
    expect(after.record.body.adverseEvents[0].description).toContain('Jane Doe');
    expect(after.safety.body.serious[0].description).toContain('Jane Doe');
    expect(after.record.body.episodes[0].diagnosis).toBeNull();
    // Corrected text is new text: hidden again until a clinician reviews it.
    const corrected = await clinician.call('PATCH', `/api/adverse-events/${adverse.body.id}`, {
      description: `Swelling, settled; ${PLANTED}`,
      reason: 'More detail from the clinic letter',
    });
    expect(corrected.status).toBe(200);
    const again = await seen();
    expect(again.text).not.toContain('Jane Doe');
    expect(again.record.body.adverseEvents[0].descriptionWithheld).toBe(true);
    // The clinician's own view is untouched.
    const own = await clinician.call('GET', `/api/patients/${patientId}`);
    expect(own.body.patient.registryId).toBe(registryId);
    expect(own.body.episodes[0].diagnosis).toContain('Jane Doe');
  });
});
