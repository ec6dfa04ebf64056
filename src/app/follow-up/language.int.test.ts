import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors.ts';
import { EN } from '../../core/i18n/en.ts';
import { clearTranslations, instrumentById } from '../../core/instruments/library.ts';
import { pseudoTranslation } from '../../core/instruments/translation.ts';
import type { Db } from '../../store/db.ts';
import { backends } from '../../testing/databases.ts';
import {
  Client,
  enrolTreatedPatient,
  seedTwoSites,
  testApp,
  testClock,
  tokenOf,
} from '../../testing/http.ts';
import { importInstrumentTranslation } from '../instruments.ts';

interface OpenedSurvey {
  timepointLabel: string;
  language: { locale: string; dir: string; messages: Record<string, string> };
  instruments: {
    id: string;
    sections: { title: string; titleInLanguage?: string; items: { text: string }[] }[];
    responseSets: Record<string, { label: string }[]>;
  }[];
}

describe.each(backends())('the patient’s language on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;
  let clinician: Client;

  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
    harness = testApp(db, testClock());
    clinician = new Client(harness.app);
    expect((await clinician.signIn('clin@harbour.test')).status).toBe(200);
  });
  afterAll(async () => {
    clearTranslations();
    await db.close();
  });

  /** A treated patient whose recorded language is `language`, and their baseline survey as opened by the link. */
  async function surveyIn(language: string | null): Promise<OpenedSurvey> {
    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    if (language) {
      const set = await clinician.call('PUT', `/api/patients/${patientId}/contact`, {
        mobile: '',
        smsConsent: 'none',
        timeZone: 'Europe/London',
        language,
        preferredCallTime: '',
      });
      expect(set.status, JSON.stringify(set.body)).toBe(200);
    }
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    const opened = await new Client(harness.app).call(
      'GET',
      `/api/survey/${tokenOf(issued.body.url)}`,
    );
    expect(opened.status).toBe(200);
    return opened.body as OpenedSurvey;
  }

  it('sends English, and only English, to a patient with no other language recorded', async () => {
    const survey = await surveyIn(null);
    expect(survey.language).toEqual({ locale: 'en', dir: 'ltr', messages: EN });
    expect(survey.timepointLabel).toBe('Baseline');
  });

  it('sends the pseudo-locale’s one catalogue and questionnaire wording to an en-XA patient', async () => {
    const survey = await surveyIn('en-XA');
    expect(survey.language.locale).toBe('en-XA');
    expect(survey.language.dir).toBe('ltr');
    // Only the patient's language travels: one catalogue, no other locale's messages.
    expect(Object.keys(survey.language.messages).sort()).toEqual(Object.keys(EN).sort());
    for (const text of Object.values(survey.language.messages)) expect(text).toMatch(/^\[.*\]$/s);
    expect(survey.timepointLabel).toMatch(/^\[.*\]$/);
    const koos = survey.instruments.find((i) => i.id === 'koos');
    for (const section of koos?.sections ?? []) {
      expect(section.titleInLanguage).toMatch(/^\[.*\]$/);
      for (const item of section.items) expect(item.text).toMatch(/^\[.*\]$/);
    }
  });

  it('lays a right-to-left language out right to left, and falls back to English for a language it lacks', async () => {
    expect((await surveyIn('ar-XB')).language).toMatchObject({ locale: 'ar-XB', dir: 'rtl' });
    const brazilian = await surveyIn('pt-BR');
    expect(brazilian.language.locale).toBe('en');
    expect(brazilian.instruments.find((i) => i.id === 'koos')?.sections[0]?.titleInLanguage).toBe(
      undefined,
    );
  });

  it('refuses a translation file with a missing item, naming it, and stores nothing; uses a good one', async () => {
    // A test file in the shape of a real one (its text is a marker, not a translation).
    const file = {
      ...pseudoTranslation(instrumentById('nrs-pain')),
      language: 'fr',
      source: 'Test fixture',
    };
    const bad = structuredClone(file);
    bad.items = {};
    const refused = await importInstrumentTranslation(db, 'bad.json', JSON.stringify(bad)).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).fields).toEqual([
      { field: 'items.NRS', message: 'Missing: item NRS has no text' },
    ]);
    const stored = () =>
      db.query<{ n: number }>('select count(*)::int as n from instrument_translations');
    expect((await stored())[0]?.n).toBe(0);

    const { outcome } = await importInstrumentTranslation(db, 'fr.json', JSON.stringify(file));
    expect(outcome).toBe('added');
    expect((await stored())[0]?.n).toBe(1);
    // A Canadian French patient reads it (their language alone matches); the page stays English.
    const survey = await surveyIn('fr-CA');
    expect(survey.language.locale).toBe('en');
    const nrs = survey.instruments.find((i) => i.id === 'nrs-pain');
    expect(nrs?.sections[0]?.items[0]?.text).toBe(file.items.NRS);
  });
});
