import { useEffect, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { formatInterval, formatValue } from '../evidence/format.ts';
import type { ContextLine, RegistryComparison } from '../evidence/types.ts';
import { count } from '../ui/format.ts';

function Line({ line, strong }: { line: ContextLine; strong?: boolean }) {
  return (
    <li className={strong ? 'context-line registry-line' : 'context-line'}>
      <div>
        <strong>{line.label}</strong>
      </div>
      <div className="context-figure">
        {formatValue(line.estimate)}{' '}
        <span className="muted">({formatInterval(line.ciLower, line.ciUpper)})</span>
      </div>
      <p>{line.meaning}</p>
      <p className="muted">Source: {line.source}</p>
    </li>
  );
}

/** Your site's uncontrolled change in pain beside the trial evidence, at 6 and 12 months. */
export function RegistryEvidencePage() {
  const [data, setData] = useState<RegistryComparison[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<{ comparisons: RegistryComparison[] }>('GET', '/evidence/registry')
      .then((r) => setData(r.comparisons))
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, []);
  if (error) return <p className="error-text">{error}</p>;
  if (!data) return <p>Loading…</p>;
  return (
    <>
      <h1>Registry vs evidence</h1>
      <p>
        Patients treated with cell-based injections at your site, their change in pain (NRS pain
        0–10), beside what trials found. Read the words under each number: a change in a registry
        has no control group and is not a treatment effect.{' '}
        <a href="/evidence">The public evidence page</a> has the full picture.
      </p>
      <p className="sign-rule">
        <strong>How to read the signs:</strong> every pain number on this page is negative for less
        pain: a change below 0 is less pain than before the injection, and a difference below 0 is
        less pain with cells than with the control.
      </p>
      {data.map((c) => (
        <section key={c.months} className="card" aria-labelledby={`m${c.months}`}>
          <h2 id={`m${c.months}`}>{count(c.months, 'month')} after treatment</h2>
          <ul className="context-list">
            <Line line={c.registry} strong />
          </ul>
          <h3>Pain change with a placebo in trials</h3>
          <ul className="context-list">
            {c.placebo.map((l) => (
              <Line key={l.label + l.source} line={l} />
            ))}
          </ul>
          <h3>Cells versus control in randomised trials</h3>
          {c.controlled.length === 0 ? (
            <p className="muted">No pooled controlled result for this time point in the dataset.</p>
          ) : (
            <ul className="context-list">
              {c.controlled.map((l) => (
                <Line key={l.label + l.source} line={l} />
              ))}
            </ul>
          )}
        </section>
      ))}
    </>
  );
}
