/**
 * Instrument translations are data, like licensed definitions: a file gives one language's
 * wording for an instrument's own item codes and answer values, with its source and terms of use.
 * It is checked against the instrument (every item, every answer, nothing extra) before it is used;
 * scoring never reads it, since the codes and values are the instrument's.
 */
import { z } from 'zod';
import { type FieldProblem, invalid } from '../errors.ts';
import { accentText } from '../i18n/pseudo.ts';
import type { InstrumentDefinition } from './definition.ts';

export const translationSchema = z.strictObject({
  instrument: z.string().min(1, 'Name the instrument id, e.g. koos'),
  /** BCP 47 tag of the translation's language, e.g. "fr-CA". */
  language: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'A BCP 47 language tag such as fr or pt-BR'),
  source: z.string().min(1, 'Say where the translated text was read (publisher, version, URL)'),
  termsOfUse: z.string().min(1, 'Give the terms under which the translation may be used'),
  instructions: z.string().min(1),
  /** The definition's sections in its order (two may share a title): translated title and intro. */
  sections: z.array(
    z.strictObject({ title: z.string().min(1), intro: z.string().min(1).optional() }),
  ),
  /** Item code → the item's text. */
  items: z.record(z.string(), z.string().min(1)),
  /** Response set id → (answer value → label). */
  responseSets: z.record(z.string(), z.record(z.string(), z.string().min(1))),
});
export type InstrumentTranslation = z.infer<typeof translationSchema>;

/** Every way a translation does not fit its instrument, each with the field it names. */
export function translationProblems(
  def: InstrumentDefinition,
  t: InstrumentTranslation,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (t.instrument !== def.id)
    problems.push({
      field: 'instrument',
      message: `This file translates ${t.instrument}, not ${def.id}`,
    });
  const compare = (
    field: string,
    expected: readonly string[],
    given: readonly string[],
    what: string,
  ) => {
    for (const key of expected)
      if (!given.includes(key))
        problems.push({ field: `${field}.${key}`, message: `Missing: ${what} ${key} has no text` });
    for (const key of given)
      if (!expected.includes(key))
        problems.push({
          field: `${field}.${key}`,
          message: `Extra: ${def.shortName} has no ${what} ${key}`,
        });
  };
  const items = def.sections.flatMap((s) => s.items.map((i) => i.code));
  compare('items', items, Object.keys(t.items), 'item');
  if (t.sections.length !== def.sections.length)
    problems.push({
      field: 'sections',
      message: `${def.shortName} has ${def.sections.length} sections; the file gives ${t.sections.length}`,
    });
  for (const [i, s] of def.sections.entries()) {
    const given = t.sections[i];
    if (given && Boolean(s.intro) !== Boolean(given.intro))
      problems.push({
        field: `sections.${i}.intro`,
        message: s.intro
          ? 'Missing: the section intro has no text'
          : 'Extra: the section has no intro',
      });
  }
  compare('responseSets', Object.keys(def.responseSets), Object.keys(t.responseSets), 'answer set');
  for (const [id, options] of Object.entries(def.responseSets)) {
    const given = t.responseSets[id];
    if (given)
      compare(
        `responseSets.${id}`,
        options.map((o) => String(o.value)),
        Object.keys(given),
        'answer value',
      );
  }
  return problems;
}

/** Reads and checks a translation file's JSON; refuses a bad one naming every problem. */
export function parseTranslation(def: InstrumentDefinition, json: unknown): InstrumentTranslation {
  const parsed = translationSchema.safeParse(json);
  if (!parsed.success)
    throw invalid(
      'The translation file is not in the expected form',
      parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    );
  const problems = translationProblems(def, parsed.data);
  if (problems.length > 0)
    throw invalid(
      `The ${parsed.data.language} translation does not match ${def.shortName}: ${problems.length} problem(s)`,
      problems,
    );
  return parsed.data;
}

/** The instrument as the patient reads it in the translation; codes, values and scoring unchanged. */
export function applyTranslation(
  def: InstrumentDefinition,
  t: InstrumentTranslation,
): InstrumentDefinition {
  return {
    ...def,
    instructions: t.instructions,
    sections: def.sections.map((s, i) => {
      const own = t.sections[i];
      return {
        ...s,
        ...(own ? { titleInLanguage: own.title } : {}),
        ...(own?.intro ? { intro: own.intro } : {}),
        items: s.items.map((i) => ({ ...i, text: t.items[i.code] ?? i.text })),
      };
    }),
    responseSets: Object.fromEntries(
      Object.entries(def.responseSets).map(([id, options]) => [
        id,
        options.map((o) => ({ ...o, label: t.responseSets[id]?.[String(o.value)] ?? o.label })),
      ]),
    ),
  };
}

// A label that starts with its number ("0 – No pain") keeps it, so a rating row stays a row.
const NUMBER_THEN_WORDS = /^(-?\d+)(\s*[–—:-]\s*)(.+)$/;
const pseudo = (text: string) => `[${accentText(text)}]`;
function pseudoLabel(label: string): string {
  if (/^-?\d+$/.test(label.trim())) return label;
  const m = NUMBER_THEN_WORDS.exec(label);
  return m ? `${m[1]}${m[2]}${pseudo(m[3] ?? '')}` : pseudo(label);
}

/** The en-XA pseudo-translation of an instrument, a translation file like any other. */
export function pseudoTranslation(def: InstrumentDefinition): InstrumentTranslation {
  return {
    instrument: def.id,
    language: 'en-XA',
    source: `Generated from ${def.shortName}'s English text by StemTrack for testing`,
    termsOfUse: 'For testing only; never shown to a patient outside tests',
    instructions: pseudo(def.instructions),
    sections: def.sections.map((s) => ({
      title: pseudo(s.title),
      ...(s.intro ? { intro: pseudo(s.intro) } : {}),
    })),
    items: Object.fromEntries(
      def.sections.flatMap((s) => s.items.map((i) => [i.code, pseudo(i.text)])),
    ),
    responseSets: Object.fromEntries(
      Object.entries(def.responseSets).map(([id, options]) => [
        id,
        Object.fromEntries(options.map((o) => [String(o.value), pseudoLabel(o.label)])),
      ]),
    ),
  };
}

/**
 * The instrument in a patient's language (their BCP 47 tag): a checked translation file for the
 * tag, else for its language alone ("fr-CA" → "fr"); the pseudo-locale's generated one; else
 * English. None are shipped (see docs/instruments.md); a registry imports them.
 */
export function instrumentInLanguage(
  def: InstrumentDefinition,
  tag: string,
  translations: readonly InstrumentTranslation[] = [],
): InstrumentDefinition {
  const lower = tag.toLowerCase();
  const primary = lower.split('-')[0];
  const mine = translations.filter((t) => t.instrument === def.id);
  const own =
    mine.find((t) => t.language.toLowerCase() === lower) ??
    mine.find((t) => t.language.toLowerCase() === primary);
  if (own) return applyTranslation(def, own);
  if (lower === 'en-xa') return applyTranslation(def, pseudoTranslation(def));
  return def;
}
