import { type ReactNode, useId } from 'react';
import { CHARACTERISATION_FIELDS } from '../../core/registry/characterisation.ts';
import type { ApiError } from '../api.ts';

/** A labelled form control with its error, linked for screen readers. */
export function Field({
  label,
  name,
  error,
  hint,
  children,
}: {
  label: string;
  name: string;
  error?: ApiError | null;
  hint?: string;
  children: (props: {
    id: string;
    name: string;
    'aria-invalid': boolean;
    'aria-describedby'?: string;
  }) => ReactNode;
}) {
  const id = useId();
  const message = error?.fieldMessage(name);
  const describedBy = message ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className={message ? 'field field-error' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {children({
        id,
        name,
        'aria-invalid': Boolean(message),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {message && (
        <p className="error-text" id={`${id}-error`}>
          {message}
        </p>
      )}
    </div>
  );
}

/**
 * The labels the clinic's forms give the fields the server names by code, so an error says
 * "Date of birth", never `dateOfBirth`.
 */
export const FIELD_LABELS: Record<string, string> = {
  registryId: 'Registry id',
  givenName: 'Given name',
  familyName: 'Family name',
  dateOfBirth: 'Date of birth',
  sex: 'Sex',
  email: 'Email',
  phone: 'Phone',
  language: 'Language',
  consentDate: 'Consent date',
  consentGiven: 'Consent',
  joint: 'Joint',
  side: 'Side',
  klGrade: 'Kellgren–Lawrence grade',
  diagnosis: 'Diagnosis',
  treatmentDate: 'Treatment date',
  productClass: 'Product',
  cellDoseMillions: 'Cells injected',
  bmi: 'BMI',
  volumeMl: 'Volume',
  imageGuidance: 'Image guidance',
  notes: 'Notes',
  treatmentId: 'After the treatment of',
  onsetDate: 'Onset date',
  description: 'What happened',
  grade: 'Grade',
  serious: 'Serious',
  relatedness: 'Related to the treatment',
  timepoint: 'Survey time point',
  confirmOutsideWindow: 'Outside its window',
  password: 'Password',
  mobile: 'Mobile number',
  country: 'Country',
  mobileCountry: 'Country of the mobile number',
  smsConsent: 'Text messages',
  timeZone: 'Time zone',
  preferredCallTime: 'Best time to call',
  outcome: 'Outcome of the call',
  note: 'Note',
  confirmImplausible: 'Confirm unusual values',
  plateletDoseBillions: 'Platelet dose',
  // The product's characterisation, by the label the form gives each field.
  ...Object.fromEntries(CHARACTERISATION_FIELDS.map((f) => [`characterisation.${f.key}`, f.label])),
};

/**
 * The form's error: when the server names fields, the fields by their labels (each field shows
 * its own message beside it); otherwise the server's message.
 */
export function FormError({ error }: { error: ApiError | null }) {
  if (!error) return null;
  const labels = [...new Set(error.fields.map((f) => FIELD_LABELS[f.field]))];
  // Unusual values to confirm: the server's sentence says which and what to do.
  const toConfirm = error.fields.some((f) => f.field === 'confirmImplausible');
  const named = !toConfirm && labels.length > 0 && labels.every((l) => l !== undefined);
  return (
    <p className="form-error" role="alert">
      {named ? `Please correct: ${labels.join(', ')}.` : error.message}
    </p>
  );
}

/**
 * '' → undefined, a number → that number, anything else → the text as typed, so the server
 * names it as not a number (NaN would travel as JSON null and pass as "unknown").
 */
export function optionalNumber(value: string | undefined): number | string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}
