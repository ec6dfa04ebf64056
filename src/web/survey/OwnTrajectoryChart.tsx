import * as Plot from '@observablehq/plot';
import { useId, useMemo } from 'react';
import type { OwnTrajectory } from '../../core/analytics/own-trajectory.ts';
import { scaleTitle } from '../../core/instruments/patient-wording.ts';
import { PlotFigure } from '../ui/PlotFigure.tsx';
import { monthTicks } from './survey-screens.ts';

const SCORE_COLOR = '#0b5cad';
const START_COLOR = '#5a6472';
const MCID_COLOR = '#1a7f37';

/**
 * A dashed level across the chart; its name is in the key below, never on the lines. Marks are
 * hidden from screen readers (Plot names each group by its kind, "rule"); the sentence under
 * the chart says the same in words.
 */
function level(value: number | null, color: string, dashes: string): Plot.Markish[] {
  return value === null
    ? []
    : [Plot.ruleY([value], { stroke: color, strokeDasharray: dashes, ariaHidden: 'true' })];
}

/** A short sample of a line for the key, drawn as the chart draws it. */
function Swatch({ color, dashes, dot }: { color: string; dashes?: string; dot?: boolean }) {
  return (
    <svg width="28" height="12" aria-hidden="true">
      <line
        x1="1"
        x2="27"
        y1="6"
        y2="6"
        stroke={color}
        strokeWidth={2}
        {...(dashes ? { strokeDasharray: dashes } : {})}
      />
      {dot && <circle cx="14" cy="6" r="4" fill={color} />}
    </svg>
  );
}

/** One of the patient's own scores over time, against where they started. */
export function OwnTrajectoryChart({ trajectory }: { trajectory: OwnTrajectory }) {
  const title = scaleTitle(trajectory.instrumentId, trajectory.scale, trajectory.name);
  const headingId = useId();
  const options = useMemo((): Plot.PlotOptions => {
    const ticks = monthTicks(trajectory.points.at(-1)?.months ?? 0);
    return {
      height: 200,
      marginLeft: 36,
      marginRight: 16,
      marginBottom: 40,
      x: {
        label: 'Months after treatment',
        labelAnchor: 'center',
        labelArrow: 'none',
        domain: [0, ticks.at(-1) ?? 1],
        ticks,
        tickFormat: 'd',
        grid: true,
      },
      y: { label: null, domain: trajectory.range, grid: true, ticks: 5 },
      marks: [
        ...level(trajectory.baseline, START_COLOR, '5,4'),
        ...level(trajectory.mcidLine, MCID_COLOR, '2,3'),
        Plot.lineY(trajectory.points, {
          x: 'months',
          y: 'value',
          stroke: SCORE_COLOR,
          strokeWidth: 2,
          ariaHidden: 'true',
        }),
        Plot.dot(trajectory.points, {
          x: 'months',
          y: 'value',
          fill: SCORE_COLOR,
          r: 4,
          ariaHidden: 'true',
        }),
      ],
    };
  }, [trajectory]);
  const last = trajectory.points.at(-1);
  const [low, high] = trajectory.range;
  return (
    <section className="own-chart" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <p className="muted own-chart-scale">
        Scored {low} to {high}: {trajectory.higherIsBetter ? 'higher' : 'lower'} is better.
      </p>
      <PlotFigure options={options} label={`Your ${title.toLowerCase()} over time`} />
      <ul className="own-chart-key">
        <li>
          <Swatch color={SCORE_COLOR} dot /> Your scores
        </li>
        {trajectory.baseline !== null && (
          <li>
            <Swatch color={START_COLOR} dashes="5,4" /> Where you started
          </li>
        )}
        {trajectory.mcidLine !== null && (
          <li>
            <Swatch color={MCID_COLOR} dashes="2,3" /> Smallest important improvement
          </li>
        )}
      </ul>
      {last && trajectory.baseline !== null && last.timepoint !== 'baseline' && (
        <p>
          {last.label}: {formatScore(last.value)}, against {formatScore(trajectory.baseline)} when
          you started.
        </p>
      )}
    </section>
  );
}

function formatScore(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
