import { z } from 'zod';
import { newPassword } from '../access/schemas.ts';
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

export const enrolPatientSchema = z.strictObject({
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
  consentDate: isoDate,
  consentGiven: z.literal(true, { error: 'Enrolment needs the patient’s recorded consent' }),
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
