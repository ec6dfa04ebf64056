/** Words of follow-up outreach; apart from contact.ts so the web app need not bundle libphonenumber. */

/** How a patient may be asked for their questionnaires (a channel), beside e-mail. */
export const CHANNELS = ['email', 'sms', 'phone'] as const;
export type Channel = (typeof CHANNELS)[number];

/** How an answer was given (its mode of administration). */
export const MODES = ['web-email', 'web-sms', 'web-qr', 'phone', 'paper', 'tablet'] as const;
export type Mode = (typeof MODES)[number];
export const MODE_LABELS: Record<Mode, string> = {
  'web-email': 'Web, from an e-mail link',
  'web-sms': 'Web, from a text message link',
  'web-qr': 'Web, from a paper form’s QR code',
  phone: 'Phone interview',
  paper: 'Paper',
  tablet: 'Clinic tablet',
};

/** What came of a staff member's call to a patient. */
export const CALL_OUTCOMES = ['reached', 'voicemail', 'wrong-number', 'declined'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** The patient's consent to text messages: never asked, given, or taken back. */
export const SMS_CONSENTS = ['none', 'opted-in', 'opted-out'] as const;
export type SmsConsent = (typeof SMS_CONSENTS)[number];
