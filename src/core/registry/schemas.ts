import { z } from 'zod';
import { newPassword } from '../access/schemas.ts';
import { checkMobile, isTimeZone } from '../outreach/contact.ts';
import { SMS_CONSENTS } from '../outreach/modes.ts';
import { characterisationSchema } from './characterisation.ts';
import { isIsoDate } from './dates.ts';
import { languageTagSchema } from './language.ts';
import {
  IMAGE_GUIDANCE,
  JOINTS,
  KL_GRADES,
  PRODUCT_CLASS_CODES,
  RELATEDNESS,
  ROLES,
  SEXES,
  SIDES,
} from './vocabulary.ts';

export const isoDate = z
  .string({ error: 'Enter a date as YYYY-MM-DD' })
  .refine(isIsoDate, 'Enter a real date as YYYY-MM-DD');

const trimmed = (max: number) => z.string().trim().max(max, `At most ${max} characters`);
const requiredText = (label: string, max: number) => trimmed(max).min(1, `${label} is required`);

export const loginSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, 'Email is required').max(254),
  password: z.string().min(1, 'Password is required').max(1024),
});
export type LoginInput = z.infer<typeof loginSchema>;

export const newUserSchema = z.object({
  email: z.email('Enter a valid email address').trim().toLowerCase().max(254),
  name: requiredText('Name', 200),
  role: z.enum(ROLES, { error: `Role must be one of ${ROLES.join(', ')}` }),
  // NIST SP 800-63B §5.1.1.2: length only (8 to at least 64), no composition rules.
  password: newPassword,
});
export type NewUserInput = z.infer<typeof newUserSchema>;

/** An optional text field of a form: empty (or only spaces) is absent. */
const optionalText = (max: number) =>
  trimmed(max)
    .transform((v) => (v === '' ? undefined : v))
    .optional();

/** The fields of an enrolment; `enrolPatientSchema` adds the checks across them. */
export const enrolPatientFields = z.strictObject({
  registryId: trimmed(40)
    .regex(/^[A-Za-z0-9-]*$/, 'Use letters, digits and hyphens only')
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  givenName: requiredText('Given name', 100),
  familyName: requiredText('Family name', 100),
  dateOfBirth: isoDate,
  sex: z.enum(SEXES, { error: 'Choose the patient’s sex from the list' }),
  email: z
    .union([z.literal(''), z.email('Enter a valid email address').trim().toLowerCase().max(254)])
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  phone: trimmed(40).optional(),
  /** The language the patient reads in, a BCP 47 tag (e.g. en, fr, pt-BR); English when not given. */
  language: languageTagSchema.optional(),
  /** A mobile for text messages (issue 15), stored as E.164; empty when none. */
  mobile: optionalText(40),
  /** ISO 3166-1 alpha-2 country a mobile without +country code is read in. */
  mobileCountry: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^([A-Z]{2})?$/, 'A two-letter country code such as GB or US')
    .transform((v) => (v === '' ? undefined : v))
    .optional(),
  smsConsent: z
    .enum(SMS_CONSENTS, {
      error: `Text message consent must be one of ${SMS_CONSENTS.join(', ')}`,
    })
    .optional(),
  /** IANA time zone for quiet hours; the registry's when absent. */
  timeZone: optionalText(64),
  consentDate: isoDate,
  consentGiven: z.literal(true, { error: 'Enrolment needs the patient’s recorded consent' }),
});

export const enrolPatientSchema = enrolPatientFields
  .superRefine((p, ctx) => {
    if (p.mobile !== undefined) {
      const m = checkMobile(p.mobile, p.mobileCountry);
      if (!m.ok) ctx.addIssue({ code: 'custom', path: ['mobile'], message: m.message });
    } else if (p.smsConsent === 'opted-in')
      ctx.addIssue({
        code: 'custom',
        path: ['mobile'],
        message: 'A mobile number is needed for text messages',
      });
    if (p.timeZone !== undefined && !isTimeZone(p.timeZone))
      ctx.addIssue({
        code: 'custom',
        path: ['timeZone'],
        message: `Unknown time zone '${p.timeZone}'; use a name such as Europe/London`,
      });
  })
  // The mobile as E.164; its country has done its work.
  .transform(({ mobileCountry, ...p }) => {
    if (p.mobile === undefined) return p;
    const m = checkMobile(p.mobile, mobileCountry);
    return { ...p, mobile: m.ok ? m.e164 : p.mobile };
  });
export type EnrolPatientInput = z.infer<typeof enrolPatientSchema>;

export const jointEpisodeSchema = z.strictObject({
  joint: z.enum(JOINTS, { error: 'Choose the joint from the list' }),
  side: z.enum(SIDES, { error: 'Side must be left or right' }),
  klGrade: z
    .number({ error: 'Kellgren–Lawrence grade must be a whole number 0–4' })
    .int('Kellgren–Lawrence grade must be a whole number 0–4')
    .refine((g) => (KL_GRADES as readonly number[]).includes(g), 'Kellgren–Lawrence grade is 0–4'),
  diagnosis: trimmed(500).optional(),
});
export type JointEpisodeInput = z.infer<typeof jointEpisodeSchema>;

export const treatmentSchema = z.strictObject({
  treatmentDate: isoDate,
  productClass: z.enum(PRODUCT_CLASS_CODES, { error: 'Choose the product from the list' }),
  cellDoseMillions: z
    .number({ error: 'Cell dose must be a number (millions of cells)' })
    .min(0, 'Cell dose cannot be negative')
    .max(100_000, 'Cell dose is implausibly large (millions of cells)')
    .nullable()
    .optional(),
  bmi: z
    .number({ error: 'BMI must be a number (kg/m²)' })
    .min(10, 'BMI below 10 kg/m² is not plausible')
    .max(80, 'BMI above 80 kg/m² is not plausible')
    .nullable()
    .optional(),
  volumeMl: z
    .number({ error: 'Volume must be a number of millilitres' })
    .gt(0, 'Volume must be more than 0 mL')
    .max(200, 'Volume is implausibly large for one injection (mL)'),
  imageGuidance: z.enum(IMAGE_GUIDANCE, { error: 'Choose the image guidance from the list' }),
  notes: trimmed(2000).optional(),
  /** The product as the checklists ask (issue 16): fields by product class, see characterisation.ts. */
  characterisation: characterisationSchema.optional(),
  /** The person saving has checked the values the data-quality rules find implausible. */
  confirmImplausible: z.boolean({ error: 'Confirm with true or false' }).optional(),
});
export type TreatmentInput = z.infer<typeof treatmentSchema>;

export const adverseEventSchema = z.strictObject({
  treatmentId: z.uuid('Choose the treatment the event followed'),
  onsetDate: isoDate,
  description: requiredText('A description of the event', 2000),
  grade: z
    .number({ error: 'Grade must be a number from 1 to 5 (CTCAE)' })
    .int('Grade must be a whole number from 1 to 5')
    .min(1, 'Grade must be 1 to 5')
    .max(5, 'Grade must be 1 to 5'),
  /**
   * Serious as ICH E2A defines it: results in death, is life-threatening, needs or prolongs
   * hospital stay, causes persistent disability, or is otherwise medically important.
   */
  serious: z.boolean({ error: 'Say whether the event was serious (true or false)' }),
  relatedness: z.enum(RELATEDNESS, { error: 'Choose how related the event is to the treatment' }),
});
export type AdverseEventInput = z.infer<typeof adverseEventSchema>;
