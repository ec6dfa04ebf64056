import * as Plot from '@observablehq/plot';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Benchmark } from '../../core/analytics/benchmark.ts';
import type { DurabilityCurve } from '../../core/analytics/durability.ts';
import type { OutcomeAtTimepoint, ScaleTrajectory } from '../../core/analytics/outcomes.ts';
import type {
  RespondersAtTimepoint,
  ShareWithCi,
  ThresholdShares,
} from '../../core/analytics/responders.ts';
import type { ProductSafety, SeriousEventRow } from '../../core/analytics/safety.ts';
import type { WorkStatusAtTimepoint } from '../../core/analytics/work-status.ts';
import { DEFAULT_SCHEDULE, monthsAfterTreatment } from '../../core/schedule/timepoints.ts';
import type { FlowStep } from '../../core/schedule/worklist.ts';
import { ApiError, api } from '../api.ts';
import { formatInterval, formatValue } from '../evidence/format.ts';
import { count, formatDate, label, productLabel, scaleLabel } from '../ui/format.ts';
import { NARROW, PlotFigure } from '../ui/PlotFigure.tsx';
import { Reflow } from '../ui/Reflow.tsx';
import { DoseResponseSection } from './DoseResponse.tsx';

interface Vocabulary {
  joints: string[];
  sexes: string[];
  productClasses: { code: string; label: string }[];
  cellSources: { code: string; label: string }[];
  cellDoseBands: { code: string; label: string }[];
  bmiClasses: { code: string; label: string }[];
  instruments: {
    id: string;
    shortName: string;
    scales: {
      id: string;
      name: string;
      range: [number, number];
      higherIsBetter: boolean;
      caveat: { label: string; detail: string } | null;
    }[];
  }[];
}
interface Report {
  joints: number;
  outcomes: OutcomeAtTimepoint[];
  trajectories: ScaleTrajectory[];
  thresholds: ThresholdShares[];
  responders: { byTimepoint: RespondersAtTimepoint[] };
  workStatus: WorkStatusAtTimepoint[];
}
/** A section about the outcome chosen on the page (`instrument|scale`). */
interface ScaleView {
  report: Report;
  scaleKey: string;
  title: string;
  /** Which way is better on the scale, in words ("lower is less pain"), for every change shown. */
  direction?: string;
}
/** How many joints (or treatments) of the filtered cohort a section describes. */
interface CohortSize {
  joints?: number;
  treatments?: number;
}
interface Durability {
  cohort: CohortSize;
  arthroplastyFree: DurabilityCurve;
  reinjectionFree: DurabilityCurve;
  returnToActivities: DurabilityCurve;
  returnToWork: DurabilityCurve;
}
interface Safety {
  cohort: CohortSize;
  byProduct: ProductSafety[];
  /** A researcher's rows carry no dates, and text only once reviewed. */
  serious: (Omit<SeriousEventRow, 'onsetDate' | 'treatmentDate' | 'description'> & {
    onsetDate?: string;
    description: string | null;
    descriptionWithheld?: boolean;
  })[];
}

/** Months after treatment of each time point, to place it on the charts' time axis. */
const MONTHS = new Map(DEFAULT_SCHEDULE.map((t) => [t.id, monthsAfterTreatment(t)]));
const LABELS = new Map(DEFAULT_SCHEDULE.map((t) => [t.id, t.label]));
const monthOf = (timepoint: string) => MONTHS.get(timepoint) ?? 0;
/** Time points in schedule order, for the charts that draw one panel per time point. */
const ORDER = DEFAULT_SCHEDULE.map((t) => t.id);
/**
 * A time point's panel heading: its name ("6 weeks") where there is room, shortened on a
 * phone ("6 wk", "12 mo") so neighbouring panels' headings never overlap.
 */
const panelLabel = (narrow: boolean) => (timepoint: string) => {
  const name = LABELS.get(timepoint) ?? timepoint;
  return narrow
    ? name
        .replace(/ weeks?$/, ' wk')
        .replace(/ months?$/, ' mo')
        .replace(/ years?$/, ' yr')
    : name;
};
/** A share as a percentage, e.g. 0.423 → "42%" (or "42.3%" with one decimal). */
const percent = (x: number, decimals = 0) => `${formatValue(x * 100, decimals)}%`;

interface CompletenessReport {
  cohort: CohortSize;
  flow: { steps: FlowStep[] };
}

const CURVES: [Exclude<keyof Durability, 'cohort'>, string][] = [
  ['arthroplastyFree', 'Free of joint replacement'],
  ['reinjectionFree', 'Free of re-injection'],
  ['returnToActivities', 'Returned to usual activities'],
  ['returnToWork', 'Returned to work'],
];

/** The clinic's outcomes dashboard: the same numbers as `stemtrack report`, drawn. */
export function OutcomesPage() {
  const [error, setError] = useState('');
  // Stable across renders (setError never changes), so the effects below depend on it safely.
  const fail = useCallback(
    (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)),
    [],
  );
  const [vocabulary, setVocabulary] = useState<Vocabulary | null>(null);
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [report, setReport] = useState<Report | null>(null);
  const [bench, setBench] = useState<Benchmark | null>(null);
  const [durability, setDurability] = useState<Durability | null>(null);
  const [safety, setSafety] = useState<Safety | null>(null);
  const [completeness, setCompleteness] = useState<CompletenessReport | null>(null);
  const [scaleKey, setScaleKey] = useState('nrs-pain|pain');

  useEffect(() => {
    api<Vocabulary>('GET', '/vocabulary').then(setVocabulary).catch(fail);
  }, [fail]);
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '')).toString();
  // A filter the server refuses (say, ages the wrong way round) is shown by the filters, and
  // the rest of the page stays.
  const [cohortError, setCohortError] = useState('');
  useEffect(() => {
    setReport(null);
    setBench(null);
    setDurability(null);
    setSafety(null);
    setCompleteness(null);
    setCohortError('');
    const suffix = query ? `?${query}` : '';
    const refused = (e: unknown) =>
      e instanceof ApiError && e.status === 400
        ? setCohortError(e.fields.map((f) => f.message).join(' ') || e.message)
        : fail(e);
    api<Report>('GET', `/report${suffix}`).then(setReport).catch(refused);
    api<Benchmark>('GET', `/report/benchmark${suffix}`).then(setBench).catch(refused);
    // Every section describes the same filtered cohort.
    api<Durability>('GET', `/report/durability${suffix}`).then(setDurability).catch(refused);
    api<Safety>('GET', `/report/safety${suffix}`).then(setSafety).catch(refused);
    api<CompletenessReport>('GET', `/report/completeness${suffix}`)
      .then(setCompleteness)
      .catch(refused);
  }, [query, fail]);

  const scaleName = (key: string) => {
    const [instrumentId = '', scale = ''] = key.split('|');
    return scaleLabel(
      vocabulary?.instruments.find((i) => i.id === instrumentId),
      scale,
    );
  };
  /** One sign convention, said once near the numbers: which way a change is better. */
  const direction = (key: string) => {
    const [instrumentId, scaleId] = key.split('|');
    const scale = vocabulary?.instruments
      .find((i) => i.id === instrumentId)
      ?.scales.find((s) => s.id === scaleId);
    if (!scale) return '';
    const pain = /pain/i.test(scale.name) || instrumentId === 'nrs-pain';
    const better = pain ? 'less pain' : 'better';
    return scale.higherIsBetter
      ? `On ${scaleName(key)} higher is ${better}: a positive change is an improvement.`
      : `On ${scaleName(key)} lower is ${better}: a negative change is an improvement.`;
  };
  const scaleKeys = report
    ? [...new Set(report.outcomes.map((o) => `${o.instrumentId}|${o.scale}`))]
    : [];

  if (error) return <p className="error-text">{error}</p>;
  if (!vocabulary) return <p>Loading…</p>;
  const select = (name: string, label: string, options: [string, string][]) => (
    <div className="field narrow">
      <label htmlFor={`filter-${name}`}>{label}</label>
      <select
        id={`filter-${name}`}
        value={filters[name] ?? ''}
        onChange={(e) => setFilters({ ...filters, [name]: e.target.value })}
      >
        <option value="">All</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  const input = (name: string, label: string, type: 'number' | 'date') => (
    <div className="field narrow">
      <label htmlFor={`filter-${name}`}>{label}</label>
      <input
        id={`filter-${name}`}
        type={type}
        {...(type === 'number' ? { min: 0, max: 130, inputMode: 'numeric' as const } : {})}
        value={filters[name] ?? ''}
        onChange={(e) => setFilters({ ...filters, [name]: e.target.value })}
      />
    </div>
  );
  return (
    <>
      <h1>Outcomes</h1>
      <p>
        Your site's patients. Changes are before–after, without a control group: they are not
        treatment effects.
      </p>
      <form className="filters" aria-label="Cohort" onSubmit={(e) => e.preventDefault()}>
        {select(
          'joint',
          'Joint',
          vocabulary.joints.map((j) => [j, j]),
        )}
        {select(
          'product',
          'Product',
          vocabulary.productClasses.map((p) => [p.code, p.label]),
        )}
        {select(
          'kl',
          'KL grade',
          ['0', '1', '2', '3', '4'].map((k) => [k, k]),
        )}
        {select(
          'sex',
          'Sex',
          vocabulary.sexes.map((s) => [s, s]),
        )}
        {select(
          'cellSource',
          'Cell source',
          vocabulary.cellSources.map((c) => [c.code, c.label]),
        )}
        {select(
          'dose',
          'Cell dose',
          vocabulary.cellDoseBands.map((b) => [b.code, b.label]),
        )}
        {select(
          'bmi',
          'BMI (WHO class)',
          vocabulary.bmiClasses.map((b) => [b.code, b.label]),
        )}
        {input('ageFrom', 'Age from', 'number')}
        {input('ageTo', 'Age to', 'number')}
        {input('treatedFrom', 'Treated from', 'date')}
        {input('treatedTo', 'Treated to', 'date')}
      </form>
      {cohortError ? (
        <p className="error-text" role="alert">
          {cohortError}
        </p>
      ) : !report ? (
        <p>Loading…</p>
      ) : report.outcomes.length === 0 ? (
        <p>No scores for this cohort yet.</p>
      ) : (
        <>
          <p>{count(report.joints, 'treated joint')} with scores in this cohort.</p>
          <div className="field narrow">
            <label htmlFor="scale">Outcome</label>
            <select id="scale" value={scaleKey} onChange={(e) => setScaleKey(e.target.value)}>
              {scaleKeys.map((k) => (
                <option key={k} value={k}>
                  {scaleName(k)}
                </option>
              ))}
            </select>
          </div>
          <Trajectory
            report={report}
            scaleKey={scaleKey}
            title={scaleName(scaleKey)}
            direction={direction(scaleKey)}
          />
          {bench && (
            <BenchmarkChart
              bench={bench}
              scaleKey={scaleKey}
              title={scaleName(scaleKey)}
              direction={direction(scaleKey)}
            />
          )}
        </>
      )}
      {durability && <DurabilityCharts durability={durability} />}
      {completeness && (
        <Completeness flow={completeness.flow.steps} joints={completeness.cohort.joints ?? 0} />
      )}
      {safety && <SafetyTables safety={safety} />}
      {report && report.outcomes.length > 0 && (
        <Responders report={report} scaleKey={scaleKey} title={scaleName(scaleKey)} />
      )}
      {report && report.workStatus.length > 0 && <WorkStatus byTimepoint={report.workStatus} />}
      {!cohortError && <DoseResponseSection query={query} />}
    </>
  );
}

function Trajectory({ report, scaleKey, title, direction }: ScaleView) {
  const [instrumentId, scale] = scaleKey.split('|');
  const options = useCallback(
    (width: number): Plot.PlotOptions => {
      const observed = report.outcomes
        .filter((o) => o.instrumentId === instrumentId && o.scale === scale)
        .map((o) => ({
          month: monthOf(o.timepoint),
          mean: o.level.mean,
          lower: o.level.ciLower,
          upper: o.level.ciUpper,
        }));
      const model =
        report.trajectories
          .find((t) => t.instrumentId === instrumentId && t.scale === scale)
          ?.model?.timepoints.map((t) => ({
            month: monthOf(t.timepoint),
            mean: t.mean,
            lower: t.meanLower,
            upper: t.meanUpper,
          })) ?? [];
      return {
        height: width < NARROW ? 260 : 320,
        x: { label: 'Months after treatment', grid: true },
        y: { label: width < NARROW ? 'Mean' : title, grid: true, nice: true },
        marks: [
          Plot.areaY(model, {
            x: 'month',
            y1: 'lower',
            y2: 'upper',
            fill: '#0b5cad',
            fillOpacity: 0.15,
          }),
          Plot.lineY(model, { x: 'month', y: 'mean', stroke: '#0b5cad', strokeWidth: 2 }),
          Plot.ruleX(observed, { x: 'month', y1: 'lower', y2: 'upper', stroke: '#5a6472' }),
          Plot.dot(observed, { x: 'month', y: 'mean', fill: '#1b2330', r: 3, tip: true }),
        ],
      };
    },
    [report, instrumentId, scale, title],
  );
  return (
    <section>
      <h2>Trajectory: {title}</h2>
      <p className="muted">
        Line and band: mixed-model mean with its 95% CI (random intercept per joint, so joints that
        missed a visit still count). Dots and bars: observed mean and 95% CI at each time point.{' '}
        {direction}
      </p>
      <PlotFigure options={options} label={`${title}: mean over time with 95% confidence band`} />
      <TrajectoryTable report={report} instrumentId={instrumentId ?? ''} scale={scale ?? ''} />
    </section>
  );
}

function TrajectoryTable({
  report,
  instrumentId,
  scale,
}: {
  report: Report;
  instrumentId: string;
  scale: string;
}) {
  const rows = report.outcomes.filter((o) => o.instrumentId === instrumentId && o.scale === scale);
  return (
    <Reflow>
      <table>
        <thead>
          <tr>
            <th scope="col">Time point</th>
            <th scope="col">n</th>
            <th scope="col">Mean</th>
            <th scope="col">Change from baseline</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o.timepoint}>
              <td>{LABELS.get(o.timepoint) ?? o.timepoint}</td>
              <td>{o.level.n}</td>
              <td>
                {formatValue(o.level.mean)} ({formatInterval(o.level.ciLower, o.level.ciUpper)})
              </td>
              <td>
                {o.change
                  ? `${formatValue(o.change.mean)} (${formatInterval(o.change.ciLower, o.change.ciUpper)}), n = ${o.change.n}`
                  : '–'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Reflow>
  );
}

function BenchmarkChart({
  bench,
  scaleKey,
  title,
  direction,
}: {
  bench: Benchmark;
  scaleKey: string;
  title: string;
  direction: string;
}) {
  const [instrumentId, scale] = scaleKey.split('|');
  const options = useCallback(
    (width: number): Plot.PlotOptions => {
      const pick = (who: string, outcomes: OutcomeAtTimepoint[]) =>
        outcomes
          .filter((o) => o.instrumentId === instrumentId && o.scale === scale && o.change)
          .map((o) => ({
            who,
            timepoint: o.timepoint,
            change: o.change?.mean,
            lower: o.change?.ciLower,
            upper: o.change?.ciUpper,
          }));
      const data = [
        ...pick('This site', bench.site),
        ...pick('Rest of network', bench.restOfNetwork),
        ...bench.peers.flatMap((p) => pick(p.label, p.outcomes)),
      ];
      // One panel per time point and, inside it, the site, the rest of the network and each
      // peer side by side, so no estimate or interval hides another.
      const narrow = width < NARROW;
      const who = [...new Set(data.map((d) => d.who))];
      const timepoints = ORDER.filter((t) => data.some((d) => d.timepoint === t));
      return {
        height: narrow ? 280 : 320,
        marginBottom: 40,
        x: { axis: null, domain: who, padding: 0.2 },
        fx: {
          label: narrow ? 'Time after treatment' : null,
          domain: timepoints,
          tickFormat: panelLabel(narrow),
          padding: 0.1,
        },
        y: { label: narrow ? 'Change' : `Change in ${title}`, grid: true, nice: true },
        color: { legend: true, domain: who },
        marks: [
          Plot.ruleY([0]),
          Plot.ruleX(data, {
            x: 'who',
            fx: 'timepoint',
            y1: 'lower',
            y2: 'upper',
            stroke: 'who',
            strokeWidth: 2,
          }),
          Plot.dot(data, {
            x: 'who',
            fx: 'timepoint',
            y: 'change',
            fill: 'who',
            r: 3.5,
            tip: true,
          }),
        ],
      };
    },
    [bench, instrumentId, scale, title],
  );
  return (
    <section>
      <h2>Your site and the network</h2>
      <p className="muted">
        Mean change from baseline in {title} with 95% CIs, the site beside the rest of the network
        at each time point. Other sites are not named, and a site's figures are left out at a time
        point with fewer than 5 joints. {direction}
      </p>
      <PlotFigure options={options} label={`Change in ${title}: this site against the network`} />
    </section>
  );
}

function DurabilityCharts({ durability }: { durability: Durability }) {
  const options = useMemo((): Plot.PlotOptions => {
    const data = CURVES.flatMap(([key, name]) => {
      const curve = durability[key];
      const rising = key === 'returnToActivities' || key === 'returnToWork';
      const points = [
        { time: 0, surv: 1 },
        ...curve.steps.map((s) => ({ time: s.time, surv: s.surv })),
      ];
      return points.map((p) => ({
        curve: name,
        time: p.time,
        value: rising ? 1 - p.surv : p.surv,
      }));
    });
    return {
      height: 300,
      x: { label: 'Months after treatment', grid: true },
      y: { label: 'Share of joints', domain: [0, 1], grid: true, tickFormat: '.0%' },
      color: { legend: true },
      marks: [Plot.lineY(data, { x: 'time', y: 'value', stroke: 'curve', curve: 'step-after' })],
    };
  }, [durability]);
  return (
    <section>
      <h2>Durability and recovery</h2>
      <p>{count(durability.cohort.joints ?? 0, 'treated joint')} in this cohort.</p>
      <p className="muted">
        Kaplan–Meier estimates; joints are censored at their last contact. Returns are drawn as the
        share returned (1 − the Kaplan–Meier estimate of not yet returned).
      </p>
      <PlotFigure options={options} label="Kaplan–Meier curves of durability and recovery" />
      <Reflow>
        <table>
          <caption>Numbers at risk</caption>
          <thead>
            <tr>
              <th scope="col">Months</th>
              {durability.arthroplastyFree.atRisk.map((a) => (
                <th scope="col" key={a.month}>
                  {a.month}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {CURVES.map(([key, name]) => (
              <tr key={key}>
                <th scope="row">{name}</th>
                {durability[key].atRisk.map((a) => (
                  <td key={a.month}>{a.n}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Reflow>
    </section>
  );
}

function Completeness({ flow, joints }: { flow: FlowStep[]; joints: number }) {
  const options = useMemo((): Plot.PlotOptions => {
    const data = flow.flatMap((s) => [
      { timepoint: s.label, status: 'Completed', n: s.completed },
      { timepoint: s.label, status: 'Missed', n: s.lost },
      { timepoint: s.label, status: 'Still open', n: s.reached - s.completed - s.lost },
    ]);
    return {
      height: 280,
      marginLeft: 80,
      x: { label: 'Joints', grid: true },
      y: { label: null, domain: flow.map((s) => s.label) },
      color: { legend: true, domain: ['Completed', 'Missed', 'Still open'] },
      marks: [Plot.barX(data, { y: 'timepoint', x: 'n', fill: 'status', tip: true })],
    };
  }, [flow]);
  return (
    <section>
      <h2>Follow-up completeness</h2>
      <p>{count(joints, 'treated joint')} in this cohort.</p>
      <PlotFigure options={options} label="Follow-up completeness per time point" />
    </section>
  );
}

function SafetyTables({ safety }: { safety: Safety }) {
  return (
    <section>
      <h2>Adverse events</h2>
      <p>{count(safety.cohort.treatments ?? 0, 'treatment')} in this cohort.</p>
      {safety.byProduct.length === 0 ? (
        <p>No treatments recorded.</p>
      ) : (
        <Reflow>
          <table>
            <caption>Share of treatments followed by an event, exact 95% CI</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Treatments</th>
                <th scope="col">Any event</th>
                <th scope="col">Serious</th>
                <th scope="col">Related</th>
              </tr>
            </thead>
            <tbody>
              {safety.byProduct.map((p) => (
                <tr key={p.productClass}>
                  <td>{productLabel(p.productClass)}</td>
                  <td>{p.treatments}</td>
                  {[p.anyEvent, p.serious, p.related].map((x, i) => (
                    <td key={['any', 'serious', 'related'][i]}>
                      {x.count} ({percent(x.share, 1)}; {percent(x.lower, 1)} to{' '}
                      {percent(x.upper, 1)})
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </Reflow>
      )}
      <h3>Serious events</h3>
      {safety.serious.length === 0 ? (
        <p>None recorded.</p>
      ) : (
        <ul className="events">
          {safety.serious.map((s, i) => (
            // Researchers get no dates and only reviewed text (see researcherSeriousRows), so
            // rows have no id; the list is redrawn whole, never reordered.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <li key={i}>
              {s.onsetDate ? `${formatDate(s.onsetDate)}, ` : ''}
              {count(s.daysAfterTreatment, 'day')} after {productLabel(s.productClass)}
              {s.description
                ? `: ${s.description} `
                : s.descriptionWithheld
                  ? ': description withheld until a clinician reviews it '
                  : ' '}
              <span className="muted">
                (grade {s.grade}, {label(s.relatedness)} to the treatment)
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const shareText = (x: ShareWithCi | null) =>
  x ? `${percent(x.share)} (${percent(x.lower)} to ${percent(x.upper)}), n = ${x.n}` : '–';

/**
 * Shares of joints past the chosen scale's MCID and in its PASS, and OMERACT-OARSI responders
 * among knees and hips, each with its exact 95% CI.
 */
function Responders({ report, scaleKey, title }: ScaleView) {
  const [instrumentId, scale] = scaleKey.split('|');
  const shares = report.thresholds.filter(
    (t) => t.instrumentId === instrumentId && t.scale === scale,
  );
  const responders = report.responders.byTimepoint;
  const options = useCallback(
    (width: number): Plot.PlotOptions => {
      const bar = (measure: string, timepoint: string, x: ShareWithCi | null) =>
        x ? [{ measure, timepoint, ...x }] : [];
      const data = [
        ...shares.flatMap((t) => bar(`Past the MCID (${t.mcid})`, t.timepoint, t.pastMcid)),
        ...shares.flatMap((t) =>
          bar(`Down by ${percent(t.relativeMcid ?? 0)} or more`, t.timepoint, t.pastRelative),
        ),
        ...shares.flatMap((t) => bar(`In the PASS (${t.pass})`, t.timepoint, t.inPass)),
        ...responders.flatMap((r) => bar('OMERACT-OARSI responders', r.timepoint, r.responders)),
      ];
      const order = ORDER.filter((t) => data.some((d) => d.timepoint === t));
      const measures = [...new Set(data.map((d) => d.measure))];
      const narrow = width < NARROW;
      return {
        height: 300,
        marginBottom: 40,
        x: { axis: null, domain: measures },
        fx: {
          label: narrow ? 'Time after treatment' : null,
          domain: order,
          tickFormat: panelLabel(narrow),
        },
        y: { label: 'Share of joints', domain: [0, 1], grid: true, tickFormat: '.0%' },
        color: { legend: true, domain: measures },
        marks: [
          Plot.barY(data, {
            x: 'measure',
            fx: 'timepoint',
            y: 'share',
            fill: 'measure',
            tip: true,
          }),
          Plot.ruleX(data, { x: 'measure', fx: 'timepoint', y1: 'lower', y2: 'upper' }),
        ],
      };
    },
    [shares, responders],
  );
  const hasShares = shares.length > 0;
  const relative = shares[0]?.relativeMcid ?? null;
  const origins = shares[0]
    ? (
        [
          ['The MCID', shares[0].mcid !== null ? shares[0].derivedIn.mcid : null],
          [
            `The ${percent(relative ?? 0)} criterion`,
            relative !== null ? shares[0].derivedIn.relativeMcid : null,
          ],
          ['The PASS', shares[0].pass !== null ? shares[0].derivedIn.pass : null],
        ] as const
      ).filter(([, o]) => o !== null)
    : [];
  const exact = responders.length > 0 && responders.every((r) => r.exact);
  return (
    <section>
      <h2>Responders</h2>
      {!hasShares && responders.length === 0 ? (
        <p className="muted">
          {title} has no published MCID or PASS in its definition file, and no knee or hip has KOOS
          or HOOS Pain and ADL at baseline and a later time point.
        </p>
      ) : (
        <>
          <p className="muted">
            Bars: share of joints, with exact 95% CIs. Past the MCID: improved from baseline by at
            least the minimal clinically important difference. In the PASS: at or beyond the
            patient-acceptable symptom state. The thresholds, the populations they come from and
            their sources are in the instrument definition files.
          </p>
          <PlotFigure
            options={options}
            label={`Responders per time point: ${title} MCID and PASS, and OMERACT-OARSI`}
          />
        </>
      )}
      {hasShares && (
        <Reflow>
          <table>
            <caption>{title}: shares past its thresholds</caption>
            <thead>
              <tr>
                <th scope="col">Time point</th>
                <th scope="col">Past the MCID ({shares[0]?.mcid ?? 'none'})</th>
                {relative !== null && (
                  <th scope="col">Down by {percent(relative)} or more (Farrar 2001)</th>
                )}
                <th scope="col">In the PASS ({shares[0]?.pass ?? 'none'})</th>
              </tr>
            </thead>
            <tbody>
              {shares.map((t) => (
                <tr key={t.timepoint}>
                  <td>{LABELS.get(t.timepoint) ?? t.timepoint}</td>
                  <td>{shareText(t.pastMcid)}</td>
                  {relative !== null && <td>{shareText(t.pastRelative)}</td>}
                  <td>{shareText(t.inPass)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul className="threshold-origins">
            {origins.map(([what, origin]) => (
              <li key={what}>
                {what} was derived in: {origin?.population}
                {origin?.warning && (
                  <strong className="warning-text"> Warning: {origin.warning}</strong>
                )}
              </li>
            ))}
          </ul>
        </Reflow>
      )}
      {responders.length > 0 && (
        <Reflow>
          <table>
            <caption>
              OMERACT-OARSI responders among knees and hips (KOOS or HOOS Pain and ADL; Pham et al.
              2004)
            </caption>
            <thead>
              <tr>
                <th scope="col">Time point</th>
                <th scope="col">Responders</th>
                <th scope="col">With patient global</th>
                <th scope="col">Undetermined</th>
                <th scope="col">At most</th>
              </tr>
            </thead>
            <tbody>
              {responders.map((r) => (
                <tr key={r.timepoint}>
                  <td>{LABELS.get(r.timepoint) ?? r.timepoint}</td>
                  <td>
                    {shareText(r.responders)} {r.exact ? '(exact)' : '(lower bound)'}
                  </td>
                  <td>{r.withGlobal}</td>
                  <td>{r.undetermined}</td>
                  <td>{percent(r.upperBound.share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            The rule's third domain is the patient global assessment (its own questionnaire, 0–10).
            A joint whose pain or function alone improved by at least 20% and 10 points is classed
            by its patient global when it answered one at baseline and then; without it the joint is
            undetermined.{' '}
            {exact
              ? 'Every such joint answered it, so the shares are exact.'
              : 'Where any joint is undetermined the share is a lower bound; "At most" counts every undetermined joint as a responder.'}
          </p>
        </Reflow>
      )}
    </section>
  );
}

/**
 * Work status per time point (ICHOM hip & knee OA set): each answer's joints and share of those
 * answering then, in the words the patient read.
 */
function WorkStatus({ byTimepoint }: { byTimepoint: WorkStatusAtTimepoint[] }) {
  const labels = [...new Set(byTimepoint.flatMap((t) => t.answers.map((a) => a.label)))];
  return (
    <section>
      <h2>Work status</h2>
      <p className="muted">
        The patient's own answer in the satisfaction and work questionnaire (ICHOM hip and knee
        osteoarthritis set; its wording is not verified against ICHOM's). Each joint counts once per
        time point, with its first answer; shares are of the joints answering then.
      </p>
      <Reflow>
        <table>
          <caption>Work status per time point after treatment: joints (share)</caption>
          <thead>
            <tr>
              <th scope="col">Time point</th>
              <th scope="col">Joints answering (n)</th>
              {labels.map((l) => (
                <th key={l} scope="col">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {byTimepoint.map((t) => (
              <tr key={t.timepoint}>
                <td>{LABELS.get(t.timepoint) ?? t.timepoint}</td>
                <td>{t.n}</td>
                {labels.map((l) => {
                  const a = t.answers.find((x) => x.label === l);
                  return (
                    <td key={l}>
                      {a ? `${a.share.count} (${percent(a.share.share)})` : `0 (${percent(0)})`}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </Reflow>
    </section>
  );
}
