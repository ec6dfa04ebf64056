/**
 * Text messages in the patient's language, from the catalogue (core/i18n). A text names only the
 * clinic and carries the link: no time point, joint, treatment or other health information, since
 * a phone's lock screen shows it to whoever holds the phone.
 */
import { messageFor, resolveLanguage } from '../i18n/catalogues.ts';
import { translator } from '../i18n/translate.ts';

export type SmsKind = 'invitation' | 'reminder';

/** The text for a BCP 47 tag: the tag's catalogue, then its language alone ("pt-BR" → "pt"), then English. */
export function smsText(
  language: string,
  kind: SmsKind,
  vars: { clinicName: string; link: string },
): string {
  const locale = resolveLanguage(language);
  const key = kind === 'invitation' ? 'sms.invitation' : 'sms.reminder';
  // The opt-out keyword is Twilio's, the same in every language.
  return translator(locale, { [key]: messageFor(locale, key) })(key, { ...vars, stop: 'STOP' });
}

/**
 * Reply keywords, as Twilio's default opt-out handling reads them for long codes (Twilio docs,
 * "Customize users' opt-in and opt-out experience with Advanced Opt-Out"): the whole reply is
 * the keyword, in any case, spaces around it ignored. "Stop texting me" is not a keyword.
 */
export const OPT_OUT_KEYWORDS = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPTOUT',
] as const;
export const OPT_IN_KEYWORDS = ['START', 'YES', 'UNSTOP'] as const;

/** What a patient's reply asks for: stop texts, start them again, or nothing. */
export function replyKeyword(body: string): 'stop' | 'start' | null {
  const word = body.trim().toUpperCase();
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(word)) return 'stop';
  if ((OPT_IN_KEYWORDS as readonly string[]).includes(word)) return 'start';
  return null;
}
