/**
 * The languages StemTrack speaks to patients in, and the choice of one for a patient's recorded
 * BCP 47 tag. A clinic adds a language by adding a catalogue here (see the README).
 */
import { type Catalogue, EN } from './en.ts';
import { pseudoCatalogue } from './pseudo.ts';
import type { PatientLanguage } from './translate.ts';

export const CATALOGUES: Record<string, Catalogue> = {
  en: EN,
  // Pseudo-locales for testing (BCP 47's private "XA"/"XB" regions, as Android and Chrome use them).
  'en-XA': pseudoCatalogue(EN, 'accented'),
  'ar-XB': pseudoCatalogue(EN, 'rtl'),
};

/** The catalogue for a tag: the tag itself, then its language alone ("pt-BR" → "pt"), then English. */
export function resolveLanguage(tag: string | null | undefined): string {
  if (!tag) return 'en';
  const exact = Object.keys(CATALOGUES).find((k) => k.toLowerCase() === tag.toLowerCase());
  if (exact) return exact;
  const primary = tag.split('-')[0]?.toLowerCase() ?? '';
  return CATALOGUES[primary] ? primary : 'en';
}

// Languages written right to left (CLDR's character order for their default scripts).
const RTL_LANGUAGES = new Set([
  'ar',
  'arc',
  'ckb',
  'dv',
  'fa',
  'he',
  'ks',
  'ps',
  'sd',
  'ug',
  'ur',
  'yi',
]);
const RTL_SCRIPTS = new Set(['Arab', 'Hebr', 'Thaa', 'Syrc', 'Nkoo', 'Adlm', 'Rohg']);

/** Which way a language's text runs, from its script subtag when it has one, else its language. */
export function textDirection(tag: string): 'ltr' | 'rtl' {
  const parts = tag.split('-');
  const script = parts.find((p, i) => i > 0 && /^[A-Za-z]{4}$/.test(p));
  if (script) {
    const s = script.charAt(0).toUpperCase() + script.slice(1).toLowerCase();
    return RTL_SCRIPTS.has(s) ? 'rtl' : 'ltr';
  }
  return RTL_LANGUAGES.has(parts[0]?.toLowerCase() ?? '') ? 'rtl' : 'ltr';
}

/** What a patient's page needs to speak their language: only that one catalogue. */
export function patientLanguage(tag: string | null | undefined): PatientLanguage {
  const locale = resolveLanguage(tag);
  return { locale, dir: textDirection(locale), messages: CATALOGUES[locale] ?? EN };
}

/** A message of the catalogue for a tag, with English as the fallback for a missing key. */
export function messageFor(tag: string, key: keyof Catalogue): string {
  return CATALOGUES[resolveLanguage(tag)]?.[key] ?? EN[key];
}

/** A follow-up time point's name in a language ("6 months"); the id when the catalogue has none. */
export function timepointName(tag: string, timepointId: string): string {
  const key = `timepoint.${timepointId}`;
  return key in EN ? messageFor(tag, key as keyof Catalogue) : timepointId;
}
