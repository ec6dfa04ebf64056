import { useEffect, useState } from 'react';
import type { researcherRecord } from '../../core/analytics/researcher-record.ts';
import { PATIENT_EVENT_KINDS } from '../../core/registry/events.ts';
import { ApiError, api } from '../api.ts';
import { FormError } from '../ui/Field.tsx';
import { capitalise, label, productLabel } from '../ui/format.ts';
import { ProductSummary } from './ProductFields.tsx';
import { ScoresTable } from './ScoresTable.tsx';

type Record = ReturnType<typeof researcherRecord>;

interface Vocabulary {
  timepoints: { id: string; label: string }[];
  instruments: {
    id: string;
    shortName: string;
    scales: {
      id: string;
      shortName: string;
      name: string;
      caveat: { label: string; detail: string } | null;
    }[];
  }[];
}

/** Months after treatment in words: "at treatment", "2.5 months after". */
function monthsAfter(months: number | null): string {
  if (months === null) return 'time not known';
  if (Math.abs(months) < 0.05) return 'at the first treatment';
  const m = Math.abs(months).toFixed(1);
  return months < 0
    ? `${m} months before the first treatment`
    : `${m} months after the first treatment`;
}

const WITHHELD = 'Text withheld: a clinician has not yet marked it free of identifying details.';

/**
 * A patient's record as a researcher sees it: the export's study id, months after treatment
 * instead of dates, and free text only once a clinician has reviewed it.
 */
export function ResearcherRecordPage({ id }: { id: string }) {
  const [record, setRecord] = useState<Record | null>(null);
  const [vocabulary, setVocabulary] = useState<Vocabulary | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const fail = (e: unknown) => setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
    api<Record>('GET', `/patients/${id}`).then(setRecord).catch(fail);
    api<Vocabulary>('GET', '/vocabulary').then(setVocabulary).catch(fail);
  }, [id]);
  if (error) return <FormError error={error} />;
  if (!record || !vocabulary) return <p>Loading…</p>;
  const timepointLabel = (tp: string) =>
    vocabulary.timepoints.find((t) => t.id === tp)?.label ?? tp;
  const instrument = (i: string) => vocabulary.instruments.find((x) => x.id === i);

  return (
    <section>
      <h1>
        Study participant <span className="muted">{record.patient.studyId}</span>
      </h1>
      <p>
        Sex {label(record.patient.sex)}. De-identified as in the research export: no names, registry
        ids or dates; times are counted from the joint's first treatment.
      </p>
      {record.episodes.length === 0 && <p>No treated joint recorded yet.</p>}
      {record.episodes.map((ep) => {
        const treatments = record.treatments.filter((t) => t.episodeId === ep.id);
        const responses = record.responses.filter((r) => r.episodeId === ep.id);
        const events = record.events.filter((e) => e.episodeId === ep.id);
        const adverse = record.adverseEvents.filter((a) => a.episodeId === ep.id);
        return (
          <article key={ep.id} className="card" aria-label={`${ep.side} ${ep.joint}`}>
            <h2>
              {capitalise(ep.side)} {ep.joint} · KL grade {ep.klGrade}
            </h2>
            {ep.diagnosis && <p>{ep.diagnosis}</p>}
            {ep.diagnosisWithheld && <p className="muted">Diagnosis: {WITHHELD}</p>}
            <h3>Treatments</h3>
            {treatments.length === 0 ? (
              <p>None recorded.</p>
            ) : (
              <ul>
                {treatments.map((t) => (
                  <li key={t.id}>
                    {capitalise(monthsAfter(t.monthsAfterFirstTreatment))}:{' '}
                    {productLabel(t.productClass)}
                    {t.cellDoseMillions !== null ? `, ${t.cellDoseMillions} million cells` : ''},{' '}
                    {t.volumeMl} mL
                    {t.notes && <span className="muted"> · {t.notes}</span>}
                    {t.notesWithheld && <span className="muted"> · Notes: {WITHHELD}</span>}
                    <ProductSummary
                      productClass={t.productClass}
                      characterisation={t.characterisation ?? {}}
                      volumeMl={t.volumeMl}
                    />
                  </li>
                ))}
              </ul>
            )}
            {events.length > 0 && (
              <>
                <h3>Reported events</h3>
                <ul className="events">
                  {events.map((e) => (
                    <li key={e.id}>
                      {PATIENT_EVENT_KINDS.find((k) => k.code === e.kind)?.label ?? e.kind},{' '}
                      {monthsAfter(e.monthsAfterTreatment)}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <h3>Adverse events</h3>
            {adverse.length === 0 ? (
              <p>None recorded.</p>
            ) : (
              <ul className="events">
                {adverse.map((a) => (
                  <li key={a.id}>
                    Day {a.daysAfterTreatment ?? '?'} after its treatment: grade {a.grade}
                    {a.serious ? ', serious' : ''}, {label(a.relatedness)} to the treatment
                    {a.description && <span> · {a.description}</span>}
                    {a.descriptionWithheld && <span className="muted"> · {WITHHELD}</span>}
                  </li>
                ))}
              </ul>
            )}
            <h3>Scores</h3>
            {responses.length === 0 ? (
              <p>No answers yet.</p>
            ) : (
              <ScoresTable
                responses={responses}
                timepointLabel={timepointLabel}
                instrumentName={(i) => instrument(i)?.shortName ?? i}
                scalesOf={(i) => instrument(i)?.scales ?? []}
                whenHeading="Answered"
                when={(r) => (
                  <>
                    {monthsAfter(r.monthsAfterTreatment)}
                    {!r.inWindow && <span className="flag"> out of window</span>}
                  </>
                )}
              />
            )}
          </article>
        );
      })}
    </section>
  );
}
