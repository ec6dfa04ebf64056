/**
 * Formats a catalogue's messages with intl-messageformat (ICU plurals and selects). Kept apart
 * from the catalogues, so the survey page bundles the formatter and only the one language the
 * server sends it.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { MessageKey } from './en.ts';

export type MessageValues = Record<string, string | number | boolean>;
export type Translate = (key: MessageKey, values?: MessageValues) => string;

/** A language's catalogue as the server sends it to a patient's page. */
export interface PatientLanguage {
  /** The BCP 47 tag of the catalogue chosen for the patient ("en", "en-XA"). */
  locale: string;
  dir: 'ltr' | 'rtl';
  messages: Record<string, string>;
}

/**
 * `t(key, values)` over `messages`. A key the catalogue lacks falls back to `fallback` (English),
 * then to the key itself, so a gap shows as a visible key rather than an empty screen.
 */
export function translator(
  locale: string,
  messages: Record<string, string>,
  fallback: Record<string, string> = {},
): Translate {
  const compiled = new Map<string, IntlMessageFormat>();
  return (key, values) => {
    let format = compiled.get(key);
    if (!format) {
      const source = messages[key] ?? fallback[key];
      if (source === undefined) return key;
      format = new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
      compiled.set(key, format);
    }
    return String(format.format(values));
  };
}
