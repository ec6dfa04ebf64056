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
