import { describe, expect, it } from 'vitest';
import {
  chooseTemplate,
  DEFAULT_TEMPLATES,
  lookupChain,
  patientDate,
  reminderDates,
  renderTemplate,
  templateProblems,
} from './templates.ts';

const vars = {
  clinicName: 'Harbour Clinic',
  timepointLabel: '6 months',
  link: 'https://clinic.example/s/abc',
  dueDate: '2026-09-02',
  closesOn: '2026-10-02',
  unsubscribeLink: 'https://clinic.example/unsubscribe/xyz',
} as const;

describe('survey messages', () => {
  it('fills the default invitation with the link, due date and opt-out link', () => {
    const { subject, body } = renderTemplate(
      DEFAULT_TEMPLATES.en?.invitation ?? { subject: '', body: '' },
      vars,
    );
    expect(subject).toBe('Harbour Clinic: your 6 months questionnaire');
    expect(body).toContain('due on 2 Sep 2026');
    expect(body).toContain('until 2 Oct 2026');
    expect(body).toContain('https://clinic.example/s/abc');
    expect(body).toContain('https://clinic.example/unsubscribe/xyz');
    expect(body).not.toContain('{{');
  });

  it('refuses a template with an unknown placeholder', () => {
    expect(() => renderTemplate({ subject: 'Hi {{firstName}}', body: '' }, vars)).toThrow(
      '{{firstName}}',
    );
  });

  it('schedules reminders only while the window is open', () => {
    expect(reminderDates('2026-09-01', '2026-10-02', 3, 7)).toEqual([
      '2026-09-08',
      '2026-09-15',
      '2026-09-22',
    ]);
    expect(reminderDates('2026-09-28', '2026-10-02', 3, 7)).toEqual([]);
  });

  it('checks a registry template for unknown placeholders and the two links it must carry', () => {
    expect(templateProblems({ subject: 'Hi {{name}}', body: 'Answer here' })).toEqual([
      { field: 'subject', message: 'Unknown placeholder {{name}}' },
      { field: 'body', message: 'The body must contain {{link}}' },
      { field: 'body', message: 'The body must contain {{unsubscribeLink}}' },
    ]);
    expect(templateProblems({ subject: 's', body: '{{link}} {{unsubscribeLink}}' })).toEqual([]);
  });

  it("chooses the registry's template in the patient's language, then the defaults", () => {
    const own = [
      { language: 'fr', kind: 'invitation' as const, subject: 'FR', body: 'fr' },
      { language: 'en', kind: 'invitation' as const, subject: 'EN own', body: 'en' },
    ];
    expect(chooseTemplate(own, 'fr', 'invitation').subject).toBe('FR');
    expect(chooseTemplate(own, 'de', 'invitation').subject).toBe('EN own');
    expect(chooseTemplate(own, 'fr', 'reminder')).toEqual(DEFAULT_TEMPLATES.en?.reminder);
    // A regional tag finds the registry's template for its language.
    expect(chooseTemplate(own, 'fr-CA', 'invitation').subject).toBe('FR');
  });

  it('finds the registry’s wording by BCP 47 tag: the tag, its shorter forms, then English', () => {
    const own = [
      { language: 'pt-BR', kind: 'invitation' as const, subject: 'BR', body: 'b' },
      { language: 'pt', kind: 'invitation' as const, subject: 'PT', body: 'b' },
      { language: 'zh-Hant', kind: 'invitation' as const, subject: 'Hant', body: 'b' },
      { language: 'en', kind: 'invitation' as const, subject: 'EN own', body: 'b' },
    ];
    expect(chooseTemplate(own, 'pt-BR', 'invitation').subject).toBe('BR');
    // Tags match whatever their case.
    expect(chooseTemplate(own, 'pt-br', 'invitation').subject).toBe('BR');
    expect(chooseTemplate(own, 'pt-PT', 'invitation').subject).toBe('PT');
    expect(chooseTemplate(own, 'pt', 'invitation').subject).toBe('PT');
    expect(chooseTemplate(own, 'zh-Hant-TW', 'invitation').subject).toBe('Hant');
    expect(chooseTemplate(own, 'zh-Hans-CN', 'invitation').subject).toBe('EN own');
    expect(chooseTemplate(own.slice(0, 3), 'de-DE', 'invitation')).toEqual(
      DEFAULT_TEMPLATES.en?.invitation,
    );
  });

  it('shortens a tag as RFC 4647 Lookup does', () => {
    expect(lookupChain('zh-Hant-TW')).toEqual(['zh-Hant-TW', 'zh-Hant', 'zh']);
    expect(lookupChain('de-DE-x-goethe')).toEqual(['de-DE-x-goethe', 'de-DE', 'de']);
    expect(lookupChain('fr')).toEqual(['fr']);
  });

  it('writes dates in the patient’s language', () => {
    expect(patientDate('2026-09-02', 'en-GB')).toBe('2 Sep 2026');
    expect(patientDate('2026-09-02', 'fr')).toBe('2 septembre 2026');
    expect(patientDate('2026-09-02', 'de-DE')).toBe('2. September 2026');
  });

  it('has StemTrack’s wording in every catalogue language, placeholders kept for the registry’s syntax', () => {
    const pseudo = chooseTemplate([], 'en-XA', 'invitation');
    expect(pseudo.subject).toMatch(/^\[\{\{clinicName\}\}.*\{\{timepointLabel\}\}.*\]$/);
    expect(templateProblems(pseudo)).toEqual([]);
    // StemTrack's wording in the patient's language comes before the registry's English.
    expect(
      chooseTemplate(
        [{ language: 'en', kind: 'invitation', subject: 'EN own', body: 'b' }],
        'en-XA',
        'invitation',
      ).subject,
    ).toBe(pseudo.subject);
  });
});
