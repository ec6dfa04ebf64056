import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { BUILT_IN_INSTRUMENTS } from './library.ts';
import {
  applyTranslation,
  instrumentInLanguage,
  parseTranslation,
  pseudoTranslation,
} from './translation.ts';

const koos = BUILT_IN_INSTRUMENTS.find((d) => d.id === 'koos');
if (!koos) throw new Error('KOOS is shipped');

/** The problems a refused file is refused for, as field → message. */
function refusal(json: unknown): { field: string; message: string }[] {
  if (!koos) return [];
  try {
    parseTranslation(koos, json);
  } catch (e) {
    if (e instanceof DomainError) return e.fields;
    throw e;
  }
  throw new Error('The file was accepted');
}

describe('instrument translations', () => {
  it('accepts a complete file for every shipped instrument (the generated pseudo-locale)', () => {
    for (const def of BUILT_IN_INSTRUMENTS) {
      const file = JSON.parse(JSON.stringify(pseudoTranslation(def)));
      expect(() => parseTranslation(def, file), def.id).not.toThrow();
    }
  });

  it('refuses a file naming every missing item, extra item, missing and extra answer', () => {
    const file = pseudoTranslation(koos);
    const [first, second] = Object.keys(file.items);
    const bad = structuredClone(file);
    delete bad.items[first as string];
    delete bad.items[second as string];
    bad.items.X99 = 'An item KOOS does not have';
    const [setId] = Object.keys(bad.responseSets);
    const set = bad.responseSets[setId as string] ?? {};
    delete set['0'];
    set['7'] = 'An answer the set does not have';
    const problems = refusal(bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: `items.${first}`, message: `Missing: item ${first} has no text` },
        { field: `items.${second}`, message: `Missing: item ${second} has no text` },
        { field: 'items.X99', message: 'Extra: KOOS has no item X99' },
        { field: `responseSets.${setId}.0`, message: 'Missing: answer value 0 has no text' },
        { field: `responseSets.${setId}.7`, message: 'Extra: KOOS has no answer value 7' },
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('refuses a file for another instrument, without source or terms, or with an empty text', () => {
    const other = { ...pseudoTranslation(koos), instrument: 'hoos' };
    expect(refusal(other)).toContainEqual({
      field: 'instrument',
      message: 'This file translates hoos, not koos',
    });
    const { source: _s, termsOfUse: _t, ...unsourced } = pseudoTranslation(koos);
    const fields = refusal({ ...unsourced, language: 'not a tag' }).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['source', 'termsOfUse', 'language']));
    const empty = pseudoTranslation(koos);
    const [code] = Object.keys(empty.items);
    empty.items[code as string] = '';
    expect(refusal(empty).map((p) => p.field)).toContain(`items.${code}`);
  });

  it('changes only words: codes, values and scoring stay the instrument’s', () => {
    const translated = applyTranslation(koos, pseudoTranslation(koos));
    expect(translated.scales).toEqual(koos.scales);
    expect(translated.sections.flatMap((s) => s.items.map((i) => i.code))).toEqual(
      koos.sections.flatMap((s) => s.items.map((i) => i.code)),
    );
    for (const s of translated.sections)
      for (const i of s.items) expect(i.text).toMatch(/^\[.*\]$/);
    expect(instrumentInLanguage(koos, 'en')).toBe(koos);
    expect(instrumentInLanguage(koos, 'fr')).toBe(koos);
  });
});
