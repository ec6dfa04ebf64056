import { z } from 'zod';
import { isIsoDate } from './dates.ts';
import { PATIENT_EVENT_KINDS, type PatientEventKind } from './event-kinds.ts';

export { PATIENT_EVENT_KINDS, type PatientEventKind };

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
