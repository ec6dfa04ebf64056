import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { Link } from '../router.tsx';
import { count, formatDate } from '../ui/format.ts';
import { Reflow } from '../ui/Reflow.tsx';

interface CallRow {
  assignmentId: string;
  patientId: string;
  registryId: string;
  givenName: string;
  familyName: string;
  phone: string | null;
  mobile: string | null;
  language: string;
  timeZone: string | null;
  preferredCallTime: string | null;
  timepointLabel: string;
  windowCloses: string;
  messagesSent: number;
  calls: number;
  lastOutcome: string | null;
}

const OUTCOMES = [
  ['reached', 'Reached'],
  ['voicemail', 'Voicemail'],
  ['wrong-number', 'Wrong number'],
  ['declined', 'Declined'],
] as const;
const OUTCOME_WORDS: Record<string, string> = Object.fromEntries(OUTCOMES);

/** Patients to call: their e-mails and texts have run out and their window is still open. */
export function CallListPage() {
  const [rows, setRows] = useState<CallRow[] | null>(null);
  const [days, setDays] = useState(3);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    api<{ callAfterDays: number; patients: CallRow[] }>('GET', '/call-list')
      .then((r) => {
        setRows(r.patients);
        setDays(r.callAfterDays);
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, []);
  useEffect(load, [load]);
  return (
    <>
      <h1>Call list</h1>
      <p>
        Open surveys whose invitation and reminders have all gone out, {days} days or more ago, with
        the window still open. Log each call; with the patient on the phone, answer the survey
        together: it is recorded as a phone interview entered by you.
      </p>
      <p>
        Paper forms that came back: <Link to="/paper-forms">enter returned paper forms</Link>.
      </p>
      {error && <p className="error-text">{error}</p>}
      {!rows && !error && <p>Loading…</p>}
      {rows && rows.length === 0 && <p>Nobody to call today.</p>}
      {rows && rows.length > 0 && (
        <>
          <p className="muted">{count(rows.length, 'survey')} to follow up.</p>
          <Reflow>
            <table className="call-list">
              <thead>
                <tr>
                  <th scope="col">Patient</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Best time to call</th>
                  <th scope="col">Survey</th>
                  <th scope="col">Contact so far</th>
                  <th scope="col">Call</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <CallListRow key={r.assignmentId} row={r} onLogged={load} />
                ))}
              </tbody>
            </table>
          </Reflow>
        </>
      )}
    </>
  );
}

function CallListRow({ row, onLogged }: { row: CallRow; onLogged: () => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [interview, setInterview] = useState<string | null>(null);
  const name = `${row.givenName} ${row.familyName}`;
  const numbers = [row.mobile, row.phone].filter((n): n is string => Boolean(n));
  async function log(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    try {
      await api('POST', `/call-list/${row.assignmentId}/attempts`, {
        outcome: String(form.get('outcome')),
        note: String(form.get('note') ?? ''),
      });
      setError('');
      onLogged();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  async function answer() {
    try {
      const r = await api<{ url: string }>('POST', `/call-list/${row.assignmentId}/interview`);
      setInterview(r.url);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }
  return (
    <tr>
      <td>
        <div>
          <Link to={`/patients/${row.patientId}`}>{name}</Link>
          <br />
          <span className="muted">{row.registryId}</span>
        </div>
      </td>
      <td>
        <div>
          {numbers.length === 0
            ? 'none recorded'
            : numbers.map((n) => (
                <a key={n} href={`tel:${n.replace(/[^+\d]/g, '')}`} className="phone-number">
                  {n}
                </a>
              ))}
        </div>
      </td>
      <td>
        <div>
          {row.preferredCallTime ?? '–'}
          <br />
          <span className="muted">in {row.language}</span>
        </div>
      </td>
      <td>
        <div>
          {row.timepointLabel}, open until {formatDate(row.windowCloses)}
        </div>
      </td>
      <td>
        <div>
          {count(row.messagesSent, 'message')}, {count(row.calls, 'call')}
          {row.lastOutcome && ` (last: ${OUTCOME_WORDS[row.lastOutcome] ?? row.lastOutcome})`}
        </div>
      </td>
      <td>
        <div>
          <form className="call-actions" onSubmit={log} aria-label={`Log a call to ${name}`}>
            <label className="visually-hidden" htmlFor={`outcome-${row.assignmentId}`}>
              Outcome of the call to {name}
            </label>
            <select id={`outcome-${row.assignmentId}`} name="outcome" defaultValue="reached">
              {OUTCOMES.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
            <label className="visually-hidden" htmlFor={`note-${row.assignmentId}`}>
              Note on the call to {name}
            </label>
            <input
              id={`note-${row.assignmentId}`}
              name="note"
              maxLength={500}
              placeholder="Note (optional)"
            />
            <button type="submit" disabled={busy}>
              Log call
            </button>
            {interview ? (
              <a href={interview} target="_blank" rel="noreferrer">
                Open the survey for {name}
              </a>
            ) : (
              <button type="button" onClick={answer}>
                Answer survey with patient
              </button>
            )}
          </form>
          {error && (
            <p className="error-text" role="alert">
              {error}
            </p>
          )}
        </div>
      </td>
    </tr>
  );
}
