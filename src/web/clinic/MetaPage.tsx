import { type ChangeEvent, useState } from 'react';
import type { MetaAnalysis } from '../../core/stats/meta.ts';
import { api } from '../api.ts';
import { formatInterval, formatValue } from '../evidence/format.ts';
import { EngineSvg } from '../ui/EngineSvg.tsx';
import { Field, FormError } from '../ui/Field.tsx';
import { count } from '../ui/format.ts';
import { useFormSubmit } from '../ui/useFormSubmit.ts';

type Fit = MetaAnalysis;
interface MetaReply {
  measure: string;
  result: Fit;
  egger: { z: number; p: number } | null;
  subgroups: {
    groups: { name: string; result: Fit }[];
    qBetween: number;
    df: number;
    pBetween: number;
  } | null;
  forestSvg: string;
  funnelSvg: string;
}

const p = (value: number) => (value < 0.001 ? '< 0.001' : `= ${value.toFixed(3)}`);

/** Meta-analysis of pasted or uploaded study data, with forest and funnel plots. */
export function MetaPage() {
  const [csv, setCsv] = useState('');
  const [reply, setReply] = useState<MetaReply | null>(null);
  const { error, busy, onSubmit } = useFormSubmit(async (values) => {
    setReply(null);
    setReply(
      await api<MetaReply>('POST', '/meta', {
        csv: values.csv,
        ...(values.measure ? { measure: values.measure } : {}),
        method: values.method,
        ci: values.ci,
      }),
    );
  });
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) setCsv(await file.text());
  };
  const csvProblems = error?.fields.filter((f) => f.field.startsWith('csv')) ?? [];
  return (
    <>
      <h1>Meta-analysis</h1>
      <p>
        One row per study: <code>study,yi,vi</code> (effect and its variance) or{' '}
        <code>study,n1,mean1,sd1,n2,mean2,sd2</code> (arm 1 minus arm 2), optionally with a{' '}
        <code>subgroup</code> column such as the cell source. Results agree with R's metafor
        package.
      </p>
      <form onSubmit={onSubmit} noValidate className="narrow">
        <Field label="Upload a CSV file" name="file">
          {(props) => <input {...props} type="file" accept=".csv,text/csv" onChange={onFile} />}
        </Field>
        <Field label="Studies (CSV)" name="csv">
          {(props) => (
            <textarea
              {...props}
              rows={10}
              value={csv}
              onChange={(e) => setCsv(e.target.value)}
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Effect measure" name="measure" hint="Default: GEN for yi,vi; MD for arm data">
          {(props) => (
            <select {...props} defaultValue="">
              <option value="">From the columns</option>
              <option value="MD">Mean difference (MD)</option>
              <option value="SMD">Standardised mean difference (Hedges' g)</option>
              <option value="GEN">Given effect sizes (GEN)</option>
            </select>
          )}
        </Field>
        <Field label="Between-study variance (tau²) estimator" name="method">
          {(props) => (
            <select {...props} defaultValue="REML">
              <option value="REML">REML (random effects)</option>
              <option value="DL">DerSimonian–Laird (random effects)</option>
              <option value="PM">Paule–Mandel (random effects)</option>
              <option value="FE">Common effect (no tau²)</option>
            </select>
          )}
        </Field>
        <Field label="Confidence interval" name="ci">
          {(props) => (
            <select {...props} defaultValue="z">
              <option value="z">Normal (z)</option>
              <option value="knha">Hartung–Knapp–Sidik–Jonkman (t)</option>
            </select>
          )}
        </Field>
        <FormError error={error} />
        {csvProblems.length > 0 && (
          <ul className="error-text" aria-label="Problems in the CSV">
            {csvProblems.map((f) => (
              <li key={f.field + f.message}>
                {f.field}: {f.message}
              </li>
            ))}
          </ul>
        )}
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Computing…' : 'Run meta-analysis'}
        </button>
      </form>
      {reply && (
        <section aria-labelledby="meta-result" className="card">
          <h2 id="meta-result">Pooled result</h2>
          <p className="sign-rule">
            <strong>How to read the signs:</strong> every effect here is arm 1 minus arm 2 (or your{' '}
            <code>yi</code> as given). With pain scores, where lower is less pain, a negative effect
            means less pain in arm 1.
          </p>
          <p className="context-figure">
            {formatValue(reply.result.estimate, 3)}{' '}
            <span className="muted">
              ({formatInterval(reply.result.ciLower, reply.result.ciUpper, 3)})
            </span>
          </p>
          <ul>
            <li>
              {count(reply.result.k, 'study', 'studies')};{' '}
              {reply.result.method === 'FE'
                ? 'common-effect model'
                : `random effects, tau² by ${reply.result.method}`}
              {reply.result.ci === 'knha' ? ', HKSJ interval' : ''}
            </li>
            {reply.result.method !== 'FE' && (
              <li>
                95% prediction interval {formatValue(reply.result.piLower, 3)} to{' '}
                {formatValue(reply.result.piUpper, 3)}
              </li>
            )}
            <li>
              Heterogeneity: tau² = {formatValue(reply.result.tau2, 4)}, I² ={' '}
              {reply.result.i2.toFixed(1)}%, Q = {formatValue(reply.result.q)} (p{' '}
              {p(reply.result.qPvalue)})
            </li>
            <li>
              {reply.egger
                ? `Egger's test for funnel asymmetry: z = ${formatValue(reply.egger.z)}, p ${p(reply.egger.p)}`
                : "Egger's test needs at least 3 studies"}
            </li>
            {reply.subgroups && (
              <li>
                Subgroups:{' '}
                {reply.subgroups.groups
                  .map(
                    (g) =>
                      `${g.name} ${formatValue(g.result.estimate, 3)} (${count(g.result.k, 'study', 'studies')})`,
                  )
                  .join('; ')}
                . Test of difference: Q = {formatValue(reply.subgroups.qBetween)} on{' '}
                {reply.subgroups.df} df (p {p(reply.subgroups.pBetween)})
              </li>
            )}
          </ul>
          <h3>Forest plot</h3>
          <EngineSvg svg={reply.forestSvg} testId="forest" label="Forest plot" />
          <h3>Funnel plot</h3>
          <EngineSvg svg={reply.funnelSvg} testId="funnel" label="Funnel plot" />
        </section>
      )}
    </>
  );
}
