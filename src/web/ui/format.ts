import {
  CELL_SOURCES,
  PRODUCT_CLASSES,
  type ProductClass,
} from '../../core/registry/vocabulary.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Every date the clinic app shows, in one form: "3 Dec 2026". Takes `YYYY-MM-DD` or an ISO
 * timestamp (read as its UTC calendar day, as the server stores it); anything else as given.
 */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return value;
  const month = MONTHS[Number(m[2]) - 1];
  return month ? `${Number(m[3])} ${month} ${m[1]}` : value;
}

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
