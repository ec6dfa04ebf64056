// Apart from events.ts (which needs zod) so the patient's survey page can list them cheaply.

/** Later events a patient reports from their survey link (issue 5): they drive durability and recovery analyses. */
export const PATIENT_EVENT_KINDS = [
  { code: 'reinjection', label: 'Another injection in the same joint' },
  { code: 'arthroplasty', label: 'Joint replacement surgery' },
  { code: 'returned-to-activities', label: 'Back to my usual activities' },
  { code: 'returned-to-work', label: 'Back to work' },
] as const;
export type PatientEventKind = (typeof PATIENT_EVENT_KINDS)[number]['code'];
