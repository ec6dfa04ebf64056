import { z } from 'zod';
import { isIsoDate } from './dates.ts';

/** Later events a patient reports from their survey link (issue 5): they drive durability and recovery analyses. */
export const PATIENT_EVENT_KINDS = [
  { code: 'reinjection', label: 'Another injection in the same joint' },
  { code: 'arthroplasty', label: 'Joint replacement surgery' },
  { code: 'returned-to-activities', label: 'Back to my usual activities' },
  { code: 'returned-to-work', label: 'Back to work' },
] as const;
export type PatientEventKind = (typeof PATIENT_EVENT_KINDS)[number]['code'];

export const patientEventSchema = z.strictObject({
  kind: z.enum(
    PATIENT_EVENT_KINDS.map((k) => k.code) as [PatientEventKind, ...PatientEventKind[]],
    {
      error: `Must be one of ${PATIENT_EVENT_KINDS.map((k) => k.code).join(', ')}`,
    },
  ),
  date: z.string().refine(isIsoDate, 'A date as YYYY-MM-DD'),
});
export type PatientEvent = z.infer<typeof patientEventSchema>;
