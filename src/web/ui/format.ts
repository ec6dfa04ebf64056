import { displayDate } from '../../core/registry/dates.ts';
import {
  CELL_SOURCES,
  PRODUCT_CLASSES,
  type ProductClass,
} from '../../core/registry/vocabulary.ts';

/**
 * Every date the clinic app shows, in one form: "3 Dec 2026" (the e-mails use the same, from
 * core). Takes `YYYY-MM-DD` or an ISO timestamp (read as its UTC calendar day); else as given.
 */
export const formatDate = displayDate;

/** "1 trial", "2 trials"; `plural` for words that do not just take an s. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? singular : plural}`;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The clinic's words for the registry's vocabulary codes, where the code is not already a word. */
const WORDS: Record<string, string> = {
  unknown: 'not recorded',
  'not-related': 'not related',
  none: 'no image guidance',
  csv: 'CSV',
  other: 'other',
};

/** A product class by its label ("Bone-marrow MSC (culture-expanded)"), never its code. */
export function productLabel(code: string): string {
  return PRODUCT_CLASSES.find((p) => p.code === (code as ProductClass))?.label ?? label(code);
}

export function cellSourceLabel(code: string): string {
  return CELL_SOURCES.find((c) => c.code === code)?.label ?? label(code);
}

/** A vocabulary code (sex, relatedness, joint…) in words: "unknown" → "not recorded". */
export function label(code: string): string {
  return WORDS[code] ?? code.replace(/-/g, ' ');
}

interface ScaleNames {
  shortName: string;
  scales: {
    id: string;
    name: string;
    range?: [number, number] | number[];
    caveat?: { label: string } | null;
  }[];
}

/**
 * A scale as the clinic reads it, from its definition's names and range: "NRS pain 0–10",
 * "KOOS Pain 0–100" (an instrument of one scale is not named twice); never its codes.
 */
export function scaleLabel(instrument: ScaleNames | undefined, scaleId: string): string {
  if (!instrument) return label(scaleId);
  const scale = instrument.scales.find((s) => s.id === scaleId);
  const range =
    scale?.range && scale.range.length === 2 ? ` ${scale.range[0]}–${scale.range[1]}` : '';
  const name = instrument.scales.length === 1 ? '' : ` ${scale?.name ?? label(scaleId)}`;
  // What could not be checked (the JR forms' tables) travels with the name wherever it is shown.
  const caveat = scale?.caveat ? ` (${scale.caveat.label.toLowerCase()})` : '';
  return `${instrument.shortName}${name}${range}${caveat}`;
}
