import type { CurrentUser } from './session.ts';

const FILES = [
  ['scores.csv', 'Scores (CSV)', 'One row per patient × time point × score.'],
  ['data-dictionary.csv', 'Data dictionary (CSV)', 'What each column of the scores file holds.'],
  [
    'bundle.json',
    'FHIR R4 Bundle (JSON)',
    'Patient, Procedure, QuestionnaireResponse, Observation.',
  ],
] as const;

/** Research exports: de-identified for everyone; identified files for admins only. */
export function ExportsPage({ user }: { user: CurrentUser }) {
  return (
    <>
      <h1>Exports</h1>
      <p>
        De-identified: patients appear as study ids that stay the same in every export, each
        patient's dates move by their own 1–180 days (intervals are kept), and ages over 89 read
        "90+". Every download is recorded in the audit log.
      </p>
      <ul className="downloads">
        {FILES.map(([file, label, what]) => (
          <li key={file}>
            <a href={`/api/export/${file}`} download>
              {label}
            </a>{' '}
            <span className="muted">{what}</span>
          </li>
        ))}
      </ul>
      {user.role === 'admin' && (
        <>
          <h2>Identified exports (admins)</h2>
          <p>
            With names, birth dates, registry ids and real dates. Only for care and for research the
            patients consented to; each download is audited under your name.
          </p>
          <ul className="downloads">
            {FILES.map(([file, label]) => (
              <li key={file}>
                <a href={`/api/export/${file}?identified=true`} download>
                  {label}, identified
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
