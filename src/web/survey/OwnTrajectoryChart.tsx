import * as Plot from '@observablehq/plot';
import { useMemo } from 'react';
import type { OwnTrajectory } from '../../core/analytics/own-trajectory.ts';
import { PlotFigure } from '../ui/PlotFigure.tsx';

/** A dashed level across the chart with its name written on it; nothing when there is no level. */
function namedLine(
  level: number | null,
  name: string,
  color: string,
  side: 'left' | 'right',
  dashes: string,
): Plot.Markish[] {
  if (level === null) return [];
  return [
    Plot.ruleY([level], { stroke: color, strokeDasharray: dashes }),
    Plot.text([level], {
      y: (d: number) => d,
      frameAnchor: side,
      dy: -6,
      text: () => name,
      fill: color,
    }),
  ];
}

/** One of the patient's own scores over time, against where they started. */
export function OwnTrajectoryChart({ trajectory }: { trajectory: OwnTrajectory }) {
  const options = useMemo(
    (): Plot.PlotOptions => ({
      height: 220,
      marginLeft: 40,
      x: { label: 'Months after treatment', grid: true },
      y: {
        label: `${trajectory.name} (${trajectory.higherIsBetter ? 'higher is better' : 'lower is better'})`,
        domain: trajectory.range,
        grid: true,
      },
      marks: [
        ...namedLine(trajectory.baseline, 'where you started', '#5a6472', 'right', '4,3'),
        ...namedLine(
          trajectory.mcidLine,
          'smallest important improvement',
          '#1a7f37',
          'left',
          '2,3',
        ),
        Plot.lineY(trajectory.points, {
          x: 'months',
          y: 'value',
          stroke: '#0b5cad',
          strokeWidth: 2,
        }),
        Plot.dot(trajectory.points, { x: 'months', y: 'value', fill: '#0b5cad', r: 4 }),
      ],
    }),
    [trajectory],
  );
  const last = trajectory.points.at(-1);
  return (
    <section>
      <h2>{trajectory.name}</h2>
      <PlotFigure options={options} label={`Your ${trajectory.name} over time`} />
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
