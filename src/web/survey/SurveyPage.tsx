import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { OwnTrajectory } from '../../core/analytics/own-trajectory.ts';
import type { InstrumentDefinition } from '../../core/instruments/definition.ts';
import { jointPhrase, sectionHeading } from '../../core/instruments/patient-wording.ts';
import { repeatedItems } from '../../core/instruments/shared-items.ts';
import { ApiError, api } from '../api.ts';
import { eventsToSend, type LaterEventDates, LaterEvents } from './LaterEvents.tsx';
import { OwnTrajectoryChart } from './OwnTrajectoryChart.tsx';
import { asksLaterEvents, type NumericScale, nextLabel, numericScale } from './survey-screens.ts';

type Draft = Record<string, Record<string, number | null>>;

interface SurveyData {
  timepoint: string;
  timepointLabel: string;
  /** The joint the survey is about; null only if its record could not be read. */
  joint: { joint: string; side: string } | null;
  instruments: InstrumentDefinition[];
  draft: Draft;
}

interface Question {
  instrument: InstrumentDefinition;
  /** The form's own section title (e.g. KOOS "Symptoms"); the patient reads `sectionHeading` of it. */
  sectionTitle: string;
  intro: string | undefined;
  code: string;
  text: string;
  options: { value: number; label: string }[];
}

type SaveState = 'idle' | 'saving' | 'saved' | 'failed';
type Stage =
  | { kind: 'intro' }
  | { kind: 'question'; index: number }
  | { kind: 'review' }
  | { kind: 'done' };

const SAVE_DELAY_MS = 400;

/** Every question to ask, in order; an item an earlier questionnaire already asks is asked once. */
function questionsOf(instruments: InstrumentDefinition[]): Question[] {
  const repeated = repeatedItems(instruments);
  return instruments.flatMap((instrument) =>
    instrument.sections.flatMap((section) =>
      section.items
        .filter((item) => !repeated.get(instrument.id)?.has(item.code))
        .map((item) => ({
          instrument,
          sectionTitle: section.title,
          intro: section.intro,
          code: item.code,
          text: item.text,
          options: instrument.responseSets[item.responseSet] ?? [],
        })),
    ),
  );
}

export function SurveyPage({ token }: { token: string }) {
  const [data, setData] = useState<SurveyData | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [answers, setAnswers] = useState<Draft>({});
  const [stage, setStage] = useState<Stage>({ kind: 'intro' });
  const [saveState, setSaveState] = useState<SaveState>('idle');
  const [submitError, setSubmitError] = useState<ApiError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [laterEvents, setLaterEvents] = useState<LaterEventDates>({});
  const [ownTrajectory, setOwnTrajectory] = useState<OwnTrajectory[]>([]);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef<Draft>({});
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    api<SurveyData>('GET', `/survey/${token}`)
      .then((d) => {
        setData(d);
        setAnswers(d.draft);
        latest.current = d.draft;
      })
      .catch((e: unknown) => setLoadError(e instanceof ApiError ? e : new ApiError(0, String(e))));
  }, [token]);

  const questions = useMemo(() => (data ? questionsOf(data.instruments) : []), [data]);
  const answeredCount = questions.filter(
    (q) => typeof answers[q.instrument.id]?.[q.code] === 'number',
  ).length;

  const save = useCallback(async () => {
    pending.current = null;
    setSaveState('saving');
    try {
      await api('PUT', `/survey/${token}/draft`, { answers: latest.current });
      setSaveState('saved');
    } catch {
      setSaveState('failed');
    }
  }, [token]);

  // Move focus to the new question's heading so screen readers announce it.
  useEffect(() => {
    if (stage.kind !== 'intro') headingRef.current?.focus();
  }, [stage]);

  // Save at once if the page is being left with an answer not yet sent.
  useEffect(() => {
    const flush = () => {
      if (pending.current) {
        clearTimeout(pending.current);
        void save();
      }
    };
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, [save]);

  function answer(q: Question, value: number) {
    const next = {
      ...answers,
      [q.instrument.id]: { ...answers[q.instrument.id], [q.code]: value },
    };
    setAnswers(next);
    latest.current = next;
    if (pending.current) clearTimeout(pending.current);
    pending.current = setTimeout(() => void save(), SAVE_DELAY_MS);
  }

  async function submit() {
    if (pending.current) clearTimeout(pending.current);
    setSubmitting(true);
    setSubmitError(null);
    try {
      const events = asksLaterEvents(data?.timepoint ?? '') ? eventsToSend(laterEvents) : [];
      const reply = await api<{ trajectory: OwnTrajectory[] }>('POST', `/survey/${token}/submit`, {
        answers: latest.current,
        ...(events.length > 0 ? { events } : {}),
      });
      setOwnTrajectory(reply.trajectory ?? []);
      setStage({ kind: 'done' });
    } catch (e) {
      setSubmitError(e instanceof ApiError ? e : new ApiError(0, String(e)));
    } finally {
      setSubmitting(false);
    }
  }

  if (loadError) {
    return (
      <main className="survey">
        <h1>
          {loadError.status === 410 ? 'This link is closed' : 'We could not open this survey'}
        </h1>
        <p role="alert">
          {loadError.status === 404
            ? 'This survey link is not valid. Please check the link in your e-mail, or ask your clinic for a new one.'
            : loadError.message}
        </p>
      </main>
    );
  }
  if (!data)
    return (
      <main className="survey">
        <p>Loading your survey…</p>
      </main>
    );

  const firstUnanswered = questions.findIndex(
    (q) => typeof answers[q.instrument.id]?.[q.code] !== 'number',
  );
  const minutes = Math.max(1, Math.round(questions.length / 6));
  const joint = jointPhrase(data.joint?.joint, data.joint?.side);

  if (stage.kind === 'intro') {
    return (
      <main className="survey">
        <h1>Your {data.timepointLabel.toLowerCase()} check-in</h1>
        <p>
          {questions.length} short questions about {joint}, about {minutes} minutes. Your answers
          are saved as you go: you can stop and come back with the same link.
        </p>
        {answeredCount > 0 && (
          <p>
            You have answered {answeredCount} of {questions.length} so far.
          </p>
        )}
        <button
          type="button"
          className="primary"
          onClick={() =>
            setStage(
              firstUnanswered === -1
                ? { kind: 'review' }
                : { kind: 'question', index: firstUnanswered },
            )
          }
        >
          {answeredCount > 0 ? 'Continue' : 'Start'}
        </button>
      </main>
    );
  }

  if (stage.kind === 'done') {
    return (
      <main className="survey">
        <h1 ref={headingRef} tabIndex={-1}>
          Thank you
        </h1>
        <p>Your answers have been sent to your clinic. You can close this page.</p>
        {ownTrajectory.some((t) => t.points.length > 1) && (
          <>
            <p>
              Your scores so far, against where you started. A change on one day can be chance; your
              clinic looks at the whole line with you. Where published studies give one, a green
              line marks the smallest improvement from your start that patients called important: a
              guide, not a target.
            </p>
            {ownTrajectory
              .filter((t) => t.points.length > 1)
              .map((t) => (
                <OwnTrajectoryChart key={`${t.instrumentId}.${t.scale}`} trajectory={t} />
              ))}
          </>
        )}
      </main>
    );
  }

  if (stage.kind === 'review') {
    const missing = questions
      .map((q, i) => ({ q, i }))
      .filter(({ q }) => typeof answers[q.instrument.id]?.[q.code] !== 'number');
    return (
      <main className="survey">
        <h1 ref={headingRef} tabIndex={-1}>
          Ready to send?
        </h1>
        <p>
          You answered {answeredCount} of {questions.length} questions.
        </p>
        {missing.length > 0 && (
          <>
            <p>Unanswered questions (you may leave them out, but every answer helps):</p>
            <ul className="missing">
              {missing.slice(0, 20).map(({ q, i }) => (
                <li key={`${q.instrument.id}.${q.code}`}>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => setStage({ kind: 'question', index: i })}
                  >
                    {i + 1}. {q.text}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        {asksLaterEvents(data.timepoint) && (
          <LaterEvents
            value={laterEvents}
            onChange={setLaterEvents}
            today={new Date().toISOString().slice(0, 10)}
          />
        )}
        {submitError && (
          <p className="form-error" role="alert">
            {submitError.message}
            {submitError.fields.map((f) => ` ${f.message}.`).join('')}
          </p>
        )}
        <div className="nav-buttons">
          <button
            type="button"
            onClick={() => setStage({ kind: 'question', index: questions.length - 1 })}
          >
            Back
          </button>
          <button
            type="button"
            className="primary"
            onClick={submit}
            disabled={submitting || answeredCount === 0}
          >
            {submitting ? 'Sending…' : 'Send my answers'}
          </button>
        </div>
      </main>
    );
  }

  const index = stage.index;
  const q = questions[index];
  if (!q) return null;
  const current = answers[q.instrument.id]?.[q.code];
  const answered = typeof current === 'number';
  const name = `${q.instrument.id}-${q.code}`;
  const scale = numericScale(q.options);
  const goNext = () =>
    setStage(
      index + 1 < questions.length ? { kind: 'question', index: index + 1 } : { kind: 'review' },
    );
  return (
    <main className="survey">
      <div className="progress-row">
        <progress
          max={questions.length}
          value={index + 1}
          aria-label={`Question ${index + 1} of ${questions.length}`}
        />
        <span className="muted">
          {index + 1} / {questions.length}
        </span>
      </div>
      <p className="muted save-state" aria-live="polite">
        {saveState === 'saving'
          ? 'Saving…'
          : saveState === 'saved'
            ? 'Saved'
            : saveState === 'failed'
              ? 'Not saved yet: check your connection'
              : ''}
      </p>
      <h1 ref={headingRef} tabIndex={-1} className="section-title">
        {sectionHeading(q.instrument.id, q.sectionTitle, joint)}
      </h1>
      {q.intro && <p className="intro">{q.intro}</p>}
      <p className="question-text" id={`${name}-text`}>
        {q.text}
      </p>
      <div className="question" role="radiogroup" aria-labelledby={`${name}-text`}>
        {scale ? (
          <ScaleRow
            scale={scale}
            name={name}
            current={current}
            onChoose={(value) => answer(q, value)}
          />
        ) : (
          <div className="options">
            {q.options.map((o) => (
              <label key={o.value} className={current === o.value ? 'option chosen' : 'option'}>
                <input
                  type="radio"
                  name={name}
                  value={o.value}
                  checked={current === o.value}
                  onChange={() => answer(q, o.value)}
                />
                <span>{o.label}</span>
              </label>
            ))}
          </div>
        )}
      </div>
      <div className="nav-buttons">
        <button
          type="button"
          onClick={() =>
            setStage(index === 0 ? { kind: 'intro' } : { kind: 'question', index: index - 1 })
          }
        >
          Back
        </button>
        <button type="button" className="primary" onClick={goNext} disabled={!answered}>
          {nextLabel(index, questions.length)}
        </button>
      </div>
      {!answered && (
        <p className="skip-row">
          <button type="button" className="link-button" onClick={goNext}>
            Skip this question
          </button>
        </p>
      )}
    </main>
  );
}

/**
 * A numeric rating scale as one row of numbers with its anchor words under the two ends, as
 * the 11-point NRS is validated; native radios, so arrow keys move along the row.
 */
function ScaleRow({
  scale,
  name,
  current,
  onChoose,
}: {
  scale: NumericScale;
  name: string;
  current: number | null | undefined;
  onChoose: (value: number) => void;
}) {
  return (
    <>
      <div className="scale-row">
        {scale.points.map((p) => (
          <label
            key={p.value}
            className={current === p.value ? 'scale-point chosen' : 'scale-point'}
          >
            <input
              type="radio"
              name={name}
              value={p.value}
              checked={current === p.value}
              onChange={() => onChoose(p.value)}
              aria-label={p.label}
            />
            <span aria-hidden="true">{p.value}</span>
          </label>
        ))}
      </div>
      {(scale.lowAnchor || scale.highAnchor) && (
        // Said already in the end points' names; shown for sighted readers.
        <div className="scale-anchors" aria-hidden="true">
          <span>{scale.lowAnchor}</span>
          <span>{scale.highAnchor}</span>
        </div>
      )}
    </>
  );
}
