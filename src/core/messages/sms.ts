/**
 * Text message wording, in one place so a translation library can take it over. A text
 * names only the clinic and carries the link: no time point, joint, treatment or other health
 * information, since a phone's lock screen shows it to whoever holds the phone.
 */
export type SmsKind = 'invitation' | 'reminder';

export const SMS_TEXTS: Record<string, Record<SmsKind, string>> = {
  en: {
    invitation:
      '{{clinicName}} asks you to answer a short questionnaire: {{link}} Reply STOP to stop these texts.',
    reminder:
      'A reminder from {{clinicName}}: your questionnaire is still open: {{link}} Reply STOP to stop these texts.',
  },
};

/** The wording for a BCP 47 tag: the tag itself, then its language alone ("pt-BR" → "pt"), then English. */
export function smsText(
  language: string,
  kind: SmsKind,
  vars: { clinicName: string; link: string },
): string {
  const primary = language.split('-')[0]?.toLowerCase() ?? 'en';
  const texts = SMS_TEXTS[language] ?? SMS_TEXTS[primary] ?? SMS_TEXTS.en;
  const template = texts?.[kind] ?? '';
  return template.replaceAll('{{clinicName}}', vars.clinicName).replaceAll('{{link}}', vars.link);
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
