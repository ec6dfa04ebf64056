import { describe, expect, it } from 'vitest';
import { backends, twoSiteDatabase } from '../../testing/databases.ts';
import { Client, enrolTreatedPatient, testApp, testClock } from '../../testing/http.ts';

/** A complete PRP record as a coordinator would type it from the lab sheet. */
const PRP = {
  treatmentDate: '2026-03-02',
  productClass: 'PRP',
  volumeMl: 4,
  imageGuidance: 'ultrasound',
  characterisation: {
    wholeBloodPlateletsK: 240,
    productPlateletsK: 1200,
    wholeBloodLeukocytesK: 6.5,
    wholeBloodNeutrophilPercent: 58,
    productLeukocytesK: 0.9,
    productNeutrophilPercent: 0.5,
    productHematocritPercent: 0.5,
    activation: 'none',
    anticoagulant: 'ACD-A',
    volumeDrawnMl: 15,
    spinProtocol: '1 spin, 1500 rpm, 5 min',
    prpDevice: 'Kit A',
    seriesNumber: 1,
    postInjectionProtocol: 'Relative rest 48 h',
  },
};

describe.each(backends())('product characterisation on $name', (backend) => {
  const clinic = twoSiteDatabase(backend, { admin: true });

  async function setUp() {
    const harness = testApp(clinic.db, testClock('2026-03-02T10:00:00Z'));
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    const count = async () =>
      (
        await clinic.db.query<{ n: number }>(
          'select count(*)::int as n from treatments where episode_id = $1',
          [episodeId],
        )
      )[0]?.n;
    return { harness, clinician, patientId, episodeId, count };
  }

  it('saves a PRP with its characterisation, the platelet dose, PAW and PLRA in the export', async () => {
    const { harness, clinician, patientId, episodeId } = await setUp();
    const saved = await clinician.call('POST', `/api/episodes/${episodeId}/treatments`, PRP);
    expect(saved.status).toBe(201);
    expect(saved.body.plateletDoseBillions).toBe(4.8);
    expect(saved.body.characterisation.prpDevice).toBe('Kit A');
    const record = await clinician.call('GET', `/api/patients/${patientId}`);
    const prp = record.body.treatments.find(
      (t: { productClass: string }) => t.productClass === 'PRP',
    );
    expect(prp.characterisation.productPlateletsK).toBe(1200);

    const researcher = new Client(harness.app);
    await researcher.signIn('research@harbour.test');
    const csv = String((await researcher.call('GET', '/api/export/treatments.csv')).body);
    const [header, ...lines] = csv.trim().split('\n');
    const columns = (header ?? '').split(',');
    for (const c of ['platelet_dose_billions', 'paw', 'plra', 'prp_platelets_k_ul', 'cell_origin'])
      expect(columns).toContain(c);
    const row = lines.find((l) => l.includes(',PRP,'));
    expect(row).toContain('P3Bβ');
    expect(row).toContain('4.8');
    const bundle = await researcher.call('GET', '/api/export/bundle.json');
    expect(JSON.stringify(bundle.body)).toContain('"code":"plateletDoseBillions"');
  });

  it('refuses bad input with an error naming the field, and writes nothing', async () => {
    const { clinician, episodeId, count } = await setUp();
    const before = await count();
    const cases: [unknown, string, RegExp][] = [
      // A cell dose on a product without cells.
      [{ ...PRP, cellDoseMillions: 20 }, 'cellDoseMillions', /no cells/],
      // A count per µL typed into the ×10³/µL field.
      [
        { ...PRP, characterisation: { ...PRP.characterisation, productPlateletsK: 1_200_000 } },
        'characterisation.productPlateletsK',
        /thousands per µL/,
      ],
      // A "concentrate" with fewer platelets than whole blood.
      [
        { ...PRP, characterisation: { ...PRP.characterisation, productPlateletsK: 200 } },
        'characterisation.productPlateletsK',
        /below whole blood/,
      ],
      // A PRP count on a cell product.
      [
        {
          ...PRP,
          productClass: 'BMAC',
          characterisation: { productPlateletsK: 1200 },
        },
        'characterisation.productPlateletsK',
        /not recorded for Bone-marrow aspirate concentrate/,
      ],
      // A count given as text.
      [
        { ...PRP, characterisation: { productPlateletsK: '1200' } },
        'characterisation.productPlateletsK',
        /number/,
      ],
      [{ ...PRP, characterisation: { plateletCount: 3 } }, 'characterisation', /Unknown/],
    ];
    for (const [body, field, message] of cases) {
      const reply = await clinician.call('POST', `/api/episodes/${episodeId}/treatments`, body);
      expect(reply.status, field).toBe(400);
      expect(reply.body.error.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(reply.body.error.message).toMatch(message);
    }
    expect(await count()).toBe(before);
  });

  it('needs a confirmation for implausible values, lists them as open queries until verified', async () => {
    const { harness, clinician, episodeId, count } = await setUp();
    const unusual = {
      ...PRP,
      characterisation: { ...PRP.characterisation, productPlateletsK: 5200 },
    };
    const before = await count();
    const asked = await clinician.call('POST', `/api/episodes/${episodeId}/treatments`, unusual);
    expect(asked.status).toBe(400);
    expect(asked.body.error.fields.map((f: { field: string }) => f.field)).toEqual([
      'characterisation.productPlateletsK',
      'confirmImplausible',
    ]);
    expect(await count()).toBe(before);
    const saved = await clinician.call('POST', `/api/episodes/${episodeId}/treatments`, {
      ...unusual,
      confirmImplausible: true,
    });
    expect(saved.status).toBe(201);
    const [audit] = await clinic.db.query<{ detail: { confirmedImplausible: string[] } }>(
      `select detail from audit_log where entity = 'treatment' and entity_id = $1 and action = 'create'`,
      [saved.body.id],
    );
    expect(audit?.detail.confirmedImplausible).toEqual(['characterisation.productPlateletsK']);

    const list = await clinician.call('GET', '/api/data-quality');
    expect(list.status).toBe(200);
    const record = list.body.records.find(
      (r: { treatmentId: string }) => r.treatmentId === saved.body.id,
    );
    expect(record.queries).toEqual([
      expect.objectContaining({
        rule: 'product-platelets-range',
        field: 'characterisation.productPlateletsK',
        severity: 'implausible',
      }),
    ]);
    // The BMAC without cells injected or origin is listed with its missing values.
    expect(
      list.body.records.some(
        (r: { productClass: string; queries: { severity: string }[] }) =>
          r.productClass === 'BMAC' && r.queries.every((q) => q.severity === 'missing'),
      ),
    ).toBe(true);
    expect(list.body.rules.every((r: { source: string }) => r.source.length > 0)).toBe(true);

    const researcher = new Client(harness.app);
    await researcher.signIn('research@harbour.test');
    expect((await researcher.call('GET', '/api/data-quality')).status).toBe(403);
    const review = {
      treatmentId: saved.body.id,
      rule: 'product-platelets-range',
      field: 'characterisation.productPlateletsK',
    };
    expect((await researcher.call('POST', '/api/data-quality/reviews', review)).status).toBe(403);
    const verified = await clinician.call('POST', '/api/data-quality/reviews', review);
    expect(verified.status).toBe(200);
    const after = await clinician.call('GET', '/api/data-quality');
    expect(
      after.body.records.some((r: { treatmentId: string }) => r.treatmentId === saved.body.id),
    ).toBe(false);
    expect(
      (await clinician.call('POST', '/api/data-quality/reviews', { ...review, rule: 'nope' }))
        .status,
    ).toBe(404);

    // A correction to another unusual value reopens the query (the value it saw changed).
    const corrected = await clinician.call('PATCH', `/api/treatments/${saved.body.id}`, {
      characterisation: { productPlateletsK: 5400 },
      confirmImplausible: true,
      reason: 'Lab sheet re-read',
    });
    expect(corrected.status).toBe(200);
    const reopened = await clinician.call('GET', '/api/data-quality');
    expect(
      reopened.body.records.some((r: { treatmentId: string }) => r.treatmentId === saved.body.id),
    ).toBe(true);
  });

  it('corrects characterisation fields one by one, auditing old and new, and refuses bad ones', async () => {
    const { clinician, patientId, episodeId } = await setUp();
    const saved = await clinician.call('POST', `/api/episodes/${episodeId}/treatments`, PRP);
    const id = saved.body.id as string;
    const bad = await clinician.call('PATCH', `/api/treatments/${id}`, {
      characterisation: { wholeBloodPlateletsK: 1300 },
      reason: 'typo',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe('characterisation.productPlateletsK');
    const noCells = await clinician.call('PATCH', `/api/treatments/${id}`, {
      cellDoseMillions: 10,
      reason: 'typo',
    });
    expect(noCells.status).toBe(400);
    expect(noCells.body.error.fields[0].field).toBe('cellDoseMillions');

    const fixed = await clinician.call('PATCH', `/api/treatments/${id}`, {
      characterisation: { productPlateletsK: 1000, activation: 'calcium', prpDevice: null },
      volumeMl: 5,
      reason: 'Lab sheet re-read',
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.corrected).toEqual(
      expect.arrayContaining([
        'volumeMl',
        'characterisation.productPlateletsK',
        'characterisation.activation',
        'characterisation.prpDevice',
        'plateletDoseBillions',
      ]),
    );
    const [row] = await clinic.db.query<{
      characterisation: Record<string, unknown>;
      dose: number;
    }>('select characterisation, platelet_dose_billions as dose from treatments where id = $1', [
      id,
    ]);
    expect(row?.dose).toBe(5);
    expect(row?.characterisation.activation).toBe('calcium');
    expect(row?.characterisation).not.toHaveProperty('prpDevice');
    expect(row?.characterisation.seriesNumber).toBe(1);
    const history = await clinician.call('GET', `/api/patients/${patientId}/history`);
    const correction = history.body.entries.find((e: { action: string }) => e.action === 'correct');
    expect(correction.detail.changes).toMatchObject({
      'characterisation.productPlateletsK': { old: 1200, new: 1000 },
      'characterisation.prpDevice': { old: 'Kit A', new: null },
      plateletDoseBillions: { old: 4.8, new: 5 },
    });
  });
});
