import { useEffect, useState } from 'react';
import { DEFAULT_SCHEDULE } from '../../core/schedule/timepoints.ts';
import type { FlowStep, WorklistRow } from '../../core/schedule/worklist.ts';
import { ApiError, api } from '../api.ts';
import { Link } from '../router.tsx';
import { count, formatDate } from '../ui/format.ts';
import { Reflow } from '../ui/Reflow.tsx';
import { OutreachSection } from './OutreachSection.tsx';

type Row = WorklistRow;
type Step = FlowStep;
interface Undelivered {
  id: number;
  assignmentId: string | null;
  message: string | null;
  attempts: number;
  lastError: string | null;
}
interface Overview {
  today: string;
  worklist: Row[];
  /** Every row the filter matches; `worklist` holds the first of them. */
  worklistTotal: number;
  flow: { enrolled: number; steps: Step[] };
}

const STATUSES = [
  ['', 'Due and overdue'],
  ['due', 'Due'],
  ['overdue', 'Overdue'],
  ['missed', 'Missed'],
  ['completed', 'Completed'],
  ['upcoming', 'Upcoming'],
  ['ended', 'Follow-up ended'],
] as const;

/** Why a patient is no longer followed up, in the clinic's words. */
const ENDED_BECAUSE: Record<string, string> = {
  deceased: 'died',
  'lost-to-follow-up': 'lost to follow-up',
  withdrawn: 'withdrew consent',
};

/** A time point a coordinator can still print a paper questionnaire for: open, link issued. */
const printable = (r: Row) => r.invited && (r.status === 'due' || r.status === 'overdue');

/**
 * The follow-up worklist and completeness per time point (CONSORT-style flow). Staff who enter
 * data (`canEnter`) also find paper forms here: printing one and entering it when it comes back.
 */
export function FollowUpPage({ canEnter = false }: { canEnter?: boolean }) {
  const [status, setStatus] = useState('');
  const [timepoint, setTimepoint] = useState('');
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState('');
  const [undelivered, setUndelivered] = useState<Undelivered[]>([]);
  useEffect(() => {
    // Researchers may not see this list (403); the page simply leaves it out.
    api<{ undelivered: Undelivered[] }>('GET', '/follow-up/undelivered')
      .then((r) => setUndelivered(r.undelivered))
      .catch(() => setUndelivered([]));
  }, []);
  useEffect(() => {
    setData(null);
    const query = new URLSearchParams();
    if (status) query.set('status', status);
    if (timepoint) query.set('timepoint', timepoint);
    api<Overview>('GET', `/follow-up${query.size > 0 ? `?${query}` : ''}`)
      .then(setData)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [status, timepoint]);
  return (
    <>
      <h1>Follow-up</h1>
      <div className="field narrow">
        <label htmlFor="status-filter">Show</label>
        <select id="status-filter" value={status} onChange={(e) => setStatus(e.target.value)}>
          {STATUSES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field narrow">
        <label htmlFor="timepoint-filter">Time point</label>
        <select
          id="timepoint-filter"
          value={timepoint}
          onChange={(e) => setTimepoint(e.target.value)}
        >
          <option value="">All time points</option>
          {DEFAULT_SCHEDULE.map((tp) => (
            <option key={tp.id} value={tp.id}>
              {tp.label}
            </option>
          ))}
        </select>
      </div>
      {error && <p className="error-text">{error}</p>}
      {canEnter && (
        <section className="card" aria-labelledby="paper-forms">
          <h2 id="paper-forms">Paper forms</h2>
          <p>
            To give a patient their questionnaire on paper, follow <em>Print on paper</em> beside a
            due or overdue time point below (or open the patient: each open survey has Print paper
            form). When the form comes back,{' '}
            <Link to="/paper-forms">enter returned paper forms</Link>.
          </p>
        </section>
      )}
      {undelivered.length > 0 && (
        <section className="card" aria-labelledby="undelivered">
          <h2 id="undelivered">E-mails that could not be sent</h2>
          <p>
            These survey e-mails failed every attempt. Check the patient's address or send the link
            yourself.
          </p>
          <ul>
            {undelivered.map((u) => (
              <li key={u.id}>
                {u.message ?? 'message'} after {count(u.attempts, 'attempt')}: {u.lastError}
              </li>
            ))}
          </ul>
        </section>
      )}
      {!data && !error && <p>Loading…</p>}
      {data && (
        <>
          <p className="muted">
            {count(data.worklistTotal, 'time point')} as of {formatDate(data.today)}.
            {data.worklistTotal > data.worklist.length &&
              ` Showing the first ${data.worklist.length}: choose a status or a time point to narrow the list.`}
          </p>
          <Reflow>
            <table className="worklist">
              <thead>
                <tr>
                  <th scope="col">Patient</th>
                  <th scope="col">Time point</th>
                  <th scope="col">Target date</th>
                  <th scope="col">Window</th>
                  <th scope="col">Status</th>
                  <th scope="col">Link sent</th>
                </tr>
              </thead>
              <tbody>
                {data.worklist.map((r) => (
                  <tr key={`${r.episodeId}-${r.timepoint}`}>
                    <td>
                      <Link to={`/patients/${r.patientId}`}>{r.registryId}</Link>
                    </td>
                    <td>{r.label}</td>
                    <td>{formatDate(r.window.target)}</td>
                    {/* Longer values in a block, so a phone's card keeps them beside their heading. */}
                    <td>
                      <div>
                        {formatDate(r.window.opens)} to {formatDate(r.window.closes)}
                      </div>
                    </td>
                    <td>
                      <div className={`flag flag-${r.status}`}>
                        {r.status === 'ended'
                          ? `follow-up ended (${ENDED_BECAUSE[r.endedBecause ?? ''] ?? 'not active'})`
                          : r.status}
                      </div>
                    </td>
                    <td>
                      {r.invited ? 'yes' : 'no'}
                      {canEnter && printable(r) && (
                        <>
                          {' · '}
                          <Link to={`/patients/${r.patientId}`}>
                            Print on paper
                            <span className="visually-hidden">
                              {' '}
                              for {r.registryId}, {r.label}
                            </span>
                          </Link>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Reflow>
          <h2>Completeness per time point</h2>
          <p>
            {count(data.flow.enrolled, 'treated joint')}. Completeness counts answered time points
            among those whose window has closed or that were answered; an open window does not count
            against you.
          </p>
          <Reflow>
            <table className="flow">
              <thead>
                <tr>
                  <th scope="col">Time point</th>
                  <th scope="col">Reached</th>
                  <th scope="col">Invited</th>
                  <th scope="col">Completed</th>
                  <th scope="col">Lost</th>
                  <th scope="col">Completeness</th>
                </tr>
              </thead>
              <tbody>
                {data.flow.steps.map((s) => (
                  <tr key={s.timepoint}>
                    <td>{s.label}</td>
                    <td>{s.reached}</td>
                    <td>{s.invited}</td>
                    <td>{s.completed}</td>
                    <td>{s.lost}</td>
                    <td>
                      {s.completeness === null ? '–' : `${Math.round(s.completeness * 100)}%`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Reflow>
          <OutreachSection />
        </>
      )}
    </>
  );
}
