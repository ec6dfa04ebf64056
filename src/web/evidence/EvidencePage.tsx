import { useEffect, useState } from 'react';
import {
  improvementIsPositive,
  lessPainNegative,
  outcomeInWords as outcomeWords,
} from '../../core/evidence/summaries.ts';
import { patientLanguage } from '../../core/i18n/catalogues.ts';
import { EN } from '../../core/i18n/en.ts';
import { translator } from '../../core/i18n/translate.ts';
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

/**
 * The reader's language: `?lang=` (a clinic links to the page in a patient's language), else
 * the browser's first; a language without a catalogue reads English.
 */
const language = patientLanguage(
  new URLSearchParams(window.location.search).get('lang') ?? navigator.language,
);
const t = translator(language.locale, language.messages, EN);

/** The public page (no login): what the trials show, the placebo response, harms, regulation. */
export function EvidencePage() {
  const [data, setData] = useState<EvidenceOverview | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<EvidenceOverview>('GET', '/evidence')
      .then(setData)
      .catch((e: unknown) =>
        setError(e instanceof ApiError && e.status === 0 ? e.message : t('evidence.failed')),
      );
  }, []);
  useEffect(() => {
    document.title = t('evidence.documentTitle');
    document.documentElement.lang = language.locale;
    document.documentElement.dir = language.dir;
  }, []);
  if (error) return <p className="page error-text">{error}</p>;
  if (!data) return <p className="page">{t('evidence.loading')}</p>;
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
      <h1>{t('evidence.title')}</h1>
      <p>{t('evidence.intro')}</p>

      <section aria-labelledby="what">
        <h2 id="what">{t('evidence.what.title')}</h2>
        <p>{t('evidence.what.body')}</p>
      </section>

      <section aria-labelledby="trials">
        <h2 id="trials">{t('evidence.trials.title')}</h2>
        <p>{t('evidence.trials.body')}</p>
        <p className="sign-rule">
          <strong>{t('evidence.signs.label')}</strong> {t('evidence.signs.body')}
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
          <p className="muted">{t('evidence.noPooling')}</p>
        )}
      </section>

      <section aria-labelledby="placebo">
        <h2 id="placebo">{t('evidence.placebo.title')}</h2>
        <p>{t('evidence.placebo.body')}</p>
        <ul className="evidence-list">
          {placebo.map((s) => (
            <SummaryItem key={`${s.source}-${s.outcome}-${s.what}`} s={s} />
          ))}
        </ul>
      </section>

      <section aria-labelledby="harms">
        <h2 id="harms">{t('evidence.harms.title')}</h2>
        <p>{t('evidence.harms.body')}</p>
        <ul className="evidence-list">
          {harms.map((s) => (
            <SummaryItem key={`${s.source}-${s.outcome}`} s={s} />
          ))}
        </ul>
      </section>

      <section aria-labelledby="rules">
        <h2 id="rules">{t('evidence.rules.title')}</h2>
        <ul className="evidence-list">
          {data.regulatory.statements.map((r) => (
            <li key={r.region}>
              <strong>{r.region}:</strong> {r.statement}{' '}
              <span className="muted">
                {t('evidence.source')} <a href={r.url}>{r.source}</a>{' '}
                {t('evidence.read', { date: formatDate(r.read) })}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="find">
        <h2 id="find">{t('evidence.find.title')}</h2>
        <p>{t('evidence.find.body')}</p>
        <ul>
          {data.regulatory.trialRegistries.map((r) => (
            <li key={r.url}>
              <a href={r.url}>{r.name}</a>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="sources">
        <h2 id="sources">{t('evidence.sources.title')}</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('evidence.col.trial')}</th>
                <th scope="col">{t('evidence.col.products')}</th>
                <th scope="col">{t('evidence.col.outcomes')}</th>
                <th scope="col">{t('evidence.col.source')}</th>
              </tr>
            </thead>
            <tbody>
              {data.studies.map((s) => (
                <tr key={s.study}>
                  <td>
                    {s.study}
                    {s.partlyVerified ? ` ${t('evidence.partlyVerified')}` : ''}
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
