import { PDFDocument, PDFName } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EN } from '../../core/i18n/en.ts';
import { clearTranslations, instrumentById } from '../../core/instruments/library.ts';
import { pseudoTranslation } from '../../core/instruments/translation.ts';
import { patientDate } from '../../core/messages/templates.ts';
import type { Db } from '../../store/db.ts';
import { backends } from '../../testing/databases.ts';
import {
  Client,
  enrolTreatedPatient,
  seedTwoSites,
  testApp,
  testClock,
} from '../../testing/http.ts';
import { pdfPageTexts } from '../../testing/pdf.ts';
import { importInstrumentTranslation } from '../instruments.ts';

/** The English form's own words, each of which an en-XA form must not print. */
const ENGLISH_WORDS = [
  'Questionnaire',
  'Patient number',
  'Please answer',
  'Form code',
  'Please tick',
  'square code',
  'Page',
  'Pain in your',
  'Stiffness',
  'No pain',
  'Worst pain',
  'Extreme',
  'Think about',
];

/** A test fixture in the shape of a real translation file: its words are markers, not a translation. */
function fixture(language: string, item: string, label: string) {
  const file = {
    ...pseudoTranslation(instrumentById('nrs-pain')),
    language,
    source: 'Test fixture',
  };
  file.items = { NRS: item };
  file.responseSets = Object.fromEntries(
    Object.entries(file.responseSets).map(([id, options]) => [
      id,
      Object.fromEntries(Object.keys(options).map((v) => [v, v === '0' ? `0 – ${label}` : v])),
    ]),
  );
  return file;
}

describe.each(backends())('a paper form in the patient’s language on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;
  let clinician: Client;

  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
    harness = testApp(db, testClock('2026-08-20T09:00:00Z'));
    clinician = new Client(harness.app);
    expect((await clinician.signIn('clin@harbour.test')).status).toBe(200);
  });
  afterAll(async () => {
    clearTranslations();
    await db.close();
  });

  /** A treated patient who reads `language`, with a 6-month survey issued. */
  async function surveyIn(language: string, instruments = ['nrs-pain', 'koos']) {
    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    const set = await clinician.call('PUT', `/api/patients/${patientId}/contact`, {
      mobile: '',
      smsConsent: 'none',
      timeZone: 'Europe/London',
      language,
      preferredCallTime: '',
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'm6',
      instruments,
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const [row] = await db.query<{ registryId: string }>(
      'select registry_id as "registryId" from patients where id = $1',
      [patientId],
    );
    return { assignmentId: issued.body.id as string, registryId: row?.registryId as string };
  }

  async function print(assignmentId: string, query = '') {
    const res = await harness.app.request(`/api/surveys/${assignmentId}/paper-form${query}`, {
      method: 'POST',
      headers: { cookie: clinician.cookie, 'x-csrf-token': clinician.csrf },
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { res, bytes, code: res.headers.get('x-form-code') ?? '' };
  }

  const formsOf = async (assignmentId: string) =>
    (
      await db.query<{ n: number }>(
        'select count(*)::int as n from paper_forms where assignment_id = $1',
        [assignmentId],
      )
    )[0]?.n;

  it('prints the en-XA form in pseudo-localised words with no English fixed word', async () => {
    const survey = await surveyIn('en-XA');
    const { res, bytes, code } = await print(survey.assignmentId);
    expect(res.status).toBe(201);
    const doc = await PDFDocument.load(bytes);
    expect(String(doc.catalog.get(PDFName.of('Lang')))).toContain('en-XA');
    expect(doc.getTitle()).toMatch(/^\[Ǫúéšţíóññáíŕé/);
    const pages = await pdfPageTexts(bytes);
    const text = pages.join('\n');
    // Accented words survive into the PDF's text: the catalogue's and the questions'.
    expect(text).toContain('Þáţíéñţ ñúɱƀéŕ');
    expect(text).toContain('Ƒóŕɱ çóðé');
    expect(text).toContain('ţíçķ óñé ƀóẋ');
    expect(text).toContain('Ñó þáíñ');
    expect(text).toContain(`Þáĝé ~~${pages.length} óƒ ~${pages.length}`);
    for (const word of ENGLISH_WORDS) expect(text).not.toContain(word);
    // Beyond codes, numbers and the dates (Intl's, as in the e-mails), not one plain letter.
    const dates = [patientDate('2026-08-03', 'en-XA'), patientDate('2026-10-02', 'en-XA')];
    let rest = text
      .replace(/\[[A-Z0-9]+\]/g, '')
      .replaceAll(`${code.slice(0, 4)}-${code.slice(4)}`, '')
      .replaceAll(survey.registryId, '');
    // A date may wrap at its spaces.
    for (const date of dates) rest = rest.replace(new RegExp(date.replace(/ /g, '\\s+')), '');
    expect(rest.match(/[A-Za-z]+/g) ?? []).toEqual([]);
  });

  it('prints an imported translation’s Cyrillic and Latin-extended text as it is', async () => {
    const item = 'Оцените боль в колене: Żółć ĝ Ελλάδα';
    const label = 'Нет боли, łagodny';
    await importInstrumentTranslation(db, 'ru.json', JSON.stringify(fixture('ru', item, label)));
    const survey = await surveyIn('ru', ['nrs-pain']);
    const { res, bytes } = await print(survey.assignmentId);
    expect(res.status).toBe(201);
    const text = (await pdfPageTexts(bytes)).join('\n');
    expect(text).toContain(item);
    expect(text).toContain(label);
    // No Russian catalogue: the form's own words are English, as the survey's page would be.
    expect(text).toContain(`Patient number ${survey.registryId}`);
    const doc = await PDFDocument.load(bytes);
    expect(String(doc.catalog.get(PDFName.of('Lang')))).toContain('ru');
  });

  it('refuses a right-to-left form with a message for the coordinator, records nothing, and prints English when asked', async () => {
    const survey = await surveyIn('ar-XB');
    const refused = await print(survey.assignmentId);
    expect(refused.res.status).toBe(409);
    const body = JSON.parse(new TextDecoder().decode(refused.bytes));
    expect(body.error.message).toMatch(
      /^Paper forms in Arabic.* cannot be printed yet.*: print it in English or use the survey link or the clinic tablet$/,
    );
    expect(body.error.fields[0].field).toBe('language');
    expect(await formsOf(survey.assignmentId)).toBe(0);

    const english = await print(survey.assignmentId, '?language=en');
    expect(english.res.status).toBe(201);
    const text = (await pdfPageTexts(english.bytes)).join('\n');
    expect(text).toContain(`Patient number ${survey.registryId}`);
    expect(text).toContain('No pain');
    expect(await formsOf(survey.assignmentId)).toBe(1);
    expect((await print(survey.assignmentId, '?language=not a tag')).res.status).toBe(400);
  });

  it('refuses questions translated into a right-to-left language, and a script the font lacks', async () => {
    await importInstrumentTranslation(
      db,
      'ar.json',
      JSON.stringify(fixture('ar', 'ما مدى الألم في ركبتك؟', 'لا ألم')),
    );
    const arabic = await surveyIn('ar', ['nrs-pain']);
    const refused = await print(arabic.assignmentId);
    expect(refused.res.status).toBe(409);
    expect(new TextDecoder().decode(refused.bytes)).toContain('Paper forms in Arabic cannot');
    // Without a translation an Arabic reader's survey is English, and so is the paper form.
    const untranslated = await surveyIn('ar', ['koos-jr']);
    expect((await print(untranslated.assignmentId)).res.status).toBe(201);

    await importInstrumentTranslation(
      db,
      'ja.json',
      JSON.stringify(fixture('ja', '膝の痛みはどのくらいですか', '痛みなし')),
    );
    const japanese = await surveyIn('ja', ['nrs-pain']);
    const lacking = await print(japanese.assignmentId);
    expect(lacking.res.status).toBe(409);
    expect(new TextDecoder().decode(lacking.bytes)).toMatch(
      /Paper forms in Japanese cannot be printed yet \(the form's font has no /,
    );
    expect(await formsOf(japanese.assignmentId)).toBe(0);
  });

  it('keeps the English form’s words as the catalogue gives them', async () => {
    const survey = await surveyIn('en-GB', ['nrs-pain']);
    const { res, bytes } = await print(survey.assignmentId);
    expect(res.status).toBe(201);
    const text = (await pdfPageTexts(bytes)).join('\n');
    expect(text).toContain(EN['paper.patientNumber'].replace('{registryId}', survey.registryId));
    expect(text).toContain('for each of the 1 question,');
    expect(text).toContain('Page 1 of 1');
  });
});
