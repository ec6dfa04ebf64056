import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { auditActionWords, auditEventWords } from './audit-words.ts';

interface AuditEntry {
  id: string;
  at: string;
  actorKind: string;
  actorEmail: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  registryId: string | null;
  detail: string | null;
}
interface AuditPageData {
  total: number;
  rows: AuditEntry[];
  page: number;
  pageSize: number;
  actions: string[];
}
interface Verification {
  ok: boolean;
  rows: number;
  chains: number;
  problems: { id: string | null; message: string }[];
}

const FILTERS = ['registryId', 'user', 'action', 'from', 'to'] as const;
type Filter = Partial<Record<(typeof FILTERS)[number], string>>;

const queryOf = (filter: Filter, page?: number) => {
  const q = new URLSearchParams();
  for (const key of FILTERS) if (filter[key]) q.set(key, filter[key] ?? '');
  if (page && page > 1) q.set('page', String(page));
  const text = q.toString();
  return text ? `?${text}` : '';
};

const who = (e: AuditEntry) =>
  e.actorEmail ?? (e.actorKind === 'patient-link' ? 'patient (survey link)' : e.actorKind);

/** Admins read who did what, when, to which patient; and check that nobody changed it. */
export function AuditPage() {
  const [filter, setFilter] = useState<Filter>({});
  const [page, setPage] = useState(1);
  const [data, setData] = useState<AuditPageData | null>(null);
  const [error, setError] = useState('');
  const [check, setCheck] = useState<Verification | null>(null);
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    setError('');
    api<AuditPageData>('GET', `/audit${queryOf(filter, page)}`)
      .then(setData)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [filter, page]);

  const onFilter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Filter = {};
    for (const key of FILTERS) {
      const value = String(form.get(key) ?? '').trim();
      if (value) next[key] = value;
    }
    setPage(1);
    setFilter(next);
  };

  const verify = async () => {
    setChecking(true);
    try {
      setCheck(await api<Verification>('GET', '/audit/verify'));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setChecking(false);
    }
  };

  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <>
      <h1>Audit log</h1>
      <p>
        Everything done at your site, newest first: who, when, what, and to which patient. Rows
        cannot be changed; each is chained to the one before it by a hash, so a change made behind
        StemTrack's back shows when the log is checked. Reading the log is recorded in it too.
      </p>
      <form className="filters" onSubmit={onFilter} aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-patient">Patient (registry id)</label>
          <input id="audit-patient" name="registryId" defaultValue={filter.registryId ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="audit-user">User (e-mail)</label>
          <input id="audit-user" name="user" defaultValue={filter.user ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" name="action" defaultValue={filter.action ?? ''}>
            <option value="">Any</option>
            {(data?.actions ?? []).map((a) => (
              <option key={a} value={a}>
                {auditActionWords(a)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" name="from" type="date" defaultValue={filter.from ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input id="audit-to" name="to" type="date" defaultValue={filter.to ?? ''} />
        </div>
        <button type="submit">Show</button>
      </form>
      <p>
        <a href={`/api/audit/log.csv${queryOf(filter)}`} download>
          Download these rows (CSV)
        </a>{' '}
        <button type="button" onClick={verify} disabled={checking}>
          {checking ? 'Checking…' : 'Check the log for changes'}
        </button>
      </p>
      {check && (
        <div role="status">
          {check.ok ? (
            <p>
              The log is whole: {check.rows} rows in {check.chains} chains, every hash as written.
            </p>
          ) : (
            <>
              <p className="error-text">The audit log was changed behind StemTrack's back:</p>
              <ul>
                {check.problems.map((p) => (
                  <li key={`${p.id}-${p.message}`}>{p.message}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <p>Loading…</p>}
      {data && (
        <>
          <p className="muted" aria-live="polite">
            {data.total === 0
              ? 'No rows match.'
              : `${data.total} rows; page ${data.page} of ${pages}.`}
          </p>
          <ol className="audit-entries">
            {data.rows.map((e) => (
              <li key={e.id}>
                <strong>{auditEventWords(e.action, e.entity)}</strong>{' '}
                <span className="muted">
                  <time dateTime={e.at}>{e.at.replace('T', ' ').replace('Z', ' UTC')}</time> · by{' '}
                  {who(e)}
                  {e.registryId ? ` · patient ${e.registryId}` : ''} · #{e.id}
                </span>
                {e.detail && (
                  <div>
                    <code>{e.detail}</code>
                  </div>
                )}
              </li>
            ))}
          </ol>
          <nav className="pager" aria-label="Audit log pages">
            <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Newer
            </button>
            <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Older
            </button>
          </nav>
        </>
      )}
    </>
  );
}
