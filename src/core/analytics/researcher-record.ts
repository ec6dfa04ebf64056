import { type Characterisation, fieldByKey } from '../registry/characterisation.ts';
import { DAYS_PER_MONTH, daysBetween, type IsoDate } from '../registry/dates.ts';
import { studyIdFor } from './export.ts';
import type { SeriousEventRow } from './safety.ts';

/**
 * What a researcher sees of a patient's record in the app: what the de-identified export holds.
 * The study id instead of the registry id, months after the joint's first treatment instead of
 * dates, and free text only where a clinician has marked it free of identifying details.
 */

/** The record as the registry holds it (the fields this view reads). */
export interface ClinicalRecord {
  patient: { id: string; sex: string };
  episodes: {
    id: string;
    joint: string;
    side: string;
    klGrade: number;
    diagnosis: string | null;
    diagnosisReviewed: boolean;
  }[];
  treatments: {
    id: string;
    episodeId: string;
    treatmentDate: IsoDate;
    productClass: string;
    cellDoseMillions: number | null;
    bmi: number | null;
    volumeMl: number;
    imageGuidance: string;
    notes: string | null;
    notesReviewed: boolean;
    /** The product as recorded (issue 16); the de-identified export carries it too. */
    characterisation?: Characterisation;
  }[];
  surveys: { id: string; episodeId: string; timepoint: string; status: string }[];
  responses: {
    id: string;
    episodeId: string;
    instrumentId: string;
    timepoint: string;
    submittedAt: Date;
    inWindow: boolean;
    scores: Record<string, number | null>;
  }[];
  events: { id: string; episodeId: string; kind: string; date: IsoDate; reportedVia: string }[];
  adverseEvents: {
    id: string;
    episodeId: string;
    treatmentId: string;
    onsetDate: IsoDate;
    description: string;
    descriptionReviewed: boolean;
    grade: number;
    serious: boolean;
    relatedness: string;
  }[];
}

/** Months from `from` to `to`, in the registry's months of 365.25 / 12 days. */
function monthsBetween(from: IsoDate | undefined, to: IsoDate): number | null {
  return from === undefined ? null : daysBetween(from, to) / DAYS_PER_MONTH;
}

/** Reviewed free text, or null (and `withheld` says whether there was any). */
function reviewed(text: string | null, isReviewed: boolean): string | null {
  return text !== null && isReviewed ? text : null;
}

/** The record de-identified for the researcher role. */
export function researcherRecord(record: ClinicalRecord, pseudonymKey: string) {
  const firstTreatment = new Map<string, IsoDate>();
  for (const t of record.treatments) {
    const seen = firstTreatment.get(t.episodeId);
    if (!seen || t.treatmentDate < seen) firstTreatment.set(t.episodeId, t.treatmentDate);
  }
  const treatmentDates = new Map(record.treatments.map((t) => [t.id, t.treatmentDate]));
  return {
    deidentified: true as const,
    patient: {
      id: record.patient.id,
      studyId: studyIdFor(pseudonymKey, record.patient.id),
      sex: record.patient.sex,
    },
    episodes: record.episodes.map((e) => ({
      id: e.id,
      joint: e.joint,
      side: e.side,
      klGrade: e.klGrade,
      diagnosis: reviewed(e.diagnosis, e.diagnosisReviewed),
      diagnosisWithheld: withheld(e.diagnosis, e.diagnosisReviewed),
    })),
    treatments: record.treatments.map((t) => ({
      id: t.id,
      episodeId: t.episodeId,
      monthsAfterFirstTreatment: monthsBetween(firstTreatment.get(t.episodeId), t.treatmentDate),
      productClass: t.productClass,
      cellDoseMillions: t.cellDoseMillions,
      bmi: t.bmi,
      volumeMl: t.volumeMl,
      imageGuidance: t.imageGuidance,
      notes: reviewed(t.notes, t.notesReviewed),
      notesWithheld: withheld(t.notes, t.notesReviewed),
      // Free-text fields are left out, as the de-identified export leaves them out.
      characterisation: Object.fromEntries(
        Object.entries(t.characterisation ?? {}).filter(
          ([key]) => fieldByKey.get(key)?.kind !== 'text',
        ),
      ) as Characterisation,
    })),
    surveys: record.surveys.map((s) => ({
      id: s.id,
      episodeId: s.episodeId,
      timepoint: s.timepoint,
      status: s.status,
    })),
    responses: record.responses.map((r) => ({
      id: r.id,
      episodeId: r.episodeId,
      instrumentId: r.instrumentId,
      timepoint: r.timepoint,
      monthsAfterTreatment: monthsBetween(
        firstTreatment.get(r.episodeId),
        r.submittedAt.toISOString().slice(0, 10),
      ),
      inWindow: r.inWindow,
      scores: r.scores,
    })),
    events: record.events.map((e) => ({
      id: e.id,
      episodeId: e.episodeId,
      kind: e.kind,
      monthsAfterTreatment: monthsBetween(firstTreatment.get(e.episodeId), e.date),
      reportedVia: e.reportedVia,
    })),
    adverseEvents: record.adverseEvents.map((a) => ({
      id: a.id,
      episodeId: a.episodeId,
      treatmentId: a.treatmentId,
      daysAfterTreatment: (() => {
        const treated = treatmentDates.get(a.treatmentId);
        return treated === undefined ? null : daysBetween(treated, a.onsetDate);
      })(),
      description: reviewed(a.description, a.descriptionReviewed),
      descriptionWithheld: withheld(a.description, a.descriptionReviewed),
      grade: a.grade,
      serious: a.serious,
      relatedness: a.relatedness,
    })),
  };
}

/** Serious events as a researcher sees them: days after treatment, reviewed text only. */
export function researcherSeriousRows(rows: readonly SeriousEventRow[]) {
  return rows.map((r) => ({
    productClass: r.productClass,
    daysAfterTreatment: r.daysAfterTreatment,
    grade: r.grade,
    relatedness: r.relatedness,
    description: reviewed(r.description, r.descriptionReviewed),
    descriptionWithheld: withheld(r.description, r.descriptionReviewed),
  }));
}

function withheld(text: string | null, isReviewed: boolean): boolean {
  return text !== null && !isReviewed;
}
