import * as Plot from '@observablehq/plot';
import { useCallback, useEffect, useState } from 'react';
import type { DoseCurve, ProductComparison } from '../../core/analytics/dose-response.ts';
import { DEFAULT_SCHEDULE } from '../../core/schedule/timepoints.ts';
import type { Coefficient } from '../../core/stats/regression.ts';
import { ApiError, api } from '../api.ts';
import { formatValue } from '../evidence/format.ts';
import { count, productLabel } from '../ui/format.ts';
import { NARROW, PlotFigure } from '../ui/PlotFigure.tsx';
import { Reflow } from '../ui/Reflow.tsx';

interface DoseResponseReport {
  joints: number;
  timepoint: string;
  note: string;
  dosing: { rule: string; seriesJoints: number };
  minJointsForCurve: number;
  curves: DoseCurve[];
  comparisons: ProductComparison[];
}

const OUTCOMES: Record<string, string> = {
  pain: 'Pain (KOOS or HOOS Pain)',
  function: 'Function (KOOS or HOOS ADL)',
};
const f = (x: number) => formatValue(x, 1);
const withCi = (c: Coefficient) => `${f(c.estimate)} (${f(c.lower)} to ${f(c.upper)})`;

/**
 * Dose–response for the Outcomes page's cohort: per product class with a dose, the change
 * from baseline against the dose (log axis) with the fitted curve, its 95% band and the
 * joints; or why there is no curve. Then products compared with adjustment.
 */
export function DoseResponseSection({ query }: { query: string }) {
  const timepoints = DEFAULT_SCHEDULE;
  const [timepoint, setTimepoint] = useState('m6');
  const [report, setReport] = useState<DoseResponseReport | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setReport(null);
    setError('');
    const params = new URLSearchParams(query);
    params.set('timepoint', timepoint);
    api<DoseResponseReport>('GET', `/report/dose-response?${params}`)
      .then(setReport)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [query, timepoint]);
  const label = (id: string) => timepoints.find((t) => t.id === id)?.label ?? id;
  return (
    <section aria-labelledby="dose-response-heading">
      <h2 id="dose-response-heading">Dose and response</h2>
      <NoteOfAssociation note={report?.note ?? ''} />
      <div className="field narrow">
        <label htmlFor="dose-timepoint">Change from baseline to</label>
        <select
          id="dose-timepoint"
          value={timepoint}
          onChange={(e) => setTimepoint(e.target.value)}
        >
          {timepoints
            .filter((t) => t.id !== 'baseline')
            .map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
        </select>
      </div>
      {error ? (
        <p className="error-text">{error}</p>
      ) : !report ? (
        <p>Loading…</p>
      ) : report.curves.length === 0 ? (
        <p>
          No joint in this cohort was treated with a product that has a dose (cells or platelets).
        </p>
      ) : (
        <>
          <p className="muted">
            Change from baseline to {label(report.timepoint).toLowerCase()} (points, positive =
            better) against the dose on a log scale, adjusted for the baseline score (ordinary least
            squares); the line is drawn at the joints' mean baseline with its 95% confidence band. A
            curve needs at least {report.minJointsForCurve} joints with a dose and both scores.
          </p>
          <p>
            <strong>Which dose:</strong> {report.dosing.rule}{' '}
            {report.dosing.seriesJoints === 0
              ? 'No joint in this cohort had more than one injection in its first series.'
              : `${count(report.dosing.seriesJoints, 'joint')} in this cohort had more than one.`}
          </p>
          {report.curves.map((c) => (
            <CurveView
              key={`${c.productClass}|${c.outcome}`}
              curve={c}
              title={`${productLabel(c.productClass)}: ${OUTCOMES[c.outcome] ?? c.outcome}`}
            />
          ))}
          <Comparisons comparisons={report.comparisons} />
        </>
      )}
    </section>
  );
}

/** The registry's caveat, its first clause in bold: "Associations …, not effects". */
function NoteOfAssociation({ note }: { note: string }) {
  const cut = note.indexOf(':');
  if (cut < 0) return <p>{note}</p>;
  return (
    <p>
      <strong>{note.slice(0, cut)}:</strong>
      {note.slice(cut + 1)}
    </p>
  );
}

function CurveView({ curve, title }: { curve: DoseCurve; title: string }) {
  const options = useCallback(
    (width: number): Plot.PlotOptions =>
      curve.status !== 'fitted'
        ? {}
        : {
            height: width < NARROW ? 240 : 300,
            x: { type: 'log', label: `Dose (${curve.unit}, log scale)`, grid: true },
            y: { label: 'Change from baseline', grid: true, nice: true },
            marks: [
              Plot.ruleY([0]),
              Plot.areaY(curve.curve, {
                x: 'dose',
                y1: 'lower',
                y2: 'upper',
                fillOpacity: 0.2,
                fill: 'var(--accent)',
              }),
              Plot.lineY(curve.curve, { x: 'dose', y: 'fit', stroke: 'var(--accent)' }),
              Plot.dot(curve.points, { x: 'dose', y: 'change', r: 2.5, fill: 'var(--ink)' }),
            ],
          },
    [curve],
  );
  return (
    <div className="dose-curve">
      <h3>{title}</h3>
      {curve.status === 'fitted' ? (
        <>
          <p>
            {curve.joints} joints. Per doubling of the dose, at the same baseline score:{' '}
            {withCi(curve.perDoubling)} points (p = {formatValue(curve.perDoubling.p, 3)}).
          </p>
          <PlotFigure
            options={options}
            label={`${title}: change from baseline against dose, fitted line with 95% band and ${curve.points.length} points`}
          />
        </>
      ) : (
        <p className="muted">{curve.message}</p>
      )}
    </div>
  );
}

function Comparisons({ comparisons }: { comparisons: ProductComparison[] }) {
  return (
    <>
      <h3>Products compared</h3>
      <p className="muted">
        Difference in mean change from baseline against the most used product, adjusted for baseline
        score, KL grade, age, sex and BMI (linear model over joints with all of them).
      </p>
      {comparisons.map((c) =>
        c.status !== 'fitted' ? (
          <p key={c.outcome} className="muted">
            {OUTCOMES[c.outcome]}: {c.message}
          </p>
        ) : (
          <Reflow key={c.outcome}>
            <table>
              <caption>
                {OUTCOMES[c.outcome]}: against {productLabel(c.reference ?? '')} ({c.joints} joints;{' '}
                {c.excluded} left out)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Difference (95% CI)</th>
                  <th scope="col">p</th>
                </tr>
              </thead>
              <tbody>
                {c.differences.map((d) => (
                  <tr key={d.term}>
                    <td>{productLabel(d.term.replace(/^product /, ''))}</td>
                    <td>{withCi(d)}</td>
                    <td>{formatValue(d.p, 3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Reflow>
        ),
      )}
    </>
  );
}
