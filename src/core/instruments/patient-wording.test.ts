import { describe, expect, it } from 'vitest';
import { EN } from '../i18n/en.ts';
import { translator } from '../i18n/translate.ts';
import { BUILT_IN_INSTRUMENTS } from './library.ts';
import {
  jointPhrase,
  scaleTitle,
  sectionHeading,
  sectionsWithHeadings,
} from './patient-wording.ts';

const t = translator('en', EN);

describe('patient wording', () => {
  it('names the joint as the patient would, with its side', () => {
    expect(jointPhrase(t, 'knee', 'right')).toBe('your right knee');
    expect(jointPhrase(t, 'hip', null)).toBe('your hip');
    expect(jointPhrase(t, 'other', 'left')).toBe('your joint');
    expect(jointPhrase(t, undefined)).toBe('your joint');
  });

  it('heads the pain rating with the joint the survey is about', () => {
    expect(sectionHeading(t, 'nrs-pain', 'Pain', 'your knee')).toBe('Pain in your knee');
    expect(sectionHeading(t, 'koos', 'Quality of life', 'your left knee')).toBe(
      'How your left knee affects your life',
    );
  });

  it('gives every section of every shipped questionnaire a heading without its code', () => {
    for (const def of BUILT_IN_INSTRUMENTS) {
      for (const section of def.sections) {
        const heading = sectionHeading(t, def.id, section.title, 'your knee');
        expect(
          sectionsWithHeadings().some(
            (s) => s.instrumentId === def.id && s.sectionTitle === section.title,
          ),
          `${def.id}: ${section.title}`,
        ).toBe(true);
        expect(heading).not.toContain(def.shortName);
        expect(heading).not.toContain('{joint}');
      }
    }
  });

  it('has no heading for a section a questionnaire does not have (a renamed one would be lost)', () => {
    const known = new Set(
      BUILT_IN_INSTRUMENTS.flatMap((d) => d.sections.map((s) => `${d.id}|${s.title}`)),
    );
    for (const s of sectionsWithHeadings())
      expect(known.has(`${s.instrumentId}|${s.sectionTitle}`), s.sectionTitle).toBe(true);
  });

  it('titles every shipped score in plain words, and falls back to the scale name', () => {
    for (const def of BUILT_IN_INSTRUMENTS) {
      for (const scale of def.scales) {
        const title = scaleTitle(t, def.id, scale.id, '');
        expect(title, `${def.id}.${scale.id}`).not.toBe('');
        expect(title).not.toContain(def.shortName);
      }
    }
    expect(scaleTitle(t, 'womac', 'pain', 'WOMAC pain')).toBe('WOMAC pain');
    expect(sectionHeading(t, 'womac', 'Pain', 'your knee')).toBe('Pain');
  });
});
