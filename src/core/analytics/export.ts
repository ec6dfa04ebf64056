import { createHmac } from 'node:crypto';
import {
  type ExportedResponse,
  toQuestionnaireResponse,
  toScoreObservations,
} from '../fhir/instruments.ts';
import { instrumentById, isKnownInstrument } from '../instruments/library.ts';
import type { Answers } from '../instruments/scoring.ts';
import { addDays, ageOn, daysBetween, type IsoDate, toIsoDate } from '../registry/dates.ts';
import { formatCsv } from '../tabular/csv.ts';

/**
 * Research exports of a registry: a tidy long CSV (one row per patient × time point × score)
 * with its data dictionary, and a FHIR R4 Bundle. De-identified unless asked otherwise.
 */

export type ExportMode = 'deidentified' | 'identified';

export interface ExportInput {
  siteName: string;
  /** The registry's secret from which study ids and date shifts derive. */
  pseudonymKey: string;
  patients: {
    id: string;
    registryId: string;
    givenName: string;
    familyName: string;
    dateOfBirth: IsoDate;
    sex: string;
  }[];
  treatments: {
    id: string;
    patientId: string;
    episodeId: string;
    joint: string;
    side: string;
    klGrade: number;
    treatmentDate: IsoDate;
    productClass: string;
    cellDoseMillions: number | null;
    bmi: number | null;
    volumeMl: number;
  }[];
  responses: {
    id: string;
    patientId: string;
    episodeId: string;
    instrumentId: string;
    timepoint: string;
    submittedAt: Date;
    answers: Answers;
    scores: Record<string, number | null>;
  }[];
}

/**
 * Ages above 89 are reported as one group, as the HIPAA Safe Harbor method requires
 * (45 CFR §164.514(b)(2)(i)(C)).
 */
export const OLDEST_REPORTED_AGE = 89;
/** Each patient's dates move by the same whole number of days, 1 to this many, either way. */
export const MAX_DATE_SHIFT_DAYS = 180;

function keyed(key: string, purpose: string, patientId: string): Buffer {
  return createHmac('sha256', key).update(`${purpose}:${patientId}`).digest();
}

/** A stable pseudonym: the same patient gets the same study id in every export of the registry. */
export function studyIdFor(key: string, patientId: string): string {
  return `S-${keyed(key, 'study-id', patientId).toString('hex').slice(0, 12)}`;
}

/** The patient's date shift: never 0, within ±MAX_DATE_SHIFT_DAYS, stable across exports. */
export function dateShiftFor(key: string, patientId: string): number {
  const n = keyed(key, 'date-shift', patientId).readUInt32BE(0) % (2 * MAX_DATE_SHIFT_DAYS);
  return n < MAX_DATE_SHIFT_DAYS ? n - MAX_DATE_SHIFT_DAYS : n - MAX_DATE_SHIFT_DAYS + 1;
}

export function reportedAge(age: number): string {
  return age > OLDEST_REPORTED_AGE ? `${OLDEST_REPORTED_AGE + 1}+` : String(age);
}

const DEIDENTIFIED_COLUMNS = [
  'study_id',
  'joint',
  'side',
  'kl_grade',
  'sex',
  'age_at_treatment',
  'product_class',
  'cell_dose_millions',
  'bmi',
  'treatment_date',
  'timepoint',
  'response_date',
  'days_since_treatment',
  'instrument',
  'scale',
  'score',
] as const;
const IDENTIFYING_COLUMNS = ['registry_id', 'given_name', 'family_name', 'date_of_birth'] as const;

/** What each column holds, for the data dictionary shipped with the CSV. */
export const DATA_DICTIONARY: Record<
  (typeof DEIDENTIFIED_COLUMNS)[number] | (typeof IDENTIFYING_COLUMNS)[number],
  { type: string; description: string }
> = {
  registry_id: { type: 'text', description: 'Identified exports only: the clinic’s patient id.' },
  given_name: { type: 'text', description: 'Identified exports only.' },
  family_name: { type: 'text', description: 'Identified exports only.' },
  date_of_birth: { type: 'date (YYYY-MM-DD)', description: 'Identified exports only.' },
  study_id: {
    type: 'text',
    description:
      'Pseudonym of the patient, stable across exports of this registry (keyed hash of the internal id; not reversible without the registry’s key).',
  },
  joint: { type: 'text', description: 'Treated joint (knee, hip, shoulder, ankle, hand, other).' },
  side: { type: 'text', description: 'left or right.' },
  kl_grade: {
    type: 'integer 0–4',
    description: 'Kellgren–Lawrence radiographic grade at baseline.',
  },
  sex: { type: 'text', description: 'Sex as recorded at enrolment.' },
  age_at_treatment: {
    type: 'integer or "90+"',
    description:
      'Whole years at the first treatment of the joint; in de-identified exports ages over 89 are grouped as "90+" (HIPAA Safe Harbor, 45 CFR §164.514(b)(2)(i)(C)).',
  },
  product_class: {
    type: 'text',
    description: 'Product of the first treatment of the joint (StemTrack product-class code).',
  },
  cell_dose_millions: {
    type: 'number or empty',
    description: 'Cells injected, in millions, when counted.',
  },
  bmi: {
    type: 'number or empty',
    description:
      'Body-mass index (kg/m²) recorded with the first treatment of the joint, when known.',
  },
  treatment_date: {
    type: 'date (YYYY-MM-DD)',
    description:
      'First treatment of the joint. De-identified: shifted by the patient’s own offset (1–180 days, either way); intervals between a patient’s dates are kept.',
  },
  timepoint: {
    type: 'text',
    description: 'Follow-up time point of the survey (baseline, w6, m3, m6, m12, m24, m36).',
  },
  response_date: {
    type: 'date (YYYY-MM-DD)',
    description: 'Day the patient submitted the survey; shifted like treatment_date.',
  },
  days_since_treatment: {
    type: 'integer',
    description: 'response_date − treatment_date in days (negative for a baseline before it).',
  },
  instrument: { type: 'text', description: 'Questionnaire id (e.g. koos, nrs-pain).' },
  scale: { type: 'text', description: 'Scale or subscale id within the instrument.' },
  score: {
    type: 'number or empty',
    description:
      'The scale score, unrounded; empty where the instrument’s missing-item rule forbids a score.',
  },
};

export function dataDictionaryCsv(mode: ExportMode): string {
  const columns = [...(mode === 'identified' ? IDENTIFYING_COLUMNS : []), ...DEIDENTIFIED_COLUMNS];
  return formatCsv(
    ['column', 'type', 'description'],
    columns.map((c) => [c, DATA_DICTIONARY[c].type, DATA_DICTIONARY[c].description]),
  );
}

interface PatientView {
  id: string;
  studyId: string;
  shift: number;
  patient: ExportInput['patients'][number];
}

function patientViews(input: ExportInput): Map<string, PatientView> {
  return new Map(
    input.patients.map((p) => [
      p.id,
      {
        id: p.id,
        studyId: studyIdFor(input.pseudonymKey, p.id),
        shift: dateShiftFor(input.pseudonymKey, p.id),
        patient: p,
      },
    ]),
  );
}

function firstTreatments(input: ExportInput): Map<string, ExportInput['treatments'][number]> {
  const first = new Map<string, ExportInput['treatments'][number]>();
  for (const t of input.treatments) {
    const seen = first.get(t.episodeId);
    if (!seen || t.treatmentDate < seen.treatmentDate) first.set(t.episodeId, t);
  }
  return first;
}

/** The tidy long CSV: one row per patient × joint × time point × scale score. */
export function tidyScoresCsv(input: ExportInput, mode: ExportMode): string {
  const people = patientViews(input);
  const anchors = firstTreatments(input);
  const identified = mode === 'identified';
  const header = [...(identified ? IDENTIFYING_COLUMNS : []), ...DEIDENTIFIED_COLUMNS];
  const rows: string[][] = [];
  for (const r of input.responses) {
    const who = people.get(r.patientId);
    const anchor = anchors.get(r.episodeId);
    if (!who || !anchor) continue;
    const shift = identified ? 0 : who.shift;
    const responseDate = toIsoDate(r.submittedAt);
    const age = ageOn(who.patient.dateOfBirth, anchor.treatmentDate);
    const scaleOrder = isKnownInstrument(r.instrumentId)
      ? instrumentById(r.instrumentId).scales.map((s) => s.id)
      : Object.keys(r.scores).sort();
    for (const scale of scaleOrder) {
      if (!(scale in r.scores)) continue;
      const score = r.scores[scale];
      rows.push([
        ...(identified
          ? [
              who.patient.registryId,
              who.patient.givenName,
              who.patient.familyName,
              who.patient.dateOfBirth,
            ]
          : []),
        who.studyId,
        anchor.joint,
        anchor.side,
        String(anchor.klGrade),
        who.patient.sex,
        identified ? String(age) : reportedAge(age),
        anchor.productClass,
        anchor.cellDoseMillions === null ? '' : String(anchor.cellDoseMillions),
        anchor.bmi === null ? '' : String(anchor.bmi),
        addDays(anchor.treatmentDate, shift),
        r.timepoint,
        addDays(responseDate, shift),
        String(daysBetween(anchor.treatmentDate, responseDate)),
        r.instrumentId,
        scale,
        score === null || score === undefined ? '' : String(score),
      ]);
    }
  }
  return formatCsv(header, rows);
}

/**
 * A FHIR R4 collection Bundle: Patient, Procedure (each treatment), QuestionnaireResponse and
 * score Observations. De-identified: pseudonymous ids, no names or birth date, shifted dates.
 */
export function fhirBundle(input: ExportInput, mode: ExportMode, generatedAt: Date) {
  const people = patientViews(input);
  const identified = mode === 'identified';
  const idOf = (p: PatientView) => (identified ? p.patient.registryId : p.studyId);
  const shiftOf = (p: PatientView) => (identified ? 0 : p.shift);
  const entries: { fullUrl: string; resource: { resourceType: string; id?: string } }[] = [];
  const push = (resource: { resourceType: string; id?: string }) =>
    entries.push({ fullUrl: `urn:stemtrack:${resource.resourceType}/${resource.id}`, resource });
  for (const p of people.values()) {
    push({
      resourceType: 'Patient',
      id: idOf(p),
      gender: p.patient.sex === 'female' || p.patient.sex === 'male' ? p.patient.sex : 'other',
      ...(identified
        ? {
            identifier: [{ system: 'urn:stemtrack:registry-id', value: p.patient.registryId }],
            name: [{ family: p.patient.familyName, given: [p.patient.givenName] }],
            birthDate: p.patient.dateOfBirth,
          }
        : {}),
    } as { resourceType: string; id: string });
  }
  for (const t of input.treatments) {
    const p = people.get(t.patientId);
    if (!p) continue;
    push({
      resourceType: 'Procedure',
      id: t.id,
      status: 'completed',
      code: { text: `Intra-articular injection: ${t.productClass}` },
      subject: { reference: `Patient/${idOf(p)}` },
      performedDateTime: addDays(t.treatmentDate, shiftOf(p)),
      bodySite: [{ text: `${t.side} ${t.joint}` }],
      note: [
        {
          text: `Volume ${t.volumeMl} mL${t.cellDoseMillions === null ? '' : `; ${t.cellDoseMillions} million cells`}`,
        },
      ],
    } as { resourceType: string; id: string });
  }
  for (const r of input.responses) {
    const p = people.get(r.patientId);
    if (!p || !isKnownInstrument(r.instrumentId)) continue;
    const def = instrumentById(r.instrumentId);
    const authored = `${addDays(toIsoDate(r.submittedAt), shiftOf(p))}`;
    const exported: ExportedResponse = {
      id: r.id,
      subject: `Patient/${idOf(p)}`,
      authored,
      answers: r.answers,
      scores: r.scores,
    };
    push(toQuestionnaireResponse(def, exported));
    for (const o of toScoreObservations(def, exported)) push(o);
  }
  return {
    resourceType: 'Bundle' as const,
    type: 'collection' as const,
    timestamp: generatedAt.toISOString(),
    meta: {
      tag: [
        {
          system: 'urn:stemtrack:export',
          code: mode,
          display: identified ? 'Identified export' : 'De-identified export',
        },
      ],
    },
    entry: entries,
  };
}
