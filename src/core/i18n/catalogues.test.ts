import { isStructurallySame, parse } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { CATALOGUES, patientLanguage, resolveLanguage, textDirection } from './catalogues.ts';
import { EN, type MessageKey } from './en.ts';
import { accentText, pseudoMessage } from './pseudo.ts';
import { translator } from './translate.ts';

/** Values for every placeholder any message names; placeholders are the caller's, not ours. */
const SAMPLE = {
  timepoint: 'm6',
  count: 3,
  minutes: 1,
  joint: '⟦J⟧',
  answered: 2,
  total: 5,
  index: 1,
  title: '⟦T⟧',
  low: 0,
  high: 100,
  higherIsBetter: true,
  value: 40,
  baseline: 20,
  when: '⟦W⟧',
  side: 'left',
  clinicName: '⟦C⟧',
  timepointLabel: '⟦L⟧',
  dueDate: '⟦D⟧',
  closesOn: '⟦E⟧',
  link: '⟦U⟧',
  unsubscribeLink: '⟦X⟧',
  stop: '⟦S⟧',
  date: '⟦Y⟧',
  instruments: '⟦I⟧',
  registryId: '⟦R⟧',
  opens: '⟦O⟧',
  closes: '⟦Z⟧',
  code: '⟦K⟧',
  page: 1,
  pages: 2,
};

describe('catalogues', () => {
  it('every language has every English key with the same placeholders, plurals and selects', () => {
    for (const [locale, messages] of Object.entries(CATALOGUES)) {
      expect(Object.keys(messages).sort(), locale).toEqual(Object.keys(EN).sort());
      for (const key of Object.keys(EN) as MessageKey[]) {
        const same = isStructurallySame(
          parse(EN[key], { ignoreTag: true }),
          parse(messages[key], { ignoreTag: true }),
        );
        expect(same.success, `${locale} ${key}: ${same.error?.message}`).toBe(true);
      }
    }
  });

  it('formats English with ICU plurals', () => {
    const t = translator('en', EN);
    expect(t('survey.intro.body', { count: 1, joint: 'your knee', minutes: 1 })).toMatch(
      /^1 short question about your knee, about 1 minute\./,
    );
    expect(t('survey.intro.body', { count: 12, joint: 'your knee', minutes: 2 })).toMatch(
      /^12 short questions about your knee, about 2 minutes\./,
    );
    expect(t('joint.phrase', { side: 'right', joint: 'knee' })).toBe('your right knee');
    expect(t('joint.phrase', { side: 'both', joint: 'hip' })).toBe('your hip');
    expect(t('survey.intro.title', { timepoint: 'm12' })).toBe('Your 12 months check-in');
  });

  it('en-XA leaves no English word: every message is bracketed and every letter accented', () => {
    const t = translator('en-XA', CATALOGUES['en-XA'] ?? {});
    for (const key of Object.keys(EN) as MessageKey[]) {
      const text = t(key, SAMPLE);
      expect(text.startsWith('[') && text.endsWith(']'), `${key}: ${text}`).toBe(true);
      // Outside the sample values (⟦…⟧), no plain a–z letter.
      const rest = text.replace(/⟦.⟧/g, '');
      expect(rest, key).not.toMatch(/[A-Za-z]/);
    }
  });

  it('pseudo-localises literals only', () => {
    expect(accentText('Pain')).toBe('Þáíñ~~');
    expect(pseudoMessage('{n, plural, one {# day} other {# days}}', 'accented')).toBe(
      '[{n,plural,one{# ðáý~} other{# ðáýš~~}}]',
    );
    expect(pseudoMessage('Hi {name}', 'rtl')).toBe('\u202eHi \u202c{name}');
  });

  it('picks the catalogue for a BCP 47 tag and its direction', () => {
    expect(resolveLanguage('en-GB')).toBe('en');
    expect(resolveLanguage('EN-xa')).toBe('en-XA');
    expect(resolveLanguage('pt-BR')).toBe('en');
    expect(resolveLanguage(undefined)).toBe('en');
    expect(textDirection('he')).toBe('rtl');
    expect(textDirection('ar-XB')).toBe('rtl');
    expect(textDirection('az-Arab')).toBe('rtl');
    expect(textDirection('az-Latn')).toBe('ltr');
    expect(textDirection('en')).toBe('ltr');
    expect(patientLanguage('ar-XB')).toMatchObject({ locale: 'ar-XB', dir: 'rtl' });
  });
});
