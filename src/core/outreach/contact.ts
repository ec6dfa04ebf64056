import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { canonicalLanguage, isLanguageTag } from '../registry/language.ts';
import { CALL_OUTCOMES, SMS_CONSENTS } from './modes.ts';

export {
  CALL_OUTCOMES,
  type CallOutcome,
  CHANNELS,
  type Channel,
  MODE_LABELS,
  MODES,
  type Mode,
  SMS_CONSENTS,
  type SmsConsent,
} from './modes.ts';

/** Ofcom's mobile numbers for drama purposes, as E.164. */
export const OFCOM_DRAMA_MOBILE = /^\+447700900\d{3}$/;

export type MobileCheck = { ok: true; e164: string } | { ok: false; message: string };

/**
 * A mobile number as E.164, checked against libphonenumber's full metadata ("max": digits,
 * not just length). Numbers whose type the metadata cannot tell from a landline (the US and
 * Canada: FIXED_LINE_OR_MOBILE) are accepted; a number known to be a landline is not.
 */
export function checkMobile(input: string, defaultCountry?: string): MobileCheck {
  const text = input.trim();
  if (!/^[+()\d\s.-]{4,40}$/.test(text))
    return {
      ok: false,
      message: 'Enter a mobile number with digits only, such as +44 7400 123456',
    };
  const parsed = parsePhoneNumberFromString(
    text,
    defaultCountry ? { defaultCountry: defaultCountry as CountryCode } : {},
  );
  if (!parsed)
    return {
      ok: false,
      message: text.startsWith('+')
        ? 'This is not a phone number'
        : 'Start the number with + and its country code (such as +44), or choose its country',
    };
  // Ofcom keeps 07700 900000–900999 for drama: never allocated, so texts to it reach nobody
  // (BBC News, "The 20,000 fake phone numbers", 20 April 2015). The demo registry and staff
  // training use it; libphonenumber's metadata calls it invalid.
  if (OFCOM_DRAMA_MOBILE.test(parsed.number)) return { ok: true, e164: parsed.number };
  if (!parsed.isValid()) return { ok: false, message: 'This is not a valid phone number' };
  const type = parsed.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE')
    return {
      ok: false,
      message: 'This is not a mobile number, so it cannot receive text messages',
    };
  return { ok: true, e164: parsed.number };
}

/** Whether `zone` is an IANA time zone this runtime knows (e.g. Europe/London). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The clinic's record of how to reach a patient beyond e-mail. */
export const patientContactSchema = z
  .strictObject({
    /** Empty removes the number (and with it any text messages). */
    mobile: z.string().max(40, 'At most 40 characters'),
    /** ISO 3166-1 alpha-2 country a number without +country code is read in. */
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'A two-letter country code such as GB or US')
      .optional(),
    smsConsent: z.enum(SMS_CONSENTS, {
      error: `Text message consent must be one of ${SMS_CONSENTS.join(', ')}`,
    }),
    timeZone: z.string().max(64, 'At most 64 characters'),
    language: z.string().max(35, 'At most 35 characters'),
    preferredCallTime: z.string().trim().max(100, 'At most 100 characters'),
  })
  .superRefine((c, ctx) => {
    if (c.mobile.trim() !== '') {
      const m = checkMobile(c.mobile, c.country);
      if (!m.ok) ctx.addIssue({ code: 'custom', path: ['mobile'], message: m.message });
    } else if (c.smsConsent === 'opted-in')
      ctx.addIssue({
        code: 'custom',
        path: ['mobile'],
        message: 'A mobile number is needed for text messages',
      });
    if (c.timeZone.trim() !== '' && !isTimeZone(c.timeZone.trim()))
      ctx.addIssue({
        code: 'custom',
        path: ['timeZone'],
        message: `Unknown time zone '${c.timeZone.trim().slice(0, 64)}'; use a name such as Europe/London`,
      });
    if (!isLanguageTag(c.language.trim()))
      ctx.addIssue({
        code: 'custom',
        path: ['language'],
        message: 'A language tag such as en, fr or pt-BR',
      });
  })
  .transform((c) => {
    const mobile =
      c.mobile.trim() === '' ? null : (checkMobile(c.mobile, c.country) as { e164: string }).e164;
    return {
      mobile,
      smsConsent: c.smsConsent,
      timeZone: c.timeZone.trim() === '' ? null : c.timeZone.trim(),
      language: canonicalLanguage(c.language.trim()),
      preferredCallTime: c.preferredCallTime === '' ? null : c.preferredCallTime,
    };
  });
export type PatientContact = z.infer<typeof patientContactSchema>;

export const callAttemptSchema = z.strictObject({
  outcome: z.enum(CALL_OUTCOMES, {
    error: `The outcome must be one of ${CALL_OUTCOMES.join(', ')}`,
  }),
  note: z.string().trim().max(500, 'At most 500 characters').optional(),
});
