import { useEffect, useState } from 'react';
import {
  improvementIsPositive,
  lessPainNegative,
  outcomeInWords as outcomeWords,
} from '../../core/evidence/summaries.ts';
import { ApiError, api } from '../api.ts';
import { EngineSvg } from '../ui/EngineSvg.tsx';
import { count, formatDate } from '../ui/format.ts';
import { formatInterval, formatValue } from './format.ts';
import type { EvidenceOverview, PublishedSummary } from './types.ts';

function SummaryItem({ s: published }: { s: PublishedSummary }) {
  // Every pain number on the page in one sign: negative = less pain.
  const s = lessPainNegative(published);
  const when = s.timepointMonths ? ` at ${count(s.timepointMonths, 'month')}` : '';
  const size = [
    s.kStudies ? count(s.kStudies, 'trial') : '',
    s.nPatients ? count(s.nPatients, 'patient') : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <li>
      {s.estimate === null ? (
        <>
          <strong>{s.comparison}</strong>: {s.verifiedFrom}
        </>
      ) : (
        <>
          <strong>
            {s.measure} {formatValue(s.estimate)}
          </strong>{' '}
          ({formatInterval(s.ciLower, s.ciUpper)}) in {outcomeWords(s.outcome)}
          {when}, {s.comparison}
        </>
      )}
      <span className="muted">
        {' '}
        — {s.population}
        {size ? `; ${size}` : ''}. Source: {s.source}
        {s.doiOrId ? ` (${s.doiOrId})` : ''}, read from the {s.verifiedFrom.replace(/ \(.*\)$/, '')}
        {improvementIsPositive(published)
          ? '; the source reports less pain as a positive effect size, shown here with its sign turned'
          : ''}
        .
      </span>
    </li>
  );
}

/** The public page (no login): what the trials show, the placebo response, harms, regulation. */
export function EvidencePage() {
  const [data, setData] = useState<EvidenceOverview | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<EvidenceOverview>('GET', '/evidence')
      .then(setData)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, []);
  useEffect(() => {
    document.title = 'Stem cell injections for joint pain: the evidence · StemTrack';
  }, []);
  if (error) return <p className="page error-text">{error}</p>;
  if (!data) return <p className="page">Loading…</p>;
  const controlled = data.summaries.filter(
    (s) => /vs control|vs corticosteroid/i.test(s.comparison) && !/adverse/i.test(s.outcome),
  );
  const placebo = data.summaries.filter((s) => /placebo|untreated/i.test(s.what));
  const harms = data.summaries.filter((s) => /adverse/i.test(s.outcome));
  const pooled = data.pooled.filter((p) => p.result);
  return (
    <main className="page evidence">
      <p>
        <a href="/">StemTrack</a>
      </p>
      <h1>Stem cell injections for joint pain: what the evidence says</h1>
      <p>
        This page is for patients and anyone deciding about a treatment. Every number on it comes
        from StemTrack's evidence engine and names the study or review it was read from.
      </p>

      <section aria-labelledby="what">
        <h2 id="what">What the treatment is</h2>
        <p>
          Cells are taken from a person's bone marrow or fat (or from donated umbilical cord
          tissue), sometimes grown in a laboratory, and injected into the painful joint, most often
          the knee with osteoarthritis. Some clinics inject a concentrate of bone marrow (BMAC) or
          fat tissue (SVF) without growing the cells. The hope is less pain and better function;
          whether the cells rebuild cartilage is not established.
        </p>
      </section>

      <section aria-labelledby="trials">
        <h2 id="trials">What randomised trials show</h2>
        <p>
          In a randomised trial, patients are allotted by chance to cells or to a comparison
          injection, so a difference between the groups can be put down to the treatment. A 95%
          confidence interval (CI) is the range the true difference plausibly lies in.
        </p>
        <p className="sign-rule">
          <strong>How to read the signs:</strong> on this page a negative pain number always means
          less pain: a difference below 0 means less pain with cells than with the comparison, and a
          change below 0 means less pain than before the injection.
        </p>
        <ul className="evidence-list">
          {controlled.map((s) => (
            <SummaryItem key={`${s.source}-${s.outcome}-${s.timepointMonths}`} s={s} />
          ))}
        </ul>
        {pooled.length > 0 ? (
          pooled.map((p) => (
            <figure key={`${p.scale}-${p.timepointMonths}`} className="card">
              <figcaption>
                StemTrack pooling of {count(p.result?.k ?? 0, 'trial comparison')}, {p.outcome} at{' '}
                {count(p.timepointMonths, 'month')}: {formatValue(p.result?.estimate)} (
                {formatInterval(p.result?.ciLower ?? null, p.result?.ciUpper ?? null)}
                ); in a new trial the difference could lie between {formatValue(p.result?.piLower)}{' '}
                and {formatValue(p.result?.piUpper)}.
              </figcaption>
              <EngineSvg
                svg={p.forestSvg ?? ''}
                label={`Forest plot: ${p.outcome} at ${count(p.timepointMonths, 'month')}`}
              />
            </figure>
          ))
        ) : (
          <p className="muted">
            StemTrack does not yet hold enough trial arm data (means, SDs and group sizes at the
            same time point) to pool the trials itself; the figures above are the published reviews'
            own.
          </p>
        )}
      </section>

      <section aria-labelledby="placebo">
        <h2 id="placebo">How much pain improves with a placebo</h2>
        <p>
          People given a salt-water (saline) injection in trials also report less pain. A clinic's
          before-and-after results therefore include this placebo response and cannot by themselves
          show that a treatment works.
        </p>
        <ul className="evidence-list">
          {placebo.map((s) => (
            <SummaryItem key={`${s.source}-${s.outcome}-${s.what}`} s={s} />
          ))}
        </ul>
      </section>

      <section aria-labelledby="harms">
        <h2 id="harms">Known harms</h2>
        <p>
          Risk ratios above 1 mean more adverse events with cells than with the comparison.
          Harvesting bone marrow or fat is itself a procedure with pain and bruising, and the FDA
          reports infections and other serious harms after unapproved cell products (see Regulatory
          status).
        </p>
        <ul className="evidence-list">
          {harms.map((s) => (
            <SummaryItem key={`${s.source}-${s.outcome}`} s={s} />
          ))}
        </ul>
      </section>

      <section aria-labelledby="rules">
        <h2 id="rules">Regulatory status</h2>
        <ul className="evidence-list">
          {data.regulatory.statements.map((r) => (
            <li key={r.region}>
              <strong>{r.region}:</strong> {r.statement}{' '}
              <span className="muted">
                Source: <a href={r.url}>{r.source}</a> (read {formatDate(r.read)}).
              </span>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="find">
        <h2 id="find">How to find a registered trial</h2>
        <p>
          If you want cell therapy, the safest route is a registered clinical trial: it has ethics
          approval, regulator oversight and should not charge you for the experimental treatment.
          Search these registries and ask the clinic for the trial's registration number.
        </p>
        <ul>
          {data.regulatory.trialRegistries.map((r) => (
            <li key={r.url}>
              <a href={r.url}>{r.name}</a>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="sources">
        <h2 id="sources">Trials in StemTrack's dataset</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Trial</th>
                <th scope="col">Products</th>
                <th scope="col">Outcomes</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {data.studies.map((s) => (
                <tr key={s.study}>
                  <td>
                    {s.study}
                    {s.partlyVerified ? ' (partly verified)' : ''}
                  </td>
                  <td>{s.products.join(', ')}</td>
                  <td>{s.outcomes.map(outcomeWords).join(', ')}</td>
                  <td>
                    {s.sources.map((u) => (
                      <a key={u} href={u} className="source-link">
                        {s.doiOrNct || 'source'}
                      </a>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </main>
  );
}
