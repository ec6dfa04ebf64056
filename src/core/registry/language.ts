import { z } from 'zod';

/** Whether `tag` is a well-formed BCP 47 language tag (e.g. en, pt-BR, zh-Hant). */
export function isLanguageTag(tag: string): boolean {
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag) || tag.length > 35) return false;
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/** The canonical form of a valid tag ("pt-br" → "pt-BR"). */
export function canonicalLanguage(tag: string): string {
  return Intl.getCanonicalLocales(tag)[0] ?? tag;
}

/** The language a patient reads in, as a BCP 47 tag, stored in its canonical form. */
export const languageTagSchema = z
  .string()
  .trim()
  .max(35, 'At most 35 characters')
  .refine(isLanguageTag, 'A language tag such as en, fr or pt-BR')
  .transform(canonicalLanguage);
