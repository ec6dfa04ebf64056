import { useEffect, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { count } from '../ui/format.ts';
import { Reflow } from '../ui/Reflow.tsx';

interface Threshold {
  value: number;
  population: string;
  source: string;
}
interface Loinc {
  code: string;
  display: string;
  source: string;
}
interface CatalogueScale {
  id: string;
  name: string;
  shortName: string;
  itemCount: number;
  scoring: string;
  minAnswered: number;
  missingRule: string;
  range: [number, number];
  higherIsBetter: boolean;
  mcid: Threshold | null;
  pass: Threshold | null;
  relativeMcid: Threshold | null;
  loinc: Loinc | null;
  caveat: Caveat | null;
}
/** What could not be checked, shown where the clinic reads the form. */
interface Caveat {
  label: string;
  detail: string;
}
interface CatalogueEntry {
  id: string;
  name: string;
  shortName: string;
  version: string;
  joints: string[];
  builtIn: boolean;
  offeredByDefault: boolean;
  askedWithin: string[];
  itemCount: number;
  source: string;
  termsOfUse: string;
  loinc: Loinc | null;
  caveat: Caveat | null;
  askedAt: 'any' | 'follow-up';
  scales: CatalogueScale[];
}

/** Every questionnaire the registry can ask, and what its scores rest on. */
export function InstrumentsPage() {
  const [catalogue, setCatalogue] = useState<CatalogueEntry[] | null>(null);
  const [loadError, setLoadError] = useState('');
  useEffect(() => {
    api<CatalogueEntry[]>('GET', '/instruments')
      .then(setCatalogue)
      .catch((e: unknown) => setLoadError(e instanceof ApiError ? e.message : String(e)));
  }, []);
  if (loadError) return <p className="error-text">{loadError}</p>;
  if (!catalogue) return <p>Loading…</p>;
  const shortNameOf = (id: string) => catalogue.find((c) => c.id === id)?.shortName ?? id;
  return (
    <>
      <h1>Questionnaires</h1>
      <p>
        The questionnaires this registry can ask, scored by each one's published rules. Every
        threshold names the population it was found in and where it was read. A registry holding a
        licence for another questionnaire (WOMAC, Oxford, EQ-5D) adds its definition file with{' '}
        <code>stemtrack import-instrument FILE.json</code>.
      </p>
      <nav aria-label="Questionnaires on this page">
        <ul className="inline-list">
          {catalogue.map((entry) => (
            <li key={entry.id}>
              <a href={`#instrument-${entry.id}`}>{entry.shortName}</a>
            </li>
          ))}
        </ul>
      </nav>
      {catalogue.map((entry) => (
        <section
          key={entry.id}
          id={`instrument-${entry.id}`}
          aria-labelledby={`instrument-${entry.id}-title`}
        >
          <h2 id={`instrument-${entry.id}-title`}>
            {entry.shortName} — {entry.name}
          </h2>
          <ul className="facts">
            <li>
              {count(entry.itemCount, 'item')} · version {entry.version} ·{' '}
              {entry.joints.includes('any') ? 'any joint' : entry.joints.join(', ')}
            </li>
            <li>
              {entry.offeredByDefault
                ? 'Asked on every survey for these joints.'
                : 'Opt-in: choose it under “Also ask” when issuing a survey link.'}
              {entry.askedWithin.length > 0 &&
                ` Its items are all in ${entry.askedWithin.map(shortNameOf).join(', ')}: asked together, it adds no question.`}
            </li>
            {entry.askedAt === 'follow-up' && <li>Asked at follow-up only, never at baseline.</li>}
            {entry.caveat && (
              <li>
                <strong>{entry.caveat.label}.</strong> {entry.caveat.detail}
              </li>
            )}
            {entry.scales
              .filter((scale) => scale.caveat)
              .map((scale) => (
                <li key={scale.id}>
                  <strong>
                    {scale.name}: {scale.caveat?.label.toLowerCase()}.
                  </strong>{' '}
                  {scale.caveat?.detail}
                </li>
              ))}
            {!entry.builtIn && <li>Imported by this registry under its own licence.</li>}
            {entry.loinc && (
              <li>
                LOINC {entry.loinc.code} ({entry.loinc.display})
              </li>
            )}
            <li>
              <a href={`/api/instruments/${entry.id}/fhir`} download={`${entry.id}.fhir.json`}>
                FHIR R4 Questionnaire (JSON)
              </a>
            </li>
          </ul>
          <Reflow>
            <table>
              <caption>{entry.shortName} scores</caption>
              <thead>
                <tr>
                  <th scope="col">Score</th>
                  <th scope="col">Range</th>
                  <th scope="col">Items needed</th>
                  <th scope="col">MCID</th>
                  <th scope="col">PASS</th>
                  <th scope="col">LOINC</th>
                </tr>
              </thead>
              <tbody>
                {entry.scales.map((scale) => (
                  <tr key={scale.id}>
                    <th scope="row">{scale.name}</th>
                    <td>
                      {scale.range[0]}–{scale.range[1]}, best{' '}
                      {scale.higherIsBetter ? scale.range[1] : scale.range[0]}
                    </td>
                    <td>
                      {scale.minAnswered} of {scale.itemCount}
                    </td>
                    <td>{scale.mcid ? count(scale.mcid.value, 'point') : '—'}</td>
                    <td>{scale.pass ? `${scale.pass.value} or better` : '—'}</td>
                    <td>{scale.loinc?.code ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Reflow>
          <details>
            <summary>How {entry.shortName} is scored, and the sources</summary>
            <dl>
              {entry.scales.map((scale) => (
                <div key={scale.id}>
                  <dt>{scale.name}</dt>
                  <dd>
                    {scale.scoring} Missing items: {scale.missingRule}
                    {scale.mcid && (
                      <>
                        {' '}
                        MCID {scale.mcid.value}: {scale.mcid.population}; {scale.mcid.source}.
                      </>
                    )}
                    {scale.relativeMcid && (
                      <>
                        {' '}
                        Relative MCID, a fall of {Math.round(scale.relativeMcid.value * 100)}%:{' '}
                        {scale.relativeMcid.population}; {scale.relativeMcid.source}.
                      </>
                    )}
                    {scale.pass && (
                      <>
                        {' '}
                        PASS {scale.pass.value}: {scale.pass.population}; {scale.pass.source}.
                      </>
                    )}
                    {scale.loinc && <> LOINC: {scale.loinc.source}.</>}
                  </dd>
                </div>
              ))}
              <div>
                <dt>Source</dt>
                <dd>{entry.source}</dd>
              </div>
              <div>
                <dt>Terms of use</dt>
                <dd>{entry.termsOfUse}</dd>
              </div>
            </dl>
          </details>
        </section>
      ))}
    </>
  );
}
