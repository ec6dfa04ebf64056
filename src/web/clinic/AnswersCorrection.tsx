import { useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { Field } from '../ui/Field.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';
import { answerWords, type Questions, questionsOf } from './questions.ts';

export interface AnsweredResponse {
  id: string;
  instrumentId: string;
  answers: Record<string, number | null>;
  scores: Record<string, number | null>;
}

const NOT_ANSWERED = '';
const scoreText = (v: number | null | undefined) =>
  v === null || v === undefined ? 'not scorable' : v.toFixed(1);

/**
 * "Correct answers": every question of one answered questionnaire with its current answer in
 * the patient's words; the clinician changes some, gives the reason, and sees the scores the
 * same scoring engine gives the corrected answers. Only the changed answers are sent.
 */
export function AnswersCorrection({
  response,
  heading,
  onSaved,
  onClose,
}: {
  response: AnsweredResponse;
  /** Names the questionnaire and time point, e.g. "KOOS · 6 weeks". */
  heading: string;
  onSaved: () => void;
  onClose: () => void;
}) {
  const [questions, setQuestions] = useState<Questions | null>(null);
  const [loadError, setLoadError] = useState('');
  const [result, setResult] = useState<{
    changed: number;
    scores: Record<string, number | null>;
    was: Record<string, number | null>;
  }>();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    questionsOf(response.instrumentId)
      .then(setQuestions)
      .catch((e) => setLoadError(e instanceof ApiError ? e.message : String(e)));
  }, [response.instrumentId]);
  // Focus moves to the form (or its result) so a keyboard or screen-reader user lands there.
  useEffect(() => {
    if (questions || result) headingRef.current?.focus();
  }, [questions, result]);

  const { error, busy, onSubmit } = useFormSubmit(async (values) => {
    const answers: Record<string, number | null> = {};
    for (const section of questions?.sections ?? [])
      for (const item of section.items) {
        const given = values[`answers.${item.code}`] ?? NOT_ANSWERED;
        const value = given === NOT_ANSWERED ? null : Number(given);
        if (value !== (response.answers[item.code] ?? null)) answers[item.code] = value;
      }
    const r = await api<{ corrected: string[]; scores: Record<string, number | null> }>(
      'PATCH',
      `/responses/${response.id}`,
      { answers, reason: values.reason },
    );
    // The page reloads the record after this, so the scores before are kept here.
    setResult({ changed: r.corrected.length, scores: r.scores, was: response.scores });
    onSaved();
  });

  if (loadError)
    return (
      <section className="card correction" aria-label={`Correct answers: ${heading}`}>
        <p className="form-error" role="alert">
          The questions could not be loaded: {loadError}
        </p>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </section>
    );
  if (!questions) return <p>Loading the questions…</p>;

  const itemText = new Map(
    questions.sections.flatMap((s) => s.items.map((it) => [it.code, it.text] as const)),
  );
  const wordsFor = (code: string, value: number | null | undefined) =>
    answerWords(questions, code, value);

  if (result)
    return (
      <section className="card correction" aria-label={`Corrected answers: ${heading}`}>
        <h4 ref={headingRef} tabIndex={-1}>
          {heading}: {result.changed === 1 ? '1 answer' : `${result.changed} answers`} corrected
        </h4>
        <p role="status">Rescored with the same scoring as the survey:</p>
        <ul className="rescored">
          {questions.scales.map((scale) => (
            <li key={scale.id}>
              {scale.name}: {scoreText(result.scores[scale.id])}{' '}
              <span className="muted">
                {(result.scores[scale.id] ?? null) === (result.was[scale.id] ?? null)
                  ? '(unchanged)'
                  : `(was ${scoreText(result.was[scale.id])})`}
              </span>
            </li>
          ))}
        </ul>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </section>
    );

  // The server names a bad answer by its item code: show the question instead.
  const labelOf = (field: string) =>
    field === 'reason' ? 'Reason' : itemText.get(field.replace(/^answers\./, ''));
  const named = error?.fields.map((f) => labelOf(f.field)) ?? [];
  const summary =
    error && named.length > 0 && named.every((l) => l !== undefined)
      ? named.length === 1
        ? (error.fields[0]?.message ?? error.message)
        : `Please correct: ${[...new Set(named)].join('; ')}.`
      : error?.message;

  return (
    <form
      onSubmit={onSubmit}
      className="card correction answers-correction"
      aria-label={`Correct answers: ${heading}`}
      noValidate
    >
      <h4 ref={headingRef} tabIndex={-1}>
        Correct answers: {heading}
      </h4>
      <p className="muted">
        Each question shows the answer on record. Change only what was recorded wrongly; the scores
        are worked out again from the corrected answers.
      </p>
      {summary && (
        <p className="form-error" role="alert">
          {summary}
        </p>
      )}
      {questions.sections.map((section, i) => (
        // Two sections may share a title (KOOS has two "Pain" sections): keyed by place.
        // biome-ignore lint/suspicious/noArrayIndexKey: the sections never move
        <fieldset key={i}>
          <legend>{section.title}</legend>
          {section.intro && <p className="muted">{section.intro}</p>}
          {section.items.map((item) => {
            const current = response.answers[item.code] ?? null;
            return (
              <Field
                key={item.code}
                label={item.text}
                name={`answers.${item.code}`}
                error={error}
                hint={`On record: ${wordsFor(item.code, current)}`}
              >
                {(p) => (
                  <select {...p} defaultValue={current === null ? NOT_ANSWERED : String(current)}>
                    <option value={NOT_ANSWERED}>Not answered</option>
                    {(questions.responseSets[item.responseSet] ?? []).map((o) => (
                      <option key={o.value} value={String(o.value)}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            );
          })}
        </fieldset>
      ))}
      <Field label="Reason (required)" name="reason" error={error}>
        {(p) => <textarea {...p} maxLength={500} rows={2} required />}
      </Field>
      <button type="submit" disabled={busy}>
        Save corrected answers
      </button>{' '}
      <button type="button" onClick={onClose}>
        Cancel
      </button>
    </form>
  );
}
