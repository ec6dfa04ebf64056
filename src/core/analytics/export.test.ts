import { Fhir } from 'fhir';
import { describe, expect, it } from 'vitest';
import { allInstruments } from '../instruments/library.ts';
import { parseCsv } from '../tabular/csv.ts';
import {
  dataDictionaryCsv,
  dateShiftFor,
  EXPORT_TABLES,
  type ExportInput,
  type ExportTableName,
  exportTableCsv,
  fhirBundle,
  MAX_DATE_SHIFT_DAYS,
  reportedAge,
  scalesCsv,
  studyIdFor,
  tidyScoresCsv,
} from './export.ts';

const KEY = 'test-key-0123456789';
const input: ExportInput = {
  siteName: 'Harbour',
  pseudonymKey: KEY,
  patients: [
    {
      id: 'p-1',
      registryId: 'HB-0001',
      givenName: 'Ada',
      familyName: 'Testperson',
      dateOfBirth: '1961-05-20',
      sex: 'female',
    },
    {
      id: 'p-2',
      registryId: 'HB-0002',
      givenName: 'Olav',
      familyName: 'Elder',
      dateOfBirth: '1934-01-10',
      sex: 'male',
    },
  ],
  treatments: ['p-1', 'p-2'].map((patientId, i) => ({
    id: `t-${i + 1}`,
    patientId,
    episodeId: `e-${i + 1}`,
    joint: 'knee',
    side: 'right',
    klGrade: 3,
    treatmentDate: '2026-03-02',
    productClass: 'BMAC',
    cellDoseMillions: null,
    bmi: i === 0 ? 31.4 : null,
    volumeMl: 8,
    imageGuidance: 'ultrasound',
  })),
  responses: [
    {
      id: 'r-1',
      patientId: 'p-1',
      episodeId: 'e-1',
      instrumentId: 'nrs-pain',
      timepoint: 'baseline',
      submittedAt: new Date('2026-02-27T09:00:00Z'),
      answers: { NRS: 6 },
      scores: { pain: 6 },
    },
    {
      id: 'r-2',
      patientId: 'p-1',
      episodeId: 'e-1',
      instrumentId: 'nrs-pain',
      timepoint: 'm3',
      submittedAt: new Date('2026-06-01T09:00:00Z'),
      answers: { NRS: 3 },
      scores: { pain: 3 },
    },
    {
      id: 'r-3',
      patientId: 'p-2',
      episodeId: 'e-2',
      instrumentId: 'nrs-pain',
      timepoint: 'baseline',
      submittedAt: new Date('2026-03-01T09:00:00Z'),
      answers: {},
      scores: { pain: null },
    },
  ],
  lastContacts: [
    { episodeId: 'e-1', lastContact: '2026-06-01' },
    { episodeId: 'e-2', lastContact: null },
  ],
  laterEvents: [
    {
      patientId: 'p-1',
      episodeId: 'e-1',
      kind: 'reinjection',
      eventDate: '2026-05-04',
      reportedOn: '2026-06-01',
    },
  ],
  adverseEvents: [
    {
      id: 'a-1',
      patientId: 'p-1',
      episodeId: 'e-1',
      treatmentId: 't-1',
      onsetDate: '2026-03-04',
      grade: 1,
      serious: false,
      relatedness: 'probable',
      description: 'Swelling; Ada called 555-0100',
    },
  ],
};

const rowsOf = (csv: string) => {
  const { table } = parseCsv(csv);
  return table.rows.map((r) =>
    Object.fromEntries(table.header.map((h, i) => [h, r.cells[i] ?? ''])),
  );
};

describe('pseudonyms and date shifts', () => {
  it('are stable per patient, differ between patients, and never leave dates unshifted', () => {
    expect(studyIdFor(KEY, 'p-1')).toBe(studyIdFor(KEY, 'p-1'));
    expect(studyIdFor(KEY, 'p-1')).not.toBe(studyIdFor(KEY, 'p-2'));
    expect(studyIdFor('another-key', 'p-1')).not.toBe(studyIdFor(KEY, 'p-1'));
    const shifts = Array.from({ length: 5000 }, (_, i) => dateShiftFor(KEY, `patient-${i}`));
    expect(shifts).not.toContain(0);
    expect(Math.min(...shifts)).toBe(-MAX_DATE_SHIFT_DAYS);
    expect(Math.max(...shifts)).toBe(MAX_DATE_SHIFT_DAYS);
  });

  it('groups ages over 89 (HIPAA Safe Harbor)', () => {
    expect(reportedAge(89)).toBe('89');
    expect(reportedAge(90)).toBe('90+');
    expect(reportedAge(104)).toBe('90+');
  });
});

describe('tidy scores CSV', () => {
  it('de-identified: no names, registry ids or birth dates; shifted dates keep intervals', () => {
    const csv = tidyScoresCsv(input, 'deidentified');
    for (const secret of ['Ada', 'Testperson', 'HB-0001', '1961-05-20', '2026-03-02'])
      expect(csv).not.toContain(secret);
    const rows = rowsOf(csv);
    expect(rows).toHaveLength(3);
    const [baseline, month3, elder] = rows;
    const shift = dateShiftFor(KEY, 'p-1');
    const shifted = new Date(Date.UTC(2026, 2, 2 + shift)).toISOString().slice(0, 10);
    expect(baseline?.treatment_date).toBe(shifted);
    expect(baseline?.days_since_treatment).toBe('-3');
    expect(baseline?.bmi).toBe('31.4');
    expect(elder?.bmi).toBe('');
    expect(month3?.days_since_treatment).toBe('91');
    expect(month3?.score).toBe('3');
    expect(baseline?.age_at_treatment).toBe('64');
    expect(elder?.age_at_treatment).toBe('90+');
    expect(elder?.score).toBe('');
  });

  it('identified: names and real dates, with the dictionary describing every column', () => {
    const rows = rowsOf(tidyScoresCsv(input, 'identified'));
    expect(rows[0]).toMatchObject({
      registry_id: 'HB-0001',
      given_name: 'Ada',
      treatment_date: '2026-03-02',
      response_date: '2026-02-27',
    });
    expect(rows[2]?.age_at_treatment).toBe('92');
    const dictionary = rowsOf(dataDictionaryCsv('identified'));
    for (const table of Object.keys(EXPORT_TABLES) as ExportTableName[]) {
      const header = parseCsv(exportTableCsv(table, input, 'identified')).table.header;
      expect(dictionary.filter((r) => r.file === table).map((r) => r.column)).toEqual(header);
    }
  });

  it('dictionary names every time point of the schedule, to five years', () => {
    const csv = dataDictionaryCsv('deidentified');
    for (const tp of ['m36', 'm48', 'm60']) expect(csv).toContain(tp);
  });
});

describe('the files a researcher needs to reproduce every figure', () => {
  const secrets = ['Ada', 'Testperson', 'HB-0001', '1961-05-20', '2026-03-02', 't-1', 'e-1', 'r-1'];
  it('de-identified: joints, treatments, later and adverse events carry pseudonyms and shifted dates only', () => {
    for (const table of Object.keys(EXPORT_TABLES) as ExportTableName[]) {
      const csv = exportTableCsv(table, input, 'deidentified');
      for (const secret of secrets) expect(csv, `${table} ${secret}`).not.toContain(secret);
    }
    expect(exportTableCsv('adverse-events.csv', input, 'deidentified')).not.toContain('555-0100');
    expect(exportTableCsv('adverse-events.csv', input, 'identified')).toContain('555-0100');
  });

  it('links the files by joint and treatment, with intervals from the first treatment', () => {
    const [joint] = rowsOf(exportTableCsv('joints.csv', input, 'deidentified'));
    const [treatment] = rowsOf(exportTableCsv('treatments.csv', input, 'deidentified'));
    const [event] = rowsOf(exportTableCsv('later-events.csv', input, 'deidentified'));
    const [adverse] = rowsOf(exportTableCsv('adverse-events.csv', input, 'deidentified'));
    const [score] = rowsOf(exportTableCsv('scores.csv', input, 'deidentified'));
    expect(joint?.joint_id).toMatch(/^J-[0-9a-f]{12}$/);
    for (const row of [treatment, event, adverse, score])
      expect(row?.joint_id).toBe(joint?.joint_id);
    expect(adverse?.treatment_id).toBe(treatment?.treatment_id);
    expect(joint?.days_to_last_contact).toBe('91');
    expect(event?.days_since_treatment).toBe('63');
    expect(adverse?.days_since_treatment).toBe('2');
    expect(treatment?.image_guidance).toBe('ultrasound');
    // The instant keeps its time of day and moves by whole days.
    const shift = dateShiftFor(KEY, 'p-1');
    expect(score?.submitted_at).toBe(
      new Date(Date.parse('2026-02-27T09:00:00Z') + shift * 86_400_000).toISOString(),
    );
  });

  it('scales: direction and thresholds with their sources', () => {
    const rows = rowsOf(scalesCsv(allInstruments()));
    const koosPain = rows.find((r) => r.instrument === 'koos' && r.scale === 'pain');
    expect(koosPain?.higher_is_better).toBe('true');
    const nrs = rows.find((r) => r.instrument === 'nrs-pain');
    expect(nrs?.higher_is_better).toBe('false');
    for (const r of rows) if (r.mcid) expect((r.mcid_source ?? '').length).toBeGreaterThan(10);
    // The JR forms' conversion tables are marked where the export describes them.
    for (const scale of ['kneeHealth', 'hipHealth'])
      expect(rows.find((r) => r.scale === scale)?.caveat).toMatch(
        /^Table not independently verified/,
      );
  });
});

describe('FHIR Bundle', () => {
  const validator = new Fhir();
  it('is valid R4 and carries no direct identifiers when de-identified', () => {
    const bundle = fhirBundle(input, 'deidentified', new Date('2026-11-25T12:00:00Z'));
    const { messages } = validator.validate(bundle);
    expect(messages.filter((m) => m.severity === 'error')).toEqual([]);
    const kinds = bundle.entry.map((e) => e.resource.resourceType);
    expect(new Set(kinds)).toEqual(
      new Set(['Patient', 'Procedure', 'QuestionnaireResponse', 'Observation']),
    );
    const text = JSON.stringify(bundle);
    for (const secret of ['Ada', 'Testperson', 'HB-0001', '1961-05-20', '2026-03-02'])
      expect(text).not.toContain(secret);
    expect(text).toContain(studyIdFor(KEY, 'p-1'));
  });

  it('identified: the patient carries name, birth date and registry id', () => {
    const bundle = fhirBundle(input, 'identified', new Date('2026-11-25T12:00:00Z'));
    expect(validator.validate(bundle).messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(bundle.entry[0]?.resource).toMatchObject({
      resourceType: 'Patient',
      id: 'HB-0001',
      birthDate: '1961-05-20',
    });
  });
});

describe('the product as recorded (issue 16)', () => {
  const withProduct: ExportInput = {
    ...input,
    treatments: input.treatments.map((t, i) =>
      i === 0
        ? {
            ...t,
            productClass: 'PRP',
            volumeMl: 4,
            characterisation: {
              wholeBloodPlateletsK: 240,
              productPlateletsK: 1200,
              wholeBloodLeukocytesK: 6.5,
              wholeBloodNeutrophilPercent: 58,
              productLeukocytesK: 0.9,
              productNeutrophilPercent: 0.5,
              productHematocritPercent: 0.5,
              activation: 'calcium',
              prpDevice: 'Kit A',
              seriesNumber: 1,
            },
          }
        : { ...t, cellDoseMillions: 40, characterisation: { origin: 'autologous', passages: 0 } },
    ),
  };

  it('treatments.csv carries every field, the dose and both classifications, each in the dictionary', () => {
    const rows = rowsOf(exportTableCsv('treatments.csv', withProduct, 'deidentified'));
    const prp = rows.find((r) => r.product_class === 'PRP');
    expect(prp?.prp_platelets_k_ul).toBe('1200');
    expect(prp?.platelet_dose_billions).toBe('4.8');
    expect(prp?.prp_fold_increase).toBe('5');
    expect(prp?.paw).toBe('P3xBβ');
    expect(prp?.plra).toBe('P 1,200,000/µL, L−, R−, A+');
    // Free text (the device) only in identified exports, as notes.
    expect(prp).not.toHaveProperty('prp_device');
    expect(
      rowsOf(exportTableCsv('treatments.csv', withProduct, 'identified')).find(
        (r) => r.product_class === 'PRP',
      )?.prp_device,
    ).toBe('Kit A');
    expect(prp?.series_number).toBe('1');
    const cell = rows.find((r) => r.product_class === 'BMAC');
    expect(cell?.cell_origin).toBe('autologous');
    expect(cell?.paw).toBe('');
    const dictionary = rowsOf(dataDictionaryCsv('deidentified')).filter(
      (r) => r.file === 'treatments.csv',
    );
    for (const column of Object.keys(prp ?? {}))
      expect(dictionary.map((r) => r.column)).toContain(column);
  });

  it('the FHIR Bundle carries them as Observations part of the Procedure, valid R4', () => {
    const bundle = fhirBundle(withProduct, 'deidentified', new Date('2026-11-25T12:00:00Z'));
    const { messages } = new Fhir().validate(bundle);
    expect(messages.filter((m) => m.severity === 'error')).toEqual([]);
    const product = bundle.entry
      .map(
        (e) =>
          e.resource as {
            resourceType: string;
            code?: { coding?: { code?: string }[] };
            partOf?: { reference: string }[];
            valueString?: string;
            valueQuantity?: { value: number; code?: string };
          },
      )
      .filter((r) => r.resourceType === 'Observation' && r.partOf);
    const byCode = new Map(product.map((o) => [o.code?.coding?.[0]?.code, o]));
    expect(byCode.get('productPlateletsK')?.valueQuantity).toMatchObject({
      value: 1200,
      code: '10*3/uL',
    });
    expect(byCode.get('plateletDoseBillions')?.valueQuantity?.value).toBe(4.8);
    expect(byCode.get('paw')?.valueString).toBe('P3xBβ');
    expect(byCode.get('origin')?.valueString).toBe('autologous');
    expect(byCode.has('prpDevice')).toBe(false);
    const procedures = bundle.entry.filter((e) => e.resource.resourceType === 'Procedure');
    for (const o of product)
      expect(procedures.map((p) => `Procedure/${p.resource.id}`)).toContain(
        o.partOf?.[0]?.reference,
      );
  });
});
