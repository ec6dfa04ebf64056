import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { Link } from '../router.tsx';
import { FIELD_LABELS } from '../ui/Field.tsx';
import { capitalise, formatDate, productLabel } from '../ui/format.ts';

interface OpenQuery {
  rule: string;
  field: string;
  severity: 'implausible' | 'missing';
  message: string;
}
interface QueryRecord {
  treatmentId: string;
  patientId: string;
  registryId: string;
  joint: string;
  side: string;
  treatmentDate: string;
  productClass: string;
  queries: OpenQuery[];
}
interface Rule {
  code: string;
  field: string;
  impossible: { min: number; max: number };
  implausible: { min: number; max: number } | null;
  source: string;
}
interface DataQuality {
  records: QueryRecord[];
  openQueries: number;
  rules: Rule[];
}

const SEVERITY_WORDS: Record<OpenQuery['severity'], string> = {
  implausible: 'Unusual value, confirmed at entry',
  missing: 'Not recorded',
};

/**
 * The records with open data-quality queries (REDCap's data-quality module is the model): an
 * unusual value saved with a confirmation, or a value the classifications need. A query
 * closes when the record is corrected or a clinician verifies it here.
 */
export function DataQualityPage() {
  const [data, setData] = useState<DataQuality | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const load = useCallback(() => {
    api<DataQuality>('GET', '/data-quality')
      .then(setData)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, []);
  useEffect(load, [load]);

  const verify = async (r: QueryRecord, q: OpenQuery) => {
    setError('');
    try {
      await api('POST', '/data-quality/reviews', {
        treatmentId: r.treatmentId,
        rule: q.rule,
        field: q.field,
      });
      setDone(`Verified: ${r.registryId}, ${FIELD_LABELS[q.field] ?? q.field}.`);
      load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <section aria-labelledby="dq-title">
      <h1 id="dq-title">Data quality</h1>
      <p>
        Treatments with open queries: values outside the usual range that were confirmed when they
        were saved, and values PAW, PLRA or the cell dose need that were not recorded. Correct the
        record from the patient’s page, or verify the query here if the value is right or was not
        measured.
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <p role="status">{done}</p>
      {!data ? (
        <p>Loading…</p>
      ) : data.records.length === 0 ? (
        <p>No open queries.</p>
      ) : (
        <>
          <p>
            {data.openQueries} open {data.openQueries === 1 ? 'query' : 'queries'} on{' '}
            {data.records.length} {data.records.length === 1 ? 'treatment' : 'treatments'}.
          </p>
          <ul className="dq-list">
            {data.records.map((r) => (
              <li key={r.treatmentId} className="card">
                <h2 className="dq-record">
                  <Link to={`/patients/${r.patientId}`}>{r.registryId}</Link>: {capitalise(r.side)}{' '}
                  {r.joint}, {formatDate(r.treatmentDate)}, {productLabel(r.productClass)}
                </h2>
                <ul>
                  {r.queries.map((q) => (
                    <li key={`${q.rule}|${q.field}`}>
                      <strong>{SEVERITY_WORDS[q.severity]}</strong>: {q.message}{' '}
                      <button type="button" className="link-button" onClick={() => verify(r, q)}>
                        {q.severity === 'missing'
                          ? 'Verify: not measured'
                          : 'Verify: value is right'}
                        <span className="visually-hidden">
                          {' '}
                          ({FIELD_LABELS[q.field] ?? q.field}, {r.registryId})
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      )}
      {data && (
        <details>
          <summary>The rules and where their ranges come from</summary>
          <table>
            <caption className="visually-hidden">Data-quality ranges</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Refused outside</th>
                <th scope="col">Asks to confirm outside</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {data.rules.map((rule) => (
                <tr key={rule.code}>
                  <td>{FIELD_LABELS[rule.field] ?? rule.field}</td>
                  <td>
                    {rule.impossible.min}–{rule.impossible.max}
                  </td>
                  <td>
                    {rule.implausible ? `${rule.implausible.min}–${rule.implausible.max}` : '—'}
                  </td>
                  <td>{rule.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}
