import { type ReactNode, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { FIELD_LABELS } from '../ui/Field.tsx';
import { formatDate, label } from '../ui/format.ts';
import { answerWords, type Questions, questionsOf, questionText } from './questions.ts';

interface HistoryEntry {
  id: number;
  at: string;
  action: string;
  entity: string;
  by: string | null;
  reason: string | null;
  detail: {
    fields?: string[];
    changes?: Record<string, { old: unknown; new: unknown }>;
    instrumentId?: string;
  } | null;
  personal?: Record<string, unknown>;
}

const ACTION_WORDS: Record<string, string> = {
  create: 'Recorded',
  correct: 'Corrected',
  'entered-in-error': 'Removed as entered in error',
  'record-event': 'Event recorded',
  'set-status': 'Status changed',
  'withdraw-consent': 'Consent withdrawn',
};

const show = (v: unknown) =>
  v === null || v === undefined
    ? '—'
    : typeof v === 'object'
      ? JSON.stringify(v)
      : typeof v === 'string' && /^\d{4}-\d\d-\d\d$/.test(v)
        ? formatDate(v)
        : typeof v === 'string' && /^[a-z]+(-[a-z]+)*$/.test(v)
          ? label(v) // a vocabulary code ("not-related"), never a name or free text
          : String(v);

/** What each kind of record is called on screen. */
const ENTITY_WORDS: Record<string, string> = {
  patient: 'patient',
  patients: 'patient',
  patient_identities: 'patient details',
  episode: 'joint',
  joint_episode: 'joint',
  joint_episodes: 'joint',
  treatment: 'treatment',
  treatments: 'treatment',
  'adverse-event': 'adverse event',
  adverse_events: 'adverse event',
  event: 'later event',
  patient_events: 'later event',
  response: 'questionnaire',
  responses: 'questionnaire',
};

/** The record's history: every correction with who, when, why and old → new values. */
export function RecordHistory({ patientId, version }: { patientId: string; version: number }) {
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version asks for a reload after a change
  useEffect(() => {
    api<{ entries: HistoryEntry[] }>('GET', `/patients/${patientId}/history`)
      .then((r) => setEntries(r.entries))
      .catch((e) => setFailed(String(e)));
  }, [patientId, version]);
  return (
    <section aria-label="History" className="card history">
      <h2>History</h2>
      {failed && <p role="alert">{failed}</p>}
      {entries === null && !failed && <p>Loading…</p>}
      {entries?.length === 0 && <p>No changes recorded.</p>}
      <ol>
        {entries?.map((e) => {
          const personal = (e.personal ?? {}) as Record<string, unknown>;
          const changes = {
            ...(e.detail?.changes ?? {}),
            ...Object.fromEntries(
              Object.entries(personal).filter(
                ([, v]) => v !== null && typeof v === 'object' && 'old' in (v as object),
              ),
            ),
          } as Record<string, { old: unknown; new: unknown }>;
          const answers = personal.answers as AnswerChanges | undefined;
          if (e.entity === 'response' && answers && e.detail?.instrumentId)
            return (
              <li key={e.id}>
                <ResponseChanges
                  instrumentId={e.detail.instrumentId}
                  answers={answers}
                  scores={personal.scores as ScoreChange | undefined}
                >
                  {(name) => (
                    <>
                      <strong>{ACTION_WORDS[e.action] ?? e.action}</strong> {name} answers ·{' '}
                      {formatDate(e.at.slice(0, 10))} {e.at.slice(11, 16)} UTC · {e.by ?? 'system'}
                      {e.reason && <div>Reason: {e.reason}</div>}
                    </>
                  )}
                </ResponseChanges>
              </li>
            );
          return (
            <li key={e.id}>
              <strong>{ACTION_WORDS[e.action] ?? e.action}</strong>{' '}
              {ENTITY_WORDS[e.entity] ?? label(e.entity.replaceAll('_', '-'))} ·{' '}
              {formatDate(e.at.slice(0, 10))} {e.at.slice(11, 16)} UTC · {e.by ?? 'system'}
              {e.reason && <div>Reason: {e.reason}</div>}
              {Object.keys(changes).length > 0 && (
                <ul>
                  {Object.entries(changes).map(([field, c]) => (
                    <li key={field}>
                      {FIELD_LABELS[field] ?? label(field)}: {show(c.old)} → {show(c.new)}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

type AnswerChanges = Record<string, { old: number | null; new: number | null }>;
type ScoreChange = {
  old: Record<string, number | null>;
  new: Record<string, number | null>;
};

const scoreText = (v: number | null | undefined) =>
  v === null || v === undefined ? 'not scorable' : v.toFixed(1);

/** A questionnaire's corrected answers and scores in words: the questions, not item codes. */
function ResponseChanges({
  instrumentId,
  answers,
  scores,
  children,
}: {
  instrumentId: string;
  answers: AnswerChanges;
  scores: ScoreChange | undefined;
  /** The entry's first line, given the questionnaire's name. */
  children: (name: string) => ReactNode;
}) {
  const [questions, setQuestions] = useState<Questions | null>(null);
  useEffect(() => {
    questionsOf(instrumentId)
      .then(setQuestions)
      .catch(() => setQuestions(null));
  }, [instrumentId]);
  if (!questions) return <>{children('questionnaire')}</>;
  return (
    <>
      {children(questions.shortName)}
      <ul>
        {Object.entries(answers).map(([code, c]) => (
          <li key={code}>
            {questionText(questions, code) ?? 'A question no longer in this questionnaire'}{' '}
            {answerWords(questions, code, c.old)} → {answerWords(questions, code, c.new)}
          </li>
        ))}
        {scores &&
          questions.scales
            .filter((s) => scores.old[s.id] !== scores.new[s.id])
            .map((s) => (
              <li key={s.id}>
                {questions.shortName} {s.name}: {scoreText(scores.old[s.id])} →{' '}
                {scoreText(scores.new[s.id])}
              </li>
            ))}
      </ul>
    </>
  );
}
