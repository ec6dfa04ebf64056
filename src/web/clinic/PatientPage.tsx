import { useCallback, useEffect, useState } from 'react';
import {
  CHARACTERISATION_FIELDS,
  CHOICE_LABELS,
  type Characterisation,
  groupsFor,
} from '../../core/registry/characterisation.ts';
import { PATIENT_EVENT_KINDS } from '../../core/registry/events.ts';
import { PRODUCT_CLASSES, SEXES } from '../../core/registry/vocabulary.ts';
import { followUpWindow, isWithinWindow, type TimePoint } from '../../core/schedule/timepoints.ts';
import { ApiError, api } from '../api.ts';
import { Link, navigate } from '../router.tsx';
import { Field, FormError, optionalNumber } from '../ui/Field.tsx';
import { capitalise, formatDate, label, productLabel } from '../ui/format.ts';
import { useFormSubmit } from '../ui/useFormSubmit.ts';
import { AnswersCorrection } from './AnswersCorrection.tsx';
import { ContactCard } from './ContactCard.tsx';
import { CorrectionDialog } from './CorrectionDialog.tsx';
import { PatientActions } from './PatientActions.tsx';
import { characterisationFrom, ProductFields, ProductSummary } from './ProductFields.tsx';
import { RecordHistory } from './RecordHistory.tsx';
import { ReviewTextButton } from './ReviewTextButton.tsx';
import { ScoresTable } from './ScoresTable.tsx';
import { SurveyHandover } from './SurveyHandover.tsx';
import type { CurrentUser } from './session.ts';

interface Episode {
  id: string;
  joint: string;
  side: string;
  klGrade: number;
  diagnosis: string | null;
  diagnosisReviewed: boolean;
}
interface Treatment {
  id: string;
  episodeId: string;
  treatmentDate: string;
  productClass: string;
  cellDoseMillions: number | null;
  bmi: number | null;
  volumeMl: number;
  imageGuidance: string;
  notes: string | null;
  notesReviewed: boolean;
  characterisation: Characterisation;
  plateletDoseBillions: number | null;
}
interface Survey {
  id: string;
  episodeId: string;
  timepoint: string;
  instruments: string[];
  windowOpens: string;
  windowCloses: string;
  status: string;
  expiresAt: string;
}
interface ScoredResponse {
  id: string;
  episodeId: string;
  instrumentId: string;
  timepoint: string;
  submittedAt: string;
  inWindow: boolean;
  /** Item code → answer value; clinicians only (a researcher's record leaves it out). */
  answers: Record<string, number | null>;
  scores: Record<string, number | null>;
}
interface PatientEvent {
  id: string;
  episodeId: string;
  kind: string;
  date: string;
  reportedVia: string;
}
interface PatientRecord {
  patient: {
    id: string;
    registryId: string;
    givenName?: string;
    familyName?: string;
    dateOfBirth?: string;
    birthYear: number;
    sex: string;
    email?: string | null;
    status?: string;
  };
  episodes: Episode[];
  treatments: Treatment[];
  surveys: Survey[];
  responses: ScoredResponse[];
  events: PatientEvent[];
  adverseEvents: AdverseEvent[];
}
interface AdverseEvent {
  id: string;
  episodeId: string;
  treatmentId: string;
  onsetDate: string;
  description: string;
  descriptionReviewed: boolean;
  grade: number;
  serious: boolean;
  relatedness: string;
}
interface Vocabulary {
  adverseEventGrades: { grade: number; label: string }[];
  relatedness: string[];
  productClasses: { code: string; label: string; cellular: boolean }[];
  joints: string[];
  imageGuidance: string[];
  timepoints: { id: string; label: string }[];
  emailOn: boolean;
  instruments: {
    id: string;
    name: string;
    shortName: string;
    joints: string[];
    offeredByDefault: boolean;
    askedWithin: string[];
    scales: {
      id: string;
      name: string;
      shortName: string;
      caveat: { label: string; detail: string } | null;
    }[];
  }[];
}

const today = () => new Date().toISOString().slice(0, 10);
const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, String(e)));

export function PatientPage({ id, user }: { id: string; user: CurrentUser }) {
  const [record, setRecord] = useState<PatientRecord | null>(null);
  const [vocabulary, setVocabulary] = useState<Vocabulary | null>(null);
  const [schedule, setSchedule] = useState<TimePoint[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const canEdit = user.role !== 'researcher';
  const [version, setVersion] = useState(0);
  /** The answered questionnaire whose answers are being corrected, if any. */
  const [correcting, setCorrecting] = useState<string | null>(null);

  const load = useCallback(() => {
    api<PatientRecord>('GET', `/patients/${id}`)
      .then(setRecord)
      .catch((e) => setError(asError(e)));
  }, [id]);
  // A correction reloads the record and its history.
  const changed = useCallback(() => {
    load();
    setVersion((v) => v + 1);
  }, [load]);
  useEffect(() => {
    load();
    api<Vocabulary>('GET', '/vocabulary')
      .then(setVocabulary)
      .catch((e) => setError(asError(e)));
    api<{ timepoints: TimePoint[] }>('GET', '/schedule')
      .then((r) => setSchedule(r.timepoints))
      .catch((e) => setError(asError(e)));
  }, [load]);

  if (error && !record) return <FormError error={error} />;
  if (!record || !vocabulary || !schedule) return <p>Loading…</p>;
  const p = record.patient;
  const timepointLabel = (tp: string) =>
    vocabulary.timepoints.find((t) => t.id === tp)?.label ?? tp;
  const instrumentName = (i: string) =>
    vocabulary.instruments.find((x) => x.id === i)?.shortName ?? i;
  const scalesOf = (i: string) => vocabulary.instruments.find((x) => x.id === i)?.scales ?? [];
  // A link not yet started has been e-mailed only when this server sends e-mail and the patient
  // has an address; otherwise the clinic hands it over itself.
  const surveyStatus = (status: string) => {
    if (status !== 'sent') return status;
    if (!vocabulary.emailOn) return 'not sent (e-mail is off)';
    if (!p.email) return 'not sent (no e-mail address)';
    return 'sent';
  };

  return (
    <section>
      <h1>
        {p.givenName ? `${p.givenName} ${p.familyName}` : 'Patient'}{' '}
        <span className="muted">{p.registryId}</span>
      </h1>
      <p>
        {p.dateOfBirth ? `Born ${formatDate(p.dateOfBirth)}` : `Born ${p.birthYear}`} · Sex{' '}
        {label(p.sex)}
        {p.email ? ` · ${p.email}` : ''}
        {p.status && p.status !== 'active' ? ` · ${p.status.replaceAll('-', ' ')}` : ''}
      </p>
      {canEdit && (
        <p className="corrections">
          <CorrectionDialog
            label="Correct patient details"
            path={`/patients/${p.id}`}
            fields={[
              { name: 'givenName', label: 'Given name', kind: 'text', value: p.givenName ?? '' },
              { name: 'familyName', label: 'Family name', kind: 'text', value: p.familyName ?? '' },
              {
                name: 'dateOfBirth',
                label: 'Date of birth',
                kind: 'date',
                value: p.dateOfBirth ?? '',
              },
              { name: 'sex', label: 'Sex', kind: 'select', value: p.sex, options: SEXES },
              { name: 'email', label: 'E-mail', kind: 'text', value: p.email ?? '' },
              { name: 'registryId', label: 'Registry id', kind: 'text', value: p.registryId },
            ]}
            onSaved={changed}
          />
        </p>
      )}

      {record.episodes.length === 0 && <p>No treated joint recorded yet.</p>}
      {record.episodes.map((ep) => {
        const treatments = record.treatments.filter((t) => t.episodeId === ep.id);
        const surveys = record.surveys.filter((s) => s.episodeId === ep.id);
        const responses = record.responses.filter((r) => r.episodeId === ep.id);
        const events = record.events.filter((e) => e.episodeId === ep.id);
        const adverseEvents = record.adverseEvents.filter((a) => a.episodeId === ep.id);
        return (
          <article key={ep.id} className="card" aria-label={`${ep.side} ${ep.joint}`}>
            <h2>
              {capitalise(ep.side)} {ep.joint} · KL grade {ep.klGrade}
            </h2>
            {canEdit && (
              <p className="corrections">
                <CorrectionDialog
                  label="Correct"
                  path={`/episodes/${ep.id}`}
                  fields={[
                    {
                      name: 'joint',
                      label: 'Joint',
                      kind: 'select',
                      value: ep.joint,
                      options: vocabulary.joints,
                    },
                    {
                      name: 'side',
                      label: 'Side',
                      kind: 'select',
                      value: ep.side,
                      options: ['left', 'right'],
                    },
                    {
                      name: 'klGrade',
                      label: 'Kellgren–Lawrence grade',
                      kind: 'select',
                      value: ep.klGrade,
                      options: [0, 1, 2, 3, 4],
                    },
                    { name: 'diagnosis', label: 'Diagnosis', kind: 'text', value: ep.diagnosis },
                  ]}
                  onSaved={changed}
                />{' '}
                <CorrectionDialog
                  label="Entered in error"
                  path={`/episodes/${ep.id}/entered-in-error`}
                  fields={[]}
                  onSaved={changed}
                />
              </p>
            )}
            {ep.diagnosis && (
              <p>
                {ep.diagnosis}
                {canEdit && (
                  <ReviewTextButton
                    kind="diagnosis"
                    id={ep.id}
                    reviewed={ep.diagnosisReviewed}
                    onReviewed={load}
                  />
                )}
              </p>
            )}
            {events.length > 0 && (
              <>
                <h3>Reported events</h3>
                <ul className="events">
                  {events.map((e) => (
                    <li key={e.id}>
                      {formatDate(e.date)}:{' '}
                      {PATIENT_EVENT_KINDS.find((k) => k.code === e.kind)?.label ?? e.kind}
                      <span className="muted">
                        {' '}
                        (reported{' '}
                        {e.reportedVia === 'patient-link' ? 'by the patient' : 'by the clinic'})
                      </span>
                      {canEdit && (
                        <>
                          {' '}
                          <CorrectionDialog
                            label="Correct"
                            path={`/events/${e.id}`}
                            fields={[
                              {
                                name: 'kind',
                                label: 'What happened',
                                kind: 'select',
                                value: e.kind,
                                options: PATIENT_EVENT_KINDS.map((k) => k.code),
                                optionLabel: (code) =>
                                  PATIENT_EVENT_KINDS.find((k) => k.code === code)?.label ?? code,
                              },
                              { name: 'date', label: 'Date', kind: 'date', value: e.date },
                            ]}
                            onSaved={changed}
                          />{' '}
                          <CorrectionDialog
                            label="Entered in error"
                            path={`/events/${e.id}/entered-in-error`}
                            fields={[]}
                            onSaved={changed}
                          />
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <h3>Treatments</h3>
            {treatments.length === 0 ? (
              <p>None recorded.</p>
            ) : (
              <ul>
                {treatments.map((t) => (
                  <li key={t.id}>
                    {formatDate(t.treatmentDate)}: {productLabel(t.productClass)}
                    {t.cellDoseMillions !== null ? `, ${t.cellDoseMillions} million cells` : ''},{' '}
                    {t.volumeMl} mL,{' '}
                    {t.imageGuidance === 'none' ? 'no image guidance' : `${t.imageGuidance}-guided`}
                    {t.bmi !== null ? `; BMI ${t.bmi}` : ''}
                    <ProductSummary
                      productClass={t.productClass}
                      characterisation={t.characterisation ?? {}}
                      volumeMl={t.volumeMl}
                    />
                    {t.notes && (
                      <>
                        {' '}
                        · <span className="muted">{t.notes}</span>
                        {canEdit && (
                          <ReviewTextButton
                            kind="treatment-notes"
                            id={t.id}
                            reviewed={t.notesReviewed}
                            onReviewed={load}
                          />
                        )}
                      </>
                    )}
                    {canEdit && (
                      <>
                        {' '}
                        <CorrectionDialog
                          label="Correct"
                          path={`/treatments/${t.id}`}
                          fields={[
                            {
                              name: 'treatmentDate',
                              label: 'Treatment date',
                              kind: 'date',
                              value: t.treatmentDate,
                            },
                            {
                              name: 'volumeMl',
                              label: 'Volume (mL)',
                              kind: 'number',
                              value: t.volumeMl,
                            },
                            ...(isCellProduct(t.productClass)
                              ? [
                                  {
                                    name: 'cellDoseMillions',
                                    label: 'Cells injected (million)',
                                    kind: 'number' as const,
                                    value: t.cellDoseMillions,
                                  },
                                ]
                              : []),
                            ...CHARACTERISATION_FIELDS.filter((f) =>
                              groupsFor(t.productClass).includes(f.group),
                            ).map((f) => ({
                              name: `characterisation.${f.key}`,
                              label: 'unit' in f ? `${f.label} (${f.unit.display})` : f.label,
                              kind:
                                f.kind === 'choice'
                                  ? ('select' as const)
                                  : f.kind === 'text'
                                    ? ('text' as const)
                                    : ('number' as const),
                              value: t.characterisation?.[f.key] ?? null,
                              ...('choices' in f
                                ? {
                                    options: ['', ...f.choices],
                                    optionLabel: (o: string) => CHOICE_LABELS[o] ?? o,
                                  }
                                : {}),
                            })),
                          ]}
                          onSaved={changed}
                        />{' '}
                        <CorrectionDialog
                          label="Entered in error"
                          path={`/treatments/${t.id}/entered-in-error`}
                          fields={[]}
                          onSaved={changed}
                        />
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {canEdit && <TreatmentForm episodeId={ep.id} vocabulary={vocabulary} onSaved={load} />}

            <h3>Adverse events</h3>
            {adverseEvents.length === 0 ? (
              <p>None recorded.</p>
            ) : (
              <ul className="events">
                {adverseEvents.map((a) => (
                  <li key={a.id}>
                    {formatDate(a.onsetDate)}: {a.description}{' '}
                    <span className="muted">
                      (grade {a.grade}
                      {a.serious ? ', serious' : ''}, {label(a.relatedness)} to the treatment)
                    </span>
                    {canEdit && (
                      <>
                        <ReviewTextButton
                          kind="adverse-event-description"
                          id={a.id}
                          reviewed={a.descriptionReviewed}
                          onReviewed={load}
                        />{' '}
                        <CorrectionDialog
                          label="Correct"
                          path={`/adverse-events/${a.id}`}
                          fields={[
                            { name: 'onsetDate', label: 'Onset', kind: 'date', value: a.onsetDate },
                            {
                              name: 'description',
                              label: 'What happened',
                              kind: 'text',
                              value: a.description,
                            },
                            {
                              name: 'grade',
                              label: 'Grade (CTCAE)',
                              kind: 'select',
                              value: a.grade,
                              options: [1, 2, 3, 4, 5],
                            },
                            {
                              name: 'relatedness',
                              label: 'Related to the treatment',
                              kind: 'select',
                              value: a.relatedness,
                              options: vocabulary.relatedness,
                            },
                          ]}
                          onSaved={changed}
                        />{' '}
                        <CorrectionDialog
                          label="Entered in error"
                          path={`/adverse-events/${a.id}/entered-in-error`}
                          fields={[]}
                          onSaved={changed}
                        />
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {canEdit && treatments.length > 0 && (
              <AdverseEventForm
                episodeId={ep.id}
                treatments={treatments}
                vocabulary={vocabulary}
                onSaved={load}
              />
            )}

            <h3>Surveys</h3>
            {surveys.length === 0 ? (
              <p>No survey links issued.</p>
            ) : (
              <ul>
                {surveys.map((s) => (
                  <li key={s.id}>
                    {timepointLabel(s.timepoint)} ({s.instruments.map(instrumentName).join(' + ')}):{' '}
                    {surveyStatus(s.status)}
                    <span className="muted">
                      {' '}
                      · window {formatDate(s.windowOpens)} to {formatDate(s.windowCloses)}
                    </span>
                    {canEdit && s.status !== 'completed' && s.status !== 'expired' && (
                      <SurveyHandover surveyId={s.id} label={timepointLabel(s.timepoint)} />
                    )}
                  </li>
                ))}
              </ul>
            )}
            {canEdit && (
              <p className="muted">
                A printed form that came back is entered under{' '}
                <Link to="/paper-forms">Paper forms</Link>; a time point without a link gets its
                paper form once you issue its link below.
              </p>
            )}
            {canEdit && treatments.length === 0 && (
              <p className="muted">
                No survey link can be issued yet: follow-up windows count from the treatment date,
                so record the injection first.
              </p>
            )}
            {canEdit && treatments.length > 0 && (
              <SurveyLinkForm
                episodeId={ep.id}
                joint={ep.joint}
                vocabulary={vocabulary}
                schedule={schedule}
                treatmentDate={treatments.map((t) => t.treatmentDate).sort()[0] ?? ''}
                hasEmail={Boolean(p.email)}
                completed={surveys.filter((s) => s.status === 'completed').map((s) => s.timepoint)}
                onIssued={load}
              />
            )}

            <h3>Scores</h3>
            {responses.length === 0 ? (
              <p>No responses yet.</p>
            ) : (
              <ScoresTable
                scalesOf={scalesOf}
                responses={responses}
                timepointLabel={timepointLabel}
                instrumentName={instrumentName}
                whenHeading="Submitted"
                when={(r) => (
                  <>
                    {formatDate(r.submittedAt)}
                    {!r.inWindow && <span className="flag"> out of window</span>}
                    {canEdit && (
                      <>
                        {' '}
                        <button
                          type="button"
                          className="link-button"
                          aria-expanded={correcting === r.id}
                          onClick={() => setCorrecting(correcting === r.id ? null : r.id)}
                        >
                          Correct answers
                        </button>{' '}
                        <CorrectionDialog
                          label="Entered in error"
                          path={`/responses/${r.id}/entered-in-error`}
                          fields={[]}
                          onSaved={changed}
                        />
                      </>
                    )}
                  </>
                )}
              />
            )}
            {canEdit &&
              responses
                .filter((r) => r.id === correcting)
                .map((r) => (
                  <AnswersCorrection
                    key={r.id}
                    response={r}
                    heading={`${instrumentName(r.instrumentId)} · ${timepointLabel(r.timepoint)}`}
                    onSaved={changed}
                    onClose={() => setCorrecting(null)}
                  />
                ))}
          </article>
        );
      })}
      {canEdit && <ContactCard patientId={p.id} />}
      {canEdit && <EpisodeForm patientId={p.id} vocabulary={vocabulary} onSaved={load} />}
      {canEdit && (
        <PatientActions
          patientId={p.id}
          registryId={p.registryId}
          episodes={record.episodes}
          onSaved={changed}
          onErased={() => navigate('/')}
        />
      )}
      <RecordHistory patientId={p.id} version={version} />
    </section>
  );
}

function EpisodeForm({
  patientId,
  vocabulary,
  onSaved,
}: {
  patientId: string;
  vocabulary: Vocabulary;
  onSaved: () => void;
}) {
  const { error, onSubmit } = useFormSubmit(
    async (values) => {
      await api('POST', `/patients/${patientId}/episodes`, {
        joint: values.joint,
        side: values.side,
        klGrade: optionalNumber(values.klGrade),
        diagnosis: values.diagnosis || undefined,
      });
      onSaved();
    },
    { resetOnSuccess: true },
  );
  return (
    <form onSubmit={onSubmit} className="card" aria-label="Record a treated joint" noValidate>
      <h2>Record a treated joint</h2>
      <FormError error={error} />
      <Field label="Joint" name="joint" error={error}>
        {(p) => (
          <select {...p} defaultValue="knee">
            {vocabulary.joints.map((j) => (
              <option key={j} value={j}>
                {capitalise(j)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Side" name="side" error={error}>
        {(p) => (
          <select {...p} defaultValue="">
            <option value="" disabled>
              Choose…
            </option>
            <option value="left">Left</option>
            <option value="right">Right</option>
          </select>
        )}
      </Field>
      <Field label="Kellgren–Lawrence grade" name="klGrade" error={error}>
        {(p) => (
          <select {...p} defaultValue="">
            <option value="" disabled>
              Choose…
            </option>
            {[0, 1, 2, 3, 4].map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Diagnosis" name="diagnosis" error={error}>
        {(p) => <input {...p} defaultValue="Osteoarthritis" />}
      </Field>
      <button type="submit">Save joint</button>
    </form>
  );
}

const isCellProduct = (code: string) => PRODUCT_CLASSES.some((p) => p.code === code && p.cellular);

function TreatmentForm({
  episodeId,
  vocabulary,
  onSaved,
}: {
  episodeId: string;
  vocabulary: Vocabulary;
  onSaved: () => void;
}) {
  const [productClass, setProductClass] = useState('');
  const { error, onSubmit } = useFormSubmit(
    async (values) => {
      const product = values.productClass ?? '';
      await api('POST', `/episodes/${episodeId}/treatments`, {
        treatmentDate: values.treatmentDate,
        productClass: product,
        cellDoseMillions: isCellProduct(product)
          ? (optionalNumber(values.cellDoseMillions) ?? null)
          : null,
        bmi: optionalNumber(values.bmi) ?? null,
        volumeMl: optionalNumber(values.volumeMl),
        imageGuidance: values.imageGuidance,
        notes: values.notes || undefined,
        characterisation: characterisationFrom(product, values),
        ...(values.confirmImplausible === 'on' ? { confirmImplausible: true } : {}),
      });
      setProductClass('');
      onSaved();
    },
    { resetOnSuccess: true },
  );
  const askToConfirm = Boolean(error?.fieldMessage('confirmImplausible'));
  return (
    <details className="subform">
      <summary>Record an injection</summary>
      <form onSubmit={onSubmit} aria-label="Record an injection" noValidate>
        <FormError error={error} />
        <Field label="Treatment date" name="treatmentDate" error={error}>
          {(p) => <input {...p} type="date" defaultValue={today()} />}
        </Field>
        <Field label="Product" name="productClass" error={error}>
          {(p) => (
            <select
              {...p}
              value={productClass}
              onChange={(e) => setProductClass(e.currentTarget.value)}
            >
              <option value="" disabled>
                Choose…
              </option>
              {vocabulary.productClasses.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {isCellProduct(productClass) && (
          <Field
            label="Cells injected (million)"
            name="cellDoseMillions"
            error={error}
            hint="Leave empty if not counted"
          >
            {(p) => <input {...p} inputMode="decimal" />}
          </Field>
        )}
        <Field
          label="BMI (kg/m²)"
          name="bmi"
          error={error}
          hint="On the day; leave empty if unknown"
        >
          {(p) => <input {...p} inputMode="decimal" />}
        </Field>
        <Field label="Volume (mL)" name="volumeMl" error={error} hint="Volume injected">
          {(p) => <input {...p} inputMode="decimal" />}
        </Field>
        <Field label="Image guidance" name="imageGuidance" error={error}>
          {(p) => (
            <select {...p} defaultValue="ultrasound">
              {vocabulary.imageGuidance.map((g) => (
                <option key={g} value={g}>
                  {capitalise(label(g))}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ProductFields productClass={productClass} error={error} />
        <Field label="Notes" name="notes" error={error}>
          {(p) => <textarea {...p} rows={2} />}
        </Field>
        {askToConfirm && (
          <div className="field field-error confirm">
            <label>
              <input type="checkbox" name="confirmImplausible" /> I have checked the unusual values
              marked above against the lab sheet; they are right
            </label>
          </div>
        )}
        <button type="submit">Save injection</button>
      </form>
    </details>
  );
}

function AdverseEventForm({
  episodeId,
  treatments,
  vocabulary,
  onSaved,
}: {
  episodeId: string;
  treatments: Treatment[];
  vocabulary: Vocabulary;
  onSaved: () => void;
}) {
  const latest = treatments[treatments.length - 1];
  const { error, onSubmit } = useFormSubmit(
    async (values) => {
      await api('POST', `/episodes/${episodeId}/adverse-events`, {
        treatmentId: values.treatmentId,
        onsetDate: values.onsetDate,
        description: values.description ?? '',
        grade: optionalNumber(values.grade),
        serious: values.serious === 'on',
        relatedness: values.relatedness,
      });
      onSaved();
    },
    { resetOnSuccess: true },
  );
  return (
    <details className="subform">
      <summary>Record an adverse event</summary>
      <form onSubmit={onSubmit} aria-label="Record an adverse event" noValidate>
        <FormError error={error} />
        <Field label="After the treatment of" name="treatmentId" error={error}>
          {(p) => (
            <select {...p} defaultValue={latest?.id}>
              {treatments.map((t) => (
                <option key={t.id} value={t.id}>
                  {formatDate(t.treatmentDate)} · {productLabel(t.productClass)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Onset date" name="onsetDate" error={error}>
          {(p) => <input {...p} type="date" defaultValue={today()} />}
        </Field>
        <Field label="What happened" name="description" error={error}>
          {(p) => <textarea {...p} rows={2} />}
        </Field>
        <Field label="Grade (CTCAE v5.0)" name="grade" error={error}>
          {(p) => (
            <select {...p} defaultValue="1">
              {vocabulary.adverseEventGrades.map((g) => (
                <option key={g.grade} value={g.grade}>
                  {g.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Related to the treatment" name="relatedness" error={error}>
          {(p) => (
            <select {...p} defaultValue="possible">
              {vocabulary.relatedness.map((r) => (
                <option key={r} value={r}>
                  {capitalise(label(r))}
                </option>
              ))}
            </select>
          )}
        </Field>
        <label className="check">
          <input type="checkbox" name="serious" /> Serious (death, life-threatening, hospital stay,
          lasting disability, or otherwise medically important)
        </label>
        <button type="submit">Save adverse event</button>
      </form>
    </details>
  );
}

/**
 * The time point to offer first: the earliest one not yet answered whose window has not closed
 * (open today, or the next to open).
 */
function nextDue(schedule: TimePoint[], treatmentDate: string, completed: string[], today: string) {
  return schedule.find(
    (tp) => !completed.includes(tp.id) && followUpWindow(treatmentDate, tp).closes >= today,
  );
}

function SurveyLinkForm({
  episodeId,
  joint,
  vocabulary,
  schedule,
  treatmentDate,
  completed,
  hasEmail,
  onIssued,
}: {
  episodeId: string;
  joint: string;
  vocabulary: Vocabulary;
  schedule: TimePoint[];
  treatmentDate: string;
  completed: string[];
  hasEmail: boolean;
  onIssued: () => void;
}) {
  const [link, setLink] = useState<{ url: string; emailed: boolean } | null>(null);
  const [copied, setCopied] = useState(false);
  const [timepoint, setTimepoint] = useState(
    () => nextDue(schedule, treatmentDate, completed, today())?.id ?? schedule[0]?.id ?? '',
  );
  const [confirmed, setConfirmed] = useState(false);
  const tp = schedule.find((t) => t.id === timepoint);
  const window = tp ? followUpWindow(treatmentDate, tp) : null;
  const outside = window !== null && !isWithinWindow(today(), window);
  const forJoint = vocabulary.instruments.filter(
    (i) => i.joints.includes('any') || i.joints.includes(joint),
  );
  const defaults = forJoint.filter((i) => i.offeredByDefault);
  const optional = forJoint.filter((i) => !i.offeredByDefault);
  const { error, onSubmit } = useFormSubmit(async (values) => {
    const alsoAsk = optional.filter((i) => values[`alsoAsk-${i.id}`] === 'on').map((i) => i.id);
    const r = await api<{ url: string; emailed: boolean }>(
      'POST',
      `/episodes/${episodeId}/surveys`,
      {
        timepoint,
        ...(alsoAsk.length > 0 ? { alsoAsk } : {}),
        ...(outside && confirmed ? { confirmOutsideWindow: true } : {}),
      },
    );
    setCopied(false);
    setConfirmed(false);
    setLink(r);
    onIssued();
  });
  const outsideText =
    window && outside
      ? `Today is outside the ${tp?.label.toLowerCase()} window (${formatDate(window.opens)} to ${formatDate(window.closes)}): its answers will be flagged as out of window.`
      : '';
  return (
    <form onSubmit={onSubmit} className="subform" aria-label="Issue a survey link" noValidate>
      <FormError error={error} />
      <Field
        label="Survey time point"
        name="timepoint"
        error={error}
        hint={
          window
            ? `Window ${formatDate(window.opens)} to ${formatDate(window.closes)}${outside ? ' (not open today)' : ' (open today)'}`
            : undefined
        }
      >
        {(p) => (
          <select
            {...p}
            value={timepoint}
            onChange={(e) => {
              setTimepoint(e.target.value);
              setConfirmed(false);
            }}
          >
            {schedule.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
                {completed.includes(t.id) ? ' (answered)' : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      {outside && (
        <div
          className={
            error?.fieldMessage('confirmOutsideWindow')
              ? 'field field-error confirm-outside'
              : 'field confirm-outside'
          }
        >
          <p id={`outside-${episodeId}`}>{outsideText}</p>
          <label className="check">
            <input
              type="checkbox"
              name="confirmOutsideWindow"
              checked={confirmed}
              onChange={(e) => setConfirmed(e.target.checked)}
              aria-describedby={`outside-${episodeId}`}
            />{' '}
            Issue it outside its window anyway
          </label>
          {error?.fieldMessage('confirmOutsideWindow') && (
            <p className="error-text">Tick the box above to issue this link outside its window.</p>
          )}
        </div>
      )}
      {optional.length > 0 && (
        <fieldset className="checks">
          <legend>Also ask (optional questionnaires)</legend>
          {optional.map((i) => {
            const within = defaults.find((d) => i.askedWithin.includes(d.id));
            return (
              <label key={i.id}>
                <input type="checkbox" name={`alsoAsk-${i.id}`} /> {i.shortName} — {i.name}
                {within && ` (no extra questions: scored from the ${within.shortName} answers)`}
              </label>
            );
          })}
        </fieldset>
      )}
      <button type="submit" disabled={outside && !confirmed}>
        Issue survey link
      </button>
      {link && (
        <div className="link-box">
          <label htmlFor={`link-${episodeId}`}>
            Survey link (give it to the patient; it works once)
          </label>
          <input
            id={`link-${episodeId}`}
            readOnly
            value={link.url}
            onFocus={(e) => e.currentTarget.select()}
          />
          <p className="muted" data-testid="link-emailed">
            {!link.emailed
              ? 'Not sent (e-mail is off): copy the link and give it to the patient yourself.'
              : hasEmail
                ? 'An invitation e-mail is on its way to the patient.'
                : 'Not sent (no e-mail address): copy the link and give it to the patient yourself.'}
          </p>
          <button
            type="button"
            onClick={() =>
              navigator.clipboard?.writeText(link.url).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? 'Copied' : 'Copy link'}
          </button>
        </div>
      )}
    </form>
  );
}
