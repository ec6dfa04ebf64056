import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearLicensedInstruments } from '../core/instruments/library.ts';
import type { Db } from '../store/db.ts';
import { backends } from '../testing/databases.ts';
import { Client, enrolTreatedPatient, seedTwoSites, testApp, tokenOf } from '../testing/http.ts';
import { importLicensedInstrument, loadLicensedInstruments } from './instruments.ts';

const example = readFileSync(
  new URL('../core/instruments/fixtures/example-licensed.json', import.meta.url),
  'utf8',
);

describe.each(backends())('licensed instruments on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
  });
  afterAll(async () => {
    clearLicensedInstruments();
    await db.close();
  });

  it('stores an imported definition, offers it after start-up, and scores surveys with it', async () => {
    clearLicensedInstruments();
    await importLicensedInstrument(db, 'example-licensed.json', example);
    await expect(importLicensedInstrument(db, 'bad.json', '{"id": "x"}')).rejects.toMatchObject({
      code: 'invalid',
    });
    expect(await loadLicensedInstruments(db)).toEqual(['example-joint-scale']);

    const harness = testApp(db);
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const questionnaire = await clinician.call('GET', '/api/instruments/example-joint-scale/fhir');
    expect(questionnaire.status).toBe(200);
    expect(questionnaire.headers.get('content-type')).toContain('application/fhir+json');
    expect(questionnaire.body.item[0].item.map((i: { linkId: string }) => i.linkId)).toEqual([
      'E1',
      'E2',
      'E3',
    ]);
    expect((await new Client(harness.app).call('GET', '/api/instruments/koos/fhir')).status).toBe(
      401,
    );

    // The catalogue lists built-in and licensed forms with what their scores rest on.
    const researcher = new Client(harness.app);
    await researcher.signIn('research@harbour.test');
    const catalogue = await researcher.call('GET', '/api/instruments');
    expect(catalogue.status).toBe(200);
    const byId = new Map(catalogue.body.map((i: { id: string }) => [i.id, i]));
    expect(byId.get('example-joint-scale')).toMatchObject({ builtIn: false, itemCount: 3 });
    expect(byId.get('koos-jr')).toMatchObject({
      builtIn: true,
      offeredByDefault: false,
      askedWithin: ['koos'],
      loinc: { code: '82324-5' },
      scales: [{ id: 'kneeHealth', minAnswered: 7, loinc: { code: '82332-8' } }],
    });
    const koosPain = (byId.get('koos') as { scales: { id: string }[] }).scales[0];
    expect(koosPain).toMatchObject({ id: 'pain', minAnswered: 5, mcid: { value: 15 } });
    expect((await new Client(harness.app).call('GET', '/api/instruments')).status).toBe(401);

    // One form's questions in the patient's words, for correcting answers: licensed ones too.
    const questions = await clinician.call('GET', '/api/instruments/koos');
    expect(questions.status).toBe(200);
    expect(questions.body.sections[2]).toMatchObject({
      title: 'Pain',
      items: [{ code: 'P1', text: 'How often do you experience knee pain?' }],
    });
    expect(questions.body.responseSets.painFrequency[0]).toEqual({ value: 0, label: 'Never' });
    expect(questions.body.scales[0]).toEqual({ id: 'pain', name: 'Pain', shortName: 'Pain' });
    const licensed = await researcher.call('GET', '/api/instruments/example-joint-scale');
    expect(licensed.body.sections[0].items).toHaveLength(3);
    expect((await clinician.call('GET', '/api/instruments/no-such-form')).status).toBe(404);
    expect((await new Client(harness.app).call('GET', '/api/instruments/koos')).status).toBe(401);

    const { episodeId, patientId } = await enrolTreatedPatient(clinician);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
      instruments: ['example-joint-scale'],
    });
    expect(issued.status).toBe(201);
    const submitted = await new Client(harness.app).call(
      'POST',
      `/api/survey/${tokenOf(issued.body.url)}/submit`,
      {
        answers: { 'example-joint-scale': { E1: 0, E2: 4, E3: null } },
      },
    );
    expect(submitted.status).toBe(201);
    const record = await clinician.call('GET', `/api/patients/${patientId}`);
    expect(record.body.responses[0].scores).toEqual({ total: 50 });
  });
});
