import { type FormEvent, useEffect, useState } from 'react';
import { type ApiError, api } from '../api.ts';
import { Link } from '../router.tsx';
import { FormError } from '../ui/Field.tsx';
import { count, formatDate, label } from '../ui/format.ts';
import { Reflow } from '../ui/Reflow.tsx';
import type { CurrentUser } from './session.ts';

interface PatientRow {
  id: string;
  /** Clinicians and admins see the registry id; researchers the export's study id. */
  registryId?: string;
  studyId?: string;
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
  sex: string;
  episodes: number;
  responses: number;
}

const PAGE = 50;

export function PatientList({ user }: { user: CurrentUser }) {
  const [rows, setRows] = useState<PatientRow[]>([]);
  const [total, setTotal] = useState(0);
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const identified = user.role !== 'researcher';

  useEffect(() => {
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (query) params.set('search', query);
    api<{ total: number; patients: PatientRow[] }>('GET', `/patients?${params}`)
      .then((r) => {
        setRows(r.patients);
        setTotal(r.total);
        setError(null);
      })
      .catch(setError);
  }, [offset, query]);

  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setQuery(search.trim());
  };

  return (
    <section>
      <div className="heading-row">
        <h1>Patients</h1>
        {identified && (
          <Link to="/patients/new" className="button">
            Enrol patient
          </Link>
        )}
      </div>
      {identified && (
        <search>
          <form className="search" onSubmit={onSearch}>
            <label htmlFor="patient-search">Search by name or registry id</label>
            <div className="inline">
              <input
                id="patient-search"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
              />
              <button type="submit">Search</button>
            </div>
          </form>
        </search>
      )}
      <FormError error={error} />
      <p>
        {count(total, 'patient')} at {user.siteName}
        {query && ` · matching “${query}”: ${rows.length}${rows.length === PAGE ? '+' : ''}`}
      </p>
      <Reflow>
        <table>
          <thead>
            <tr>
              <th scope="col">{identified ? 'Registry id' : 'Study id'}</th>
              {identified && <th scope="col">Name</th>}
              {identified && <th scope="col">Born</th>}
              <th scope="col">Sex</th>
              <th scope="col">Joints</th>
              <th scope="col">Responses</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/patients/${p.id}`}>{identified ? p.registryId : p.studyId}</Link>
                </td>
                {identified && (
                  <td>
                    {p.familyName}, {p.givenName}
                  </td>
                )}
                {identified && <td>{formatDate(p.dateOfBirth)}</td>}
                <td>{label(p.sex)}</td>
                <td>{p.episodes}</td>
                <td>{p.responses}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Reflow>
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          disabled={offset === 0}
          onClick={() => setOffset(Math.max(0, offset - PAGE))}
        >
          Previous
        </button>
        <span>
          {rows.length ? offset + 1 : 0}–{offset + rows.length}
        </span>
        <button
          type="button"
          disabled={rows.length < PAGE}
          onClick={() => setOffset(offset + PAGE)}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
